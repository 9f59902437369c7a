"""Owner sign-up: email and password, logged in, on to creating the first business."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from rezerva.accounts.services import sign_up_owner
from rezerva.core.errors import ValidationFailed
from tests import builders

FORM = {
    "first_name": "Anna",
    "email": "anna@example.test",
    "password1": "correct-horse-battery",
    "password2": "correct-horse-battery",
}


def test_sign_up_creates_a_user_logs_in_and_goes_to_business_creation(client, db):
    response = client.post(reverse("accounts:sign_up"), FORM)

    user = get_user_model().objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:business_create")
    assert (user.email, user.first_name) == ("anna@example.test", "Anna")
    assert user.check_password("correct-horse-battery") is True
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get(reverse("dashboard:business_create")).status_code == 200


def test_the_email_is_stored_in_lower_case(client, db):
    client.post(reverse("accounts:sign_up"), {**FORM, "email": "  Anna@Example.TEST "})

    assert list(get_user_model().objects.values_list("email", flat=True)) == ["anna@example.test"]


@pytest.mark.parametrize("email", ["anna@example.test", "ANNA@example.test"])
def test_a_duplicate_email_is_a_field_error(client, db, email):
    existing = builders.make_user("anna@example.test")

    response = client.post(reverse("accounts:sign_up"), {**FORM, "email": email})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["An account with this email already exists."]
    }
    assert list(get_user_model().objects.values_list("pk", flat=True)) == [existing.pk]
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("_case", "changes", "errors"),
    [
        (
            "passwords differ",
            {"password2": "correct-horse-battery!"},
            {"password2": ["The two passwords differ."]},
        ),
        (
            "too short",
            {"password1": "abc12", "password2": "abc12"},
            {"password1": ["This password is too short. It must contain at least 8 characters."]},
        ),
        (
            "too common",
            {"password1": "password123", "password2": "password123"},
            {"password1": ["This password is too common."]},
        ),
        ("not an email", {"email": "anna"}, {"email": ["Enter a valid email address."]}),
    ],
)
def test_an_invalid_sign_up_is_a_field_error_and_no_user_is_created(
    client, db, _case, changes, errors
):
    response = client.post(reverse("accounts:sign_up"), {**FORM, **changes})

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert get_user_model().objects.count() == 0
    assert SESSION_KEY not in client.session


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
