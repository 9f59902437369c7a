"""RFC 9457 problem details: every API error is application/problem+json with a stable `type`."""

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rezerva.core.errors import DomainError, ValidationFailed
from rezerva.core.middleware import database_unavailable_response
from rezerva.core.refusals import PROBLEM_BASE
from rezerva.core.refusals import PROBLEM_CONTENT_TYPE as CONTENT_TYPE

# HTTP status per domain error code; anything unlisted is 409 (the request conflicts with state).
STATUS_BY_CODE = {
    "validation": 422,
    "not_found": 404,
    "session_not_found": 404,
    "series_not_found": 404,
    "plan_limit_reached": 403,
    "feature_not_in_plan": 403,
    "booking_busy": 409,
    "idempotency_key_reused": 409,
    "too_many_holds": 409,
    "slot_not_available": 409,
    "service_not_bookable": 409,
    "service_not_found": 404,
    "performer_not_found": 404,
    "range_too_long": 422,
    "nonexistent_local_time": 422,
    "session_full": 409,
    "series_sold_out": 409,
    "session_not_bookable": 409,
    "series_not_bookable": 409,
    "cancellation_closed": 409,
    "already_cancelled": 409,
    "payment_not_started": 502,
    "hold_expired": 409,
    "coupon_not_valid": 422,
    "coupon_used_up": 409,
    "run_needs_series": 422,
}


class ProblemDocumentingAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema says error responses are application/problem+json.

    ninja documents every response with its renderer's type (application/json); ours differ.
    """

    def get_openapi_schema(self, **kwargs) -> dict:
        """The generated schema with 4xx/5xx bodies under the problem+json media type."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status)[0] in "45" and "application/json" in content:
                        response["content"] = {CONTENT_TYPE: content["application/json"]}
        return schema


def problem(
    api: NinjaAPI, request: HttpRequest, *, status: int, code: str, title: str, **extra
) -> HttpResponse:
    """One problem+json response."""
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "code": code, **extra}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = CONTENT_TYPE
    return response


def install(api: NinjaAPI) -> None:
    """Route domain errors, schema errors, 404s and auth failures through `problem`."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        extra = {}
        if isinstance(exc, ValidationFailed):
            extra["errors"] = exc.errors
        elif exc.field:  # a refusal about one input (a coupon code): name it like a field error
            extra["errors"] = {exc.field: exc.message}
        if getattr(exc, "session_ids", None):
            extra["session_ids"] = exc.session_ids
        status = STATUS_BY_CODE.get(exc.code, 409)
        if exc.code == "booking_busy":
            response = problem(api, request, status=status, code=exc.code, title=exc.message)
            response["Retry-After"] = "1"
            return response
        return problem(api, request, status=status, code=exc.code, title=exc.message, **extra)

    @api.exception_handler(ValidationError)
    def schema_error(request, exc: ValidationError):
        errors = {
            ".".join(str(p) for p in e.get("loc", [])[1:]) or "body": e.get("msg", "invalid")
            for e in exc.errors
        }
        return problem(
            api,
            request,
            status=422,
            code="validation",
            title="Some fields are invalid.",
            errors=errors,
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(api, request, status=404, code="not_found", title="Not found.")

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        response = problem(
            api,
            request,
            status=401,
            code="unauthorized",
            title="Send a valid API token: Authorization: Bearer <token>.",
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request, exc: Exception):
        # ninja catches view errors before Django's middleware sees them (and, with DEBUG on,
        # would answer with a traceback), so it needs the same 503 as the pages.
        return database_unavailable_response(request, exc)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return problem(api, request, status=exc.status_code, code="http_error", title=str(exc))
