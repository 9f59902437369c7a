"""P4 coupons from the guest's side: the discount, the limits, and what a refusal leaves behind."""

import datetime as dt

import pytest

from rezerva.booking.models import Booking, BookingStatus
from rezerva.booking.services import (
    book_drop_in,
    book_single_run,
    cancel_booking,
    purchase_series,
)
from rezerva.catalog.models import PriceType
from rezerva.coupons.errors import CouponNotValid, CouponUsedUp
from rezerva.coupons.models import Coupon, CouponRedemption
from rezerva.coupons.selectors import uses_of
from rezerva.coupons.services import CouponInput, create_coupon
from rezerva.payments.models import Payment
from rezerva.tenancy.models import Business
from rezerva.tenancy.plans import PlanCode
from tests import builders
from tests.booking.helpers import footprint, guest, new_key

pytestmark = pytest.mark.django_db


def make_coupon(business, now, **fields) -> Coupon:
    """A coupon created through the owner's service (so P4 applies)."""
    fields.setdefault("code", "SPRING")
    fields.setdefault("discount", Coupon.Discount.PERCENT)
    if fields["discount"] == Coupon.Discount.PERCENT:
        fields.setdefault("percent_off", 20)
    return create_coupon(
        business=business, actor=builders.owner_of(business), data=CouponInput(**fields), now=now
    )


@pytest.fixture
def service(business, now):
    return builders.make_group_service(
        business, price_type=PriceType.ONLINE, price_minor=5000, now=now
    )


@pytest.fixture
def run(service, now):
    return builders.make_session(service, capacity=10, now=now)


def test_guest_with_a_percent_coupon_pays_the_discounted_price(business, run, now):
    make_coupon(business, now, percent_off=20)

    booking = book_single_run(
        business=business, session_id=run.pk, guest=guest(), coupon_code="spring", now=now
    )

    assert booking.price_minor == 4000
    assert booking.status == BookingStatus.PENDING  # still 40.00 to pay online
    redemption = CouponRedemption.objects.get(booking=booking)
    assert (redemption.list_price_minor, redemption.discount_minor) == (5000, 1000)
    assert redemption.business_id == business.pk


def test_percent_discount_rounds_half_up_to_the_minor_unit(business, service, now):
    odd = builders.make_group_service(
        business, name="Odd", price_type=PriceType.ON_SITE, price_minor=3333, now=now
    )
    run = builders.make_session(odd, now=now)
    make_coupon(business, now, percent_off=15)  # 499.95 -> 500

    booking = book_single_run(
        business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING", now=now
    )

    assert booking.price_minor == 3333 - 500


def test_fixed_coupon_larger_than_the_price_makes_it_free_not_negative(business, run, now):
    make_coupon(
        business, now, code="BIGGIFT", discount=Coupon.Discount.FIXED, amount_off_minor=9000
    )

    booking = book_single_run(
        business=business, session_id=run.pk, guest=guest(), coupon_code="BIGGIFT", now=now
    )

    assert booking.price_minor == 0
    assert CouponRedemption.objects.get(booking=booking).discount_minor == 5000


def test_a_full_discount_confirms_a_paid_online_booking_without_stripe(business, run, now):
    make_coupon(business, now, code="FRIENDS", percent_off=100)

    booking = book_single_run(
        business=business, session_id=run.pk, guest=guest(), coupon_code="FRIENDS", now=now
    )

    assert booking.status == BookingStatus.CONFIRMED
    assert booking.hold_expires_at is None
    assert not Payment.objects.filter(booking=booking).exists()


def test_series_buyer_gets_the_coupon_once_on_the_whole_package(business, service, now):
    series = builders.make_series(
        service, runs=4, price_type=PriceType.ONLINE, price_minor=40000, now=now
    )
    make_coupon(
        business, now, code="COURSE50", discount=Coupon.Discount.FIXED, amount_off_minor=5000
    )

    purchase = purchase_series(
        business=business, series_id=series.pk, guest=guest(), coupon_code="course50", now=now
    )

    assert purchase.price_minor == 35000
    assert CouponRedemption.objects.filter(purchase=purchase).count() == 1
    assert not CouponRedemption.objects.filter(booking__purchase=purchase).exists()


def test_unknown_code_is_refused_on_the_coupon_field_and_nothing_is_written(business, run, now):
    before = footprint()

    with pytest.raises(CouponNotValid) as refused:
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="NOPE123", now=now
        )

    assert refused.value.field == "coupon_code"
    assert footprint() == before  # no booking, no usage tick, no audit row


def test_coupon_outside_its_dates_is_refused(business, run, now):
    make_coupon(business, now, code="LATER", valid_from=now + dt.timedelta(days=1))
    make_coupon(
        business,
        now,
        code="GONE",
        valid_from=now - dt.timedelta(days=9),
        valid_until=now - dt.timedelta(seconds=1),
    )

    with pytest.raises(CouponNotValid, match="can be used from 2026-03-03 10:00"):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="LATER", now=now
        )
    with pytest.raises(CouponNotValid, match="expired"):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="GONE", now=now
        )


