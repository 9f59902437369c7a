"""Reads about seats: the one place that counts them."""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import Count, DateField, IntegerField, QuerySet, Value
from django.shortcuts import get_object_or_404

from rezerva.availability.selectors import (
    AppointmentBlock,
    OpenSlots,
    check_range,
    open_slots,
    performers_for,
    search_window,
)
from rezerva.availability.slots import Span
from rezerva.booking.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    ConsentDefinition,
    SeriesPurchase,
)
from rezerva.booking.tokens import BOOKING, read_manage_token
from rezerva.core.expressions import Epoch, fetch_rows
from rezerva.core.holds import seat_holding_filter
from rezerva.core.timezones import local_date_bounds


def seats_taken(*, session_ids: Iterable[int], now: dt.datetime) -> dict[int, int]:
    """{session_id: seats taken} for the given runs, from one aggregate query."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = (
        Booking.objects.filter(seat_holding_filter(now), session_id__in=ids)
        .values("session_id")
        .annotate(taken=Count("id"))
        .order_by()
    )
    taken = dict.fromkeys(ids, 0)
    for row in rows:
        taken[row["session_id"]] = row["taken"]
    return taken


def seats_held(*, session_ids: Iterable[int], now: dt.datetime) -> dict[int, int]:
    """{session_id: seats held by unpaid bookings whose hold is live} (F5: shown apart)."""
    ids = list(session_ids)
    rows = (
        Booking.objects.filter(
            session_id__in=ids, status=BookingStatus.PENDING, hold_expires_at__gt=now
        )
        .values("session_id")
        .annotate(held=Count("id"))
        .order_by()
    )
    held = dict.fromkeys(ids, 0)
    for row in rows:
        held[row["session_id"]] = row["held"]
    return held


def active_series_seats_on(*, session_id: int, now: dt.datetime) -> int:
    """Seats on one run held by series buyers."""
    return Booking.objects.filter(
        seat_holding_filter(now), session_id=session_id, kind=Booking.Kind.SERIES
    ).count()


def consents_of(*, business) -> list:
    """The active consents and terms a guest sees when booking, in order."""
    return list(ConsentDefinition.objects.filter(business=business, is_active=True))


def get_by_manage_token(*, business, token: str):
    """The booking or purchase a manage link points to; None if forged or of another business."""
    ref = read_manage_token(token)
    if ref is None:
        return None
    if ref.kind == BOOKING:
        return (
            Booking.objects.select_related("session", "session__service", "session__performer")
            .filter(business=business, public_id=ref.public_id)
            .first()
        )
    return (
        SeriesPurchase.objects.select_related("series", "series__service")
        .filter(business=business, public_id=ref.public_id)
        .first()
    )


def purchase_bookings(*, purchase) -> list[Booking]:
    """A purchase's seats with their runs, in date order."""
    return list(
        Booking.objects.filter(business=purchase.business, purchase=purchase)
        .select_related("session", "session__performer")
        .order_by("session__starts_at", "pk")
    )


def participants_of_session(*, business, session) -> QuerySet[Booking]:
    """Everyone booked on a run (all statuses), with how they booked, newest last."""
    return (
        Booking.objects.filter(business=business, session=session)
        .select_related("purchase", "payment")
        .order_by("created_at", "pk")
    )


def buyers_of_series(*, business, series):
    """A series' purchases, newest first."""
    return SeriesPurchase.objects.filter(business=business, series=series).order_by(
        "-created_at", "-pk"
    )


def get_booking_for_business(*, business, booking_id: int) -> Booking:
    """One of the business's bookings, or 404."""
    return get_object_or_404(
        Booking.objects.select_related("session"), business=business, pk=booking_id
    )


def get_purchase_for_business(*, business, purchase_id: int) -> SeriesPurchase:
    """One of the business's series purchases, or 404."""
    return get_object_or_404(
        SeriesPurchase.objects.select_related("series"), business=business, pk=purchase_id
    )


def get_consent_for_business(*, business, consent_id: int) -> ConsentDefinition:
    """One of the business's consent definitions, or 404."""
    return get_object_or_404(ConsentDefinition, business=business, pk=consent_id)


def all_consents_of(*, business) -> list[ConsentDefinition]:
    """Every consent definition of the business, active ones first."""
    return list(
        ConsentDefinition.objects.filter(business=business).order_by("-is_active", "position", "id")
    )


