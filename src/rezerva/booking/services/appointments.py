"""Placing and moving one-to-one appointments (A4-A9) through the one placing core.

An appointment is a Booking of kind "appointment" on its own private run (a Session of the
one-to-one service, capacity 1, with the performer), so confirmation emails, .ics, reminders,
manage links, payments, coupons and exports treat it like any run booking. The Booking also
carries the performer and the span it blocks (buffers included): PostgreSQL's exclusion
constraint refuses two active overlapping ones of a performer (booking/migrations/0007).

Capacity step: lock the performer row, then run the same slot search the guest saw (A6) with
this booking left out; a slot someone took meanwhile is refused, and "any available" tries the
next performer in its deterministic order (A4: fewest appointments that day, then lowest id).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from rezerva.availability.errors import PerformerNotFound, SlotNotAvailable
from rezerva.availability.selectors import busy_spans, performers_for, rules_of, search_window
from rezerva.availability.slots import BusyTimes, Span, local_to_utc
from rezerva.booking.errors import AlreadyCancelled, ServiceNotBookable, ServiceNotFound
from rezerva.booking.locks import bookings_for_update
from rezerva.booking.models import Booking, BookingStatus, CancelledBy
from rezerva.booking.selectors import (
    appointment_blocks,
    appointment_slots,
    guest_cancel_deadline,
)
from rezerva.booking.services.cancel import cancel_booking
from rezerva.booking.services.operations import (
    ATTENDANCE_CHOICES,
    BulkResult,
    mark_locked_attendance,
    selected_ids,
)
from rezerva.booking.services.placing import (
    NO_AGREEMENTS,
    Agreements,
    GuestDetails,
    Seat,
    _idempotent,
    _Offer,
    place_seat,
    prepare_guest,
)
from rezerva.catalog.locks import performer_for_update
from rezerva.catalog.models import Performer, PriceType, Service
from rezerva.core.errors import ValidationFailed
from rezerva.core.events import SESSION_CHANGED, DomainEvent, notify
from rezerva.core.locking import lock_timeout
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import Business
from rezerva.tenancy.services import log_activity

OVERLAP_CONSTRAINT = "booking_appointment_no_overlap"


def _service(business: Business, service_id: int) -> Service:
    service = Service.objects.filter(business=business, pk=service_id).first()
    if service is None or service.is_group:
        raise ServiceNotFound()
    if not service.is_active:
        raise ServiceNotBookable("This service is not taking bookings.")
    return service


def _why_not_offered(
    business: Business, service: Service, starts_at: dt.datetime, now: dt.datetime
) -> str:
    """The clearest reason a start is not offered, for the guest's error message."""
    rules = rules_of(service)
    zone = ZoneInfo(business.timezone)
    local = starts_at.astimezone(zone)
    if starts_at <= now:
        return "This time has already passed. Please pick a later one."
    if starts_at < now + rules.min_notice:
        hours = service.min_notice_minutes / 60
        return f"Please book at least {hours:g} hour(s) ahead."
    if local.date() > now.astimezone(zone).date() + dt.timedelta(days=rules.horizon_days):
        return f"Bookings open at most {service.horizon_days} days ahead."
    if local_to_utc(local.date(), local.time().replace(tzinfo=None), zone) is None:
        return "This time does not exist on that day (the clocks change)."
    return "This time is not available. Please pick one of the times shown."


def _performer_order(
    business: Business, service: Service, starts_at: dt.datetime, now: dt.datetime
) -> list[int]:
    """A4 "any available": the performers free at this start, fewest appointments that local
    day first, then lowest id."""
    day = starts_at.astimezone(ZoneInfo(business.timezone)).date()
    slots = appointment_slots(
        business=business, service=service, performer_id=None, start=day, end=day, now=now
    )
    free = slots.performers_at(starts_at)
    blocks = appointment_blocks(
        business=business, performer_ids=free, window=search_window(business, day, day), now=now
    )
    that_day = dict.fromkeys(free, 0)
    for block in blocks:
        if block.local_day == day:
            that_day[block.performer_id] += 1
    return sorted(free, key=lambda p: (that_day[p], p))


