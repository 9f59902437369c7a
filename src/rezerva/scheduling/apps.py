from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "rezerva.scheduling"
    label = "scheduling"
