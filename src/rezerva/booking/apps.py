from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "rezerva.booking"
    label = "booking"
