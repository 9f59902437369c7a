"""The owner's coupon pages (P4): create with local times, see uses, edit, tenant isolation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rezerva.booking.services import book_single_run
from rezerva.coupons.models import Coupon
from rezerva.coupons.services import CouponInput, create_coupon
from rezerva.tenancy.models import Business
from rezerva.tenancy.plans import PlanCode
from tests import builders
from tests.booking.helpers import guest

pytestmark = pytest.mark.django_db
LIST = reverse("dashboard:coupon_list")


def _post(**fields):
    return {
        "code": "summer",
        "discount": "percent",
        "percent_off": "15",
        "is_active": "on",
        **fields,
    }


def test_owner_creates_a_coupon_valid_until_a_local_time_in_the_business_zone(
    owner_client, business
):
    # 2026-10-25 is the autumn DST change in Warsaw: 23:59 local is 22:59 UTC (CET, +01:00).
    response = owner_client.post(LIST, _post(valid_until="2026-10-25T23:59", max_uses="30"))

    assert response.status_code == 302
    coupon = Coupon.objects.get(business=business)
    assert (coupon.code, coupon.percent_off, coupon.max_uses) == ("SUMMER", 15, 30)
    assert coupon.valid_until == dt.datetime(2026, 10, 25, 22, 59, tzinfo=dt.UTC)


def test_a_time_in_the_spring_forward_gap_is_refused_on_its_field(owner_client, business):
    response = owner_client.post(LIST, _post(valid_from="2027-03-28T02:30"))

    assert response.status_code == 200
    assert not Coupon.objects.exists()
    assert "valid_from" in response.context["form"].errors


def test_fixed_amount_coupon_is_typed_in_the_business_currency(owner_client, business):
    owner_client.post(
        LIST, _post(code="TENOFF", discount="fixed", percent_off="", amount_off="10,50")
    )

    assert Coupon.objects.get(business=business).amount_off_minor == 1050


def test_list_shows_each_coupon_with_its_uses(owner_client, business):
    now = timezone.now()
    service = builders.make_group_service(business, price_minor=5000, now=now)
    run = builders.make_session(service, now=now)
    create_coupon(
        business=business,
        actor=None,
        data=CouponInput(code="WELCOME", discount="percent", percent_off=10, max_uses=5),
        now=now,
    )
    book_single_run(
        business=business, session_id=run.pk, guest=guest(), coupon_code="WELCOME", now=now
    )

    page = owner_client.get(LIST).content.decode()

    assert "WELCOME" in page
    assert "Used 1 of 5" in page


def test_lowering_the_limit_below_uses_is_refused_on_the_edit_page(owner_client, business):
    now = timezone.now()
    service = builders.make_group_service(business, price_minor=5000, now=now)
    run = builders.make_session(service, now=now)
    coupon = create_coupon(
        business=business,
        actor=None,
        data=CouponInput(code="TWICE", discount="percent", percent_off=10, max_uses=5),
        now=now,
    )
    for _ in range(2):
        book_single_run(
            business=business, session_id=run.pk, guest=guest(), coupon_code="TWICE", now=now
        )
    url = reverse("dashboard:coupon_edit", args=[coupon.pk])

    response = owner_client.post(url, _post(code="TWICE", max_uses="1"))

    assert response.status_code == 200
    assert "already used 2 times" in response.context["form"].errors["max_uses"][0]
    coupon.refresh_from_db()
    assert coupon.max_uses == 5


def test_another_business_coupon_id_is_404(owner_client, business, other_business):
    theirs = create_coupon(
        business=other_business,
        actor=None,
        data=CouponInput(code="SHADOW", discount="percent", percent_off=10),
        now=timezone.now(),
    )

    response = owner_client.get(reverse("dashboard:coupon_edit", args=[theirs.pk]))

    assert response.status_code == 404


def test_free_plan_sees_which_plan_includes_coupons_and_no_form(owner_client, business):
    Business.objects.filter(pk=business.pk).update(plan=PlanCode.FREE)

    response = owner_client.get(LIST)
    refused = owner_client.post(LIST, _post())

    assert "included from the Starter plan" in response.content.decode()
    assert response.context["form"] is None
    assert refused.status_code == 200
    assert not Coupon.objects.exists()
