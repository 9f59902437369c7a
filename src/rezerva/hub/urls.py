from django.urls import path

from rezerva.hub import views

app_name = "hub"
urlpatterns = [
    path("<slug:slug>/", views.business_hub, name="business"),
]
