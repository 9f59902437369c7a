"""Writes for runs (Session) and series: G2, G3, S2 and the drop-in settings (D1, D2)."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from rezerva.catalog.errors import ServiceNotGroup
from rezerva.catalog.models import Performer, PriceType, SalesMode, Service
from rezerva.catalog.services import MAX_PRICE_MINOR, require_online_payments
from rezerva.core.errors import ValidationFailed
from rezerva.core.locking import lock_timeout
from rezerva.core.timezones import NonexistentLocalTime, to_business_time, wall_time_to_utc
from rezerva.scheduling.errors import RunNeedsSeries, RunNotAttachable
from rezerva.scheduling.locks import sessions_for_update
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy import plans
from rezerva.tenancy.models import Business
from rezerva.tenancy.services import log_activity, require_feature

# G3: a place (meeting URL or address) is required once the run is this close; before that we warn.
PLACE_REQUIRED_WITHIN = dt.timedelta(hours=48)
MAX_CAPACITY = 1_000_000
MAX_WEEKLY_REPEAT = 52
_HTTP_URL = URLValidator(schemes=["http", "https"])


@dataclass
class RunInput:
    """A run as the owner typed it: wall times in the business timezone."""

    starts_local: dt.datetime
    ends_local: dt.datetime
    capacity: int
    mode: str = Session.Mode.IN_PERSON
    title: str = ""
    meeting_url: str = ""
    address: str = ""
    performer: Performer | None = None


@dataclass
class SavedRuns:
    """What a run write produced, plus warnings to show the owner (G3 "warn, don't block")."""

    runs: list[Session]
    warnings: list[str] = field(default_factory=list)


def run_times_in_utc(run: RunInput, tz_name: str) -> tuple[dt.datetime, dt.datetime]:
    """Both wall times of a run in UTC; a time inside a DST gap is a field error."""
    errors: dict[str, str] = {}
    moments: dict[str, dt.datetime] = {}
    for name, local in (("starts_at", run.starts_local), ("ends_at", run.ends_local)):
        try:
            moments[name] = wall_time_to_utc(local, tz_name)
        except NonexistentLocalTime as exc:
            errors[name] = exc.message
    if errors:
        raise ValidationFailed(errors)
    return moments["starts_at"], moments["ends_at"]


def check_run(
    *,
    run: RunInput,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime,
    seats: int = 0,
    start_must_be_future: bool = True,
) -> list[str]:
    """G3: raise ValidationFailed with one message per field; return warnings that do not block."""
    errors: dict[str, str] = {}
    warnings: list[str] = []
    if ends_at <= starts_at:
        errors["ends_at"] = "The end must be after the start."
    if start_must_be_future and starts_at <= now:
        errors["starts_at"] = "The start is in the past; choose a future date and time."
    if run.capacity < 1:
        errors["capacity"] = "Capacity must be at least 1."
    elif run.capacity > MAX_CAPACITY:
        errors["capacity"] = f"Capacity can be at most {MAX_CAPACITY:,}."
    elif run.capacity < seats:
        errors["capacity"] = f"{seats} seats are already taken; capacity cannot be lower than that."
    if run.mode not in Session.Mode.values:
        errors["mode"] = "Choose online or in person."
    if run.meeting_url:
        try:
            _HTTP_URL(run.meeting_url)
        except ValidationError:
            errors["meeting_url"] = "Enter a meeting link that starts with http:// or https://."
    soon = starts_at - now <= PLACE_REQUIRED_WITHIN
    if run.mode == Session.Mode.ONLINE and not run.meeting_url and "meeting_url" not in errors:
        if soon:
            errors["meeting_url"] = (
                "An online session starting within 48 hours needs a meeting link."
            )
        else:
            warnings.append("Add the meeting link before the session starts.")
    if run.mode == Session.Mode.IN_PERSON and not run.address.strip():
        if soon:
            errors["address"] = "An in-person session starting within 48 hours needs an address."
        else:
            warnings.append("Add the address before the session starts.")
    if errors:
        raise ValidationFailed(errors)
    return warnings


def _require_group(service: Service) -> None:
    if not service.is_group:
        raise ServiceNotGroup()


def check_performer(business: Business, performer: Performer | None) -> None:
    """The instructor, if any, belongs to this business."""
    if performer is not None and performer.business_id != business.pk:
        raise ValidationFailed({"performer": "Choose an instructor from this business."})


def check_run_outside_series(*, service: Service, series: Series | None) -> None:
    """M1: a series-only service sells its runs only through a series, so a new run outside one
    could never be booked: refused (RunNeedsSeries). A series must be of the same service."""
    if series is None:
        if service.sales_mode == SalesMode.SERIES:
            raise RunNeedsSeries()
    elif series.service_id != service.pk or series.business_id != service.business_id:
        raise RunNotAttachable("The series belongs to another service.")


def add_runs(
    *,
    business: Business,
    service: Service,
    actor,
    run: RunInput,
    now: dt.datetime,
    repeat_weekly: int = 1,
    series: Series | None = None,
    allow_outside_series: bool = True,
) -> SavedRuns:
    """Publish a run, optionally repeated weekly; each week keeps the same local wall time (DST).

    With `series` the runs are created in it. `allow_outside_series=False` applies
    check_run_outside_series (the owner API, which has no attach step); the dashboard keeps it
    on because its owners add runs first and attach them to a series on the series page.
    """
    _require_group(service)
    check_performer(business, run.performer)
    if series is not None or not allow_outside_series:
        check_run_outside_series(service=service, series=series)
    if not 1 <= repeat_weekly <= MAX_WEEKLY_REPEAT:
        raise ValidationFailed(
            {"repeat_weekly": f"Repeat between 1 and {MAX_WEEKLY_REPEAT} weeks."}
        )
    rows: list[Session] = []
    warnings: list[str] = []
    for week in range(repeat_weekly):
        shift = dt.timedelta(weeks=week)
        # Shift the wall time, then convert: 18:00 stays 18:00 on both sides of a DST change.
        occurrence = RunInput(
            **{
                **run.__dict__,
                "starts_local": run.starts_local + shift,
                "ends_local": run.ends_local + shift,
            }
        )
        starts_at, ends_at = run_times_in_utc(occurrence, business.timezone)
        for warning in check_run(run=occurrence, starts_at=starts_at, ends_at=ends_at, now=now):
            if warning not in warnings:
                warnings.append(warning)
        rows.append(
            Session(
                business=business,
                service=service,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=run.capacity,
                mode=run.mode,
                title=run.title.strip(),
                meeting_url=run.meeting_url,
                address=run.address.strip(),
                performer=run.performer,
                series=series,
            )
        )
    with transaction.atomic():
        created = Session.objects.bulk_create(rows)
        log_activity(
            business=business,
            actor=actor,
            action="session.created",
            target=service.pk,
            session_ids=[s.pk for s in created],
        )
    return SavedRuns(created, warnings)


@dataclass
class SeriesInput:
    """A series as the owner set it up (S2, D1, D2, S5)."""

    title: str
    price_type: str = PriceType.FREE
    price_minor: int = 0
    is_active: bool = True
    is_visible: bool = True
    drop_in_enabled: bool = False
    drop_in_price_minor: int | None = None
    allows_late_join: bool = False


def _check_series(business: Business, data: SeriesInput) -> None:
    errors: dict[str, str] = {}
    require_online_payments(business, data.price_type, errors)
    if not data.title.strip():
        errors["title"] = 'Give the series a title, e.g. "Autumn course".'
    if data.price_type not in PriceType.values:
        errors["price_type"] = "Choose free, pay on site or paid online."
    elif not 0 <= data.price_minor <= MAX_PRICE_MINOR:
        # The same bound as a service's price (catalog); larger did not even fit the column.
        errors["price"] = "Enter a price between 0 and 1,000,000."
    elif data.price_type != PriceType.FREE and data.price_minor <= 0:
        errors["price"] = "A paid series needs a price above zero (or choose Free)."
    if data.drop_in_price_minor is not None and data.drop_in_price_minor < 0:
        errors["drop_in_price"] = "The drop-in price cannot be negative."
    elif data.drop_in_price_minor is not None and data.drop_in_price_minor > MAX_PRICE_MINOR:
        errors["drop_in_price"] = "Enter a drop-in price between 0 and 1,000,000."
    if errors:
        raise ValidationFailed(errors)


def create_series(
    *, business: Business, service: Service, actor, data: SeriesInput, now: dt.datetime
) -> Series:
    """Create a series of a group service; needs a plan with series (P1)."""
    _require_group(service)
    require_feature(business, plans.SERIES, now=now)
    if data.price_type == PriceType.FREE:
        data.price_minor = 0
    _check_series(business, data)
    with transaction.atomic():
        series = Series.objects.create(
            business=business, service=service, **{**data.__dict__, "title": data.title.strip()}
        )
        log_activity(business=business, actor=actor, action="series.created", target=series.pk)
    return series


def update_series(*, series: Series, actor, data: SeriesInput) -> Series:
    """Edit a series' title, price, flags and drop-in settings (P2: allowed after a downgrade)."""
    if data.price_type == PriceType.FREE:
        data.price_minor = 0
    _check_series(series.business, data)
    for name, value in data.__dict__.items():
        setattr(series, name, value.strip() if name == "title" else value)
    with transaction.atomic():
        series.save(update_fields=[*data.__dict__.keys(), "updated_at"])
        log_activity(
            business=series.business, actor=actor, action="series.updated", target=series.pk
        )
    return series


