"""scheduling.services.attach_runs_to_series: S2 (upcoming runs in no other series)."""

import datetime as dt

import pytest

from rezerva.booking.services import cancel_session
from rezerva.core.timezones import to_business_time
from rezerva.scheduling import services
from rezerva.scheduling.errors import RunNotAttachable
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import ActivityLog
from tests import builders


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, name="Python for beginners", now=now)


@pytest.fixture
def series(service, now):
    return builders.make_series(service, runs=0, title="Spring course", now=now)


def _attach(series, runs, now):
    return services.attach_runs_to_series(
        series=series,
        session_ids=[r.pk for r in runs],
        actor=builders.owner_of(series.business),
        now=now,
    )


def _series_of(*runs):
    return dict(Session.objects.filter(pk__in=[r.pk for r in runs]).values_list("pk", "series"))


def test_s2_upcoming_runs_attach_to_the_series(series, service, now):
    runs = [builders.make_session(service, days_ahead=d, now=now) for d in (7, 14, 21)]

    attached = _attach(series, runs, now)

    assert sorted(r.pk for r in attached) == [r.pk for r in runs]
    assert _series_of(*runs) == {r.pk: series.pk for r in runs}
    log = ActivityLog.objects.get(action="series.runs_attached")
    assert (log.target, log.data) == (str(series.pk), {"session_ids": [r.pk for r in runs]})


def test_s2_attaching_a_run_that_is_already_in_this_series_again_is_harmless(series, service, now):
    run = builders.make_session(service, now=now)
    _attach(series, [run], now)

    _attach(series, [run], now)

    assert _series_of(run) == {run.pk: series.pk}


def _local(run) -> str:
    """How owners read a run's time in messages: the business's wall time."""
    return f"{to_business_time(run.starts_at, run.business.timezone):%Y-%m-%d %H:%M}"


def _refused(series, runs, now, message):
    before = _series_of(*runs)
    logged = ActivityLog.objects.filter(action="series.runs_attached").count()

    with pytest.raises(RunNotAttachable) as caught:
        _attach(series, runs, now)

    assert caught.value.message == message
    assert caught.value.code == "run_not_attachable"
    assert _series_of(*runs) == before
    assert ActivityLog.objects.filter(action="series.runs_attached").count() == logged


def test_s2_a_run_already_in_another_series_is_refused_and_nothing_changes(series, service, now):
    other_series = builders.make_series(service, runs=1, title="Other course", now=now)
    taken = Session.objects.get(series=other_series)
    free = builders.make_session(service, days_ahead=30, now=now)

    _refused(
        series,
        [free, taken],
        now,
        f"The session on {_local(taken)} already belongs to another series.",
    )
    assert _series_of(free, taken) == {free.pk: None, taken.pk: other_series.pk}


def test_s2_a_past_run_cannot_be_attached(series, service, now):
    earlier = now - dt.timedelta(days=30)
    past = builders.make_session(service, days_ahead=7, now=earlier)  # started 23 days ago
    upcoming = builders.make_session(service, now=now)

    _refused(
        series,
        [upcoming, past],
        now,
        f"The session on {_local(past)} has already started or passed.",
    )
    assert _series_of(upcoming, past) == {upcoming.pk: None, past.pk: None}


def test_s2_a_run_that_starts_right_now_cannot_be_attached(series, service, now):
    run = builders.make_session(service, days_ahead=7, now=now)

    _refused(
        series,
        [run],
        run.starts_at,
        f"The session on {_local(run)} has already started or passed.",
    )


def test_s2_a_cancelled_run_cannot_be_attached(series, service, now):
    run = builders.make_session(service, now=now)
    cancel_session(session=run, actor=builders.owner_of(service.business), now=now)

    _refused(series, [run], now, f"The session on {_local(run)} is cancelled.")


def test_s2_a_run_of_another_service_cannot_be_attached(series, business, now):
    yoga = builders.make_group_service(business, name="Yoga", now=now)
    run = builders.make_session(yoga, now=now)

    _refused(
        series,
        [run],
        now,
        f"The session on {_local(run)} belongs to another service.",
    )


def test_s2_another_business_run_id_is_not_found_and_stays_untouched(
    series, service, other_business, now
):
    foreign = Session.objects.filter(business=other_business).order_by("pk").first()
    foreign_series = foreign.series_id
    own = builders.make_session(service, now=now)

    _refused(series, [own, foreign], now, "One of the chosen sessions does not exist.")
    assert _series_of(own, foreign) == {own.pk: None, foreign.pk: foreign_series}


def test_s2_an_unknown_run_id_is_refused(series, service, now):
    own = builders.make_session(service, now=now)

    with pytest.raises(RunNotAttachable) as caught:
        services.attach_runs_to_series(
            series=series,
            session_ids=[own.pk, 999_999],
            actor=builders.owner_of(series.business),
            now=now,
        )

    assert caught.value.message == "One of the chosen sessions does not exist."
    assert _series_of(own) == {own.pk: None}


def test_s2_choosing_no_run_is_refused(series, now):
    with pytest.raises(RunNotAttachable) as caught:
        services.attach_runs_to_series(
            series=series, session_ids=[], actor=builders.owner_of(series.business), now=now
        )

    assert caught.value.message == "Choose at least one session to add."
    assert not ActivityLog.objects.filter(action="series.runs_attached").exists()
