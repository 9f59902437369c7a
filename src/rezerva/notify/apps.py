from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "rezerva.notify"
    label = "notify"