def attach_runs_to_series(
    *, series: Series, session_ids: list[int], actor, now: dt.datetime
) -> list[Session]:
    """S2: attach upcoming, non-cancelled runs of the same service that are in no other series."""
    business = series.business
    if not session_ids:
        raise RunNotAttachable("Choose at least one session to add.")
    with transaction.atomic(), lock_timeout():
        runs = sessions_for_update(business=business, session_ids=session_ids)
        if len(runs) != len(set(session_ids)):
            raise RunNotAttachable("One of the chosen sessions does not exist.")
        for run in runs:
            local = to_business_time(run.starts_at, business.timezone)
            label = f"{local:%Y-%m-%d %H:%M}"
            if run.service_id != series.service_id:
                raise RunNotAttachable(f"The session on {label} belongs to another service.")
            if run.is_cancelled:
                raise RunNotAttachable(f"The session on {label} is cancelled.")
            if not run.is_upcoming(now):
                raise RunNotAttachable(f"The session on {label} has already started or passed.")
            if run.series_id is not None and run.series_id != series.pk:
                raise RunNotAttachable(f"The session on {label} already belongs to another series.")
        Session.objects.filter(pk__in=[r.pk for r in runs]).update(series=series, updated_at=now)
        log_activity(
            business=business,
            actor=actor,
            action="series.runs_attached",
            target=series.pk,
            session_ids=[r.pk for r in runs],
        )
    for run in runs:
        run.series = series
    return runs
