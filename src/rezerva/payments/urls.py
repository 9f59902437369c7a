from django.urls import path

from rezerva.payments import views

app_name = "payments"
urlpatterns = [path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook")]
