from django.contrib import admin

from rezerva.booking.models import Booking, SeriesPurchase


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = [
        "guest_name",
        "guest_email",
        "business",
        "session",
        "kind",
        "status",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["guest_name", "guest_email"]
    raw_id_fields = ["business", "session", "purchase"]


@admin.register(SeriesPurchase)
class SeriesPurchaseAdmin(admin.ModelAdmin):
    list_display = ["guest_name", "guest_email", "business", "series", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["guest_name", "guest_email"]
    raw_id_fields = ["business", "series"]
