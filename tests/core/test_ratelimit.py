"""Per-client rate limits on the guest booking and manage endpoints (core/ratelimit.py).

The view-level scenarios run twice: on local memory (development, tests) and on Redis (production),
which is skipped when no Redis answers on 127.0.0.1:6379 unless REQUIRE_REDIS=1.
"""

import json
import logging
import os
import socket
import threading
import time
import uuid

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from django.utils import timezone

from rezerva.booking.links import manage_path, manage_token
from rezerva.booking.models import Booking
from rezerva.booking.services import GuestDetails, book_single_run
from rezerva.core import ratelimit
from rezerva.core.ratelimit import (
    Rate,
    check_rate_settings,
    client_address,
    count_request,
    parse_rate,
)
from tests import builders

REDIS_URL = "redis://127.0.0.1:6379/15"  # database 15: tests only, never the app's


def _redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(
    not _redis_is_up() and os.environ.get("REQUIRE_REDIS") != "1",
    reason="needs Redis on 127.0.0.1:6379 (set REQUIRE_REDIS=1 to make this a failure)",
)


def _disconnect(backend) -> None:
    """Close this thread's Redis sockets now rather than leave them to the garbage collector."""
    if isinstance(backend, RedisCache):
        for pool in backend._cache._pools.values():
            pool.disconnect()


@pytest.fixture
def redis_cache(settings):
    """The default cache on Redis db 15 under a key prefix of its own, removed afterwards."""
    prefix = f"rezerva-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    _disconnect(caches["default"])


@pytest.fixture(params=["locmem", pytest.param("redis", marks=needs_redis)])
def counter_cache(request, settings):
    """Each scenario on both cache backends the app runs with."""
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    cache.clear()
    return cache


@pytest.fixture
def limits(settings, counter_cache, monkeypatch):
    """Small real limits: 3 bookings and 4 manage requests a minute per client.

    The limiter's clock is pinned to one second into the current minute: counts are per fixed
    window, and a scenario that crossed a minute boundary would start a fresh count midway."""
    pinned = (time.time() // 60) * 60 + 1
    monkeypatch.setattr(ratelimit, "clock", lambda: pinned)
    settings.RATE_LIMIT_BOOKING = "3/min"
    settings.RATE_LIMIT_MANAGE = "4/min"
    settings.TRUSTED_PROXY_COUNT = 0
    return settings


@pytest.fixture
def run(db):
    """A free-of-rules run (pay on site, capacity 50) a week ahead of the real clock."""
    now = timezone.now()
    business = builders.make_business(name="Studio", slug="rl-studio", now=now)
    service = builders.make_group_service(business, now=now)
    return builders.make_session(service, capacity=50, now=now)


def _form() -> dict:
    return {"name": "Anna Nowak", "email": "anna@example.com", "idempotency_key": uuid.uuid4().hex}


def _book_page(client, run, **extra):
    return client.post(reverse("hub:book_run", args=["rl-studio", run.pk]), _form(), **extra)


def _book_api(client, run, **extra):
    body = {"name": "Anna Nowak", "email": "anna@example.com", "session_id": run.pk}
    return client.post(
        "/api/public/rl-studio/bookings", json.dumps(body), content_type="application/json", **extra
    )


# --- parsing and addresses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "text", "expected"),
    [
        ("per minute", "20/min", Rate(20, 60)),
        ("per ten seconds", "5/10s", Rate(5, 10)),
        ("per hour", "100/hour", Rate(100, 3600)),
        ("per day with spaces", " 1000 / day ", Rate(1000, 86400)),
        ("empty is off", "", None),
        ("None is off", None, None),
    ],
)
def test_rates_are_read_from_settings_text(_case, text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["20", "20/fortnight", "x/min", "20/0min", "-1/min"])
def test_a_malformed_rate_is_a_configuration_error(text):
    with pytest.raises(ValueError, match="rate"):
        parse_rate(text)


def test_a_malformed_rate_setting_fails_the_system_check(settings):
    settings.RATE_LIMIT_BOOKING = "20/min"
    settings.RATE_LIMIT_MANAGE = "sixty a minute"

    errors = check_rate_settings()

    assert [(e.id, e.msg.split(":")[0]) for e in errors] == [("rezerva.E001", "RATE_LIMIT_MANAGE")]


