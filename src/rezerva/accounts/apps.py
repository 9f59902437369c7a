from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rezerva.accounts"
    label = "accounts"
