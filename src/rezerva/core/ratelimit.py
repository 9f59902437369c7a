"""Per-client request limits for the guest booking and manage endpoints, counted in the cache.

A fixed window per (scope, client address): the first request of a window creates the counter
with `cache.add`, every request bumps it with `cache.incr` (atomic INCR on Redis, locked in local
memory). Over the limit the view is not called: 429 with Retry-After = seconds to the window's
end. A fixed window may let up to twice the limit through across one window boundary; that is
enough to stop scripted abuse and needs only one counter per client.

If the cache itself fails (Redis down), requests are let through and a warning is logged: the
limit protects the service, the database keeps bookings correct either way.
"""

import functools
import ipaddress
import logging
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError

from rezerva.core.refusals import refusal_response

logger = logging.getLogger(__name__)

_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")
# A counter outlives its window by this margin, so it never expires while still being bumped.
_EXPIRY_MARGIN_SECONDS = 5


@dataclass(frozen=True)
class Rate:
    """At most `limit` requests per `window_seconds`."""

    limit: int
    window_seconds: int


# What the limiter reads as 'now' (tests pin it so a scenario never straddles two windows).
clock = time.time


def parse_rate(text: str | None) -> Rate | None:
    """'20/min', '5/10s', '1000/day' -> Rate; empty or None -> no limit; anything else raises."""
    if not text:
        return None
    match = _RATE.match(text.lower())
    if not match or match.group(3) not in _UNIT_SECONDS:
        raise ValueError(f"rate must look like '20/min' or '5/10s', got {text!r}")
    count, multiplier, unit = match.groups()
    window = int(multiplier or 1) * _UNIT_SECONDS[unit]
    if window <= 0:
        raise ValueError(f"rate window must be positive, got {text!r}")
    return Rate(limit=int(count), window_seconds=window)


def _valid_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address to count a request against.

    REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT = N > 0: then the N-th X-Forwarded-For
    entry from the right, the client address as our outermost trusted proxy saw it. Entries
    further left are written by the client and can be forged. IPv6 clients count per /64, the
    block one subscriber usually holds.
    """
    address = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops:
            forwarded = _valid_ip(hops[-proxies] if len(hops) >= proxies else hops[0])
            address = forwarded or address
    if address is None:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True)
class RateCheck:
    """The outcome of counting one request: allowed, or how long to wait."""

    allowed: bool
    count: int
    retry_after_seconds: int


def count_request(scope: str, client: str, rate: Rate, *, now: float | None = None) -> RateCheck:
    """Count one request of `client` in `scope` and say whether it is within `rate`."""
    now = clock() if now is None else now
    window = int(now // rate.window_seconds)
    window_ends_at = (window + 1) * rate.window_seconds
    key = f"ratelimit:{scope}:{client}:{window}"
    timeout = math.ceil(window_ends_at - now) + _EXPIRY_MARGIN_SECONDS
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:
        # Evicted between add and incr (local memory culls when full): start the count again.
        cache.add(key, 1, timeout=timeout)
        count = 1
    return RateCheck(
        allowed=count <= rate.limit,
        count=count,
        retry_after_seconds=max(1, math.ceil(window_ends_at - now)),
    )


LIMITED_SCOPES = ("booking", "manage")


def check_rate_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: every RATE_LIMIT_<SCOPE> setting parses (else requests would fail)."""
    errors = []
    for scope in LIMITED_SCOPES:
        name = f"RATE_LIMIT_{scope.upper()}"
        try:
            parse_rate(getattr(settings, name, None))
        except ValueError as exc:
            errors.append(checks.Error(f"{name}: {exc}", id="rezerva.E001"))
    return errors


def _rate_for(scope: str) -> Rate | None:
    return parse_rate(getattr(settings, f"RATE_LIMIT_{scope.upper()}", None))


def too_many_requests_response(request: HttpRequest, retry_after_seconds: int) -> HttpResponse:
    """429 with Retry-After: problem+json under /api/, a short page elsewhere."""
    return refusal_response(
        request,
        status=429,
        code="rate_limited",
        title=f"Too many requests. Please try again in {retry_after_seconds} seconds.",
        message=(
            "We received too many requests from your network in a short time. Nothing was "
            f"booked or changed by the last one. Please wait {retry_after_seconds} seconds "
            "and try again."
        ),
        retry_after_seconds=retry_after_seconds,
    )


def rate_limited(
    scope: str, *, methods: Iterable[str] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view per client address by settings.RATE_LIMIT_<SCOPE>, for `methods` (default all).

    Views that share a scope share the client's counter (pages and API alike).
    """
    limited_methods = None if methods is None else frozenset(m.upper() for m in methods)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def limited_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            rate = _rate_for(scope)
            if rate is None or (
                limited_methods is not None and request.method not in limited_methods
            ):
                return view(request, *args, **kwargs)
            client = client_address(request)
            try:
                check = count_request(scope, client, rate)
            except (RedisError, OSError) as exc:
                logger.warning("rate limit %s not checked, cache unavailable: %s", scope, exc)
                return view(request, *args, **kwargs)
            if not check.allowed:
                logger.info("rate limit %s hit by %s", scope, client)
                return too_many_requests_response(request, check.retry_after_seconds)
            return view(request, *args, **kwargs)

        return limited_view

    return decorate
