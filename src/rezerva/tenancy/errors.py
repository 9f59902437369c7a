"""Tenancy and plan errors."""

from rezerva.core.errors import DomainError
from rezerva.tenancy.plans import FEATURE_NAMES, cheapest_plan_with


class FeatureNotInPlan(DomainError):
    """Your plan does not include this feature."""

    code = "feature_not_in_plan"

    def __init__(self, feature: str, plan_name: str):
        needed = cheapest_plan_with(feature).name
        super().__init__(
            f"{FEATURE_NAMES[feature]} are not part of the {plan_name} plan. "
            f"Upgrade to {needed} or higher to use them."
        )
        self.feature = feature
        self.upgrade_to = needed


class SlugTaken(DomainError):
    """This address is already used by another business."""

    code = "slug_taken"
    field = "slug"
