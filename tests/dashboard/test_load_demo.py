"""manage.py load_demo: the demo businesses, created once through the services."""

import datetime as dt
import itertools
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from rezerva.booking.selectors import appointment_slots
from rezerva.catalog.models import Performer, Service
from rezerva.dashboard import demo
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy.models import ActivityLog, Business
from rezerva.tenancy.selectors import plan_of

WARSAW = ZoneInfo("Europe/Warsaw")


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Business, Service, Session, Series, get_user_model(), ActivityLog)
    }


@pytest.fixture
def loaded(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_loading_the_demo_twice_changes_nothing_the_second_time(loaded):
    first = _counts()
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert _counts() == first
    assert {k: v for k, v in first.items() if k != "ActivityLog"} == {
        "Business": 2,
        "Service": 5,
        "Session": 8,
        "Series": 2,
        "User": 3,
    }
    assert first["ActivityLog"] > 0
    assert loaded.startswith("Demo data loaded.")
    assert out.getvalue().startswith("Demo data already present, nothing changed.")
    assert f"{demo.LUMEN_OWNER} / {demo.DEMO_PASSWORD}" in out.getvalue()


def test_the_python_course_has_six_runs_at_18_00_warsaw_across_the_end_of_dst(loaded):
    python = Service.objects.get(business__slug=demo.LUMEN_SLUG, name="Python for beginners")

    runs = list(Session.objects.filter(service=python).order_by("starts_at"))

    local = [r.starts_at.astimezone(WARSAW) for r in runs]
    assert len(runs) == 6
    assert {t.time() for t in local} == {dt.time(18, 0)}
    assert [t.utcoffset() for t in local] == [dt.timedelta(hours=2)] * 3 + [
        dt.timedelta(hours=1)
    ] * 3
    # In UTC the week that contains the change is one hour longer.
    assert [b.starts_at - a.starts_at for a, b in itertools.pairwise(runs)] == [
        dt.timedelta(days=7, hours=h) for h in (0, 0, 1, 0, 0)
    ]
    assert [r.title for r in runs] == [f"Lesson {n}" for n in range(1, 7)]
    assert {(r.capacity, r.mode, r.performer.name) for r in runs} == {
        (8, "in_person", "Anna Kowalska")
    }


def test_the_first_series_has_the_first_four_runs_with_drop_in_at_130(loaded):
    python = Service.objects.get(business__slug=demo.LUMEN_SLUG, name="Python for beginners")
    runs = list(Session.objects.filter(service=python).order_by("starts_at"))

    course, finale = Series.objects.filter(service=python).order_by("pk")

    assert [r.series_id for r in runs] == [course.pk] * 4 + [finale.pk] * 2
    assert (course.title, course.price_minor, course.price_type) == (
        "Python course: lessons 1-4",
        40000,
        "on_site",
    )
    assert (course.drop_in_enabled, course.drop_in_price_minor) == (True, 13000)
    assert course.drop_in_price() == 13000
    assert (finale.drop_in_enabled, finale.price_minor) == (False, 20000)


def test_studio_lumen_is_on_growth_and_hair_by_ola_on_starter_without_group_services(loaded):
    lumen = Business.objects.get(slug=demo.LUMEN_SLUG)
    ola = Business.objects.get(slug=demo.STARTER_SLUG)
    now = dt.datetime.now(dt.UTC)

    assert (lumen.plan, lumen.timezone, lumen.currency) == ("growth", "Europe/Warsaw", "PLN")
    assert (ola.name, ola.plan, plan_of(ola, now=now).name) == ("Hair by Ola", "starter", "Starter")
    assert list(Service.objects.filter(business=ola).values_list("name", "kind")) == [
        ("Colour", "one_to_one"),
        ("Haircut", "one_to_one"),
    ]
    assert not Service.objects.filter(business=ola, kind="group").exists()


def test_hair_by_ola_sells_appointments_with_two_stylists_on_different_weeks(loaded):
    ola = Business.objects.get(slug=demo.STARTER_SLUG)
    haircut = Service.objects.get(business=ola, name="Haircut")
    colour = Service.objects.get(business=ola, name="Colour")
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(WARSAW).date()
    slots = appointment_slots(
        business=ola,
        service=haircut,
        performer_id=None,
        start=today,
        end=today + dt.timedelta(days=13),
        now=now,
    )
    names = dict(Performer.objects.filter(business=ola).values_list("pk", "name"))

    assert sorted(names[p] for p in slots.by_performer) == ["Ewa", "Ola"]
    assert all(slots.by_performer.values())
    ewa_days = {s.astimezone(WARSAW).weekday() for s in slots.by_performer[_pk(names, "Ewa")]}
    assert ewa_days <= {2, 3, 4, 5}
    assert (colour.duration_minutes, colour.buffer_after_minutes) == (120, 15)


def test_studio_lumen_private_lessons_are_blocked_by_anna_s_group_runs(loaded):
    lumen = Business.objects.get(slug=demo.LUMEN_SLUG)
    lesson = Service.objects.get(business=lumen, name="Private Python lesson")
    run = Session.objects.filter(
        service__business=lumen, service__name="Python for beginners"
    ).first()
    day = run.starts_at.astimezone(WARSAW).date()
    slots = appointment_slots(
        business=lumen,
        service=lesson,
        performer_id=run.performer_id,
        start=day,
        end=day,
        now=dt.datetime.now(dt.UTC),
    )
    times = [s.astimezone(WARSAW).strftime("%H:%M") for s in slots.by_performer[run.performer_id]]

    assert "16:00" in times
    assert "18:00" not in times
    assert "19:00" not in times
    assert "20:00" in times


def _pk(names: dict, name: str) -> int:
    return next(pk for pk, n in names.items() if n == name)


def test_the_demo_accounts_can_log_in(loaded, client):
    for email in (demo.LUMEN_OWNER, demo.STARTER_OWNER, demo.STAFF_ADMIN):
        assert client.login(username=email, password=demo.DEMO_PASSWORD) is True
        client.logout()
    admin = get_user_model().objects.get(email=demo.STAFF_ADMIN)
    assert (admin.is_staff, admin.is_superuser) == (True, True)


@pytest.mark.parametrize(
    ("_case", "after", "expected"),
    [
        ("autumn 2026", dt.date(2026, 6, 1), dt.date(2026, 10, 25)),
        ("the day before the change", dt.date(2026, 10, 24), dt.date(2026, 10, 25)),
        ("just after the change", dt.date(2026, 10, 26), dt.date(2027, 10, 31)),
    ],
)
def test_next_dst_end_finds_the_autumn_change(_case, after, expected):
    assert demo.next_dst_end("Europe/Warsaw", after) == expected


def test_next_dst_end_refuses_a_zone_without_dst():
    with pytest.raises(LookupError):
        demo.next_dst_end("Asia/Tokyo", dt.date(2026, 1, 1))


def test_the_home_page_lists_group_runs_not_appointments(loaded):
    from rezerva.booking.services import GuestDetails
    from rezerva.booking.services.appointments import book_appointment
    from rezerva.scheduling.selectors import next_runs

    ola = Business.objects.get(slug=demo.STARTER_SLUG)
    haircut = Service.objects.get(business=ola, name="Haircut")
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(WARSAW).date()
    slots = appointment_slots(
        business=ola,
        service=haircut,
        performer_id=None,
        start=today,
        end=today + dt.timedelta(days=13),
        now=now,
    )
    start = slots.starts()[0]
    book_appointment(
        business=ola,
        service_id=haircut.pk,
        performer_id=None,
        starts_at=start,
        guest=GuestDetails("Anna", "anna@x.test"),
        now=now,
    )
    assert list(next_runs(business=ola, now=now)) == []
