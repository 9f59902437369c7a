"""booking.tokens and the manage page behind them: signed, unguessable, scoped to one business."""

import uuid

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from rezerva.booking.links import manage_path, manage_token
from rezerva.booking.models import BookingStatus
from rezerva.booking.selectors import get_by_manage_token
from rezerva.booking.services import GuestDetails, book_single_run, purchase_series
from rezerva.booking.tokens import (
    BOOKING,
    PURCHASE,
    ManageRef,
    make_manage_token,
    read_manage_token,
)
from tests import builders
from tests.booking.helpers import footprint

SALT = "rezerva.booking.manage"
SECRET_GUEST = GuestDetails(name="Zofia Secret-Guest", email="zofia.secret@example.test")


@pytest.mark.parametrize("kind", [BOOKING, PURCHASE])
def test_token_round_trip_gives_back_the_kind_and_public_id(kind):
    public_id = uuid.uuid4()

    token = make_manage_token(kind=kind, public_id=public_id)

    assert read_manage_token(token) == ManageRef(kind, public_id)
    assert public_id.hex in token  # signed, not encrypted: the id is random, not secret data


def _altered_value(token: str) -> str:
    value, signature = token.rsplit(":", 1)
    flipped = "0" if value[-1] != "0" else "1"
    return f"{value[:-1]}{flipped}:{signature}"


def _altered_signature(token: str) -> str:
    value, signature = token.rsplit(":", 1)
    flipped = "A" if signature[0] != "A" else "B"
    return f"{value}:{flipped}{signature[1:]}"


def _forged_with_another_key(token: str) -> str:
    value = token.rsplit(":", 1)[0]
    return signing.Signer(key="x", salt=SALT).sign(value)


def _forged_with_another_salt(token: str) -> str:
    value = token.rsplit(":", 1)[0]
    return signing.Signer(salt="rezerva.something.else").sign(value)


def _unsigned(token: str) -> str:
    return token.rsplit(":", 1)[0]


@pytest.mark.parametrize(
    ("_case", "tamper"),
    [
        ("altered value", _altered_value),
        ("altered signature", _altered_signature),
        ("forged with another key", _forged_with_another_key),
        ("forged with another salt", _forged_with_another_salt),
        ("signature stripped", _unsigned),
    ],
)
def test_altered_or_forged_token_reads_as_none(_case, tamper):
    token = make_manage_token(kind=BOOKING, public_id=uuid.uuid4())

    assert read_manage_token(tamper(token)) is None


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ":",
        "garbage",
        "b:",
        "b" + "0" * 32,
        signing.Signer(salt=SALT).sign("x" + uuid.uuid4().hex),  # unknown kind, valid signature
        signing.Signer(salt=SALT).sign("bnot-a-uuid"),  # valid signature, not a uuid
        signing.Signer(salt=SALT).sign(""),  # valid signature, empty value
    ],
)
def test_garbage_token_reads_as_none(garbage):
    assert read_manage_token(garbage) is None


# --- through the manage page -----------------------------------------------------------------


@pytest.fixture
def booking(business):
    real_now = timezone.now()
    service = builders.make_group_service(business, now=real_now)
    run = builders.make_session(service, now=real_now)
    return book_single_run(business=business, session_id=run.pk, guest=SECRET_GUEST, now=real_now)


def _assert_reveals_nothing(response):
    body = response.content.decode()
    assert response.status_code == 404
    for secret in (SECRET_GUEST.name, SECRET_GUEST.email, "Pottery class", "Studio Lumen"):
        assert secret not in body


def test_manage_page_opens_with_a_genuine_token(client, business, booking):
    response = client.get(manage_path(booking))

    assert response.status_code == 200
    assert SECRET_GUEST.email in response.content.decode()


@pytest.mark.parametrize(
    ("_case", "tamper"),
    [
        ("forged with another key", _forged_with_another_key),
        ("altered value", _altered_value),
        ("garbage", lambda token: "not-a-token"),
    ],
)
def test_manage_page_with_a_forged_token_answers_404_and_reveals_nothing(
    client, business, booking, _case, tamper
):
    forged = tamper(manage_token(booking))

    response = client.get(reverse("hub:manage", args=[business.slug, forged]))

    _assert_reveals_nothing(response)


def test_forged_token_cannot_cancel_and_nothing_changes(client, business, booking):
    forged = _forged_with_another_key(manage_token(booking))
    before = footprint()

    response = client.post(reverse("hub:manage_cancel", args=[business.slug, forged]))

    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert footprint() == before


def test_token_of_business_a_under_business_b_slug_is_404(
    client, business, other_business, booking
):
    token = manage_token(booking)

    response = client.get(reverse("hub:manage", args=[other_business.slug, token]))
    cancel = client.post(reverse("hub:manage_cancel", args=[other_business.slug, token]))

    _assert_reveals_nothing(response)
    assert cancel.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_purchase_token_of_business_a_does_not_resolve_in_business_b(business, other_business):
    real_now = timezone.now()
    service = builders.make_group_service(business, now=real_now)
    series = builders.make_series(service, runs=2, now=real_now)
    purchase = purchase_series(
        business=business, series_id=series.pk, guest=SECRET_GUEST, now=real_now
    )
    token = manage_token(purchase)

    assert get_by_manage_token(business=business, token=token) == purchase
    assert get_by_manage_token(business=other_business, token=token) is None


def test_a_booking_token_never_opens_a_purchase_with_the_same_public_id(business, booking):
    """The kind is part of the signed value: swapping it breaks the signature."""
    token = manage_token(booking)
    swapped = PURCHASE + token[1:]

    assert read_manage_token(swapped) is None
    assert get_by_manage_token(business=business, token=swapped) is None
