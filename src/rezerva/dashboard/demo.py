"""Demo data: Studio Lumen (Growth, Europe/Warsaw, PLN) and a Starter business, via services."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from rezerva.availability import services as availability_services
from rezerva.booking.services.consents import add_consent
from rezerva.catalog import services as catalog_services
from rezerva.catalog.models import PriceType, SalesMode, Service
from rezerva.coupons import services as coupon_services
from rezerva.scheduling import services as scheduling_services
from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.models import Business
from rezerva.tenancy.plans import PlanCode

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo credentials, local database only
LUMEN_OWNER = "owner@studio-lumen.test"
STARTER_OWNER = "ola@hair-by-ola.test"
STAFF_ADMIN = "admin@rezerva.test"
LUMEN_SLUG = "studio-lumen"
STARTER_SLUG = "hair-by-ola"


@dataclass
class DemoResult:
    created: bool
    lumen: Business
    starter: Business


def next_dst_end(tz_name: str, after: dt.date) -> dt.date:
    """The first local date after `after` on which the zone's UTC offset drops (DST ends)."""
    zone = ZoneInfo(tz_name)
    day = after
    for _ in range(800):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=zone)
        next_noon = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12), tzinfo=zone)
        if next_noon.utcoffset() < noon.utcoffset():
            return day + dt.timedelta(days=1)
        day += dt.timedelta(days=1)
    raise LookupError(f"{tz_name} has no daylight saving time")


def _user(email: str, *, staff: bool = False):
    user_model = get_user_model()
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user = user_model.objects.create_user(email=email, password=DEMO_PASSWORD)
        if staff:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
    return user


def load_demo(*, now: dt.datetime) -> DemoResult:
    """Create the demo businesses once; a second call finds them and changes nothing."""
    existing = Business.objects.filter(slug__in=[LUMEN_SLUG, STARTER_SLUG]).in_bulk(
        field_name="slug"
    )
    if len(existing) == 2:
        return DemoResult(False, existing[LUMEN_SLUG], existing[STARTER_SLUG])
    with transaction.atomic():
        _user(STAFF_ADMIN, staff=True)
        lumen = existing.get(LUMEN_SLUG) or _load_lumen(now)
        starter = existing.get(STARTER_SLUG) or _load_starter(now)
    return DemoResult(True, lumen, starter)


