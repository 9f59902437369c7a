"""Coupons (P4): a code that lowers the price of a booking or a series purchase."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from rezerva.core.models import TenantModel


class Coupon(TenantModel):
    """An owner's discount code; uses are counted from redemptions, under this row's lock."""

    class Discount(models.TextChoices):
        PERCENT = "percent", "Percent off"
        FIXED = "fixed", "Fixed amount off"

    code = models.CharField(max_length=32)
    discount = models.CharField(max_length=8, choices=Discount.choices)
    percent_off = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_off_minor = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)  # None: no total limit
    max_uses_per_email = models.PositiveIntegerField(null=True, blank=True)
    # Empty restrictions mean "every paid service and series of the business".
    services = models.ManyToManyField("catalog.Service", blank=True, related_name="+")
    series = models.ManyToManyField("scheduling.Series", blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "code"], name="coupon_unique_code"),
            models.CheckConstraint(
                condition=Q(discount="percent", percent_off__gte=1, percent_off__lte=100)
                | Q(discount="fixed", amount_off_minor__gte=1),
                name="coupon_discount_is_set",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="coupon_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponRedemption(TenantModel):
    """One use of a coupon by one booking or one series purchase, with the discount it gave."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    booking = models.OneToOneField(
        "booking.Booking",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="coupon_redemption",
    )
    purchase = models.OneToOneField(
        "booking.SeriesPurchase",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="coupon_redemption",
    )
    guest_email = models.EmailField(max_length=254)
    list_price_minor = models.PositiveIntegerField()
    discount_minor = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["coupon", "guest_email"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False, purchase__isnull=True)
                | Q(booking__isnull=True, purchase__isnull=False),
                name="redemption_for_booking_xor_purchase",
            ),
            models.CheckConstraint(
                condition=Q(discount_minor__lte=F("list_price_minor")),
                name="redemption_discount_within_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coupon_id}: -{self.discount_minor}"
