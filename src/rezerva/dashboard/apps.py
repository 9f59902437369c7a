from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "rezerva.dashboard"
    label = "dashboard"
