"""The one placing core (CONVENTIONS §4): every way a guest takes something (a run seat, a
drop-in, a series, an appointment) goes through these steps, and only the capacity step differs.

1. Clean the guest, the agreements, the coupon code and the Idempotency-Key (bound to the
   request's fingerprint).
2. In one durable transaction, write first: the booking row (or purchase and its bookings),
   consents, audit row and outbox rows.
3. Lock last and check capacity: a run locks its Session row and recounts seats, an appointment
   locks the performer and re-runs the slot search (plus PostgreSQL's exclusion constraint).
4. Tick the monthly usage (P3) and take the coupon's last use (P4); any refusal rolls it all
   back. Emails are queued after commit.

`place_seat` is steps 2-4 for one Booking; `place.py` (runs, series) and `appointments.py`
supply what is booked and its capacity step.
"""

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, Q
from django.utils.crypto import salted_hmac

from rezerva.booking.errors import (
    BookingBusy,
    IdempotencyKeyReused,
    PlanLimitReached,
    TooManyHolds,
)
from rezerva.booking.models import (
    Booking,
    BookingStatus,
    ConsentDefinition,
    ConsentRecord,
    IdempotencyKey,
    SeriesPurchase,
)
from rezerva.booking.selectors import seats_held
from rezerva.catalog.models import PriceType
from rezerva.core.errors import DomainError, ValidationFailed
from rezerva.core.events import BOOKING_CONFIRMED, PLAN_LIMIT_REACHED, DomainEvent, notify
from rezerva.core.locking import is_contention, lock_timeout
from rezerva.core.text import unsafe_text_reason
from rezerva.coupons.errors import CouponNotValid
from rezerva.coupons.services import record_redemption, redeem_coupon
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import Business
from rezerva.tenancy.services import log_activity, mark_limit_notified, tick_monthly_usage

MAX_NAME = 120
MAX_EMAIL = 254
MAX_PHONE = 32
MAX_KEY = 80
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,32}$")
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,80}$")
Placed = TypeVar("Placed", Booking, SeriesPurchase)


@dataclass(frozen=True)
class GuestDetails:
    """Who is booking: no account, just contact details (B2)."""

    name: str
    email: str
    phone: str = ""
    # The client address as the rate limiter sees it (hub and API); only a digest is stored.
    client: str = ""


@dataclass(frozen=True)
class Agreements:
    """The consent definitions (terms included) the guest ticked."""

    consent_ids: frozenset[int] = field(default_factory=frozenset)


NO_AGREEMENTS = Agreements()


@dataclass(frozen=True)
class _Offer:
    kind: str
    price_type: str
    price_minor: int


def _clean_guest(business: Business, guest: GuestDetails) -> GuestDetails:
    """B2: name and email required, phone when the business asks for it; clear field errors."""
    errors: dict[str, str] = {}
    name = (guest.name or "").strip()
    email = (guest.email or "").strip().lower()
    phone = (guest.phone or "").strip()
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Use at most {MAX_NAME} characters."
    elif reason := unsafe_text_reason(name):
        errors["name"] = reason
    if not email:
        errors["email"] = "Enter your email address."
    elif len(email) > MAX_EMAIL:
        errors["email"] = f"Use at most {MAX_EMAIL} characters."
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter a valid email address, such as anna@example.com."
    if phone and not _PHONE.match(phone):
        errors["phone"] = "Enter a phone number with digits only, such as +48 600 100 200."
    elif not phone and business.requires_phone:
        errors["phone"] = "Enter a phone number; this business needs one to reach you."
    if errors:
        raise ValidationFailed(errors)
    return GuestDetails(name=name, email=email, phone=phone, client=guest.client)


def _guest_columns(guest: GuestDetails) -> dict[str, str]:
    """The guest's contact details as Booking and SeriesPurchase columns."""
    return {"guest_name": guest.name, "guest_email": guest.email, "guest_phone": guest.phone}


def _client_digest(guest: GuestDetails) -> str:
    """The client address as a keyed digest: enough to count its holds, not to read it back."""
    if not guest.client:
        return ""
    return salted_hmac("rezerva.booking.hold_client", guest.client).hexdigest()[:32]