def test_coupon_for_another_service_is_refused(business, run, now):
    yoga = builders.make_group_service(business, name="Yoga", now=now)
    coupon = make_coupon(business, now, code="YOGAONLY", service_ids=frozenset({yoga.pk}))
    assert list(coupon.services.all()) == [yoga]

    with pytest.raises(CouponNotValid, match="not valid for this booking"):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="YOGAONLY", now=now
        )


def test_coupon_for_a_series_also_lowers_drop_in_seats_of_that_series(business, service, now):
    series = builders.make_series(
        service,
        runs=2,
        price_type=PriceType.ONLINE,
        price_minor=9000,
        drop_in_enabled=True,
        drop_in_price_minor=3000,
        now=now,
    )
    other = builders.make_series(service, runs=1, title="Autumn", drop_in_enabled=True, now=now)
    make_coupon(business, now, code="COURSE", series_ids=frozenset({series.pk}), percent_off=50)

    booking = book_drop_in(
        business=business,
        session_id=series.sessions.first().pk,
        guest=guest(),
        coupon_code="COURSE",
        now=now,
    )

    assert booking.price_minor == 1500
    with pytest.raises(CouponNotValid):
        book_drop_in(
            business=business,
            session_id=other.sessions.first().pk,
            guest=guest(),
            coupon_code="COURSE",
            now=now,
        )


def test_coupon_used_up_after_its_total_limit(business, run, now):
    coupon = make_coupon(business, now, max_uses=2)
    for _ in range(2):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING", now=now
        )

    with pytest.raises(CouponUsedUp):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING", now=now
        )
    assert uses_of(coupon=coupon, now=now) == 2


def test_one_guest_cannot_use_a_once_per_email_coupon_twice(business, service, run, now):
    make_coupon(business, now, max_uses_per_email=1)
    anna = guest("Anna")
    second_run = builders.make_session(service, days_ahead=9, now=now)
    book_single_run(business=business, session_id=run.pk, guest=anna, coupon_code="SPRING", now=now)

    with pytest.raises(CouponUsedUp, match="already used"):
        book_single_run(
            business=business,
            session_id=second_run.pk,
            guest=anna.__class__(anna.name, anna.email.upper()),  # same email, other case
            coupon_code="SPRING",
            now=now,
        )
    # Someone else still can.
    book_single_run(
        business=business, session_id=second_run.pk, guest=guest(), coupon_code="SPRING", now=now
    )


def test_a_cancelled_or_lapsed_booking_gives_its_coupon_use_back(business, run, now):
    coupon = make_coupon(business, now, max_uses=1)
    first = book_single_run(
        business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING", now=now
    )
    cancel_booking(booking=first, by="guest", now=now)
    assert uses_of(coupon=coupon, now=now) == 0

    second = book_single_run(
        business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING", now=now
    )
    assert second.status == BookingStatus.PENDING
    later = second.hold_expires_at + dt.timedelta(seconds=1)
    assert uses_of(coupon=coupon, now=later) == 0
    book_single_run(
        business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING", now=later
    )


def test_double_submitted_form_with_a_coupon_uses_it_once(business, run, now):
    coupon = make_coupon(business, now, max_uses=1)
    key, anna = new_key(), guest()

    first = book_single_run(
        business=business,
        session_id=run.pk,
        guest=anna,
        coupon_code="SPRING",
        idempotency_key=key,
        now=now,
    )
    again = book_single_run(
        business=business,
        session_id=run.pk,
        guest=anna,
        coupon_code="SPRING",
        idempotency_key=key,
        now=now,
    )

    assert again.pk == first.pk
    assert uses_of(coupon=coupon, now=now) == 1


def test_a_free_booking_needs_no_coupon(business, now):
    free = builders.make_group_service(
        business, name="Open evening", price_type=PriceType.FREE, now=now
    )
    run = builders.make_session(free, now=now)
    make_coupon(business, now)

    with pytest.raises(CouponNotValid, match="free"):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING", now=now
        )


def test_another_business_code_does_not_work_here(business, other_business, run, now):
    make_coupon(other_business, now, code="SHADOW")

    with pytest.raises(CouponNotValid, match="don't know"):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="SHADOW", now=now
        )


def test_a_deactivated_coupon_is_refused(business, run, now):
    coupon = make_coupon(business, now)
    Coupon.objects.filter(pk=coupon.pk).update(is_active=False)

    with pytest.raises(CouponNotValid):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING", now=now
        )


def test_coupons_stop_working_when_the_plan_no_longer_includes_them(business, run, now):
    make_coupon(business, now)
    Business.objects.filter(pk=business.pk).update(plan=PlanCode.FREE)
    business.refresh_from_db()

    with pytest.raises(CouponNotValid, match="does not accept coupons"):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="SPRING", now=now
        )
    assert Booking.objects.count() == 0
