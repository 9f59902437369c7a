from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "rezerva.tenancy"
    label = "tenancy"
