"""Accounts fixtures: throttle counters start empty in every test (they live in the cache)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pinned_clock(monkeypatch):
    """The throttles' clock (rezerva.core.ratelimit.clock), moved by hand: clock.now += 60."""
    from rezerva.core import ratelimit

    class Clock:
        now = 1_800_000_000.0

    monkeypatch.setattr(ratelimit, "clock", lambda: Clock.now)
    return Clock
