from django.contrib import admin

from rezerva.tenancy.models import ActivityLog, ApiToken, Business, Membership, MonthlyUsage


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "plan", "trial_ends_at", "timezone", "currency"]
    list_filter = ["plan"]
    list_editable = ["plan"]  # staff change a business's plan here
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "business", "role"]
    list_filter = ["role"]
    raw_id_fields = ["user", "business"]


@admin.register(ActivityLog)
class ActivityLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "business", "action", "target", "actor"]
    list_filter = ["action"]
    raw_id_fields = ["business", "actor"]


@admin.register(MonthlyUsage)
class MonthlyUsageAdmin(admin.ModelAdmin):
    list_display = ["business", "month", "bookings_count", "limit_notified_at"]
    raw_id_fields = ["business"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "business",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = ["token_hash", "prefix"]
    raw_id_fields = ["business"]
