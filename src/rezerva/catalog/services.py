"""Writes for services and performers."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from rezerva.catalog.models import Performer, PriceType, SalesMode, Service
from rezerva.core.errors import ValidationFailed
from rezerva.tenancy import plans
from rezerva.tenancy.models import Business
from rezerva.tenancy.services import log_activity, require_feature

MAX_PRICE_MINOR = 100_000_000


@dataclass(frozen=True)
class AppointmentSettings:
    """A4: how a one-to-one service opens times. Minutes and days, as the owner enters them."""

    duration_minutes: int = 60
    slot_interval_minutes: int | None = None
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    min_notice_minutes: int = 120
    horizon_days: int = 60
    daily_cap: int | None = None
    performer_ids: tuple[int, ...] = ()


_SETTING_RANGES = {
    "duration_minutes": (5, 24 * 60, "Enter a length between 5 minutes and 24 hours."),
    "slot_interval_minutes": (5, 24 * 60, "Enter a step between 5 minutes and 24 hours."),
    "buffer_before_minutes": (0, 240, "Enter a buffer between 0 and 240 minutes."),
    "buffer_after_minutes": (0, 240, "Enter a buffer between 0 and 240 minutes."),
    "min_notice_minutes": (0, 60 * 24 * 60, "Enter a notice between 0 minutes and 60 days."),
    "horizon_days": (1, 730, "Enter a horizon between 1 and 730 days."),
    "daily_cap": (1, 200, "Enter a daily limit between 1 and 200, or leave it empty."),
}


def _validate_appointment_settings(business: Business, data: AppointmentSettings) -> list[int]:
    """Field errors for A4 settings; returns the performer ids, all of this business."""
    errors = {}
    for field, (low, high, message) in _SETTING_RANGES.items():
        value = getattr(data, field)
        if value is None and field in ("slot_interval_minutes", "daily_cap"):
            continue
        if not isinstance(value, int) or not low <= value <= high:
            errors[field] = message
    ids = sorted(set(data.performer_ids))
    found = Performer.objects.filter(business=business, pk__in=ids).count()
    if found != len(ids):
        errors["performers"] = "Choose team members of this business."
    if errors:
        raise ValidationFailed(errors)
    return ids


def update_appointment_settings(
    *, service: Service, actor, settings: AppointmentSettings
) -> Service:
    """A4: set a one-to-one service's length, step, buffers, notice, horizon, daily cap and
    performers (empty: every active performer). Existing appointments keep their times."""
    if service.is_group:
        raise ValidationFailed({"kind": "Only one-to-one services have appointment settings."})
    performer_ids = _validate_appointment_settings(service.business, settings)
    with transaction.atomic():
        Service.objects.filter(pk=service.pk).update(
            duration_minutes=settings.duration_minutes,
            slot_interval_minutes=settings.slot_interval_minutes,
            buffer_before_minutes=settings.buffer_before_minutes,
            buffer_after_minutes=settings.buffer_after_minutes,
            min_notice_minutes=settings.min_notice_minutes,
            horizon_days=settings.horizon_days,
            daily_cap=settings.daily_cap,
        )
        service.performers.set(performer_ids)
        log_activity(
            business=service.business,
            actor=actor,
            action="service.appointment_settings",
            target=service.pk,
            performers=performer_ids,
        )
    service.refresh_from_db()
    return service


def require_online_payments(business: Business, price_type: str, errors: dict) -> None:
    """A price type "online" needs a connected Stripe account, so guests never hit a dead end."""
    if price_type == PriceType.ONLINE and not business.stripe_account_id:
        errors["price_type"] = (
            "Connect your Stripe account in Settings before selling online; until then choose "
            "free or pay on site."
        )


def _validate_service(
    *,
    business: Business,
    name: str,
    kind: str,
    price_type: str,
    price_minor: int,
    sales_mode: str,
):
    errors = {}
    require_online_payments(business, price_type, errors)
    if not name.strip():
        errors["name"] = "Enter a name guests will recognise."
    if kind not in Service.Kind.values:
        errors["kind"] = "Choose one-to-one or group."
    if price_type not in PriceType.values:
        errors["price_type"] = "Choose free, pay on site or paid online."
    if price_minor < 0 or price_minor > MAX_PRICE_MINOR:
        errors["price"] = "Enter a price between 0 and 1,000,000."
    elif price_type != PriceType.FREE and price_minor == 0:
        errors["price"] = "A paid service needs a price above zero (or choose Free)."
    if sales_mode not in SalesMode.values:
        errors["sales_mode"] = "Choose a sales mode."
    if errors:
        raise ValidationFailed(errors)


def create_service(
    *,
    business: Business,
    actor,
    kind: str,
    name: str,
    description: str = "",
    price_type: str = PriceType.FREE,
    price_minor: int = 0,
    sales_mode: str = SalesMode.SINGLE,
    duration_minutes: int = 60,
    is_visible: bool = True,
    appointment: AppointmentSettings | None = None,
    now: dt.datetime,
) -> Service:
    """Create a service; a new group service needs a plan with group services (P1). A
    one-to-one service exists on every plan (A1) and takes its A4 settings here too."""
    if kind == Service.Kind.GROUP:
        require_feature(business, plans.GROUP_SERVICES, now=now)
    else:
        sales_mode = SalesMode.SINGLE  # sales modes belong to group services only
    if price_type == PriceType.FREE:
        price_minor = 0
    _validate_service(
        business=business,
        name=name,
        kind=kind,
        price_type=price_type,
        price_minor=price_minor,
        sales_mode=sales_mode,
    )
    with transaction.atomic():
        service = Service.objects.create(
            business=business,
            kind=kind,
            name=name.strip(),
            description=description,
            price_type=price_type,
            price_minor=price_minor,
            sales_mode=sales_mode,
            duration_minutes=duration_minutes,
            is_visible=is_visible,
        )
        log_activity(business=business, actor=actor, action="service.created", target=service.pk)
        if appointment is not None and not service.is_group:
            service = update_appointment_settings(
                service=service, actor=actor, settings=appointment
            )
    return service


def update_service(
    *,
    service: Service,
    actor,
    name: str,
    description: str,
    price_type: str,
    price_minor: int,
    sales_mode: str,
    is_active: bool,
    is_visible: bool,
) -> Service:
    """Edit a service; its kind never changes, and a downgrade does not block editing (P2)."""
    if not service.is_group:
        sales_mode = SalesMode.SINGLE
    if price_type == PriceType.FREE:
        price_minor = 0
    _validate_service(
        business=service.business,
        name=name,
        kind=service.kind,
        price_type=price_type,
        price_minor=price_minor,
        sales_mode=sales_mode,
    )
    service.name = name.strip()
    service.description = description
    service.price_type = price_type
    service.price_minor = price_minor
    service.sales_mode = sales_mode
    service.is_active = is_active
    service.is_visible = is_visible
    with transaction.atomic():
        service.save(
            update_fields=[
                "name",
                "description",
                "price_type",
                "price_minor",
                "sales_mode",
                "is_active",
                "is_visible",
                "updated_at",
            ]
        )
        log_activity(
            business=service.business, actor=actor, action="service.updated", target=service.pk
        )
    return service


def deactivate_service(*, service: Service, actor) -> Service:
    """Stop selling a service; its runs, series and bookings stay for history."""
    with transaction.atomic():
        service.is_active = False
        service.save(update_fields=["is_active", "updated_at"])
        log_activity(
            business=service.business, actor=actor, action="service.deactivated", target=service.pk
        )
    return service


def create_performer(
    *, business: Business, actor, name: str, email: str = "", membership=None
) -> Performer:
    """Add an instructor to the team."""
    if not name.strip():
        raise ValidationFailed({"name": "Enter the instructor's name."})
    if membership is not None and membership.business_id != business.pk:
        raise ValidationFailed({"membership": "Choose a member of this business."})
    with transaction.atomic():
        performer = Performer.objects.create(
            business=business, name=name.strip(), email=email, membership=membership
        )
        log_activity(
            business=business, actor=actor, action="performer.created", target=performer.pk
        )
    return performer
