"""Placing run bookings: a single run, a drop-in on a series run, a whole series.

The steps are the placing core's (`placing.py`); a run's capacity step locks its Session row
(FOR NO KEY UPDATE, scheduling/locks.py), re-checks the run and recounts seats with the same
selector the public pages use, its own row included, so "more than capacity" means full.

Why this never oversells: a transaction counts only after it holds the run's lock, every
earlier holder has committed by then, and on PostgreSQL (READ COMMITTED) each statement sees
every committed row plus its own. A series purchase writes one booking per run and locks its
runs in id order.
"""

import datetime as dt

from django.db import transaction

from rezerva.booking.errors import (
    BookingBusy,
    SeriesNotBookable,
    SeriesNotFound,
    SeriesSoldOut,
    SessionFull,
    SessionNotBookable,
    SessionNotFound,
)
from rezerva.booking.models import Booking, BookingStatus, ConsentDefinition, SeriesPurchase
from rezerva.booking.offers import seat_offer
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services.placing import (
    NO_AGREEMENTS,
    Agreements,
    GuestDetails,
    Seat,
    _check_hold_limits,
    _client_digest,
    _count_and_redeem,
    _discounted,
    _guest_columns,
    _idempotent,
    _Key,
    _no_coupon_use_yet,
    _Offer,
    _record_consents,
    _refusals,
    _remember_key,
    _status_and_hold,
    place_seat,
    prepare_guest,
)
from rezerva.catalog.models import Service
from rezerva.core.events import PURCHASE_CONFIRMED, DomainEvent, notify
from rezerva.core.locking import lock_timeout
from rezerva.scheduling.locks import sessions_for_update
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy.models import Business
from rezerva.tenancy.services import log_activity

__all__ = ["Agreements", "GuestDetails", "book_drop_in", "book_run", "book_single_run"]


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
    guest, agreed, code, key = prepare_guest(
        business,
        guest,
        agreements,
        idempotency_key,
        coupon_code,
        target=f"run:{session_id}",
        kind=kind,
    )
    return _idempotent(
        Booking,
        business,
        key,
        now,
        lambda: place_seat(
            business=business,
            guest=guest,
            agreed=agreed,
            key=key,
            code=code,
            now=now,
            choose=lambda: _run_seat(business, session_id, kind, now),
        ),
    )


def _run_seat(business: Business, session_id: int, kind: str | None, now: dt.datetime) -> Seat:
    """The run asked for, on the path it is open to; its capacity step locks and recounts."""
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
    offer = _run_offer(run, service, series, kind, now)

    def hold(booking: Booking) -> None:
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

    return Seat(
        session=run,
        kind=kind,
        offer=offer,
        service_id=service.pk,
        series_id=run.series_id,
        hold=hold,
        crowded_runs=(run,),
    )


def book_single_run(
    *,
    business: Business,
    session_id: int,
    guest: GuestDetails,
    agreements: Agreements = NO_AGREEMENTS,
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
    agreements: Agreements = NO_AGREEMENTS,
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
    agreements: Agreements = NO_AGREEMENTS,
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
    agreements: Agreements = NO_AGREEMENTS,
    idempotency_key: str | None = None,
    coupon_code: str | None = None,
    now: dt.datetime,
) -> SeriesPurchase:
    """S1, S4: one purchase, one seat in every upcoming run of the series, or nothing at all."""
    guest, agreed, code, key = prepare_guest(
        business,
        guest,
        agreements,
        idempotency_key,
        coupon_code,
        target=f"series:{series_id}",
        kind=Booking.Kind.SERIES,
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