def _agreed_consents(business: Business, agreements: Agreements) -> list[ConsentDefinition]:
    """Every required active consent must be ticked; returns the ticked ones."""
    active = list(ConsentDefinition.objects.filter(business=business, is_active=True))
    missing = {
        f"consent_{d.pk}": (
            "Accept the terms to continue."
            if d.kind == ConsentDefinition.Kind.TERMS
            else "This consent is required to book."
        )
        for d in active
        if d.is_required and d.pk not in agreements.consent_ids
    }
    if missing:
        raise ValidationFailed(missing)
    return [d for d in active if d.pk in agreements.consent_ids]


def _clean_key(key: str | None) -> str | None:
    if key in (None, ""):
        return None
    if not _KEY.match(key):
        message = "Idempotency-Key: 8-80 letters, digits, '-', '_', '.' or ':'."
        raise ValidationFailed({"idempotency_key": message})
    return key


def _record_consents(
    business: Business, agreed: list[ConsentDefinition], now: dt.datetime, **owner
) -> None:
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            business=business, definition=d, text=d.text, version=d.version, agreed_at=now, **owner
        )
        for d in agreed
    )


def _status_and_hold(
    business: Business, offer: _Offer, now: dt.datetime, runs: list[Session] = ()
) -> tuple[str, dt.datetime | None]:
    """Paid online: pending with a seat hold (B4). Free or pay on site: confirmed at once (B3).
    F5: while unpaid holds fill most of a run (HOLD_SHORT_SHARE), new holds are short."""
    if not (offer.price_type == PriceType.ONLINE and offer.price_minor > 0):
        return BookingStatus.CONFIRMED, None
    minutes = business.hold_minutes
    crowded = [r for r in runs if r.capacity >= settings.HOLD_SHORT_MIN_CAPACITY]
    if crowded and minutes > settings.HOLD_SHORT_MINUTES:
        held = seats_held(session_ids=[r.pk for r in crowded], now=now)
        if any(held[r.pk] + 1 > r.capacity * settings.HOLD_SHORT_SHARE for r in crowded):
            minutes = settings.HOLD_SHORT_MINUTES
    return BookingStatus.PENDING, now + dt.timedelta(minutes=minutes)


def _check_hold_limits(
    business: Business, guest: GuestDetails, client: str, run_ids: list[int], now: dt.datetime
) -> None:
    """F5, under the run locks: one email or client address holds at most HOLD_LIMIT_PER_RUN
    unpaid seats on any run and HOLD_LIMIT_PER_BUSINESS unpaid bookings or purchases at a
    business (the new one included), so nobody holds a paid run's seats without paying."""
    by_email = Q(guest_email=guest.email)
    by_client = Q(hold_client=client) if client else Q(pk__isnull=True)  # no address: no row
    live = Booking.objects.filter(
        by_email | by_client,
        business=business,
        status=BookingStatus.PENDING,
        hold_expires_at__gt=now,
    )
    runs = (
        live.filter(session_id__in=run_ids)
        .values("session_id")
        .annotate(email=Count("pk", filter=by_email), client=Count("pk", filter=by_client))
        .order_by()
    )
    if any(max(r["email"], r["client"]) > settings.HOLD_LIMIT_PER_RUN for r in runs):
        raise TooManyHolds()
    # A series purchase counts once, however many runs it holds.
    placed = live.aggregate(
        email=Count("purchase_id", distinct=True, filter=by_email)
        + Count("pk", filter=by_email & Q(purchase__isnull=True)),
        client=Count("purchase_id", distinct=True, filter=by_client)
        + Count("pk", filter=by_client & Q(purchase__isnull=True)),
    )
    if max(placed["email"], placed["client"]) > settings.HOLD_LIMIT_PER_BUSINESS:
        raise TooManyHolds()


def _refuse_at_limit(business: Business, now: dt.datetime) -> None:
    """P3: the guest gets PlanLimitReached; the owner hears about it once a month."""
    if mark_limit_notified(business=business, now=now):
        notify(DomainEvent(PLAN_LIMIT_REACHED, business.pk))
    raise PlanLimitReached(
        "This business cannot take more online bookings this month. Please contact them directly."
    )


@dataclass(frozen=True)
class _Discount:
    code: str
    list_price_minor: int
    discount_minor: int


