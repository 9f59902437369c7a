from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "rezerva.coupons"
    label = "coupons"
    verbose_name = "Coupons"
