"""Login with an email address, and logout."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from tests import builders


@pytest.fixture
def user(db):
    return builders.make_user("anna@example.test")


def test_login_with_email_and_password_goes_to_the_dashboard(client, user):
    response = client.post(
        reverse("accounts:login"),
        {"username": "anna@example.test", "password": builders.PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_returns_to_the_page_that_asked_for_it(client, user):
    target = reverse("dashboard:service_list")

    response = client.post(
        f"{reverse('accounts:login')}?next={target}",
        {"username": "anna@example.test", "password": builders.PASSWORD, "next": target},
    )

    assert response["Location"] == target


@pytest.mark.parametrize(
    ("_case", "email", "password"),
    [
        ("wrong password", "anna@example.test", "wrong-horse-battery"),
        ("unknown email", "nobody@example.test", builders.PASSWORD),
    ],
)
def test_a_wrong_login_is_refused_without_logging_in(client, user, _case, email, password):
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Please enter a correct email address and password. "
        "Note that both fields may be case-sensitive."
    ]
    assert SESSION_KEY not in client.session


def test_login_accepts_the_email_as_typed_at_sign_up(client, db):
    client.post(reverse("accounts:sign_up"), {"email": "Anna@Example.test"})
    (link,) = re.findall(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", mail.outbox[0].body)
    client.post(link, {"password1": builders.PASSWORD, "password2": builders.PASSWORD})
    client.logout()

    response = client.post(
        reverse("accounts:login"),
        {"username": "Anna@Example.test", "password": builders.PASSWORD},
    )

    assert response.status_code == 302
    assert SESSION_KEY in client.session


def test_a_logged_in_owner_visiting_login_goes_to_the_dashboard(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:login"))

    assert response["Location"] == reverse("dashboard:home")


def test_logout_ends_the_session(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_logout_needs_a_post(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert client.session[SESSION_KEY] == str(user.pk)
