from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "rezerva.payments"
    label = "payments"