@pytest.mark.parametrize(
    ("_case", "proxies", "remote", "forwarded", "expected"),
    [
        ("no proxy: forwarded header ignored", 0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        ("one proxy: the hop it appended", 1, "10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        (
            "two proxies: second from right",
            2,
            "10.0.0.2",
            "1.2.3.4, 198.51.100.1, 10.0.0.9",
            "198.51.100.1",
        ),
        ("fewer hops than proxies: leftmost", 2, "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("no header behind a proxy", 1, "10.0.0.2", "", "10.0.0.2"),
        ("garbage hop falls back", 1, "10.0.0.2", "not-an-ip", "10.0.0.2"),
        ("IPv6 counts per /64", 0, "2001:db8:1:2:aaaa::1", "", "2001:db8:1:2::/64"),
    ],
)
def test_the_client_address_trusts_only_the_configured_number_of_proxies(
    _case, proxies, remote, forwarded, expected, rf, settings
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_client_spoofing_x_forwarded_for_without_a_trusted_proxy_keeps_its_own_counter(
    rf, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    spoofed = [
        rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        for i in range(5)
    ]
    assert {client_address(r) for r in spoofed} == {"203.0.113.7"}


# --- the counter ------------------------------------------------------------------------------


def test_the_window_allows_the_limit_then_refuses_until_it_ends(counter_cache):
    rate = Rate(limit=2, window_seconds=60)
    start = 1_800_000_000.0  # the start of a window (divisible by 60)

    checks = [count_request("t", "203.0.113.7", rate, now=start + i) for i in range(3)]
    next_window = count_request("t", "203.0.113.7", rate, now=start + 60)

    assert [c.allowed for c in checks] == [True, True, False]
    assert checks[2].retry_after_seconds == 58
    assert next_window.allowed
    assert next_window.count == 1


def test_threads_racing_on_one_counter_let_exactly_the_limit_through(counter_cache):
    rate = Rate(limit=10, window_seconds=60)
    scope = f"race-{uuid.uuid4().hex}"
    barrier = threading.Barrier(30)
    allowed: list[bool] = []

    def hit() -> None:
        try:
            barrier.wait(timeout=10)
            allowed.append(count_request(scope, "203.0.113.7", rate).allowed)
        finally:
            _disconnect(caches["default"])

    threads = [threading.Thread(target=hit) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # A window boundary may fall inside the race; then the next window allows up to 10 more.
    assert len(allowed) == 30
    assert sum(allowed) in range(10, 21)


# --- the views ----------------------------------------------------------------------------------


def test_guest_booking_posts_over_the_limit_get_429_with_retry_after_and_book_nothing(
    client, run, limits
):
    placed = [_book_page(client, run) for _ in range(3)]
    refused = _book_page(client, run)

    assert [r.status_code for r in placed] == [302, 302, 302]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"].startswith("text/html")
    assert b"Too many requests" in refused.content
    assert Booking.objects.filter(session=run).count() == 3


def test_opening_the_booking_form_does_not_count_against_the_booking_limit(client, run, limits):
    pages = [client.get(reverse("hub:book_run", args=["rl-studio", run.pk])) for _ in range(5)]
    placed = _book_page(client, run)

    assert [r.status_code for r in pages] == [200] * 5
    assert placed.status_code == 302


def test_the_api_refuses_over_the_limit_with_a_problem_and_retry_after(client, run, limits):
    placed = [_book_api(client, run) for _ in range(3)]
    refused = _book_api(client, run)

    assert [r.status_code for r in placed] == [201, 201, 201]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert (body["type"], body["status"], body["code"]) == (
        "https://rezerva.app/problems/rate_limited",
        429,
        "rate_limited",
    )
    assert Booking.objects.filter(session=run).count() == 3


def test_pages_and_api_share_one_booking_counter_per_client(client, run, limits):
    outcomes = [
        _book_page(client, run).status_code,
        _book_api(client, run).status_code,
        _book_page(client, run).status_code,
        _book_api(client, run).status_code,
    ]
    assert outcomes == [302, 201, 302, 429]
    assert Booking.objects.filter(session=run).count() == 3


def test_each_client_address_has_its_own_counter(client, run, limits):
    for _ in range(3):
        _book_api(client, run, REMOTE_ADDR="203.0.113.7")

    blocked = _book_api(client, run, REMOTE_ADDR="203.0.113.7")
    neighbour = _book_api(client, run, REMOTE_ADDR="203.0.113.8")

    assert (blocked.status_code, neighbour.status_code) == (429, 201)


def test_behind_a_trusted_proxy_clients_are_told_apart_by_the_forwarded_address(
    client, run, limits
):
    limits.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(3):
        _book_api(client, run, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)

    blocked = _book_api(client, run, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    other = _book_api(client, run, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy)

    assert (blocked.status_code, other.status_code) == (429, 201)


def test_manage_pages_and_api_are_limited_by_the_manage_rate(client, run, limits):
    booking = book_single_run(
        business=run.business,
        session_id=run.pk,
        guest=GuestDetails("Anna", "anna@example.com"),
        now=timezone.now(),
    )
    api_path = f"/api/public/rl-studio/manage/{manage_token(booking)}"

    seen = [
        client.get(manage_path(booking)).status_code,
        client.get(api_path).status_code,
        client.get(manage_path(booking)).status_code,
        client.get(api_path).status_code,
    ]
    page_refused = client.get(manage_path(booking))
    cancel_refused = client.post(manage_path(booking) + "cancel/")
    api_cancel_refused = client.post(api_path + "/cancel")

    assert seen == [200, 200, 200, 200]
    assert [page_refused.status_code, cancel_refused.status_code] == [429, 429]
    assert api_cancel_refused.status_code == 429
    assert api_cancel_refused.json()["code"] == "rate_limited"
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_manage_and_booking_limits_are_counted_separately(client, run, limits):
    for _ in range(3):
        _book_api(client, run)
    booking = Booking.objects.filter(session=run).first()

    assert _book_api(client, run).status_code == 429
    assert client.get(manage_path(booking)).status_code == 200


def test_an_empty_rate_turns_the_limit_off(client, run, limits):
    limits.RATE_LIMIT_BOOKING = ""
    outcomes = {_book_api(client, run).status_code for _ in range(6)}
    assert outcomes == {201}


def test_without_a_working_cache_requests_are_let_through_and_a_warning_logged(
    client, run, settings, caplog
):
    settings.RATE_LIMIT_BOOKING = "1/min"
    # Nothing listens on port 1: every cache call fails fast with a connection error.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with caplog.at_level(logging.WARNING, logger="rezerva.core.ratelimit"):
        outcomes = [_book_api(client, run).status_code for _ in range(3)]

    assert outcomes == [201, 201, 201]
    assert Booking.objects.filter(session=run).count() == 3
    assert "cache unavailable" in caplog.text
