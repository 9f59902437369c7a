from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rezerva.core"
    label = "core"
