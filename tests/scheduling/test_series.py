"""scheduling.services.create_series / update_series: S2 editor fields, P1 and P2 for series."""

import datetime as dt

import pytest

from rezerva.catalog.errors import ServiceNotGroup
from rezerva.catalog.models import PriceType, Service
from rezerva.catalog.services import create_service
from rezerva.core.errors import ValidationFailed
from rezerva.scheduling import services
from rezerva.scheduling.models import Series, Session
from rezerva.scheduling.services import SeriesInput
from rezerva.tenancy.errors import FeatureNotInPlan
from rezerva.tenancy.models import ActivityLog
from rezerva.tenancy.plans import PlanCode
from tests import builders


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, name="Python for beginners", now=now)


def _create(service, now, **fields):
    fields.setdefault("title", "Spring course")
    return services.create_series(
        business=service.business,
        service=service,
        actor=builders.owner_of(service.business),
        data=SeriesInput(**fields),
        now=now,
    )


def test_s2_a_series_stores_title_price_flags_and_drop_in(service, now):
    series = _create(
        service,
        now,
        title="  Autumn course  ",
        price_type=PriceType.ONLINE,
        price_minor=40000,
        is_visible=False,
        drop_in_enabled=True,
        drop_in_price_minor=13000,
        allows_late_join=True,
    )

    row = Series.objects.filter(pk=series.pk).values(
        "business", "service", "title", "price_type", "price_minor", "is_active", "is_visible",
        "drop_in_enabled", "drop_in_price_minor", "allows_late_join",
    ).get()  # fmt: skip
    assert row == {
        "business": service.business_id,
        "service": service.pk,
        "title": "Autumn course",
        "price_type": PriceType.ONLINE,
        "price_minor": 40000,
        "is_active": True,
        "is_visible": False,
        "drop_in_enabled": True,
        "drop_in_price_minor": 13000,
        "allows_late_join": True,
    }
    assert series.drop_in_price() == 13000
    assert ActivityLog.objects.filter(action="series.created", target=str(series.pk)).exists()


def test_d2_without_its_own_drop_in_price_a_series_uses_the_service_price(service, now):
    series = _create(service, now, drop_in_enabled=True)

    assert series.drop_in_price() == service.price_minor == 5000


def test_a_free_series_stores_a_zero_price(service, now):
    series = _create(service, now, price_type=PriceType.FREE, price_minor=900)

    series.refresh_from_db()
    assert series.price_minor == 0


@pytest.mark.parametrize(
    ("_case", "fields", "errors"),
    [
        (
            "blank title",
            {"title": " "},
            {"title": 'Give the series a title, e.g. "Autumn course".'},
        ),
        (
            "paid without a price",
            {"price_type": PriceType.ON_SITE, "price_minor": 0},
            {"price": "A paid series needs a price above zero (or choose Free)."},
        ),
        (
            "unknown price type",
            {"price_type": "barter"},
            {"price_type": "Choose free, pay on site or paid online."},
        ),
        (
            "negative drop-in price",
            {"drop_in_enabled": True, "drop_in_price_minor": -1},
            {"drop_in_price": "The drop-in price cannot be negative."},
        ),
    ],
)
def test_invalid_series_fields_are_field_errors_and_nothing_is_written(
    service, now, _case, fields, errors
):
    with pytest.raises(ValidationFailed) as caught:
        _create(service, now, **fields)

    assert caught.value.errors == errors
    assert Series.objects.count() == 0
    assert not ActivityLog.objects.filter(action="series.created").exists()


@pytest.mark.parametrize(
    ("_case", "plan", "plan_name"),
    [("starter", PlanCode.STARTER, "Starter"), ("free", PlanCode.FREE, "Free")],
)
def test_p1_a_starter_business_cannot_create_a_series(
    business, service, now, _case, plan, plan_name
):
    # The group service was created on Growth; the business then moved down.
    business.plan = plan
    business.save(update_fields=["plan"])

    with pytest.raises(FeatureNotInPlan) as caught:
        _create(service, now, price_type=PriceType.ON_SITE, price_minor=20000)

    assert caught.value.message == (
        f"Series (courses sold as one booking) are not part of the {plan_name} plan. "
        "Upgrade to Growth or higher to use them."
    )
    assert caught.value.upgrade_to == "Growth"
    assert Series.objects.count() == 0
    assert not ActivityLog.objects.filter(action="series.created").exists()


def test_p1_an_expired_trial_cannot_create_a_series(db, now):
    trial = builders.make_business(plan=PlanCode.TRIAL, now=now)
    service = builders.make_group_service(trial, now=now)

    with pytest.raises(FeatureNotInPlan):
        _create(service, now + dt.timedelta(days=14))

    assert Series.objects.count() == 0


def test_g1_a_one_to_one_service_has_no_series(business, now):
    one_to_one = create_service(
        business=business,
        actor=builders.owner_of(business),
        kind=Service.Kind.ONE_TO_ONE,
        name="Consultation",
        price_type=PriceType.FREE,
        now=now,
    )

    with pytest.raises(ServiceNotGroup):
        _create(one_to_one, now)

    assert Series.objects.count() == 0


def test_p2_an_existing_series_can_still_be_edited_after_a_downgrade(business, service, now):
    series = builders.make_series(service, runs=2, now=now)
    business.plan = PlanCode.STARTER
    business.save(update_fields=["plan"])

    services.update_series(
        series=series,
        actor=builders.owner_of(business),
        data=SeriesInput(
            title=" Spring course (new dates) ",
            price_type=PriceType.ON_SITE,
            price_minor=18000,
            is_active=False,
            is_visible=False,
            drop_in_enabled=True,
            drop_in_price_minor=None,
            allows_late_join=True,
        ),
    )

    series.refresh_from_db()
    assert (series.title, series.price_minor, series.is_active, series.is_visible) == (
        "Spring course (new dates)",
        18000,
        False,
        False,
    )
    assert (series.drop_in_enabled, series.drop_in_price_minor, series.allows_late_join) == (
        True,
        None,
        True,
    )
    assert Session.objects.filter(series=series).count() == 2


def test_an_invalid_series_edit_leaves_the_series_unchanged(service, now):
    series = _create(service, now, price_type=PriceType.ON_SITE, price_minor=20000)
    before = Series.objects.filter(pk=series.pk).values().get()

    with pytest.raises(ValidationFailed) as caught:
        services.update_series(
            series=series,
            actor=builders.owner_of(service.business),
            data=SeriesInput(title="", price_type=PriceType.ON_SITE, price_minor=0),
        )

    assert caught.value.errors == {
        "title": 'Give the series a title, e.g. "Autumn course".',
        "price": "A paid series needs a price above zero (or choose Free).",
    }
    assert Series.objects.filter(pk=series.pk).values().get() == before