def _clean_coupon_code(code: str | None) -> str | None:
    code = (code or "").strip()
    if len(code) > 32 or unsafe_text_reason(code):
        raise CouponNotValid("We don't know this coupon code. Check the spelling.")
    return code or None


def _discounted(
    business: Business,
    code: str | None,
    guest: GuestDetails,
    offer: _Offer,
    *,
    service_id: int,
    series_id: int | None,
    now: dt.datetime,
) -> tuple[_Offer, _Discount | None]:
    """P4: quote a coupon on the offer before the locks; `_count_and_redeem` confirms it."""
    if code is None:
        return offer, None
    _, off = redeem_coupon(
        business=business,
        code=code,
        guest_email=guest.email,
        service_id=service_id,
        series_id=series_id,
        list_price_minor=offer.price_minor,
        now=now,
        lock=False,
    )
    discounted = replace(offer, price_minor=offer.price_minor - off)
    return discounted, _Discount(code, offer.price_minor, off)


@contextmanager
def _refusals(business: Business, now: dt.datetime) -> Iterator[None]:
    """Turn what the database refused into the guest's error: the plan limit (after the
    rollback, so the owner's notice survives it) and lock contention as "busy, try again"."""
    try:
        yield
    except PlanLimitReached:
        _refuse_at_limit(business, now)
    except OperationalError as exc:
        if is_contention(exc):
            raise BookingBusy() from exc
        raise


def _count_and_redeem(
    business: Business,
    discount: _Discount | None,
    guest: GuestDetails,
    *,
    service_id: int,
    series_id: int | None,
    now: dt.datetime,
    **target,
) -> None:
    """Last, under the run locks: tick this month's usage (P3), then lock the coupon, re-check
    its limits and count its use (P4)."""
    if not tick_monthly_usage(business=business, now=now):
        raise PlanLimitReached()
    if discount is None:
        return
    coupon, off = redeem_coupon(
        business=business,
        code=discount.code,
        guest_email=guest.email,
        service_id=service_id,
        series_id=series_id,
        list_price_minor=discount.list_price_minor,
        now=now,
    )
    if off != discount.discount_minor:
        raise BookingBusy("This coupon just changed. Please try again.")
    record_redemption(
        coupon=coupon,
        guest_email=guest.email,
        list_price_minor=discount.list_price_minor,
        discount_minor=off,
        **target,
    )


KEY_LIFETIME = dt.timedelta(hours=24)


@dataclass(frozen=True)
class _Key:
    """A cleaned Idempotency-Key and the fingerprint of the request that carries it."""

    key: str
    fingerprint: str


def _request_key(
    key: str | None,
    *,
    target: str,
    kind: str | None,
    guest: GuestDetails,
    code: str | None,
    agreements: Agreements,
) -> _Key | None:
    """F2: bind a key to what was asked (target, kind, guest email, coupon, agreements)."""
    if key is None:
        return None
    request = {
        "target": target,
        "kind": kind or "",
        "email": guest.email,
        "coupon": (code or "").upper(),
        "consents": sorted(agreements.consent_ids),
    }
    blob = json.dumps(request, sort_keys=True, separators=(",", ":")).encode()
    return _Key(key, hashlib.sha256(blob).hexdigest())


def _remember_key(business: Business, key: _Key | None, now: dt.datetime, **placed) -> None:
    """In the placing transaction: a twin request waits on this unique row, then fails."""
    if key is not None:
        IdempotencyKey.objects.create(
            business=business,
            key=key.key,
            fingerprint=key.fingerprint,
            expires_at=now + KEY_LIFETIME,
            **placed,
        )


def _idempotent(
    model: type[Placed],
    business: Business,
    key: _Key | None,
    now: dt.datetime,
    write: Callable[[], Placed],
) -> Placed:
    """B5/F2: a repeated key with the same request returns the first booking, marked as a
    replay. It is read only when a write fails: the unique key stops a twin insert once the
    first one commits, and a refusal of the retry (the run filled since) yields to the booking
    it already made. The same key with another request is refused and reveals nothing; a key
    older than KEY_LIFETIME is freed and the request placed anew."""
    try:
        return write()
    except (DomainError, IntegrityError):
        if key is None:
            raise
        stored = IdempotencyKey.objects.filter(business=business, key=key.key).first()
        if stored is None:
            raise
        if stored.expires_at <= now:
            IdempotencyKey.objects.filter(pk=stored.pk, expires_at__lte=now).delete()
            return write()
        placed_id = stored.purchase_id if model is SeriesPurchase else stored.booking_id
        if stored.fingerprint != key.fingerprint or placed_id is None:
            raise IdempotencyKeyReused() from None
        placed = model.objects.get(pk=placed_id)
        placed.is_replay = True
        return placed


