"""Optional two-factor login (TOTP, RFC 6238): set up with a confirming code, a second login step
that logs in only once the code is right, codes accepted one step either side, never twice, and
throttled; turning it off needs a code."""

import datetime as dt
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from rezerva.accounts import signin, totp
from rezerva.accounts.errors import TwoFactorCodeWrong
from rezerva.accounts.models import TwoFactorDevice
from rezerva.accounts.services import (
    check_two_factor_code,
    enable_two_factor,
    start_two_factor_setup,
)
from tests import builders

SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of the RFC 6238 SHA-1 key "1234567890" * 2


@pytest.fixture
def user(db):
    return builders.make_user("anna@example.test")


@pytest.fixture
def device(user):
    """Two-factor login already on, no code used yet."""
    return TwoFactorDevice.objects.create(
        user=user, secret=SECRET, confirmed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )


def _code(offset_steps=0, secret=SECRET) -> str:
    """The code an app shows now (or `offset_steps` steps away)."""
    return totp.code_at(secret, time.time() + offset_steps * totp.STEP_SECONDS)


def _password_step(client, **data):
    return client.post(
        reverse("accounts:login"),
        {"username": "anna@example.test", "password": builders.PASSWORD, **data},
    )


def _code_step(client, code, **extra):
    return client.post(reverse("accounts:login_code"), {"code": code}, **extra)


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_the_rfc_6238_sha1_test_vectors(unix_time, expected):
    assert totp.hotp(SECRET, totp.step_at(unix_time), digits=8) == expected
    assert totp.code_at(SECRET, unix_time) == expected[-6:]


