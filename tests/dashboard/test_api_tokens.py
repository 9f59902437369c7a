"""API tokens on the settings page: created with an optional expiry and shown once in the
response that creates them, listed with their last use, revoked by the owner of their business."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rezerva.tenancy import services as tenancy_services
from rezerva.tenancy.models import ActivityLog, ApiToken
from rezerva.tenancy.selectors import hash_api_token
from tests import builders


def _create(client, name="Zapier", expires_in_days=""):
    return client.post(
        reverse("dashboard:api_token_create"), {"name": name, "expires_in_days": expires_in_days}
    )


def _raw(response) -> str:
    (raw,) = re.findall(r'data-testid="raw-token"[^>]*>(rz_[\w-]+)<', response.text)
    return raw


def test_api_token_is_shown_once_in_the_response_that_creates_it(owner_client, business):
    response = _create(owner_client)

    assert response.status_code == 200
    raw = _raw(response)
    token = ApiToken.objects.get(business=business)
    assert token.token_hash == hash_api_token(raw)
    assert (token.name, token.prefix, token.expires_at) == ("Zapier", raw[:10], None)
    assert "no-store" in response["Cache-Control"]
    # Never kept anywhere it could be read back: not in a message, the session or a cookie.
    assert raw not in str(dict(owner_client.session.items()))
    assert all(raw not in morsel.value for morsel in response.cookies.values())
    settings_page = owner_client.get(reverse("dashboard:settings"))
    assert raw not in settings_page.text
    assert raw[:10] in settings_page.text
    assert ActivityLog.objects.filter(business=business, action="api_token.created").count() == 1


@pytest.mark.parametrize(
    ("_case", "choice", "days"),
    [("never", "", None), ("30 days", "30", 30), ("90 days", "90", 90), ("a year", "365", 365)],
)
def test_api_token_expiry_is_a_choice_of_never_30_90_or_365_days(
    owner_client, business, _case, choice, days
):
    before = timezone.now()

    _create(owner_client, expires_in_days=choice)

    token = ApiToken.objects.get(business=business)
    if days is None:
        assert token.expires_at is None
    else:
        after = timezone.now()
        delta = dt.timedelta(days=days)
        assert before + delta <= token.expires_at <= after + delta


def test_api_token_with_another_expiry_is_refused_and_not_created(owner_client, business):
    response = _create(owner_client, expires_in_days="7")

    assert response["Location"] == reverse("dashboard:settings")
    assert not ApiToken.objects.filter(business=business).exists()


def test_api_token_list_shows_last_use_and_expiry(owner_client, business, now):
    used, _ = tenancy_services.create_api_token(business=business, actor=None, name="Used")
    ApiToken.objects.filter(pk=used.pk).update(last_used_at=timezone.now())
    tenancy_services.create_api_token(
        business=business, actor=None, name="Expired", expires_in_days=30, now=now
    )
    revoked, _ = tenancy_services.create_api_token(business=business, actor=None, name="Gone")
    tenancy_services.revoke_api_token(token=revoked, actor=None, now=now)

    response = owner_client.get(reverse("dashboard:settings"))

    rows = re.findall(r'data-testid="api-token">(.*?)</div>', response.text, re.S)
    assert len(rows) == 2
    expired, recent = rows  # newest first
    assert "<strong>Expired</strong>" in expired
    assert "last used never" in " ".join(expired.split())
    assert "expired" in expired
    assert "<strong>Used</strong>" in recent
    assert "last used never" not in " ".join(recent.split())
    assert "never expires" in recent
    assert "Gone" not in response.text


def test_owner_revokes_an_api_token_and_the_api_refuses_it(owner_client, client, business):
    token, raw = tenancy_services.create_api_token(business=business, actor=None, name="CI")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/owner/services", **auth).status_code == 200

    response = owner_client.post(reverse("dashboard:api_token_revoke", args=[token.pk]))

    assert response["Location"] == reverse("dashboard:settings")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/owner/services", **auth).status_code == 401
    assert ActivityLog.objects.filter(business=business, action="api_token.revoked").count() == 1
    page = owner_client.get(reverse("dashboard:settings"))
    assert "revoked: it no longer works" in page.text
    assert 'data-testid="api-token"' not in page.text


def test_revoking_another_business_token_is_404_and_changes_nothing(owner_client, other_business):
    theirs, _ = tenancy_services.create_api_token(
        business=other_business, actor=None, name="Theirs"
    )

    response = owner_client.post(reverse("dashboard:api_token_revoke", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert not ActivityLog.objects.filter(action="api_token.revoked").exists()


def test_revoking_needs_a_post(owner_client, business):
    token, _ = tenancy_services.create_api_token(business=business, actor=None, name="CI")

    response = owner_client.get(reverse("dashboard:api_token_revoke", args=[token.pk]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_staff_member_cannot_create_or_revoke_api_tokens(login_as, business):
    token, _ = tenancy_services.create_api_token(business=business, actor=None, name="CI")
    staff = builders.make_user("staff@example.test")
    tenancy_services.add_member(
        business=business, actor=builders.owner_of(business), user=staff, role="staff"
    )
    client = login_as(staff, business)

    created = _create(client)
    revoked = client.post(reverse("dashboard:api_token_revoke", args=[token.pk]))

    assert (created.status_code, revoked.status_code) == (403, 403)
    assert list(ApiToken.objects.filter(business=business)) == [token]
    token.refresh_from_db()
    assert token.revoked_at is None


def test_settings_page_links_to_two_factor_login(owner_client):
    response = owner_client.get(reverse("dashboard:settings"))

    assert f'href="{reverse("accounts:two_factor")}"' in response.text