def _check_free(
    business: Business,
    service: Service,
    performer_id: int,
    starts_at: dt.datetime,
    now: dt.datetime,
    *,
    on_behalf: bool,
    exclude_booking_id: int | None = None,
    performers: list[Performer] | None = None,
) -> None:
    """A6 for guests: the start is one the slot search offers. On the owner's behalf (A9): any
    time, but never over another appointment or a run the performer leads."""
    if on_behalf:
        if _owner_time_taken(
            business, performer_id, rules_of(service).blocks(starts_at), now, exclude_booking_id
        ):
            raise SlotNotAvailable("This team member is already booked then.")
        return
    day = starts_at.astimezone(ZoneInfo(business.timezone)).date()
    slots = appointment_slots(
        business=business,
        service=service,
        performer_id=performer_id,
        start=day,
        end=day,
        now=now,
        exclude_booking_id=exclude_booking_id,
        performers=performers,
    )
    if starts_at not in slots.by_performer.get(performer_id, []):
        raise SlotNotAvailable(_why_not_offered(business, service, starts_at, now))


def _owner_time_taken(
    business: Business,
    performer_id: int,
    span: Span,
    now: dt.datetime,
    exclude_booking_id: int | None,
) -> bool:
    """A9: whether `span` (buffers included) overlaps another active appointment of the
    performer or a run she leads (with its buffers, as the slot search counts it); her hours,
    time off and the notice do not bind the owner."""
    day = span.start.astimezone(ZoneInfo(business.timezone)).date()
    window = search_window(business, day, day)
    blocks = appointment_blocks(
        business=business,
        performer_ids=[performer_id],
        window=window,
        now=now,
        exclude_booking_id=exclude_booking_id,
        with_days=False,
    )
    runs = busy_spans(business, [performer_id], window, with_time_off=False)[performer_id]
    return BusyTimes([(b[1], b[2]) for b in blocks] + runs).overlaps(span)


def _expire_lapsed_holds(business: Business, performer_id: int, span, now: dt.datetime) -> None:
    """A lapsed hold stops counting at once, but its row still sits in the exclusion
    constraint until the sweep: expire the ones in the way before writing."""
    Booking.objects.filter(
        business=business,
        performer_id=performer_id,
        status=BookingStatus.PENDING,
        hold_expires_at__lte=now,
        blocks_from__lt=span.end,
        blocks_until__gt=span.start,
    ).update(status=BookingStatus.EXPIRED, updated_at=now)


def _appointment_seat(
    business: Business,
    service_id: int,
    performer_id: int,
    starts_at: dt.datetime,
    now: dt.datetime,
    *,
    on_behalf: bool,
) -> Seat:
    """The appointment's private run and its capacity step (lock the performer, search again)."""
    service = _service(business, service_id)
    performers = performers_for(business=business, service=service)
    if performer_id not in {p.pk for p in performers}:
        raise PerformerNotFound()
    _check_free(
        business, service, performer_id, starts_at, now, on_behalf=on_behalf, performers=performers
    )
    rules = rules_of(service)
    span = rules.blocks(starts_at)
    # Booked by the owner for a guest on the phone or at the desk: no Checkout link reaches
    # that guest, so a service paid online is paid on site instead (confirmed at once).
    price_type = service.price_type
    if on_behalf and price_type == PriceType.ONLINE:
        price_type = PriceType.ON_SITE
    _expire_lapsed_holds(business, performer_id, span, now)
    run = Session.objects.create(
        business=business,
        service=service,
        performer_id=performer_id,
        starts_at=starts_at,
        ends_at=starts_at + rules.duration,
        capacity=1,
    )

    def hold(booking: Booking) -> None:
        performer = performer_for_update(business=business, performer_id=performer_id)
        if performer is None or not performer.is_active:
            raise PerformerNotFound()
        # The same search the guest saw, her own row left out; who offers the service is as
        # read above (a performer taken off the service meanwhile keeps this booking).
        _check_free(
            business,
            service,
            performer_id,
            starts_at,
            now,
            on_behalf=on_behalf,
            exclude_booking_id=booking.pk,
            performers=performers,
        )

    return Seat(
        session=run,
        kind=Booking.Kind.APPOINTMENT,
        offer=_Offer(Booking.Kind.APPOINTMENT, price_type, service.price_minor),
        service_id=service.pk,
        series_id=None,
        hold=hold,
        columns={
            "performer_id": performer_id,
            "blocks_from": span.start,
            "blocks_until": span.end,
            "added_by_owner": on_behalf,
        },
    )


