from django.contrib import admin

from rezerva.coupons.models import Coupon, CouponRedemption


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ("code", "business", "discount", "percent_off", "amount_off_minor", "is_active")
    list_filter = ("discount", "is_active")
    search_fields = ("code", "business__name")


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(admin.ModelAdmin):
    list_display = ("coupon", "business", "guest_email", "discount_minor", "created_at")
    search_fields = ("coupon__code", "guest_email")