def test_two_factor_setup_shows_the_secret_and_turns_on_only_with_a_valid_code(client, user):
    client.force_login(user)

    started = client.post(reverse("accounts:two_factor"), {"action": "start"})
    page = client.get(reverse("accounts:two_factor"))
    secret = TwoFactorDevice.objects.get(user=user).secret
    uri = urlsplit(page.context["otpauth_uri"])
    wrong = client.post(
        reverse("accounts:two_factor"),
        {"action": "enable", "code": totp.code_at(secret, time.time() + 300)},
    )
    still_off = TwoFactorDevice.objects.get(user=user).confirmed_at
    right = client.post(
        reverse("accounts:two_factor"), {"action": "enable", "code": _code(secret=secret)}
    )

    assert started["Location"] == reverse("accounts:two_factor")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert f'<code data-testid="secret">{secret}</code>' in page.text
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/Rezerva:anna@example.test")
    assert parse_qs(uri.query) == {
        "secret": [secret],
        "issuer": ["Rezerva"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {"code": [TwoFactorCodeWrong().message]}
    assert still_off is None
    assert right["Location"] == reverse("accounts:two_factor")
    assert TwoFactorDevice.objects.get(user=user).is_enabled is True
    on_page = client.get(reverse("accounts:two_factor"))
    assert 'data-testid="two-factor-on"' in on_page.text
    assert secret not in on_page.text


def test_two_factor_setup_page_needs_a_login(client, db):
    response = client.get(reverse("accounts:two_factor"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_two_factor_login_is_not_logged_in_until_the_code_is_right(client, user, device):
    password = _password_step(client)

    assert password["Location"] == reverse("accounts:login_code")
    assert SESSION_KEY not in client.session
    assert client.get(reverse("dashboard:home")).status_code == 302

    wrong = _code_step(client, "000000" if _code() != "000000" else "111111")
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {"code": [TwoFactorCodeWrong().message]}
    assert SESSION_KEY not in client.session

    right = _code_step(client, _code())
    assert right["Location"] == reverse("dashboard:home")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert signin.PENDING_KEY not in client.session


def test_two_factor_login_returns_to_the_page_that_asked_for_it(client, user, device):
    target = reverse("dashboard:service_list")
    _password_step(client, next=target)

    response = _code_step(client, _code())

    assert response["Location"] == target


def test_two_factor_code_step_without_a_password_goes_back_to_login(client, user, device):
    response = _code_step(client, _code())

    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session


def test_two_factor_pending_step_expires_after_five_minutes(client, user, device, pinned_clock):
    _password_step(client)
    pinned_clock.now += signin.PENDING_MAX_AGE_SECONDS + 1

    response = _code_step(client, _code())

    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session


def test_two_factor_code_is_accepted_one_step_either_side_only(device, user):
    now = dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC)  # mid-step
    at = now.timestamp()

    for steps in (-2, 2):
        with pytest.raises(TwoFactorCodeWrong):
            check_two_factor_code(user=user, code=totp.code_at(SECRET, at + steps * 30), now=now)
    for steps in (-1, 0, 1):
        check_two_factor_code(user=user, code=totp.code_at(SECRET, at + steps * 30), now=now)

    device.refresh_from_db()
    assert device.last_used_step == totp.step_at(at) + 1


def test_two_factor_code_cannot_be_reused_within_its_window(client, user, device):
    code = _code()
    _password_step(client)
    assert _code_step(client, code)["Location"] == reverse("dashboard:home")
    client.logout()

    _password_step(client)
    reused = _code_step(client, code)

    assert reused.status_code == 200
    assert reused.context["form"].errors == {"code": [TwoFactorCodeWrong().message]}
    assert SESSION_KEY not in client.session


def test_two_factor_an_older_code_is_refused_after_a_newer_one(device, user):
    now = dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC)
    check_two_factor_code(user=user, code=totp.code_at(SECRET, now.timestamp()), now=now)

    with pytest.raises(TwoFactorCodeWrong):
        check_two_factor_code(user=user, code=totp.code_at(SECRET, now.timestamp() - 30), now=now)


def test_two_factor_codes_are_throttled_after_repeated_wrong_codes(
    client, user, device, pinned_clock
):
    _password_step(client)
    wrong = "000000" if _code() != "000000" else "111111"
    for _ in range(5):
        assert _code_step(client, wrong).status_code == 200

    refused = _code_step(client, _code())

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.context["form"].non_field_errors() == [
        "Too many failed attempts. Please try again in 60 seconds."
    ]
    assert SESSION_KEY not in client.session
    device.refresh_from_db()
    assert device.last_used_step == 0  # the right code was not even checked

    pinned_clock.now += 60
    assert _code_step(client, _code())["Location"] == reverse("dashboard:home")


def test_turning_two_factor_off_needs_a_valid_code(client, user, device):
    client.force_login(user)

    wrong = client.post(reverse("accounts:two_factor"), {"action": "disable", "code": "12"})
    assert wrong.status_code == 200
    assert TwoFactorDevice.objects.filter(user=user).exists()

    right = client.post(reverse("accounts:two_factor"), {"action": "disable", "code": _code()})
    assert right["Location"] == reverse("accounts:two_factor")
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    client.logout()

    assert _password_step(client)["Location"] == reverse("dashboard:home")


def test_setting_up_again_while_on_is_refused_and_keeps_the_secret(client, user, device):
    client.force_login(user)

    response = client.post(reverse("accounts:two_factor"), {"action": "start"}, follow=True)

    assert "Two-factor login is already on for this account." in response.text
    device.refresh_from_db()
    assert (device.secret, device.is_enabled) == (SECRET, True)


def test_a_new_setup_replaces_an_unconfirmed_secret(user):
    first = start_two_factor_setup(user=user).secret
    second = start_two_factor_setup(user=user).secret
    now = dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC)

    with pytest.raises(TwoFactorCodeWrong):
        enable_two_factor(user=user, code=totp.code_at(first, now.timestamp()), now=now)
    enable_two_factor(user=user, code=totp.code_at(second, now.timestamp()), now=now)

    assert first != second
    assert TwoFactorDevice.objects.get(user=user).is_enabled is True
