from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rezerva.api"
    label = "api"
