from django.contrib import admin

from rezerva.scheduling.models import Series, Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "business",
        "service",
        "starts_at",
        "capacity",
        "mode",
        "cancelled_at",
    ]
    list_filter = ["mode"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["business", "service", "series", "performer"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "business",
        "service",
        "price_type",
        "price_minor",
        "is_active",
        "drop_in_enabled",
    ]
    list_filter = ["is_active", "is_visible", "drop_in_enabled"]
    raw_id_fields = ["business", "service"]