def appointment_still_free(*, booking: Booking, now: dt.datetime) -> bool:
    """B4 for appointments: a lapsed appointment whose money arrives late may come back only if
    its performer is still free then (locks her; the caller's transaction holds the lock)."""
    business = booking.business
    if performer_for_update(business=business, performer_id=booking.performer_id) is None:
        return False
    # The span it was booked with (the service's buffers may have changed since).
    span = Span(booking.blocks_from, booking.blocks_until)
    return not _owner_time_taken(business, booking.performer_id, span, now, booking.pk)


def _is_overlap(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == OVERLAP_CONSTRAINT


def book_appointment(
    *,
    business: Business,
    service_id: int,
    performer_id: int | None,
    starts_at: dt.datetime,
    guest: GuestDetails,
    agreements: Agreements = NO_AGREEMENTS,
    idempotency_key: str | None = None,
    coupon_code: str | None = None,
    now: dt.datetime,
    on_behalf: bool = False,
    actor=None,
) -> Booking:
    """A5-A7: book a one-to-one appointment at `starts_at` with a performer or "any available"
    (None). Guests get only starts the slot search offers; the owner (`on_behalf`) may ignore
    hours, notice and the grid but never double-books. Price, hold, payment, coupon, consents,
    usage tick and emails are the placing core's."""
    if starts_at.tzinfo is None:
        raise SlotNotAvailable("Give the time with its UTC offset.")
    service = _service(business, service_id)
    guest, agreed, code, key = prepare_guest(
        business,
        guest,
        agreements,
        idempotency_key,
        coupon_code,
        target=f"appointment:{service_id}:{performer_id or 'any'}:{starts_at.isoformat()}",
        kind=Booking.Kind.APPOINTMENT,
    )
    if performer_id is not None:
        candidates = [performer_id]
    else:
        candidates = _performer_order(business, service, starts_at, now)
        if not candidates:
            raise SlotNotAvailable(_why_not_offered(business, service, starts_at, now))
    # "Any available" moves on to the next performer; what the guest hears is that it went.
    taken = SlotNotAvailable("Someone just took this time. Please pick another.")
    last_refusal: SlotNotAvailable | None = None
    for candidate in candidates:
        try:
            return _idempotent(
                Booking,
                business,
                key,
                now,
                lambda candidate=candidate: place_seat(
                    business=business,
                    guest=guest,
                    agreed=agreed,
                    key=key,
                    code=code,
                    now=now,
                    actor=actor,
                    choose=lambda: _appointment_seat(
                        business, service_id, candidate, starts_at, now, on_behalf=on_behalf
                    ),
                ),
            )
        except IntegrityError as exc:
            if not _is_overlap(exc):
                raise
            last_refusal = taken
        except SlotNotAvailable as exc:
            last_refusal = exc if performer_id is not None else taken
    raise last_refusal


def move_appointment(
    *,
    booking: Booking,
    starts_at: dt.datetime,
    now: dt.datetime,
    by_owner: bool = False,
    actor=None,
) -> Booking:
    """A8/A9: move an appointment to another start with the same performer (guests: a slot the
    search offers, before the notice period; the owner: any time that is not double-booked).
    Its private run moves with it, so the guest's calendar entry updates (SEQUENCE + 1)."""
    if booking.kind != Booking.Kind.APPOINTMENT:
        raise SlotNotAvailable("Only appointments move to another time this way.")
    if booking.status != BookingStatus.CONFIRMED:
        raise SlotNotAvailable("Only confirmed appointments can be moved; pay for it first.")
    business = booking.business
    deadline = guest_cancel_deadline(
        seats=[booking], notice_hours=booking.business.cancellation_notice_hours
    )
    if not by_owner and (deadline is None or now > deadline):
        raise SlotNotAvailable(
            "It is too close to the appointment to change it online. Please contact the business."
        )
    service = _service(business, booking.session.service_id)
    rules = rules_of(service)
    with transaction.atomic(durable=True), lock_timeout():
        performer = performer_for_update(business=business, performer_id=booking.performer_id)
        if performer is None:
            raise PerformerNotFound()
        locked = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
        if locked.status != BookingStatus.CONFIRMED:
            raise SlotNotAvailable("This appointment was cancelled meanwhile.")
        _check_free(
            business,
            service,
            booking.performer_id,
            starts_at,
            now,
            on_behalf=by_owner,
            exclude_booking_id=booking.pk,
        )
        span = rules.blocks(starts_at)
        _expire_lapsed_holds(business, booking.performer_id, span, now)
        old_start = locked.session.starts_at
        Booking.objects.filter(pk=booking.pk).update(
            blocks_from=span.start, blocks_until=span.end, updated_at=now
        )
        Session.objects.filter(pk=locked.session_id).update(
            starts_at=starts_at, ends_at=starts_at + rules.duration, updated_at=now
        )
        log_activity(
            business=business,
            actor=actor,
            action="appointment.moved",
            target=booking.pk,
            by="owner" if by_owner else "guest",
            old_starts_at=old_start.isoformat(),
            new_starts_at=starts_at.isoformat(),
        )
        notify(
            DomainEvent(
                SESSION_CHANGED,
                business.pk,
                booking_ids=(booking.pk,),
                session_id=locked.session_id,
                data={"old_starts_at": old_start.isoformat(), "time_changed": True},
            )
        )
    booking.refresh_from_db()
    return booking


def mark_appointments_attendance(
    *, business: Business, booking_ids, attendance: str, actor, now: dt.datetime
) -> BulkResult:
    """G6 for appointments: mark selected confirmed appointments attended, no-show or not
    marked, in one transaction (rows locked in id order); others are left alone."""
    if attendance not in ATTENDANCE_CHOICES:
        raise ValidationFailed({"attendance": "Choose attended, no-show or not marked."})
    selected = selected_ids(booking_ids)
    with transaction.atomic(), lock_timeout():
        ids = list(
            Booking.objects.filter(
                business=business, kind=Booking.Kind.APPOINTMENT, pk__in=selected
            ).values_list("pk", flat=True)
        )
        return mark_locked_attendance(
            business=business,
            bookings=bookings_for_update(business=business, booking_ids=ids) if ids else [],
            selected=selected,
            attendance=attendance,
            actor=actor,
            now=now,
            target="appointments",
        )


def cancel_appointments(*, business: Business, booking_ids, actor, now: dt.datetime) -> BulkResult:
    """G5/A9: the owner cancels selected appointments, each as a single cancellation (the
    guest is emailed, the time frees, nothing is refunded); inactive ones are left alone."""
    selected = selected_ids(booking_ids)
    found = list(
        Booking.objects.select_related("business", "session")
        .filter(business=business, kind=Booking.Kind.APPOINTMENT, pk__in=selected)
        .order_by("pk")
    )
    cancelled = []
    for booking in found:
        try:
            cancel_booking(booking=booking, by=CancelledBy.OWNER, actor=actor, now=now)
        except AlreadyCancelled:
            continue
        cancelled.append(booking.pk)
    return BulkResult(
        changed_ids=tuple(cancelled),
        unchanged=len(found) - len(cancelled),
        ignored=len(selected) - len(found),
    )
