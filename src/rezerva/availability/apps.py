from django.apps import AppConfig


class AvailabilityConfig(AppConfig):
    name = "rezerva.availability"
    label = "availability"
