"""F8 and F11 (security review): what a guest types can neither crash a booking nor disguise
itself in the owner's dashboard and emails; nothing is written when it is refused."""

import pytest

from rezerva.booking.services import GuestDetails, book_run
from rezerva.core.errors import ValidationFailed
from rezerva.coupons.errors import CouponNotValid
from tests import builders
from tests.booking.helpers import footprint


@pytest.fixture
def run(business, now):
    return builders.make_session(builders.make_group_service(business, now=now), now=now)


@pytest.mark.parametrize(
    ("_case", "name"),
    [
        ("NUL byte", "a\x00b"),
        ("right-to-left override", "Anna \u202egpj.exe"),
        ("newline", "Zed\n=1+1"),
        ("escape character", "Anna\x1b[31m"),
    ],
)
def test_guest_name_with_control_or_bidi_characters_is_refused_and_nothing_is_written(
    business, run, now, _case, name
):
    before = footprint()

    with pytest.raises(ValidationFailed) as info:
        book_run(
            business=business, session_id=run.pk, guest=GuestDetails(name, "a@x.test"), now=now
        )

    assert "name" in info.value.errors
    assert footprint() == before


def test_coupon_code_with_a_nul_byte_is_an_unknown_code_not_a_crash(business, run, now):
    with pytest.raises(CouponNotValid):
        book_run(
            business=business,
            session_id=run.pk,
            guest=GuestDetails("Anna", "a@x.test"),
            coupon_code="X\x00",
            now=now,
        )