def guest_cancel_deadline(*, seats: list[Booking], notice_hours: int) -> dt.datetime | None:
    """B6: the last moment a guest may cancel online: the notice period before the first of the
    seats' sessions that still takes place (None when none does)."""
    first = min((b.session.starts_at for b in seats if not b.session.is_cancelled), default=None)
    return None if first is None else first - dt.timedelta(hours=notice_hours)


def list_price_of(booking: Booking) -> int:
    """The price before any coupon: what the booking's seat was offered at (B6 same price)."""
    redemption = getattr(booking, "coupon_redemption", None)
    return booking.price_minor + (redemption.discount_minor if redemption else 0)


def appointment_blocks(
    *,
    business,
    performer_ids: Iterable[int],
    window: Span,
    now: dt.datetime,
    exclude_booking_id: int | None = None,
    with_days: bool = True,
) -> list[AppointmentBlock]:
    """A5: the active appointments of these performers touching `window` (confirmed, or
    pending with a live hold), as availability reads them: one query. Without `with_days`
    only the blocks are read (no service or local day: what a search without a daily cap
    needs, and a third of the work on a busy calendar)."""
    zone = ZoneInfo(business.timezone)
    performer_ids = list(performer_ids)
    if not performer_ids:
        return []
    found = Booking.objects.filter(
        seat_holding_filter(now),
        business=business,
        performer_id__in=list(performer_ids),
        blocks_from__lt=window.end,
        blocks_until__gt=window.start,
    ).exclude(pk=exclude_booking_id)
    if not with_days:
        # A month of a busy calendar is thousands of rows: read them as plain numbers (the
        # ORM's per-row converters cost more than the query itself).
        # The driver's own row tuples already have AppointmentBlock's shape (no service or
        # day): no second object per row, which on a full month is most of the cost.
        return fetch_rows(
            found.order_by().values_list(
                "performer_id",
                Epoch("blocks_from"),
                Epoch("blocks_until"),
                Value(None, output_field=IntegerField()),
                Value(None, output_field=DateField()),
            )
        )
    rows = fetch_rows(
        found.order_by().values_list(
            "performer_id",
            Epoch("blocks_from"),
            Epoch("blocks_until"),
            "session__service_id",
            Epoch("session__starts_at"),
        )
    )
    return [
        AppointmentBlock(p, a, b, service_id, dt.datetime.fromtimestamp(at, zone).date())
        for p, a, b, service_id, at in rows
    ]


def appointment_slots(
    *,
    business,
    service,
    performer_id: int | None,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    exclude_booking_id: int | None = None,
    performers: list | None = None,
) -> OpenSlots:
    """A6: the one slot search, fed with this business's active appointments. Guests' lists,
    the owner's lists and placing all call it; a fixed number of queries (`performers`, when
    the caller already read who offers the service, spares one)."""
    check_range(start, end)
    if performers is None:
        performers = performers_for(business=business, service=service)
    ids = [p.pk for p in performers if performer_id in (None, p.pk)]
    blocks = appointment_blocks(
        business=business,
        performer_ids=ids,
        window=search_window(business, start, end),
        now=now,
        exclude_booking_id=exclude_booking_id,
        with_days=service.daily_cap is not None,
    )
    return open_slots(
        business=business,
        service=service,
        performer_id=performer_id,
        start=start,
        end=end,
        now=now,
        appointments=blocks,
        performers=performers,
    )


def appointments_between(
    *,
    business,
    start: dt.date,
    end: dt.date,
    performer_id: int | None = None,
    active_only: bool = False,
) -> QuerySet[Booking]:
    """A9: the business's appointments starting on local days start..end, soonest first, with
    their run, service, performer and payment (the owner's list, exports and API)."""
    first, _ = local_date_bounds(start, business.timezone)
    _, last = local_date_bounds(end, business.timezone)
    rows = Booking.objects.filter(
        business=business,
        kind=Booking.Kind.APPOINTMENT,
        session__starts_at__gte=first,
        session__starts_at__lt=last,
    )
    if performer_id is not None:
        rows = rows.filter(performer_id=performer_id)
    if active_only:
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    return rows.select_related("session", "session__service", "performer", "payment").order_by(
        "session__starts_at", "pk"
    )
