"""Throttles beside the request limiter: lockouts after failures, cooldowns, hashed-key limits.

Built on the request limiter's cache and clock (`rezerva.core.ratelimit`): counters live in the
default cache (Redis in production, shared by every process) and `ratelimit.clock` is 'now'.

* Lockout (failed logins, wrong two-factor codes): each failure bumps a counter kept for a day
  after its first failure. From the `threshold`-th failure on, the key is locked for
  `base_delay * 2 ** (failures - threshold)` seconds, at most `max_delay`. Attempts while locked are
  refused without checking the password, so they add nothing. `clear` forgets the failures
  (a successful login clears its account, never its address).
* Cooldown (password-reset, sign-up emails): at most one per key per `seconds` (an atomic
  `cache.add`, so two racing requests cannot both pass).

Keys are hashed, so no email address is stored in the cache. If the cache fails (Redis down),
the throttle lets the attempt through and logs a warning, as the request limiter does: the
password (and the code) still protect the account.
"""

import hashlib
import logging
import math
from dataclasses import dataclass

from django.core.cache import cache
from redis.exceptions import RedisError

from rezerva.core import ratelimit

logger = logging.getLogger(__name__)

_CACHE_ERRORS = (RedisError, OSError)


@dataclass(frozen=True)
class LockoutPolicy:
    """Lock after `threshold` failures, for a delay doubling per further failure."""

    scope: str
    threshold: int
    base_delay_seconds: int = 60
    max_delay_seconds: int = 15 * 60
    # Failures are forgotten this long after the first one of a streak.
    memory_seconds: int = 24 * 3600

    def delay_after(self, failures: int) -> int:
        """Seconds locked after the `failures`-th failure (0 below the threshold)."""
        if failures < self.threshold:
            return 0
        exponent = min(failures - self.threshold, 32)  # 2**32 s is far past any cap
        return min(self.base_delay_seconds * 2**exponent, self.max_delay_seconds)


def normalized_email(email: str) -> str:
    """The form an email takes in throttle keys (accounts store emails lower-cased)."""
    return email.strip().lower()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def _keys(policy: LockoutPolicy, key: str) -> tuple[str, str]:
    base = f"lockout:{policy.scope}:{_digest(key)}"
    return f"{base}:failures", f"{base}:until"


def locked_for(policy: LockoutPolicy, key: str) -> int:
    """Seconds until `key` may try again (0: not locked)."""
    _, until_key = _keys(policy, key)
    try:
        until = cache.get(until_key)
    except _CACHE_ERRORS as exc:
        logger.warning("lockout %s not checked, cache unavailable: %s", policy.scope, exc)
        return 0
    if until is None:
        return 0
    remaining = until - ratelimit.clock()
    return max(0, math.ceil(remaining))


def record_failure(policy: LockoutPolicy, key: str) -> int:
    """Count one failure of `key`; returns the seconds it is now locked for (0: not locked)."""
    failures_key, until_key = _keys(policy, key)
    try:
        cache.add(failures_key, 0, timeout=policy.memory_seconds)
        try:
            failures = cache.incr(failures_key)
        except ValueError:  # evicted between add and incr: count afresh
            cache.add(failures_key, 1, timeout=policy.memory_seconds)
            failures = 1
        delay = policy.delay_after(failures)
        if delay:
            cache.set(until_key, ratelimit.clock() + delay, timeout=delay + 1)
            logger.info("lockout %s: %s failures, locked %s s", policy.scope, failures, delay)
    except _CACHE_ERRORS as exc:
        logger.warning("lockout %s not counted, cache unavailable: %s", policy.scope, exc)
        return 0
    return delay


def clear(policy: LockoutPolicy, key: str) -> None:
    """Forget the failures of `key` (and lift its lock)."""
    try:
        cache.delete_many(list(_keys(policy, key)))
    except _CACHE_ERRORS as exc:
        logger.warning("lockout %s not cleared, cache unavailable: %s", policy.scope, exc)


def cooldown_passed(scope: str, key: str, *, seconds: int) -> bool:
    """True at most once per `seconds` for (scope, key): the first caller starts the cooldown."""
    try:
        return cache.add(f"cooldown:{scope}:{_digest(key)}", 1, timeout=seconds)
    except _CACHE_ERRORS as exc:
        logger.warning("cooldown %s not checked, cache unavailable: %s", scope, exc)
        return True


def within_rate(scope: str, key: str, rate: ratelimit.Rate) -> ratelimit.RateCheck:
    """Count one request for `key` (an address or an email) in `scope` with the request
    limiter's fixed windows; fails open like it."""
    try:
        return ratelimit.count_request(scope, _digest(key), rate)
    except _CACHE_ERRORS as exc:
        logger.warning("rate limit %s not checked, cache unavailable: %s", scope, exc)
        return ratelimit.RateCheck(allowed=True, count=0, retry_after_seconds=0)
