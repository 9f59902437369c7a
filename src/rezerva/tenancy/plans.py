"""The plan catalogue: every plan, its features and its monthly booking limit, in one table.

Edit plans here and nowhere else (PRODUCT.md "Plan catalogue").
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models

GROUP_SERVICES = "group_services"
SERIES = "series"
COUPONS = "coupons"
FEATURE_NAMES = {
    GROUP_SERVICES: "Group sessions and classes",
    SERIES: "Series (courses sold as one booking)",
    COUPONS: "Coupons",
}
TRIAL_DAYS = 14


class PlanCode(models.TextChoices):
    FREE = "free", "Free"
    STARTER = "starter", "Starter"
    GROWTH = "growth", "Growth"
    PRO = "pro", "Pro"
    TRIAL = "trial", "Trial (Growth features for 14 days)"
    INTERNAL = "internal", "Internal"


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    features: frozenset[str]
    monthly_booking_limit: int | None  # None: no limit


_GROWTH_FEATURES = frozenset({GROUP_SERVICES, SERIES, COUPONS})

PLANS: dict[str, Plan] = {
    PlanCode.FREE: Plan(PlanCode.FREE, "Free", frozenset(), 50),
    PlanCode.STARTER: Plan(PlanCode.STARTER, "Starter", frozenset({COUPONS}), 300),
    PlanCode.GROWTH: Plan(PlanCode.GROWTH, "Growth", _GROWTH_FEATURES, 2000),
    PlanCode.PRO: Plan(PlanCode.PRO, "Pro", _GROWTH_FEATURES, 10000),
    PlanCode.TRIAL: Plan(PlanCode.TRIAL, "Trial", _GROWTH_FEATURES, 2000),
    PlanCode.INTERNAL: Plan(PlanCode.INTERNAL, "Internal", _GROWTH_FEATURES, None),
}
# The order in which upgrades are suggested.
PUBLIC_PLAN_ORDER = [PlanCode.FREE, PlanCode.STARTER, PlanCode.GROWTH, PlanCode.PRO]


def effective_plan(*, plan_code: str, trial_ends_at: dt.datetime | None, now: dt.datetime) -> Plan:
    """The plan in force now: a trial past its end falls back to Free."""
    if plan_code == PlanCode.TRIAL and (trial_ends_at is None or trial_ends_at <= now):
        return PLANS[PlanCode.FREE]
    return PLANS[plan_code]


def cheapest_plan_with(feature: str) -> Plan:
    """The first public plan that includes a feature, named in upgrade hints."""
    for code in PUBLIC_PLAN_ORDER:
        if feature in PLANS[code].features:
            return PLANS[code]
    raise LookupError(feature)
