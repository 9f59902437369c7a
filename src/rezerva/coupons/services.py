"""Writes for coupons: the owner's codes (P4) and their redemption inside a booking transaction."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from rezerva.catalog.models import Service
from rezerva.core.errors import ValidationFailed
from rezerva.core.timezones import to_business_time
from rezerva.coupons.errors import CouponNotValid, CouponUsedUp
from rezerva.coupons.locks import coupon_for_update
from rezerva.coupons.models import Coupon, CouponRedemption
from rezerva.coupons.selectors import discount_for, uses_of
from rezerva.scheduling.models import Series
from rezerva.tenancy import plans
from rezerva.tenancy.models import Business
from rezerva.tenancy.selectors import has_feature
from rezerva.tenancy.services import log_activity, require_feature

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,31}$")
MAX_AMOUNT_OFF_MINOR = 100_000_000


def normalise_code(code: str) -> str:
    """Codes are case-insensitive for guests: stored and compared in upper case."""
    return (code or "").strip().upper()


@dataclass(frozen=True)
class CouponInput:
    """What an owner enters for a coupon; times are already UTC (forms convert wall time)."""

    code: str
    discount: str
    percent_off: int | None = None
    amount_off_minor: int | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    max_uses: int | None = None
    max_uses_per_email: int | None = None
    service_ids: frozenset[int] = field(default_factory=frozenset)
    series_ids: frozenset[int] = field(default_factory=frozenset)
    is_active: bool = True


def _validate(business: Business, data: CouponInput, coupon: Coupon | None, now: dt.datetime):
    errors: dict[str, str] = {}
    code = normalise_code(data.code)
    if not _CODE.match(code):
        errors["code"] = "Use 3-32 letters, digits, '-' or '_', such as SPRING-10."
    elif (
        Coupon.objects.filter(business=business, code=code)
        .exclude(pk=coupon.pk if coupon else None)
        .exists()
    ):
        errors["code"] = "You already have a coupon with this code."
    if data.discount == Coupon.Discount.PERCENT:
        if data.percent_off is None or not 1 <= data.percent_off <= 100:
            errors["percent_off"] = "Enter a percentage from 1 to 100."
    elif data.discount == Coupon.Discount.FIXED:
        if data.amount_off_minor is None or not 1 <= data.amount_off_minor <= MAX_AMOUNT_OFF_MINOR:
            errors["amount_off"] = "Enter an amount above zero."
    else:
        errors["discount"] = "Choose percent or a fixed amount."
    if data.valid_from and data.valid_until and data.valid_until <= data.valid_from:
        errors["valid_until"] = "The end must be after the start."
    for name in ("max_uses", "max_uses_per_email"):
        value = getattr(data, name)
        if value is not None and value < 1:
            errors[name] = "Enter 1 or more, or leave empty for no limit."
    if coupon is not None and data.max_uses is not None and "max_uses" not in errors:
        used = uses_of(coupon=coupon, now=now)
        if data.max_uses < used:
            errors["max_uses"] = (
                f"This coupon is already used {used} times; the limit can't be lower."
            )
    known_services = set(
        Service.objects.filter(business=business, pk__in=data.service_ids).values_list(
            "pk", flat=True
        )
    )
    if known_services != set(data.service_ids):
        errors["services"] = "Choose services of this business."
    known_series = set(
        Series.objects.filter(business=business, pk__in=data.series_ids).values_list(
            "pk", flat=True
        )
    )
    if known_series != set(data.series_ids):
        errors["series"] = "Choose series of this business."
    if errors:
        raise ValidationFailed(errors)
    return code


def _write(coupon: Coupon, data: CouponInput, code: str) -> None:
    coupon.code = code
    coupon.discount = data.discount
    is_percent = data.discount == Coupon.Discount.PERCENT
    coupon.percent_off = data.percent_off if is_percent else None
    coupon.amount_off_minor = None if is_percent else data.amount_off_minor
    coupon.valid_from = data.valid_from
    coupon.valid_until = data.valid_until
    coupon.max_uses = data.max_uses
    coupon.max_uses_per_email = data.max_uses_per_email
    coupon.is_active = data.is_active
    try:
        with transaction.atomic():
            coupon.save()
    except IntegrityError as exc:  # a twin request took the code between check and insert
        raise ValidationFailed({"code": "You already have a coupon with this code."}) from exc
    coupon.services.set(data.service_ids)
    coupon.series.set(data.series_ids)


def create_coupon(*, business: Business, actor, data: CouponInput, now: dt.datetime) -> Coupon:
    """P4: a new coupon, only on plans that include coupons."""
    require_feature(business, plans.COUPONS, now=now)
    code = _validate(business, data, None, now)
    with transaction.atomic():
        coupon = Coupon(business=business, currency=business.currency, created_by=actor)
        _write(coupon, data, code)
        log_activity(business=business, actor=actor, action="coupon.created", target=coupon.pk)
    return coupon


def update_coupon(*, coupon: Coupon, actor, data: CouponInput, now: dt.datetime) -> Coupon:
    """Change a coupon; its total limit can't drop below the uses already counted."""
    business = coupon.business
    require_feature(business, plans.COUPONS, now=now)
    with transaction.atomic():
        locked = coupon_for_update(business=business, code=coupon.code) or coupon
        code = _validate(business, data, locked, now)
        _write(locked, data, code)
        log_activity(business=business, actor=actor, action="coupon.updated", target=locked.pk)
    return locked


