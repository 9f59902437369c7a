from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "rezerva.catalog"
    label = "catalog"
