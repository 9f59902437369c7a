"""Reads about coupons: how many uses count, what a coupon takes off, the owner's list."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from rezerva.core.holds import BookingStatus, seat_holding_filter
from rezerva.core.money import format_money
from rezerva.coupons.models import Coupon, CouponRedemption
from rezerva.tenancy import plans
from rezerva.tenancy.selectors import has_feature


def counting_redemptions_filter(now: dt.datetime, prefix: str = "") -> Q:
    """A use counts while its booking or purchase holds seats or was paid; cancelled and
    lapsed ones give the use back, exactly as they give back their seats."""
    paid_no_seat = Q(**{f"{prefix}booking__status": BookingStatus.PAID_NO_SEAT}) | Q(
        **{f"{prefix}purchase__status": BookingStatus.PAID_NO_SEAT}
    )
    return (
        paid_no_seat
        | seat_holding_filter(now, prefix=f"{prefix}booking__")
        | seat_holding_filter(now, prefix=f"{prefix}purchase__")
    )


def uses_of(*, coupon: Coupon, now: dt.datetime, guest_email: str | None = None) -> int:
    """Uses that count against the coupon's limits (optionally one guest's only)."""
    rows = CouponRedemption.objects.filter(counting_redemptions_filter(now), coupon=coupon)
    if guest_email is not None:
        rows = rows.filter(guest_email=guest_email)
    return rows.count()


def discount_for(*, coupon: Coupon, list_price_minor: int) -> int:
    """What the coupon takes off a price: percent rounded half up, never below zero."""
    if coupon.discount == Coupon.Discount.PERCENT:
        off = (list_price_minor * coupon.percent_off + 50) // 100
    else:
        off = coupon.amount_off_minor or 0
    return min(off, list_price_minor)


def coupons_of(*, business, now: dt.datetime) -> QuerySet[Coupon]:
    """The owner's coupons with their counting uses (`uses`), newest first."""
    return (
        Coupon.objects.filter(business=business)
        .prefetch_related("services", "series")
        .annotate(
            uses=Count("redemptions", filter=counting_redemptions_filter(now, "redemptions__"))
        )
    )


def get_coupon_for_business(*, business, coupon_id: int) -> Coupon:
    """One coupon of this business, or 404 (another business's id never resolves)."""
    return get_object_or_404(Coupon, business=business, pk=coupon_id)


def redemption_of(target) -> CouponRedemption | None:
    """The coupon use of a booking or a series purchase, if any."""
    return getattr(target, "coupon_redemption", None) if target.pk else None


def coupon_label(coupon: Coupon, locale: str = "en") -> str:
    """'20% off' or 'PLN 15.00 off', for owner lists and guest summaries."""
    if coupon.discount == Coupon.Discount.PERCENT:
        return f"{coupon.percent_off}% off"
    return f"{format_money(coupon.amount_off_minor or 0, coupon.currency, locale)} off"


def accepts_coupons(*, business, now: dt.datetime) -> bool:
    """Whether guests of this business should see a coupon field (plan and a live coupon)."""
    if not has_feature(business, plans.COUPONS, now=now):
        return False
    live = Coupon.objects.filter(business=business, is_active=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )
    return live.exists()
