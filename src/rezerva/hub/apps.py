from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "rezerva.hub"
    label = "hub"
