"""The plan catalogue (tenancy.plans): one table, trials that lapse, the internal plan."""

import datetime as dt

import pytest

from rezerva.tenancy import plans
from rezerva.tenancy.plans import PLANS, PlanCode, cheapest_plan_with, effective_plan

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_every_plan_code_has_an_entry_in_the_plan_table():
    assert set(PLANS) == set(PlanCode.values)
    for code, plan in PLANS.items():
        assert plan.code == code


@pytest.mark.parametrize(
    ("_case", "trial_ends_at", "expected"),
    [
        ("trial still running", NOW + dt.timedelta(seconds=1), "Trial"),
        ("trial ends exactly now", NOW, "Free"),
        ("trial ended yesterday", NOW - dt.timedelta(days=1), "Free"),
        ("trial without an end date", None, "Free"),
    ],
)
def test_a_trial_after_its_end_falls_back_to_free(_case, trial_ends_at, expected):
    plan = effective_plan(plan_code=PlanCode.TRIAL, trial_ends_at=trial_ends_at, now=NOW)

    assert plan.name == expected
    if expected == "Free":
        assert plan.features == frozenset()
        assert plan.monthly_booking_limit == 50
    else:
        assert plan.features == {plans.GROUP_SERVICES, plans.SERIES, plans.COUPONS}


def test_a_paid_plan_ignores_a_stale_trial_end():
    plan = effective_plan(
        plan_code=PlanCode.GROWTH, trial_ends_at=NOW - dt.timedelta(days=30), now=NOW
    )

    assert plan is PLANS[PlanCode.GROWTH]


def test_internal_has_every_feature_and_no_booking_limit():
    internal = PLANS[PlanCode.INTERNAL]

    assert internal.monthly_booking_limit is None
    assert internal.features == {plans.GROUP_SERVICES, plans.SERIES, plans.COUPONS}


@pytest.mark.parametrize(
    ("_case", "code", "limit", "group", "coupons"),
    [
        ("free", PlanCode.FREE, 50, False, False),
        ("starter", PlanCode.STARTER, 300, False, True),
        ("growth", PlanCode.GROWTH, 2000, True, True),
        ("pro", PlanCode.PRO, 10000, True, True),
        ("trial", PlanCode.TRIAL, 2000, True, True),
    ],
)
def test_p1_p3_p4_features_and_monthly_limits_per_plan(_case, code, limit, group, coupons):
    plan = PLANS[code]

    assert plan.monthly_booking_limit == limit
    assert (plans.GROUP_SERVICES in plan.features) is group
    assert (plans.SERIES in plan.features) is group
    assert (plans.COUPONS in plan.features) is coupons


def test_p1_the_upgrade_hint_names_the_cheapest_public_plan_with_the_feature():
    assert cheapest_plan_with(plans.GROUP_SERVICES).name == "Growth"
    assert cheapest_plan_with(plans.SERIES).name == "Growth"
    assert cheapest_plan_with(plans.COUPONS).name == "Starter"
    with pytest.raises(LookupError):
        cheapest_plan_with("teleportation")
