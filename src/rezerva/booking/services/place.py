"""Placing bookings: a single run, a drop-in on a series run, a whole series (CONVENTIONS §4).

Each public function runs one durable transaction that writes first and locks last: it checks
the offer, writes the booking (or purchase and its bookings), consents, audit row and outbox
rows, then locks the affected Session rows in id order, re-checks the runs, recomputes seats
from the same selector the public pages use (its own rows included, so "more than capacity"
means full), ticks the monthly usage and takes the coupon's last use. Any refusal rolls the
whole transaction back. The run's lock is therefore held for four short statements and the
commit, not for the writes; bookings on one hot run queue behind nothing else. Emails are
queued after commit.

Why this never oversells: a transaction counts only after it holds the run's lock, every
earlier holder has committed by then, and on PostgreSQL (READ COMMITTED) each statement sees
every committed row plus its own. Writing before locking needs the run lock to be FOR NO KEY
UPDATE (scheduling/locks.py). Idempotency: the unique (business, idempotency_key) makes a twin
request wait for the first one's commit and then fail; it returns the first one's booking. The
key is looked up only when a write fails (`_idempotent`), so a first attempt reads nothing extra.
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
    SeriesNotBookable,
    SeriesNotFound,
    SeriesSoldOut,
    SessionFull,
    SessionNotBookable,
    SessionNotFound,
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
from rezerva.booking.offers import seat_offer
from rezerva.booking.selectors import seats_held, seats_taken
from rezerva.catalog.models import PriceType, Service
from rezerva.core.errors import DomainError, ValidationFailed
from rezerva.core.locking import is_contention, lock_timeout
from rezerva.core.text import unsafe_text_reason
from rezerva.coupons.errors import CouponNotValid
from rezerva.coupons.services import record_redemption, redeem_coupon
from rezerva.notify.events import (
    BOOKING_CONFIRMED,
    PLAN_LIMIT_REACHED,
    PURCHASE_CONFIRMED,
    DomainEvent,
    notify,
)
from rezerva.scheduling.locks import sessions_for_update
from rezerva.scheduling.models import Series, Session
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


def _run_offer(
    run: Session, service: Service, series: Series | None, kind: str, now: dt.datetime
) -> _Offer:
    """D3, M1, G4: which path this run is open to and at what price; re-checked under the lock."""
    if run.is_cancelled:
        raise SessionNotBookable("This session was cancelled. Please choose another one.")
    if not run.is_upcoming(now):
        raise SessionNotBookable("This session has already started. Please choose another one.")
    if not (service.is_group and service.is_active):
        raise SessionNotBookable("This service is not taking bookings.")
    if not service.offers_single:
        raise SessionNotBookable("Single sessions are not sold for this service; choose a series.")
    if kind == Booking.Kind.SINGLE and series is not None:
        raise SessionNotBookable("This session is part of a series; book it through the series.")
    if kind == Booking.Kind.DROP_IN and series is None:
        raise SessionNotBookable("This session is not part of a series.")
    if series is not None and not (series.drop_in_enabled and series.is_active):
        raise SessionNotBookable(
            "This session is only sold as part of its series. Choose the series instead."
        )
    _, price = seat_offer(service, series)
    return _Offer(kind, service.price_type, price)


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


def _place_run_booking(
    *,
    business: Business,
    session_id: int,
    kind: str | None,
    guest: GuestDetails,
    agreements: Agreements,
    idempotency_key: str | None,
    coupon_code: str | None,
    now: dt.datetime,
) -> Booking:
    guest = _clean_guest(business, guest)
    agreed = _agreed_consents(business, agreements)
    code = _clean_coupon_code(coupon_code)
    key = _request_key(
        _clean_key(idempotency_key),
        target=f"run:{session_id}",
        kind=kind,
        guest=guest,
        code=code,
        agreements=agreements,
    )
    return _idempotent(
        Booking,
        business,
        key,
        now,
        lambda: _write_run_booking(business, session_id, kind, guest, agreed, key, code, now),
    )


def _write_run_booking(
    business: Business,
    session_id: int,
    kind: str | None,
    guest: GuestDetails,
    agreed: list[ConsentDefinition],
    key: _Key | None,
    code: str | None,
    now: dt.datetime,
) -> Booking:
    with _refusals(business, now), transaction.atomic(durable=True), lock_timeout():
        run = (
            Session.objects.select_related("service", "series")
            .filter(business=business, pk=session_id)
            .first()
        )
        if run is None:
            raise SessionNotFound()
        service, series = run.service, run.series
        if kind is None:  # book_run: the path the run is open to
            kind = Booking.Kind.DROP_IN if series is not None else Booking.Kind.SINGLE
        list_offer = _run_offer(run, service, series, kind, now)
        offer, discount = _discounted(
            business,
            code,
            guest,
            list_offer,
            service_id=service.pk,
            series_id=run.series_id,
            now=now,
        )
        status, hold = _status_and_hold(business, offer, now, [run])
        client = _client_digest(guest) if status == BookingStatus.PENDING else ""
        booking = Booking.objects.create(
            business=business,
            session=run,
            kind=kind,
            status=status,
            price_minor=offer.price_minor,
            price_type=offer.price_type,
            currency=business.currency,
            hold_expires_at=hold,
            hold_client=client,
            confirmed_at=now if status == BookingStatus.CONFIRMED else None,
            **_guest_columns(guest),
        )
        _remember_key(business, key, now, booking=booking)
        _no_coupon_use_yet(booking)
        _record_consents(business, agreed, now, booking=booking)
        log_activity(
            business=business,
            actor=None,
            action="booking.placed",
            target=booking.pk,
            kind=kind,
            status=status,
            session_id=run.pk,
        )
        if status == BookingStatus.CONFIRMED:
            notify(
                DomainEvent(
                    BOOKING_CONFIRMED, business.pk, booking_ids=(booking.pk,), session_id=run.pk
                ),
                business=business,
                bookings=[booking],
            )
        # The critical section: from here to the commit the run is locked.
        locked_runs = sessions_for_update(business=business, session_ids=[run.pk], with_offer=True)
        if not locked_runs:
            raise SessionNotFound()
        locked = locked_runs[0]
        if (locked.series_id, locked.service_id) != (run.series_id, run.service_id):
            raise BookingBusy("This session just changed. Please try again.")
        # The service and series as committed now: an owner who stopped selling wins. The
        # price stays the one quoted above (the guest books at the price they were shown).
        _run_offer(locked, locked.service, locked.series, kind, now)
        if seats_taken(session_ids=[run.pk], now=now)[run.pk] > locked.capacity:
            raise SessionFull(session_ids=[run.pk])
        if status == BookingStatus.PENDING:
            _check_hold_limits(business, guest, client, [run.pk], now)
        _count_and_redeem(
            business,
            discount,
            guest,
            service_id=service.pk,
            series_id=run.series_id,
            now=now,
            booking=booking,
        )
    return booking


def book_single_run(
    *,
    business: Business,
    session_id: int,
    guest: GuestDetails,
    agreements: Agreements = Agreements(),
    idempotency_key: str | None = None,
    coupon_code: str | None = None,
    now: dt.datetime,
) -> Booking:
    """Book one seat on a run that belongs to no series, at the service price (D3, C1)."""
    return _place_run_booking(
        business=business,
        session_id=session_id,
        kind=Booking.Kind.SINGLE,
        guest=guest,
        agreements=agreements,
        idempotency_key=idempotency_key,
        coupon_code=coupon_code,
        now=now,
    )


def book_drop_in(
    *,
    business: Business,
    session_id: int,
    guest: GuestDetails,
    agreements: Agreements = Agreements(),
    idempotency_key: str | None = None,
    coupon_code: str | None = None,
    now: dt.datetime,
) -> Booking:
    """Book one run of a drop-in series; seats are shared with series buyers (D1, D2)."""
    return _place_run_booking(
        business=business,
        session_id=session_id,
        kind=Booking.Kind.DROP_IN,
        guest=guest,
        agreements=agreements,
        idempotency_key=idempotency_key,
        coupon_code=coupon_code,
        now=now,
    )


def book_run(
    *,
    business: Business,
    session_id: int,
    guest: GuestDetails,
    agreements: Agreements = Agreements(),
    idempotency_key: str | None = None,
    coupon_code: str | None = None,
    now: dt.datetime,
) -> Booking:
    """Book a run by the path it is open to: single when in no series, else drop-in."""
    return _place_run_booking(
        business=business,
        session_id=session_id,
        kind=None,
        guest=guest,
        agreements=agreements,
        idempotency_key=idempotency_key,
        coupon_code=coupon_code,
        now=now,
    )


def _series_runs(business: Business, series_id: int, now: dt.datetime) -> list[int]:
    return list(
        Session.objects.filter(
            business=business, series_id=series_id, cancelled_at__isnull=True, starts_at__gt=now
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _series_still_sold(series: Series, service: Service) -> None:
    """S7, M1: the series is active and its service sells series (re-checked under the locks)."""
    if not series.is_active:
        raise SeriesNotBookable("This series is not on sale.")
    if not (service.is_group and service.is_active and service.offers_series):
        raise SeriesNotBookable("Series are not sold for this service.")


def _check_series_on_sale(
    series: Series, service: Service, run_ids: list[int], now: dt.datetime
) -> None:
    """S4, S5, S7, M1: the series is for sale and has runs left to sell."""
    _series_still_sold(series, service)
    if not run_ids:
        raise SeriesNotBookable("This series has no upcoming sessions left.")
    first_start = (
        Session.objects.filter(series=series, cancelled_at__isnull=True)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if first_start is not None and first_start <= now and not series.allows_late_join:
        raise SeriesNotBookable("This series has already started.")


def purchase_series(
    *,
    business: Business,
    series_id: int,
    guest: GuestDetails,
    agreements: Agreements = Agreements(),
    idempotency_key: str | None = None,
    coupon_code: str | None = None,
    now: dt.datetime,
) -> SeriesPurchase:
    """S1, S4: one purchase, one seat in every upcoming run of the series, or nothing at all."""
    guest = _clean_guest(business, guest)
    agreed = _agreed_consents(business, agreements)
    code = _clean_coupon_code(coupon_code)
    key = _request_key(
        _clean_key(idempotency_key),
        target=f"series:{series_id}",
        kind=Booking.Kind.SERIES,
        guest=guest,
        code=code,
        agreements=agreements,
    )
    return _idempotent(
        SeriesPurchase,
        business,
        key,
        now,
        lambda: _write_series_purchase(business, series_id, guest, agreed, key, code, now),
    )


def _write_series_purchase(
    business: Business,
    series_id: int,
    guest: GuestDetails,
    agreed: list[ConsentDefinition],
    key: _Key | None,
    code: str | None,
    now: dt.datetime,
) -> SeriesPurchase:
    with _refusals(business, now), transaction.atomic(durable=True), lock_timeout():
        series = (
            Series.objects.select_related("service").filter(business=business, pk=series_id).first()
        )
        if series is None:
            raise SeriesNotFound()
        service = series.service
        run_ids = _series_runs(business, series_id, now)
        _check_series_on_sale(series, service, run_ids, now)
        offer, discount = _discounted(
            business,
            code,
            guest,
            _Offer(Booking.Kind.SERIES, series.price_type, series.price_minor),
            service_id=service.pk,
            series_id=series.pk,
            now=now,
        )
        status, hold = _status_and_hold(
            business, offer, now, list(Session.objects.filter(pk__in=run_ids).only("capacity"))
        )
        client = _client_digest(guest) if status == BookingStatus.PENDING else ""
        guest_fields = {**_guest_columns(guest), "hold_client": client}
        purchase = SeriesPurchase.objects.create(
            business=business,
            series=series,
            status=status,
            price_minor=offer.price_minor,
            price_type=offer.price_type,
            currency=business.currency,
            hold_expires_at=hold,
            confirmed_at=now if status == BookingStatus.CONFIRMED else None,
            **guest_fields,
        )
        _remember_key(business, key, now, purchase=purchase)
        _no_coupon_use_yet(purchase)
        bookings = Booking.objects.bulk_create(
            Booking(
                business=business,
                session_id=run_id,
                purchase=purchase,
                kind=Booking.Kind.SERIES,
                status=status,
                price_minor=0,
                price_type=offer.price_type,
                currency=business.currency,
                hold_expires_at=hold,
                confirmed_at=purchase.confirmed_at,
                **guest_fields,
            )
            for run_id in run_ids
        )
        _record_consents(business, agreed, now, purchase=purchase)
        log_activity(
            business=business,
            actor=None,
            action="purchase.placed",
            target=purchase.pk,
            series_id=series.pk,
            status=status,
            runs=len(run_ids),
        )
        if status == BookingStatus.CONFIRMED:
            notify(
                DomainEvent(
                    PURCHASE_CONFIRMED,
                    business.pk,
                    purchase_id=purchase.pk,
                    booking_ids=tuple(b.pk for b in bookings),
                ),
                business=business,
            )
        # The critical section: from here to the commit the series' runs are locked.
        runs = sessions_for_update(business=business, session_ids=run_ids, with_offer=True)
        # The runs we locked must still be exactly the series' upcoming runs.
        if _series_runs(business, series_id, now) != [r.pk for r in runs] or (
            len(runs) != len(run_ids)
        ):
            raise BookingBusy("This series just changed. Please try again.")
        _series_still_sold(runs[0].series, runs[0].service)
        taken = seats_taken(session_ids=run_ids, now=now)
        full = [r.pk for r in runs if taken[r.pk] > r.capacity]
        if full:
            raise SeriesSoldOut(
                "This series is sold out: at least one of its sessions is full.",
                session_ids=full,
            )
        if status == BookingStatus.PENDING:
            _check_hold_limits(business, guest, client, run_ids, now)
        _count_and_redeem(
            business,
            discount,
            guest,
            service_id=service.pk,
            series_id=series.pk,
            now=now,
            purchase=purchase,
        )
    return purchase
