"""Owner sign-up: name and email, then the emailed link to choose a password, logged in, on to
creating the first business. The answer is the same whether or not the email has an account."""

import re
import time

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail, signing
from django.urls import reverse

from rezerva.accounts.services import sign_up_owner
from rezerva.accounts.tokens import make_sign_up_token
from rezerva.core.errors import ValidationFailed
from tests import builders

FORM = {"first_name": "Anna", "email": "anna@example.test"}
PASSWORD = "correct-horse-battery"


def _link(message) -> str:
    (link,) = re.findall(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", message.body)
    return link


def _finish(client, link, password=PASSWORD, again=None):
    return client.post(link, {"password1": password, "password2": again or password})


def test_sign_up_emails_a_link_that_creates_the_account_logs_in_and_goes_to_business_creation(
    client, db
):
    response = client.post(reverse("accounts:sign_up"), FORM)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign_up_sent")
    assert get_user_model().objects.count() == 0
    assert SESSION_KEY not in client.session
    (message,) = mail.outbox
    assert message.to == ["anna@example.test"]
    assert message.subject == "Finish creating your Rezerva account"

    page = client.get(_link(message))
    assert page.status_code == 200
    assert "<strong>anna@example.test</strong>" in page.text
    done = _finish(client, _link(message))

    user = get_user_model().objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("dashboard:business_create")
    assert (user.email, user.first_name) == ("anna@example.test", "Anna")
    assert user.check_password(PASSWORD) is True
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get(reverse("dashboard:business_create")).status_code == 200


def test_the_email_is_stored_in_lower_case(client, db):
    client.post(reverse("accounts:sign_up"), {**FORM, "email": "  Anna@Example.TEST "})
    _finish(client, _link(mail.outbox[0]))

    assert list(get_user_model().objects.values_list("email", flat=True)) == ["anna@example.test"]


@pytest.mark.parametrize("email", ["anna@example.test", "ANNA@example.test"])
def test_sign_up_with_a_known_email_answers_the_same_and_emails_the_owner_a_notice(
    client, db, email
):
    existing = builders.make_user("anna@example.test")
    unknown = client.post(reverse("accounts:sign_up"), {**FORM, "email": "new@example.test"})
    mail.outbox.clear()

    known = client.post(reverse("accounts:sign_up"), {**FORM, "email": email})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert list(get_user_model().objects.values_list("pk", flat=True)) == [existing.pk]
    assert SESSION_KEY not in client.session
    (notice,) = mail.outbox
    assert notice.to == ["anna@example.test"]
    assert notice.subject == "You already have a Rezerva account"
    assert "/accounts/login/" in notice.body
    assert "/accounts/password-reset/" in notice.body
    assert "/accounts/signup/confirm/" not in notice.body
    existing.refresh_from_db()
    assert existing.check_password(builders.PASSWORD) is True


def test_the_check_your_inbox_page_reveals_nothing_about_the_address(client, db):
    response = client.get(reverse("accounts:sign_up_sent"))

    assert response.status_code == 200
    assert "<h1>Check your inbox</h1>" in response.text


@pytest.mark.parametrize(
    ("_case", "password", "again", "errors"),
    [
        (
            "passwords differ",
            PASSWORD,
            PASSWORD + "!",
            {"password2": ["The two passwords differ."]},
        ),
        (
            "eleven characters",
            "kq7-vw2-zx9",
            None,
            {"password1": ["This password is too short. It must contain at least 12 characters."]},
        ),
        ("too common", "password1234", None, {"password1": ["This password is too common."]}),
        (
            "like the email",
            "anna@example.test",
            None,
            {"password1": ["The password is too similar to the email address."]},
        ),
    ],
)
def test_an_invalid_password_behind_the_link_is_a_field_error_and_no_user_is_created(
    client, db, _case, password, again, errors
):
    client.post(reverse("accounts:sign_up"), FORM)

    response = _finish(client, _link(mail.outbox[0]), password, again)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert get_user_model().objects.count() == 0
    assert SESSION_KEY not in client.session


def test_twelve_characters_are_enough_for_a_password(db):
    user = sign_up_owner(email="anna@example.test", password="kq7-vw2-zx9m")

    assert user.check_password("kq7-vw2-zx9m") is True


def test_not_an_email_is_a_field_error_and_nothing_is_sent(client, db):
    response = client.post(reverse("accounts:sign_up"), {**FORM, "email": "anna"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("_case", "token"),
    [
        ("forged", "eyJlbWFpbCI6ImFAYi5jIn0:1vx:forged"),
        ("other salt", signing.dumps({"email": "anna@example.test"}, salt="something-else")),
    ],
)
def test_a_forged_sign_up_link_is_refused_and_creates_nothing(client, db, _case, token):
    link = reverse("accounts:sign_up_confirm", args=[token])

    response = _finish(client, link)

    assert response.status_code == 400
    assert "This sign-up link is invalid or has expired." in response.text
    assert get_user_model().objects.count() == 0


def test_a_sign_up_link_older_than_two_days_is_refused(client, db, monkeypatch):
    issued = int(time.time()) - 2 * 24 * 3600 - 5
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(issued)
    )
    token = make_sign_up_token(email="anna@example.test", first_name="")
    monkeypatch.undo()

    response = _finish(client, reverse("accounts:sign_up_confirm", args=[token]))

    assert response.status_code == 400
    assert get_user_model().objects.count() == 0


def test_a_second_sign_up_link_after_the_account_exists_creates_nothing(client, db):
    first = reverse(
        "accounts:sign_up_confirm",
        args=[make_sign_up_token(email="anna@example.test", first_name="")],
    )
    second = reverse(
        "accounts:sign_up_confirm",
        args=[make_sign_up_token(email="anna@example.test", first_name="Mallory")],
    )
    _finish(client, first)
    client.logout()

    response = _finish(client, second, "another-long-passphrase")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "An account with this email already exists."
    ]
    user = get_user_model().objects.get()
    assert user.check_password(PASSWORD) is True
    assert user.first_name == ""


