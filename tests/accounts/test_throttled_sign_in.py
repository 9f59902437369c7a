"""Throttled sign-in: failed logins lock an account (5) or a client address (20) out for a delay
that doubles with each further failure, capped at 15 minutes; the site login and the admin's."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from rezerva.accounts.models import TwoFactorDevice
from rezerva.accounts.signin import LOGIN_ACCOUNT
from rezerva.core.throttle import locked_for
from tests import builders

WRONG = "not-the-password"


@pytest.fixture
def user(db):
    return builders.make_user("anna@example.test")


def _login(client, email="anna@example.test", password=builders.PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def _fail(client, times, email="anna@example.test", **extra):
    for _ in range(times):
        response = _login(client, email, WRONG, **extra)
        assert response.status_code == 200
        assert SESSION_KEY not in client.session


def test_throttled_sign_in_locks_out_after_repeated_failures(client, user, pinned_clock):
    _fail(client, 5)

    response = _login(client)

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response.context["form"].non_field_errors() == [
        "Too many failed attempts. Please try again in 60 seconds."
    ]
    assert SESSION_KEY not in client.session


def test_throttled_sign_in_allows_four_failures_then_the_right_password(client, user):
    _fail(client, 4)

    response = _login(client)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_throttled_sign_in_lets_the_account_in_once_the_delay_has_passed(
    client, user, pinned_clock
):
    _fail(client, 5)
    pinned_clock.now += 59
    assert _login(client).status_code == 429

    pinned_clock.now += 1
    response = _login(client)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_throttled_sign_in_delay_doubles_with_each_further_failure_up_to_a_cap(
    client, user, pinned_clock
):
    _fail(client, 5)
    delays = []
    for _ in range(6):
        delays.append(locked_for(LOGIN_ACCOUNT, "anna@example.test"))
        pinned_clock.now += delays[-1]
        _fail(client, 1)
    delays.append(locked_for(LOGIN_ACCOUNT, "anna@example.test"))

    assert delays == [60, 120, 240, 480, 900, 900, 900]


def test_throttled_sign_in_success_resets_the_account_counter(client, user):
    _fail(client, 4)
    assert _login(client).status_code == 302
    client.logout()

    _fail(client, 4)
    response = _login(client)

    assert response.status_code == 302


def test_throttled_sign_in_locks_an_unknown_email_like_a_known_one(client, user, pinned_clock):
    _fail(client, 5, email="nobody@example.test")

    unknown = _login(client, "nobody@example.test", WRONG)
    known_other = _login(client)

    assert unknown.status_code == 429
    assert unknown.context["form"].non_field_errors() == [
        "Too many failed attempts. Please try again in 60 seconds."
    ]
    assert known_other.status_code == 302


def test_throttled_sign_in_counts_the_email_however_it_is_typed(client, user, pinned_clock):
    for email in ["anna@example.test", "ANNA@example.test", " Anna@Example.Test"] * 2:
        _login(client, email, WRONG)

    assert _login(client).status_code == 429


def test_throttled_sign_in_locks_out_a_client_address_trying_many_accounts(
    client, user, pinned_clock
):
    for n in range(20):
        _login(client, f"guess{n}@example.test", WRONG)

    here = _login(client)
    assert here.status_code == 429
    assert SESSION_KEY not in client.session

    # The account itself is not locked: from another address the right password works.
    elsewhere = _login(client, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_throttled_sign_in_refuses_even_the_right_password_while_locked(client, user, pinned_clock):
    _fail(client, 5)
    for _ in range(3):
        assert _login(client).status_code == 429
        pinned_clock.now += 10

    # Refused attempts are not failures: the lock still ends 60 s after the fifth failure.
    pinned_clock.now += 30
    assert _login(client).status_code == 302


def test_throttled_sign_in_lets_attempts_through_when_the_cache_is_down(client, user, monkeypatch):
    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    for name in ("get", "add", "incr", "set", "delete_many"):
        monkeypatch.setattr(cache, name, down)

    _fail(client, 6)
    response = _login(client)

    assert response.status_code == 302


# --- the Django admin's login -------------------------------------------------------------------


@pytest.fixture
def staff(db):
    user = builders.make_user("admin@example.test")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def _admin_login(client, password, email="admin@example.test"):
    return client.post(
        reverse("admin:login"),
        {"username": email, "password": password, "next": "/admin/"},
    )


def test_throttled_admin_login_locks_out_after_repeated_failures(client, staff, pinned_clock):
    for _ in range(5):
        assert _admin_login(client, WRONG).status_code == 200

    response = _admin_login(client, builders.PASSWORD)

    assert response.status_code == 200
    assert "Too many failed attempts. Please try again in 60 seconds." in response.text
    assert SESSION_KEY not in client.session


def test_throttled_admin_login_shares_the_lockout_of_the_site_login(client, staff, pinned_clock):
    _fail(client, 5, email="admin@example.test")

    response = _admin_login(client, builders.PASSWORD)

    assert "Too many failed attempts" in response.text
    assert SESSION_KEY not in client.session


def test_admin_login_still_logs_staff_in(client, staff):
    response = _admin_login(client, builders.PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)


def test_admin_login_refuses_an_account_with_two_factor_like_a_wrong_password(client, staff, now):
    TwoFactorDevice.objects.create(user=staff, secret="JBSWY3DPEHPK3PXP", confirmed_at=now)

    right = _admin_login(client, builders.PASSWORD)
    wrong = _admin_login(client, WRONG)

    assert SESSION_KEY not in client.session
    assert right.status_code == wrong.status_code == 200
    assert right.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    assert "Accounts with two-factor login log in on the site first" in right.text
