from django.contrib import admin

from rezerva.payments.models import Payment, Refund, StripeEvent


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "business",
        "provider",
        "status",
        "amount_minor",
        "refunded_minor",
        "currency",
        "created_at",
    ]
    list_filter = ["provider", "status"]
    raw_id_fields = ["business", "booking", "purchase"]


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["pk", "business", "payment", "amount_minor", "status", "actor", "created_at"]
    raw_id_fields = ["business", "payment", "actor"]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["stripe_event_id", "type", "account", "status", "received_at"]
    list_filter = ["type", "status"]
