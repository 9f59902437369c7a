"""Plain builder functions for test setup; they go through the real services where rules apply."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from rezerva.availability import services as availability_services
from rezerva.catalog import services as catalog_services
from rezerva.catalog.models import Performer, PriceType, SalesMode, Service
from rezerva.scheduling import services as scheduling_services
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.models import Business
from rezerva.tenancy.plans import PlanCode

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_user(email: str | None = None, *, password: str = PASSWORD):
    """A user who can log in."""
    email = email or f"user{next(_seq)}@example.test"
    return get_user_model().objects.create_user(email=email, password=password)


def make_business(
    *,
    owner=None,
    name: str = "Studio",
    slug: str | None = None,
    plan: str = PlanCode.GROWTH,
    timezone: str = "Europe/Warsaw",
    currency: str = "PLN",
    stripe_account_id: str = "acct_test123456",
    now: dt.datetime,
) -> Business:
    """A business with its owner membership and (by default) a connected Stripe account."""
    owner = owner or make_user()
    business = tenancy_services.create_business(
        owner=owner,
        name=name,
        slug=slug or f"studio-{next(_seq)}",
        timezone=timezone,
        currency=currency,
        plan=plan,
        now=now,
    )
    if stripe_account_id:
        Business.objects.filter(pk=business.pk).update(stripe_account_id=stripe_account_id)
        business.stripe_account_id = stripe_account_id
    return business


def owner_of(business: Business):
    """The business's (first) owner."""
    return business.memberships.filter(role="owner").select_related("user").first().user


def make_group_service(
    business: Business,
    *,
    name: str = "Pottery class",
    price_type: str = PriceType.ON_SITE,
    price_minor: int = 5000,
    sales_mode: str = SalesMode.BOTH,
    now: dt.datetime,
) -> Service:
    """A group service created through the service layer (so P1 applies)."""
    return catalog_services.create_service(
        business=business,
        actor=owner_of(business),
        kind=Service.Kind.GROUP,
        name=name,
        price_type=price_type,
        price_minor=price_minor if price_type != PriceType.FREE else 0,
        sales_mode=sales_mode,
        now=now,
    )


def make_session(
    service: Service,
    *,
    starts_local: dt.datetime | None = None,
    days_ahead: int = 7,
    hour: int = 18,
    minutes: int = 90,
    capacity: int = 10,
    mode: str = Session.Mode.IN_PERSON,
    now: dt.datetime,
    **extra,
) -> Session:
    """One upcoming run at a local wall time (default: a week ahead at 18:00)."""
    business = service.business
    if starts_local is None:
        local_today = now.astimezone(ZoneInfo(business.timezone)).date()
        starts_local = dt.datetime.combine(
            local_today + dt.timedelta(days=days_ahead), dt.time(hour)
        )
    extra.setdefault("address", "Main street 1" if mode == Session.Mode.IN_PERSON else "")
    extra.setdefault(
        "meeting_url", "https://meet.example.com/x" if mode == Session.Mode.ONLINE else ""
    )
    saved = scheduling_services.add_runs(
        business=business,
        service=service,
        actor=owner_of(business),
        now=now,
        run=scheduling_services.RunInput(
            starts_local=starts_local,
            ends_local=starts_local + dt.timedelta(minutes=minutes),
            capacity=capacity,
            mode=mode,
            **extra,
        ),
    )
    return saved.runs[0]


def make_series(
    service: Service,
    *,
    runs: int = 4,
    title: str = "Spring course",
    price_type: str = PriceType.ON_SITE,
    price_minor: int = 20000,
    drop_in_enabled: bool = False,
    drop_in_price_minor: int | None = None,
    capacity: int = 10,
    first_day: int = 7,
    now: dt.datetime,
    **flags,
) -> Series:
    """A series with `runs` weekly runs attached."""
    business = service.business
    series = scheduling_services.create_series(
        business=business,
        service=service,
        actor=owner_of(business),
        now=now,
        data=scheduling_services.SeriesInput(
            title=title,
            price_type=price_type,
            price_minor=price_minor if price_type != PriceType.FREE else 0,
            drop_in_enabled=drop_in_enabled,
            drop_in_price_minor=drop_in_price_minor,
            **flags,
        ),
    )
    sessions = [
        make_session(service, days_ahead=first_day + 7 * week, capacity=capacity, now=now)
        for week in range(runs)
    ]
    if sessions:
        scheduling_services.attach_runs_to_series(
            series=series, session_ids=[s.pk for s in sessions], actor=owner_of(business), now=now
        )
    return series