def _local_day(moment: dt.datetime, business: Business) -> str:
    return f"{to_business_time(moment, business.timezone):%Y-%m-%d %H:%M}"


def redeem_coupon(
    *,
    business: Business,
    code: str,
    guest_email: str,
    service_id: int,
    series_id: int | None,
    list_price_minor: int,
    now: dt.datetime,
    lock: bool = True,
) -> tuple[Coupon, int]:
    """Check a coupon for one booking and return it with its discount.

    With `lock` (the default) the caller holds the Session row locks and the usage row
    (core/locking.py order) and is inside the booking's transaction; this locks the coupon row,
    so two guests can never both take its last use. The caller then records the redemption with
    `record_redemption`. `lock=False` only quotes the price before the locks are taken; the
    locked check must follow in the same transaction.
    """
    if not has_feature(business, plans.COUPONS, now=now):
        raise CouponNotValid("This business does not accept coupons.")
    code = normalise_code(code)
    coupon = (
        coupon_for_update(business=business, code=code)
        if lock
        else Coupon.objects.filter(business=business, code=code).first()
    )
    if coupon is None or not coupon.is_active:
        raise CouponNotValid("We don't know this coupon code. Check the spelling.")
    if coupon.valid_from and now < coupon.valid_from:
        raise CouponNotValid(
            f"This coupon can be used from {_local_day(coupon.valid_from, business)}."
        )
    if coupon.valid_until and now >= coupon.valid_until:
        raise CouponNotValid("This coupon has expired.")
    if list_price_minor == 0:
        raise CouponNotValid("This booking is free; no coupon is needed.")
    if coupon.discount == Coupon.Discount.FIXED and coupon.currency != business.currency:
        raise CouponNotValid("This coupon is not valid for this price.")
    service_ids = {s.pk for s in coupon.services.all()}
    series_ids = {s.pk for s in coupon.series.all()}
    if (service_ids or series_ids) and not (
        service_id in service_ids or (series_id is not None and series_id in series_ids)
    ):
        raise CouponNotValid("This coupon is not valid for this booking.")
    if coupon.max_uses is not None and uses_of(coupon=coupon, now=now) >= coupon.max_uses:
        raise CouponUsedUp()
    if (
        coupon.max_uses_per_email is not None
        and uses_of(coupon=coupon, now=now, guest_email=guest_email) >= coupon.max_uses_per_email
    ):
        raise CouponUsedUp("You have already used this coupon.")
    return coupon, discount_for(coupon=coupon, list_price_minor=list_price_minor)


def record_redemption(
    *, coupon: Coupon, guest_email: str, list_price_minor: int, discount_minor: int, **target
) -> CouponRedemption:
    """Write the use (pass booking= or purchase=); same transaction and lock as `redeem_coupon`."""
    return CouponRedemption.objects.create(
        business_id=coupon.business_id,
        coupon=coupon,
        guest_email=guest_email,
        list_price_minor=list_price_minor,
        discount_minor=discount_minor,
        **target,
    )
