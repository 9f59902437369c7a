"""Password reset: an email with a link that sets a new password, once."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests import builders

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def user(db):
    return builders.make_user("anna@example.test")


def _reset_link(message) -> str:
    (link,) = re.findall(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body)
    return link


def test_password_reset_sends_a_link_that_sets_a_new_password(client, user):
    response = client.post(reverse("accounts:password_reset"), {"email": "anna@example.test"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.test"]
    assert message.subject == "Reset your Rezerva password"
    assert "(anna@example.test)" in message.body
    link = _reset_link(message)

    opened = client.get(link)
    assert (
        opened.status_code == 302
    )  # Django swaps the token for a session key, then shows the form
    form_url = opened["Location"]
    assert client.get(form_url).context["validlink"] is True
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) is True
    assert user.check_password(builders.PASSWORD) is False
    login = client.post(
        reverse("accounts:login"), {"username": "anna@example.test", "password": NEW_PASSWORD}
    )
    assert login["Location"] == reverse("dashboard:home")


def test_a_used_reset_link_no_longer_works(client, user):
    client.post(reverse("accounts:password_reset"), {"email": "anna@example.test"})
    link = _reset_link(mail.outbox[0])
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()

    reopened = client.get(link, follow=True)

    assert reopened.context["validlink"] is False
    assert "This reset link is invalid or was already used." in reopened.text
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) is True


def test_an_unknown_email_gets_the_same_answer_and_no_email(client, user):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_and_the_old_one_still_works(client, user):
    client.post(reverse("accounts:password_reset"), {"email": "anna@example.test"})
    form_url = client.get(_reset_link(mail.outbox[0]))["Location"]

    response = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert get_user_model().objects.get(pk=user.pk).check_password(builders.PASSWORD) is True


def test_a_new_password_of_eleven_characters_is_too_short(client, user):
    client.post(reverse("accounts:password_reset"), {"email": "anna@example.test"})
    form_url = client.get(_reset_link(mail.outbox[0]))["Location"]

    response = client.post(
        form_url, {"new_password1": "kq7-vw2-zx9", "new_password2": "kq7-vw2-zx9"}
    )

    assert response.context["form"].errors == {
        "new_password2": ["This password is too short. It must contain at least 12 characters."]
    }
    user.refresh_from_db()
    assert user.check_password(builders.PASSWORD) is True


def test_throttled_password_reset_sends_one_email_per_account_per_five_minutes(client, user):
    builders.make_user("bob@example.test")
    first = client.post(reverse("accounts:password_reset"), {"email": "anna@example.test"})

    again = client.post(reverse("accounts:password_reset"), {"email": "ANNA@example.test"})
    other = client.post(reverse("accounts:password_reset"), {"email": "bob@example.test"})

    assert first["Location"] == again["Location"] == other["Location"]
    assert [m.to for m in mail.outbox] == [["anna@example.test"], ["bob@example.test"]]


def test_throttled_password_reset_takes_ten_requests_an_hour_from_one_client_address(
    client, user, pinned_clock
):
    for n in range(10):
        response = client.post(reverse("accounts:password_reset"), {"email": f"x{n}@example.test"})
        assert response.status_code == 302

    refused = client.post(reverse("accounts:password_reset"), {"email": "anna@example.test"})
    elsewhere = client.post(
        reverse("accounts:password_reset"),
        {"email": "anna@example.test"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert refused.status_code == 429
    assert "Please wait" in refused.text
    assert elsewhere.status_code == 302
    assert [m.to for m in mail.outbox] == [["anna@example.test"]]
