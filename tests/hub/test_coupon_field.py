"""The coupon field on the guest's details step (P4): shown only when it can work."""

import pytest
from django.utils import timezone

from rezerva.booking.links import manage_path
from rezerva.booking.models import Booking
from rezerva.coupons.models import Coupon
from rezerva.coupons.services import CouponInput, create_coupon
from tests import builders
from tests.booking.helpers import new_key
from tests.hub.helpers import body, book_run_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(business):
    service = builders.make_group_service(business, price_minor=5000, now=timezone.now())
    return builders.make_session(service, days_ahead=3, now=timezone.now())


def _coupon(business, **fields):
    data = CouponInput(**{"code": "SPRING", "discount": "percent", "percent_off": 20, **fields})
    return create_coupon(business=business, actor=None, data=data, now=timezone.now())


def _form(**extra):
    return {
        "name": "Anna Nowak",
        "email": "anna@example.test",
        "idempotency_key": new_key(),
        **extra,
    }


def test_no_coupon_field_while_the_business_has_no_live_coupon(client, business, run):
    page = client.get(book_run_url(run))

    assert 'name="coupon_code"' not in body(page)


def test_guest_books_with_a_coupon_and_sees_the_discount_on_the_manage_page(client, business, run):
    _coupon(business)
    assert 'name="coupon_code"' in body(client.get(book_run_url(run)))

    response = client.post(book_run_url(run), _form(coupon_code="spring"))

    booking = Booking.objects.get(business=business)
    assert response.url == manage_path(booking) + "?new=1"
    assert booking.price_minor == 4000
    manage = body(client.get(response.url))
    assert "Coupon SPRING" in manage
    assert "40.00" in manage


def test_a_wrong_code_is_shown_on_the_coupon_field_and_books_nothing(client, business, run):
    _coupon(business)

    response = client.post(book_run_url(run), _form(coupon_code="WRONG1"))

    assert response.status_code == 200
    assert response.context["form"].errors["coupon_code"] == [
        "We don't know this coupon code. Check the spelling."
    ]
    assert not Booking.objects.exists()


def test_a_used_up_coupon_is_explained_and_the_guest_can_book_without_it(client, business, run):
    coupon = _coupon(business, max_uses=1)
    client.post(book_run_url(run), _form(coupon_code="SPRING"))

    refused = client.post(book_run_url(run), _form(coupon_code="SPRING", email="ola@example.test"))
    assert refused.context["form"].errors["coupon_code"] == ["This coupon has been used up."]

    client.post(book_run_url(run), _form(email="ola@example.test"))
    assert Booking.objects.filter(business=business).count() == 2
    assert coupon.redemptions.count() == 1
    assert Coupon.objects.count() == 1