def test_the_service_refuses_a_duplicate_email_without_writing(db):
    builders.make_user("anna@example.test")

    with pytest.raises(ValidationFailed) as caught:
        sign_up_owner(email="Anna@example.test", password="correct-horse-battery")

    assert caught.value.errors == {"email": "An account with this email already exists."}
    assert get_user_model().objects.count() == 1


def test_the_sign_up_page_renders(client, db):
    response = client.get(reverse("accounts:sign_up"))

    assert response.status_code == 200
    assert "<h1>Create your owner account</h1>" in response.text


def test_throttled_sign_up_sends_one_email_per_address_per_five_minutes(client, db):
    builders.make_user("owner@example.test")
    for email in ["anna@example.test", "owner@example.test"]:
        client.post(reverse("accounts:sign_up"), {**FORM, "email": email})

    again = [
        client.post(reverse("accounts:sign_up"), {**FORM, "email": email})
        for email in ["anna@example.test", "OWNER@example.test"]
    ]

    assert [r["Location"] for r in again] == [reverse("accounts:sign_up_sent")] * 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.test", "owner@example.test"]


def test_throttled_sign_up_takes_ten_requests_an_hour_from_one_client_address(
    client, db, pinned_clock
):
    for n in range(10):
        response = client.post(reverse("accounts:sign_up"), {**FORM, "email": f"a{n}@example.test"})
        assert response.status_code == 302

    refused = client.post(reverse("accounts:sign_up"), {**FORM, "email": "late@example.test"})
    elsewhere = client.post(
        reverse("accounts:sign_up"),
        {**FORM, "email": "other@example.test"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert elsewhere.status_code == 302
    assert "late@example.test" not in [m.to[0] for m in mail.outbox]
    assert len(mail.outbox) == 11
