"""Request-level guards: security headers on every response, oversized bodies refused early,
NUL characters refused, a lost database answered with 503."""

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from rezerva.core.refusals import refusal_response

logger = logging.getLogger(__name__)

# Seconds a client should wait before retrying while the database is unreachable; a restart or
# failover usually takes a few seconds.
DATABASE_RETRY_AFTER_SECONDS = 5


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    """The Content-Security-Policy every response carries (README "Security").

    Our own origin only: no inline script or style, no eval, no framing, no <base> or plugins.
    Forms may post to us and be redirected on to Stripe Checkout (browsers check form-action on
    that redirect too): CSP_FORM_ACTION_EXTRA lists Checkout's origin, plus the origin of
    STRIPE_API_BASE when a Stripe-compatible test server hosts the payment page.
    """
    form_action = ["'self'", *settings.CSP_FORM_ACTION_EXTRA]
    if (stripe_base := _origin(settings.STRIPE_API_BASE)) and stripe_base not in form_action:
        form_action.append(stripe_base)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": " ".join(form_action),
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# Pages and API answers that show one person's or one business's data: never stored by a browser
# or a proxy (Cache-Control: no-store). Guest manage pages are matched by their URL name.
PRIVATE_PATH_PREFIXES = ("/dashboard/", "/accounts/", "/admin/", "/api/owner/")
_PUBLIC_API_PREFIX = "/api/public/"


def is_private(request: HttpRequest) -> bool:
    """True for owner pages and exports, sign-in pages, and a guest's manage pages and API."""
    path = request.path_info
    if path.startswith(PRIVATE_PATH_PREFIXES):
        return True
    if path.startswith(_PUBLIC_API_PREFIX):
        # A placed booking and the manage endpoints carry the guest's details and manage link.
        return "/bookings" in path
    match = getattr(request, "resolver_match", None)
    return bool(match and match.namespace == "hub" and (match.url_name or "").startswith("manage"))


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response; Cache-Control: no-store on private ones.

    First in MIDDLEWARE, so refusals made by the other middleware (413, 400, 429, 503) carry the
    headers too. A header a view set itself (the .ics download's Cache-Control) is kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy()
        if "Cache-Control" not in response and is_private(request):
            add_never_cache_headers(response)
        return response


def body_limit_for(path: str) -> int:
    """The largest request body (bytes) accepted on `path`: a per-prefix override or the default."""
    for prefix, limit in settings.REQUEST_BODY_MAX_BYTES_BY_PATH.items():
        if path.startswith(prefix):
            return limit
    return settings.REQUEST_BODY_MAX_BYTES


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        # Absent or malformed: Django then reads no body at all (WSGIRequest uses 0).
        return None


class RequestBodyLimitMiddleware:
    """413 when Content-Length is over the path's limit, before anything reads the body.

    A body without Content-Length (chunked) is read by Django as empty under WSGI, and never
    past DATA_UPLOAD_MAX_MEMORY_SIZE + 1 bytes, so it cannot be used to exhaust memory either.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        limit = body_limit_for(request.path_info)
        if length is not None and length > limit:
            logger.warning("refused a %d-byte body on %s (limit %d)", length, request.path, limit)
            return refusal_response(
                request,
                status=413,
                code="payload_too_large",
                title=f"The request body is too large (at most {limit} bytes).",
                message="What you sent is larger than we accept. Shorten it and try again.",
            )
        return self.get_response(request)


_FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def request_holds_nul(request: HttpRequest) -> bool:
    """True when the decoded path, query string or form body carries a NUL character.

    JSON bodies are left to the API schemas, which refuse NUL field by field (422)."""
    if "\x00" in request.path_info or _holds_nul(request.GET):
        return True
    return request.content_type in _FORM_CONTENT_TYPES and _holds_nul(request.POST)


class NulCharacterMiddleware:
    """400 for a request with a NUL character (%00) in its path, query or form fields.

    PostgreSQL text cannot hold NUL, so such a value reached the database as a 500 (review F8).
    Forms and API schemas refuse it field by field; this is the backstop for everything else
    (path segments, query parameters, hand-made form posts): problem+json under /api/, a short
    page elsewhere, before any view or query runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_holds_nul(request):
            return refusal_response(
                request,
                status=400,
                code="nul_character",
                title="The request contains a NUL character (U+0000), which we cannot accept.",
                message="Something you sent contains an invisible NUL character. Remove it and "
                "try again.",
            )
        return self.get_response(request)


def _discard_broken_connections() -> None:
    """Close connections that no longer work, so the next request opens a fresh one.

    Skips connections inside an atomic block: the block's owner (a service, or a test case's
    transaction) rolls back and closes them itself.
    """
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def database_unavailable_response(request: HttpRequest, exc: Exception) -> HttpResponse:
    """503 + Retry-After for a lost database, after discarding the broken connection."""
    # One line, no traceback: during an outage every request lands here.
    logger.warning("database unavailable on %s: %s: %s", request.path, type(exc).__name__, exc)
    _discard_broken_connections()
    return refusal_response(
        request,
        status=503,
        code="service_unavailable",
        title="The service is temporarily unavailable. Please try again shortly.",
        message=(
            "We cannot reach our database right now, so nothing was booked or changed. "
            "Please try again in a few seconds."
        ),
        retry_after_seconds=DATABASE_RETRY_AFTER_SECONDS,
    )


class DatabaseUnavailableMiddleware:
    """A view that loses the database (refused or dropped connection) answers 503, not 500.

    The DB-API defines OperationalError and InterfaceError as failures of the database's
    operation (disconnects, unreachable server), not programming errors, which stay 500s.
    Lock timeouts never get here: the booking services turn them into BookingBusy.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Turn database-availability errors from a view into a 503; leave others alone."""
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable_response(request, exception)
        return None
