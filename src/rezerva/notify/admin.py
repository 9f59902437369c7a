from django.contrib import admin

from rezerva.notify.models import CalendarEntry, OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Read-only view of the outbox: what went out, what is stuck, what failed and why."""

    list_display = ["kind", "recipient", "business", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "dedupe_key", "message_id"]
    raw_id_fields = ["business", "booking", "purchase", "session"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CalendarEntry)
class CalendarEntryAdmin(admin.ModelAdmin):
    list_display = ["booking", "session", "sequence", "business", "updated_at"]
    raw_id_fields = ["business", "booking", "session"]
