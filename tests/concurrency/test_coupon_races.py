"""P4 under real concurrency on PostgreSQL: a coupon's limits hold when guests race for it."""

import time

import pytest

from rezerva.booking.errors import BookingBusy
from rezerva.booking.services import book_single_run
from rezerva.booking.services import placing as place_module
from rezerva.catalog.models import PriceType
from rezerva.coupons import services as coupon_services
from rezerva.coupons.errors import CouponUsedUp
from rezerva.coupons.models import Coupon, CouponRedemption
from rezerva.coupons.selectors import uses_of
from rezerva.coupons.services import CouponInput, create_coupon
from tests import builders
from tests.booking.helpers import guest
from tests.concurrency.test_place_races import _outcomes, _unexpected, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GUESTS = 20


@pytest.fixture
def runs(business, now):
    """One run per guest, so the run locks never serialise the race: only the coupon can."""
    service = builders.make_group_service(
        business, price_type=PriceType.ONLINE, price_minor=5000, now=now
    )
    return [
        builders.make_session(service, days_ahead=7 + i % 20, hour=8 + i // 20, now=now)
        for i in range(GUESTS)
    ]


def _coupon(business, now, **limits) -> Coupon:
    return create_coupon(
        business=business,
        actor=None,
        data=CouponInput(code="RACE", discount="percent", percent_off=50, **limits),
        now=now,
    )


def test_twenty_guests_racing_for_a_five_use_coupon_get_exactly_five_discounts(business, runs, now):
    coupon = _coupon(business, now, max_uses=5)

    results = run_concurrently(
        GUESTS,
        lambda i: book_single_run(
            business=business, session_id=runs[i].pk, guest=guest(), coupon_code="RACE", now=now
        ),
    )

    assert _unexpected(results, (CouponUsedUp, BookingBusy)) == []
    outcomes = _outcomes(results)
    assert outcomes["ok"] == 5
    assert outcomes["CouponUsedUp"] == GUESTS - 5 - outcomes["BookingBusy"]
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 5
    assert uses_of(coupon=coupon, now=now) == 5
    assert sorted({value.price_minor for kind, value in results if kind == "ok"}) == [2500]


def test_one_email_racing_itself_gets_a_once_per_email_coupon_once(business, runs, now):
    coupon = _coupon(business, now, max_uses_per_email=1)
    same_guest = guest("Anna")

    results = run_concurrently(
        10,
        lambda i: book_single_run(
            business=business, session_id=runs[i].pk, guest=same_guest, coupon_code="RACE", now=now
        ),
    )

    assert _unexpected(results, (CouponUsedUp, BookingBusy)) == []
    assert _outcomes(results)["ok"] == 1
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 1


def test_without_the_coupon_lock_the_limit_breaks(business, runs, now, monkeypatch):
    """Control: with the coupon row lock and the usage row serialisation switched off, the same
    race over-redeems, so the tests above would notice a missing lock."""
    _coupon(business, now, max_uses=5)
    monkeypatch.setattr(
        coupon_services,
        "coupon_for_update",
        lambda *, business, code: Coupon.objects.filter(business=business, code=code).first(),
    )
    monkeypatch.setattr(place_module, "tick_monthly_usage", lambda **kwargs: True)
    original = coupon_services.uses_of

    def slow_uses_of(**kwargs):
        counted = original(**kwargs)
        time.sleep(0.05)  # widen the check-then-write window, as a busy server would
        return counted

    monkeypatch.setattr(coupon_services, "uses_of", slow_uses_of)

    results = run_concurrently(
        GUESTS,
        lambda i: book_single_run(
            business=business, session_id=runs[i].pk, guest=guest(), coupon_code="RACE", now=now
        ),
    )

    assert _outcomes(results)["ok"] > 5