def _no_coupon_use_yet(target: Booking | SeriesPurchase) -> None:
    """A new booking has no coupon use until `_count_and_redeem` records one (it sets the cache
    itself); saying so spares the API response a query for it."""
    type(target).coupon_redemption.related.set_cached_value(target, None)


@dataclass(frozen=True)
class Seat:
    """What one booking takes, chosen inside the placing transaction before any write: the
    run (an appointment's own run, created by `choose`), its list price and the capacity step
    `hold(booking, status)` that runs last, under its lock."""

    session: Session
    kind: str
    offer: _Offer
    service_id: int
    series_id: int | None
    hold: Callable[[Booking], None]
    columns: dict = field(default_factory=dict)
    crowded_runs: tuple[Session, ...] = ()


def place_seat(
    *,
    business: Business,
    guest: GuestDetails,
    agreed: list[ConsentDefinition],
    key: "_Key | None",
    code: str | None,
    now: dt.datetime,
    choose: Callable[[], Seat],
    actor=None,
) -> Booking:
    """Steps 2-4 for one Booking: `choose` reads and refuses what is not on offer, then the
    booking, consents, audit and outbox rows are written, the seat's capacity step runs under
    its lock, and the usage tick and coupon use come last."""
    with _refusals(business, now), transaction.atomic(durable=True), lock_timeout():
        seat = choose()
        offer, discount = _discounted(
            business,
            code,
            guest,
            seat.offer,
            service_id=seat.service_id,
            series_id=seat.series_id,
            now=now,
        )
        status, hold = _status_and_hold(business, offer, now, list(seat.crowded_runs))
        client = _client_digest(guest) if status == BookingStatus.PENDING else ""
        booking = Booking.objects.create(
            business=business,
            session=seat.session,
            kind=seat.kind,
            status=status,
            price_minor=offer.price_minor,
            price_type=offer.price_type,
            currency=business.currency,
            hold_expires_at=hold,
            hold_client=client,
            confirmed_at=now if status == BookingStatus.CONFIRMED else None,
            **seat.columns,
            **_guest_columns(guest),
        )
        _remember_key(business, key, now, booking=booking)
        _no_coupon_use_yet(booking)
        _record_consents(business, agreed, now, booking=booking)
        log_activity(
            business=business,
            actor=actor,
            action="booking.placed",
            target=booking.pk,
            kind=seat.kind,
            status=status,
            session_id=seat.session.pk,
        )
        if status == BookingStatus.CONFIRMED:
            notify(
                DomainEvent(
                    BOOKING_CONFIRMED,
                    business.pk,
                    booking_ids=(booking.pk,),
                    session_id=seat.session.pk,
                ),
                business=business,
                bookings=[booking],
            )
        # The critical section: from here to the commit the seat's run or performer is locked.
        seat.hold(booking)
        if status == BookingStatus.PENDING:
            _check_hold_limits(business, guest, client, [seat.session.pk], now)
        _count_and_redeem(
            business,
            discount,
            guest,
            service_id=seat.service_id,
            series_id=seat.series_id,
            now=now,
            booking=booking,
        )
    return booking


def prepare_guest(
    business: Business,
    guest: GuestDetails,
    agreements: Agreements,
    idempotency_key: str | None,
    coupon_code: str | None,
    *,
    target: str,
    kind: str | None,
) -> tuple[GuestDetails, list[ConsentDefinition], str | None, "_Key | None"]:
    """Step 1: the cleaned guest, the consents she ticked, the coupon code and the request's
    key (all refusals here are field errors, before anything is written)."""
    guest = _clean_guest(business, guest)
    agreed = _agreed_consents(business, agreements)
    code = _clean_coupon_code(coupon_code)
    key = _request_key(
        _clean_key(idempotency_key),
        target=target,
        kind=kind,
        guest=guest,
        code=code,
        agreements=agreements,
    )
    return guest, agreed, code, key
