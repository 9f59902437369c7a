from django.contrib import admin

from rezerva.catalog.models import Performer, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "business",
        "kind",
        "price_type",
        "price_minor",
        "sales_mode",
        "is_active",
    ]
    list_filter = ["kind", "price_type", "sales_mode", "is_active"]
    search_fields = ["name", "business__name"]
    raw_id_fields = ["business"]


@admin.register(Performer)
class PerformerAdmin(admin.ModelAdmin):
    list_display = ["name", "business", "email", "is_active"]
    search_fields = ["name", "email"]
    raw_id_fields = ["business", "membership"]
