"""catalog.services.create_service: P1 (group services need Growth or a plan that includes them)."""

import datetime as dt

import pytest

from rezerva.catalog import services
from rezerva.catalog.models import PriceType, SalesMode, Service
from rezerva.core.errors import ValidationFailed
from rezerva.tenancy.errors import FeatureNotInPlan
from rezerva.tenancy.models import ActivityLog
from rezerva.tenancy.plans import PlanCode
from tests import builders


def _business_on(plan: str, now: dt.datetime):
    if plan == "expired trial":
        # Created 15 days ago on a trial, so the 14-day trial ended yesterday.
        return builders.make_business(plan=PlanCode.TRIAL, now=now - dt.timedelta(days=15))
    return builders.make_business(plan=plan, now=now)


def _create_group(business, now, **overrides):
    fields = {
        "business": business,
        "actor": builders.owner_of(business),
        "kind": Service.Kind.GROUP,
        "name": "Python for beginners",
        "price_type": PriceType.ON_SITE,
        "price_minor": 12000,
        "sales_mode": SalesMode.BOTH,
        "now": now,
    }
    return services.create_service(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("_case", "plan", "plan_name"),
    [
        ("starter", PlanCode.STARTER, "Starter"),
        ("free", PlanCode.FREE, "Free"),
        ("expired trial", "expired trial", "Free"),
    ],
)
def test_p1_starter_owner_cannot_create_a_group_service(db, now, _case, plan, plan_name):
    business = _business_on(plan, now)
    logged = ActivityLog.objects.count()

    with pytest.raises(FeatureNotInPlan) as caught:
        _create_group(business, now)

    assert caught.value.code == "feature_not_in_plan"
    assert caught.value.upgrade_to == "Growth"
    assert caught.value.message == (
        f"Group sessions and classes are not part of the {plan_name} plan. "
        "Upgrade to Growth or higher to use them."
    )
    assert Service.objects.filter(business=business).count() == 0
    assert ActivityLog.objects.count() == logged


@pytest.mark.parametrize(
    ("_case", "plan"),
    [
        ("growth", PlanCode.GROWTH),
        ("pro", PlanCode.PRO),
        ("running trial", PlanCode.TRIAL),
        ("internal", PlanCode.INTERNAL),
    ],
)
def test_p1_growth_trial_and_internal_owners_can_create_a_group_service(db, now, _case, plan):
    business = _business_on(plan, now)

    service = _create_group(business, now)

    service.refresh_from_db()
    assert (service.business_id, service.kind, service.name) == (
        business.pk,
        Service.Kind.GROUP,
        "Python for beginners",
    )
    assert (service.price_type, service.price_minor, service.sales_mode) == (
        PriceType.ON_SITE,
        12000,
        SalesMode.BOTH,
    )
    assert ActivityLog.objects.filter(
        business=business, action="service.created", target=str(service.pk)
    ).exists()


@pytest.mark.parametrize(
    ("_case", "plan"),
    [("starter", PlanCode.STARTER), ("free", PlanCode.FREE), ("expired trial", "expired trial")],
)
def test_p1_a_one_to_one_service_needs_no_group_plan(db, now, _case, plan):
    business = _business_on(plan, now)

    service = services.create_service(
        business=business,
        actor=builders.owner_of(business),
        kind=Service.Kind.ONE_TO_ONE,
        name="Haircut",
        price_type=PriceType.ON_SITE,
        price_minor=9000,
        sales_mode=SalesMode.BOTH,
        now=now,
    )

    assert service.kind == Service.Kind.ONE_TO_ONE
    assert service.sales_mode == SalesMode.SINGLE  # sales modes belong to group services only


def test_a_free_service_stores_a_zero_price(business, now):
    service = _create_group(business, now, price_type=PriceType.FREE, price_minor=5000)

    service.refresh_from_db()
    assert service.price_minor == 0


@pytest.mark.parametrize(
    ("_case", "overrides", "errors"),
    [
        ("blank name", {"name": "  "}, {"name": "Enter a name guests will recognise."}),
        (
            "paid without a price",
            {"price_minor": 0},
            {"price": "A paid service needs a price above zero (or choose Free)."},
        ),
        (
            "negative price",
            {"price_minor": -1},
            {"price": "Enter a price between 0 and 1,000,000."},
        ),
        ("unknown sales mode", {"sales_mode": "auction"}, {"sales_mode": "Choose a sales mode."}),
    ],
)
def test_invalid_service_fields_are_field_errors_and_nothing_is_written(
    business, now, _case, overrides, errors
):
    logged = ActivityLog.objects.count()

    with pytest.raises(ValidationFailed) as caught:
        _create_group(business, now, **overrides)

    assert caught.value.errors == errors
    assert Service.objects.filter(business=business).count() == 0
    assert ActivityLog.objects.count() == logged