def run_edit(run: Session, **changes) -> scheduling_services.RunInput:
    """The run as the owner's edit form shows it (wall times in the business zone), with some
    fields changed: the input `update_run` takes."""
    zone = ZoneInfo(run.business.timezone)
    fields = {
        "starts_local": run.starts_at.astimezone(zone).replace(tzinfo=None),
        "ends_local": run.ends_at.astimezone(zone).replace(tzinfo=None),
        "capacity": run.capacity,
        "mode": run.mode,
        "title": run.title,
        "meeting_url": run.meeting_url,
        "address": run.address,
        "performer": run.performer,
    }
    return scheduling_services.RunInput(**{**fields, **changes})


def add_participants(
    session: Session,
    count: int,
    *,
    kind: str = "single",
    status: str = "confirmed",
    price_type: str = PriceType.ON_SITE,
    price_minor: int = 5000,
    name: str = "Guest",
    **fields,
) -> list:
    """`count` single or drop-in bookings on a run in one bulk insert, ids ascending.

    Skips the placing service on purpose: list, export and bulk-action scale tests need rows,
    not thousands of capacity checks (those are tested in tests/booking)."""
    from rezerva.booking.models import Booking

    business = session.business
    start = next(_seq)
    rows = [
        Booking(
            business=business,
            session=session,
            kind=kind,
            status=status,
            price_type=price_type,
            price_minor=price_minor if price_type != PriceType.FREE else 0,
            currency=business.currency,
            guest_name=f"{name} {start}-{i + 1}",
            guest_email=f"guest{start}-{i + 1}@example.test",
            **fields,
        )
        for i in range(count)
    ]
    return Booking.objects.bulk_create(rows)


def add_series_buyers(series: Series, count: int, *, status: str = "confirmed") -> list:
    """`count` purchases of a series, each with a seat on every run, in two bulk inserts."""
    from rezerva.booking.models import Booking, SeriesPurchase

    business = series.business
    runs = list(series.sessions.order_by("pk"))
    start = next(_seq)
    purchases = SeriesPurchase.objects.bulk_create(
        SeriesPurchase(
            business=business,
            series=series,
            status=status,
            price_minor=series.price_minor,
            price_type=series.price_type,
            currency=business.currency,
            guest_name=f"Buyer {start}-{i + 1}",
            guest_email=f"buyer{start}-{i + 1}@example.test",
        )
        for i in range(count)
    )
    Booking.objects.bulk_create(
        Booking(
            business=business,
            session=run,
            purchase=purchase,
            kind=Booking.Kind.SERIES,
            status=status,
            price_type=purchase.price_type,
            currency=business.currency,
            guest_name=purchase.guest_name,
            guest_email=purchase.guest_email,
        )
        for purchase in purchases
        for run in runs
    )
    return purchases


def make_performer(business: Business, name: str = "Ola") -> Performer:
    """A team member who can take appointments and lead runs."""
    return catalog_services.create_performer(business=business, actor=None, name=name)


def make_appointment_service(
    business: Business,
    *,
    name: str = "Haircut",
    price_type: str = PriceType.ON_SITE,
    price_minor: int = 8000,
    performers: list[Performer] = (),
    now: dt.datetime,
    **settings,
) -> Service:
    """A one-to-one service with A4 settings (no notice unless given, so tests pick times)."""
    settings.setdefault("min_notice_minutes", 0)
    return catalog_services.create_service(
        business=business,
        actor=owner_of(business),
        kind=Service.Kind.ONE_TO_ONE,
        name=name,
        price_type=price_type,
        price_minor=price_minor if price_type != PriceType.FREE else 0,
        appointment=catalog_services.AppointmentSettings(
            performer_ids=tuple(p.pk for p in performers), **settings
        ),
        now=now,
    )


def set_week(
    business: Business,
    performer: Performer | None,
    hours: dict[int, list[tuple[str, str]]],
) -> None:
    """Weekly hours from "HH:MM" pairs, e.g. {0: [("09:00", "12:00"), ("13:00", "17:00")]}."""
    availability_services.set_weekly_hours(
        business=business,
        actor=None,
        performer_id=performer.pk if performer else None,
        week={
            day: [(dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in pairs]
            for day, pairs in hours.items()
        },
    )


def make_salon(*, slug: str = "hair-by-ola", now: dt.datetime):
    """Hair by Ola on Starter: Ola and Ewa every day 09:00-17:00 (the business week), and a
    45-minute cut every 15 minutes, paid on site. Returns (business, cut, ola, ewa)."""
    business = make_business(name="Hair by Ola", slug=slug, plan=PlanCode.STARTER, now=now)
    set_week(business, None, {d: [("09:00", "17:00")] for d in range(7)})
    ola = make_performer(business, "Ola")
    ewa = make_performer(business, "Ewa")
    cut = make_appointment_service(
        business,
        name="Cut",
        duration_minutes=45,
        slot_interval_minutes=15,
        performers=[ola, ewa],
        now=now,
    )
    return business, cut, ola, ewa
