from django.contrib import admin

from rezerva.booking.models import Booking, ConsentDefinition, ConsentRecord, SeriesPurchase


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


@admin.register(ConsentDefinition)
class ConsentDefinitionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "business", "kind", "version", "is_required", "is_active"]
    raw_id_fields = ["business"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["definition", "business", "version", "agreed_at", "booking", "purchase"]
    raw_id_fields = ["business", "definition", "booking", "purchase"]
