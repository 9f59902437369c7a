"""Changing runs that guests have booked: editing a run (G3, G7) and taking one out of its
series (S2). They live here, not in scheduling, because they count and notify bookings."""

import datetime as dt

from django.db import transaction

from rezerva.booking.models import ACTIVE_STATUSES, Booking
from rezerva.booking.selectors import active_series_seats_on, seats_taken
from rezerva.core.errors import ValidationFailed
from rezerva.core.events import SESSION_CHANGED, DomainEvent, notify
from rezerva.core.locking import lock_timeout
from rezerva.scheduling.errors import RunNotDetachable
from rezerva.scheduling.locks import series_for_update, sessions_for_update
from rezerva.scheduling.models import Series, Session
from rezerva.scheduling.services import (
    RunInput,
    SavedRuns,
    check_performer,
    check_run,
    run_times_in_utc,
)
from rezerva.tenancy.services import log_activity


def update_run(*, session: Session, actor, run: RunInput, now: dt.datetime) -> SavedRuns:
    """Edit a run under its row lock; capacity never drops below seats taken (G3)."""
    business = session.business
    check_performer(business, run.performer)
    starts_at, ends_at = run_times_in_utc(run, business.timezone)
    with transaction.atomic(), lock_timeout():
        (locked,) = sessions_for_update(business=business, session_ids=[session.pk])
        if locked.is_cancelled:
            raise ValidationFailed({"__all__": "This session is cancelled and cannot be edited."})
        taken = seats_taken(session_ids=[locked.pk], now=now)[locked.pk]
        time_changed = (starts_at, ends_at) != (locked.starts_at, locked.ends_at)
        warnings = check_run(
            run=run,
            starts_at=starts_at,
            ends_at=ends_at,
            now=now,
            seats=taken,
            start_must_be_future=time_changed,
        )
        place_changed = (run.mode, run.meeting_url, run.address.strip()) != (
            locked.mode,
            locked.meeting_url,
            locked.address,
        )
        old_starts_at, old_ends_at = locked.starts_at, locked.ends_at
        locked.starts_at, locked.ends_at = starts_at, ends_at
        locked.capacity = run.capacity
        locked.mode = run.mode
        locked.title = run.title.strip()
        locked.meeting_url = run.meeting_url
        locked.address = run.address.strip()
        locked.performer = run.performer
        locked.save(
            update_fields=[
                "starts_at",
                "ends_at",
                "capacity",
                "mode",
                "title",
                "meeting_url",
                "address",
                "performer",
                "updated_at",
            ]
        )
        log_activity(
            business=business,
            actor=actor,
            action="session.updated",
            target=locked.pk,
            time_changed=time_changed,
            place_changed=place_changed,
        )
        if time_changed or place_changed:
            # G7: booked guests get the new time or place with updated calendar data.
            booking_ids = tuple(
                Booking.objects.filter(
                    business=business, session=locked, status__in=ACTIVE_STATUSES
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if booking_ids:
                notify(
                    DomainEvent(
                        SESSION_CHANGED,
                        business.pk,
                        booking_ids=booking_ids,
                        session_id=locked.pk,
                        data={
                            "time_changed": time_changed,
                            "place_changed": place_changed,
                            "old_starts_at": old_starts_at.isoformat(),
                            "old_ends_at": old_ends_at.isoformat(),
                        },
                    )
                )
    return SavedRuns([locked], warnings)


def detach_run_from_series(*, series: Series, session_id: int, actor, now: dt.datetime) -> Session:
    """Remove an upcoming run from a series, unless series buyers already hold seats on it."""
    business = series.business
    with transaction.atomic(), lock_timeout():
        runs = sessions_for_update(business=business, session_ids=[session_id])
        if not runs or runs[0].series_id != series.pk:
            raise RunNotDetachable("This session is not part of the series.")
        run = runs[0]
        series_for_update(business=business, series_id=series.pk)
        if not run.is_upcoming(now):
            raise RunNotDetachable("Past sessions stay in the series for its history.")
        if active_series_seats_on(session_id=run.pk, now=now):
            raise RunNotDetachable(
                "Series buyers hold seats on this session. Cancel the session instead, "
                "so they are notified."
            )
        run.series = None
        run.save(update_fields=["series", "updated_at"])
        log_activity(
            business=business,
            actor=actor,
            action="series.run_detached",
            target=series.pk,
            session_id=run.pk,
        )
    return run
