"""P4 coupons from the owner's side: creating and changing codes, with clear field errors."""

import pytest

from rezerva.booking.services import book_single_run
from rezerva.catalog.models import PriceType
from rezerva.core.errors import ValidationFailed
from rezerva.coupons.models import Coupon
from rezerva.coupons.services import CouponInput, create_coupon, update_coupon
from rezerva.tenancy.errors import FeatureNotInPlan
from rezerva.tenancy.models import ActivityLog
from rezerva.tenancy.plans import PlanCode
from tests import builders
from tests.booking.helpers import guest

pytestmark = pytest.mark.django_db


def _create(business, now, **fields):
    fields.setdefault("code", "SPRING-10")
    fields.setdefault("discount", Coupon.Discount.PERCENT)
    fields.setdefault("percent_off", 10)
    return create_coupon(
        business=business, actor=builders.owner_of(business), data=CouponInput(**fields), now=now
    )


def test_owner_creates_a_coupon_stored_in_upper_case_with_an_audit_row(business, now):
    coupon = _create(business, now, code=" spring-10 ")

    assert coupon.code == "SPRING-10"
    assert coupon.currency == "PLN"
    assert ActivityLog.objects.filter(business=business, action="coupon.created").exists()


def test_free_plan_cannot_create_coupons(now, db):
    free = builders.make_business(plan=PlanCode.FREE, now=now)

    with pytest.raises(FeatureNotInPlan):
        _create(free, now)
    assert not Coupon.objects.exists()


def test_starter_plan_can_create_coupons(now, db):
    starter = builders.make_business(plan=PlanCode.STARTER, now=now)

    assert _create(starter, now).business == starter


def test_every_bad_field_gets_its_own_message(business, now):
    with pytest.raises(ValidationFailed) as refused:
        _create(
            business,
            now,
            code="x",
            percent_off=120,
            valid_from=now,
            valid_until=now,
            max_uses=0,
            max_uses_per_email=0,
        )

    assert set(refused.value.errors) == {
        "code",
        "percent_off",
        "valid_until",
        "max_uses",
        "max_uses_per_email",
    }


def test_fixed_amount_needs_an_amount(business, now):
    with pytest.raises(ValidationFailed) as refused:
        _create(business, now, discount=Coupon.Discount.FIXED, percent_off=None)

    assert set(refused.value.errors) == {"amount_off"}


def test_the_same_code_twice_is_refused(business, now):
    _create(business, now, code="DUP-CODE")

    with pytest.raises(ValidationFailed) as refused:
        _create(business, now, code="dup-code")

    assert "already have" in refused.value.errors["code"]


def test_two_businesses_may_use_the_same_code(business, other_business, now):
    _create(business, now, code="WELCOME")

    assert _create(other_business, now, code="WELCOME").business == other_business


def test_another_business_service_cannot_be_chosen_as_a_restriction(business, other_business, now):
    theirs = other_business.service_set.first()

    with pytest.raises(ValidationFailed) as refused:
        _create(business, now, service_ids=frozenset({theirs.pk}))

    assert set(refused.value.errors) == {"services"}


def test_total_limit_cannot_drop_below_uses_already_counted(business, now):
    service = builders.make_group_service(
        business, price_type=PriceType.ON_SITE, price_minor=5000, now=now
    )
    run = builders.make_session(service, now=now)
    coupon = _create(business, now, max_uses=5)
    for _ in range(3):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING-10", now=now
        )
    data = CouponInput(code="SPRING-10", discount="percent", percent_off=10, max_uses=2)

    with pytest.raises(ValidationFailed) as refused:
        update_coupon(coupon=coupon, actor=None, data=data, now=now)

    assert "3" in refused.value.errors["max_uses"]
    coupon.refresh_from_db()
    assert coupon.max_uses == 5
    updated = update_coupon(
        coupon=coupon, actor=None, data=CouponInput(**{**data.__dict__, "max_uses": 3}), now=now
    )
    assert updated.max_uses == 3