def _load_lumen(now: dt.datetime) -> Business:
    owner = _user(LUMEN_OWNER)
    business = tenancy_services.create_business(
        owner=owner,
        name="Studio Lumen",
        slug=LUMEN_SLUG,
        timezone="Europe/Warsaw",
        currency="PLN",
        locale="pl",
        plan=PlanCode.GROWTH,
        now=now,
    )
    add_consent(
        business=business,
        actor=owner,
        kind="terms",
        is_required=True,
        text="I accept the Studio Lumen terms: cancel up to 24 hours before a session.",
    )
    add_consent(
        business=business,
        actor=owner,
        kind="consent",
        is_required=False,
        text="Send me news about new courses (at most once a month).",
    )
    teacher = catalog_services.create_performer(
        business=business, actor=owner, name="Anna Kowalska", email="anna@studio-lumen.test"
    )
    python = catalog_services.create_service(
        business=business,
        actor=owner,
        kind=Service.Kind.GROUP,
        name="Python for beginners",
        description="Six evenings from zero to your first script. Laptops provided.",
        price_type=PriceType.ON_SITE,
        price_minor=12000,
        sales_mode=SalesMode.BOTH,
        now=now,
    )
    # Six weekly 18:00 runs whose span crosses the end of daylight saving time.
    tz = business.timezone
    dst_end = next_dst_end(tz, now.astimezone(ZoneInfo(tz)).date() + dt.timedelta(days=18))
    first_day = dst_end - dt.timedelta(days=17)
    runs = scheduling_services.add_runs(
        business=business,
        service=python,
        actor=owner,
        now=now,
        repeat_weekly=6,
        run=scheduling_services.RunInput(
            starts_local=dt.datetime.combine(first_day, dt.time(18, 0)),
            ends_local=dt.datetime.combine(first_day, dt.time(20, 0)),
            capacity=8,
            mode="in_person",
            address="ul. Świętojańska 12, Gdynia",
            performer=teacher,
        ),
    ).runs
    for number, run in enumerate(runs, start=1):
        run.title = f"Lesson {number}"
        run.save(update_fields=["title"])
    course = scheduling_services.create_series(
        business=business,
        service=python,
        actor=owner,
        now=now,
        data=scheduling_services.SeriesInput(
            title="Python course: lessons 1-4",
            price_type=PriceType.ON_SITE,
            price_minor=40000,
            drop_in_enabled=True,
            drop_in_price_minor=13000,
        ),
    )
    scheduling_services.attach_runs_to_series(
        series=course, session_ids=[r.pk for r in runs[:4]], actor=owner, now=now
    )
    taster = scheduling_services.create_series(
        business=business,
        service=python,
        actor=owner,
        now=now,
        data=scheduling_services.SeriesInput(
            title="Python finale: lessons 5-6",
            price_type=PriceType.ON_SITE,
            price_minor=20000,
        ),
    )
    scheduling_services.attach_runs_to_series(
        series=taster, session_ids=[r.pk for r in runs[4:]], actor=owner, now=now
    )
    meetup = catalog_services.create_service(
        business=business,
        actor=owner,
        kind=Service.Kind.GROUP,
        name="Open coding evening",
        description="Bring a laptop and a question. Free, online.",
        price_type=PriceType.FREE,
        sales_mode=SalesMode.SINGLE,
        now=now,
    )
    local_now = now.astimezone(ZoneInfo(tz))
    for week in (1, 2):
        day = local_now.date() + dt.timedelta(days=7 * week)
        scheduling_services.add_runs(
            business=business,
            service=meetup,
            actor=owner,
            now=now,
            run=scheduling_services.RunInput(
                starts_local=dt.datetime.combine(day, dt.time(19, 0)),
                ends_local=dt.datetime.combine(day, dt.time(20, 30)),
                capacity=30,
                mode="online",
                meeting_url="https://meet.example.com/lumen-open",
            ),
        )
    # Anna also gives private lessons: her evening group runs block those times (A5).
    _week(business, owner, teacher, range(5), [("16:00", "21:00")])
    catalog_services.create_service(
        business=business,
        actor=owner,
        kind=Service.Kind.ONE_TO_ONE,
        name="Private Python lesson",
        description="One hour, one to one, at the studio or online.",
        price_type=PriceType.ON_SITE,
        price_minor=15000,
        appointment=catalog_services.AppointmentSettings(
            duration_minutes=60,
            slot_interval_minutes=30,
            horizon_days=365,  # as far ahead as the course, so its runs show up as blocks
            performer_ids=(teacher.pk,),
        ),
        now=now,
    )
    coupon_services.create_coupon(
        business=business,
        actor=owner,
        now=now,
        data=coupon_services.CouponInput(
            code="LUMEN10", discount="percent", percent_off=10, max_uses=50, max_uses_per_email=1
        ),
    )
    return business


def _load_starter(now: dt.datetime) -> Business:
    owner = _user(STARTER_OWNER)
    business = tenancy_services.create_business(
        owner=owner,
        name="Hair by Ola",
        slug=STARTER_SLUG,
        timezone="Europe/Warsaw",
        currency="PLN",
        locale="pl",
        plan=PlanCode.STARTER,
        now=now,
    )
    # Two stylists with their own weeks; the business default is what a new stylist follows.
    ola = catalog_services.create_performer(business=business, actor=owner, name="Ola")
    ewa = catalog_services.create_performer(business=business, actor=owner, name="Ewa")
    _week(business, owner, None, range(5), [("09:00", "17:00")])
    _week(business, owner, ola, range(5), [("09:00", "13:00"), ("14:00", "18:00")])
    _week(business, owner, ewa, range(2, 6), [("10:00", "19:00")])
    catalog_services.create_service(
        business=business,
        actor=owner,
        kind=Service.Kind.ONE_TO_ONE,
        name="Haircut",
        description="Wash, cut and style.",
        price_type=PriceType.ON_SITE,
        price_minor=9000,
        appointment=catalog_services.AppointmentSettings(
            duration_minutes=45, slot_interval_minutes=15, performer_ids=(ola.pk, ewa.pk)
        ),
        now=now,
    )
    catalog_services.create_service(
        business=business,
        actor=owner,
        kind=Service.Kind.ONE_TO_ONE,
        name="Colour",
        description="Full colour with a toner; two hours.",
        price_type=PriceType.ON_SITE,
        price_minor=25000,
        appointment=catalog_services.AppointmentSettings(
            duration_minutes=120,
            slot_interval_minutes=30,
            buffer_after_minutes=15,
            min_notice_minutes=24 * 60,
            performer_ids=(ewa.pk,),
        ),
        now=now,
    )
    return business


def _week(business, owner, performer, days, intervals) -> None:
    """Weekly hours from "HH:MM" pairs on the given weekdays (0 = Monday)."""
    availability_services.set_weekly_hours(
        business=business,
        actor=owner,
        performer_id=performer.pk if performer else None,
        week={
            day: [(dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in intervals]
            for day in days
        },
    )
