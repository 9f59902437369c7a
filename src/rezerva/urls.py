"""URL map: admin, owner dashboard, accounts, then the public hub (catch-all by business slug)."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path

from rezerva.api.api import api

urlpatterns = [
    path("", lambda request: redirect("dashboard:home"), name="root"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("rezerva.accounts.urls")),
    path("dashboard/", include("rezerva.dashboard.urls")),
    path("payments/", include("rezerva.payments.urls")),
    path("", include("rezerva.hub.urls")),
]
