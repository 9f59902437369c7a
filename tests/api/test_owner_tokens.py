"""Owner API tokens: revoked and expired ones get 401; a token's last use is written at most
once a minute, not on every request."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rezerva.core.errors import ValidationFailed
from rezerva.tenancy.models import ApiToken
from rezerva.tenancy.services import create_api_token, revoke_api_token

URL = "/api/owner/services"


def _get(client, raw):
    return client.get(URL, HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def token(shop):
    return create_api_token(business=shop[0], actor=None, name="CI")


def test_a_revoked_api_token_is_refused_with_401(client, token):
    api_token, raw = token
    revoke_api_token(token=api_token, actor=None, now=timezone.now())

    response = _get(client, raw)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    api_token.refresh_from_db()
    assert api_token.last_used_at is None


def test_an_expired_api_token_is_refused_with_401(client, shop, live_now):
    api_token, raw = create_api_token(
        business=shop[0],
        actor=None,
        name="Old",
        expires_in_days=30,
        now=live_now - dt.timedelta(days=30, seconds=1),
    )

    response = _get(client, raw)

    assert response.status_code == 401
    api_token.refresh_from_db()
    assert api_token.last_used_at is None


def test_an_api_token_works_until_it_expires(client, shop, live_now):
    _, raw = create_api_token(
        business=shop[0],
        actor=None,
        name="Fresh",
        expires_in_days=30,
        now=live_now - dt.timedelta(days=29, hours=23),
    )

    assert _get(client, raw).status_code == 200


def test_api_token_last_use_is_written_at_most_once_a_minute(client, token):
    api_token, raw = token
    before = timezone.now()

    assert _get(client, raw).status_code == 200
    api_token.refresh_from_db()
    first_use = api_token.last_used_at
    with CaptureQueriesContext(connection) as again:
        assert _get(client, raw).status_code == 200
    api_token.refresh_from_db()

    assert first_use is not None
    assert first_use >= before
    assert api_token.last_used_at == first_use
    assert not [q for q in again.captured_queries if q["sql"].startswith("UPDATE")]

    ApiToken.objects.filter(pk=api_token.pk).update(
        last_used_at=first_use - dt.timedelta(minutes=1, seconds=1)
    )
    assert _get(client, raw).status_code == 200
    api_token.refresh_from_db()
    assert api_token.last_used_at >= first_use


def test_revoking_twice_changes_nothing_the_second_time(token):
    api_token, _ = token
    first = timezone.now()

    assert revoke_api_token(token=api_token, actor=None, now=first) is True
    assert revoke_api_token(token=api_token, actor=None, now=first + dt.timedelta(hours=1)) is False

    api_token.refresh_from_db()
    assert api_token.revoked_at == first


def test_an_api_token_lifetime_outside_the_choices_is_refused(shop):
    with pytest.raises(ValidationFailed):
        create_api_token(business=shop[0], actor=None, name="Odd", expires_in_days=7)

    assert not ApiToken.objects.filter(business=shop[0]).exists()
