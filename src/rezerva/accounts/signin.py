"""Signing in: the lockouts on passwords and codes, and the half-logged-in two-factor step.

Limits (see README "Limits and faults"):
* a password is refused without being checked while its account (the email typed, known or not)
  has 5 recent failures, or its client address 20: 1 minute after the 5th (20th), doubling with
  each further failure, at most 15 minutes. A correct password clears its account's failures.
* two-factor codes: 5 wrong codes lock the user the same way (wrong codes count for the address).
* password reset and sign-up send at most one email per address typed per 5 minutes, and take
  10 requests per hour from one client address.
"""

import math
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from rezerva.core import ratelimit
from rezerva.core.ratelimit import Rate, client_address
from rezerva.core.throttle import LockoutPolicy, clear, locked_for, record_failure

LOGIN_ACCOUNT = LockoutPolicy(scope="login-account", threshold=5)
# Higher per address: an office or a mobile carrier puts many people behind one address.
LOGIN_ADDRESS = LockoutPolicy(scope="login-address", threshold=20)
TWO_FACTOR_USER = LockoutPolicy(scope="two-factor-user", threshold=5)

EMAIL_COOLDOWN_SECONDS = 5 * 60
EMAIL_REQUESTS_PER_ADDRESS = Rate(limit=10, window_seconds=3600)

# The half-logged-in state between a correct password and its code.
PENDING_KEY = "two_factor_pending"
PENDING_MAX_AGE_SECONDS = 5 * 60


def normalized_email(email: str) -> str:
    """Emails as accounts store them (and as throttles key them): trimmed, lower-cased."""
    return email.strip().lower()


def wait_message(seconds: int) -> str:
    """'Too many failed attempts. Please try again in 45 seconds.' (minutes past 90 s)."""
    wait = f"{seconds} seconds" if seconds <= 90 else f"{math.ceil(seconds / 60)} minutes"
    return f"Too many failed attempts. Please try again in {wait}."


def login_wait_seconds(request: HttpRequest, *, email: str) -> int:
    """Seconds before this email may try a password from this client (0: go ahead)."""
    return max(
        locked_for(LOGIN_ACCOUNT, normalized_email(email)),
        locked_for(LOGIN_ADDRESS, client_address(request)),
    )


def record_failed_login(request: HttpRequest, *, email: str) -> None:
    """A wrong password (or unknown email): counts for the account and the address."""
    record_failure(LOGIN_ACCOUNT, normalized_email(email))
    record_failure(LOGIN_ADDRESS, client_address(request))


def record_successful_login(*, email: str) -> None:
    """A correct password clears its account's failures (never the address's)."""
    clear(LOGIN_ACCOUNT, normalized_email(email))


def code_wait_seconds(request: HttpRequest, *, user) -> int:
    """Seconds before this user may try a two-factor code from this client."""
    return max(
        locked_for(TWO_FACTOR_USER, str(user.pk)),
        locked_for(LOGIN_ADDRESS, client_address(request)),
    )


def record_wrong_code(request: HttpRequest, *, user) -> None:
    record_failure(TWO_FACTOR_USER, str(user.pk))
    record_failure(LOGIN_ADDRESS, client_address(request))


def record_right_code(*, user) -> None:
    clear(TWO_FACTOR_USER, str(user.pk))


# --- the pending second step -----------------------------------------------------------------


@dataclass(frozen=True)
class PendingLogin:
    """A user who gave the right password and still owes a code; not logged in."""

    user: object
    backend: str
    next_url: str


def begin_two_factor(request: HttpRequest, *, user, next_url: str) -> None:
    """Remember who passed the password step (in the anonymous session) for 5 minutes."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "next": next_url,
        "started_at": ratelimit.clock(),
        # A password changed meanwhile voids the pending step (as it voids sessions).
        "auth_hash": user.get_session_auth_hash(),
    }


def pending_two_factor(request: HttpRequest) -> PendingLogin | None:
    """The pending login of this session, if it is fresh and its password unchanged."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if ratelimit.clock() - data.get("started_at", 0) > PENDING_MAX_AGE_SECONDS:
        end_two_factor(request)
        return None
    user = get_user_model().objects.filter(pk=data.get("user_id"), is_active=True).first()
    if user is None or user.get_session_auth_hash() != data.get("auth_hash"):
        end_two_factor(request)
        return None
    return PendingLogin(user=user, backend=data["backend"], next_url=data.get("next", ""))


def end_two_factor(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
