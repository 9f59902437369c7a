"""Responses for requests refused around the views (too big, too many, database down).

Under /api/ they are RFC 9457 problem+json in the same shape as `rezerva.api.problems`; elsewhere
a small standalone page. Neither touches the database or the session, so they work when those
are the reason for refusing.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

PROBLEM_BASE = "https://rezerva.app/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
# Where rezerva/urls.py mounts the ninja API.
API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    """True for requests to the JSON API, which answer in problem+json."""
    return request.path_info.startswith(API_PREFIX)


def problem_body(*, status: int, code: str, title: str) -> dict:
    """The problem+json document for `code` (the `type` URL ends with the code)."""
    return {"type": PROBLEM_BASE + code, "title": title, "status": status, "code": code}


def refusal_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    title: str,
    message: str,
    retry_after_seconds: int | None = None,
) -> HttpResponse:
    """problem+json for the API, else the small `refusal.html` page; `Retry-After` when given."""
    if is_api_request(request):
        response = HttpResponse(
            json.dumps(problem_body(status=status, code=code, title=title)),
            status=status,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    else:
        # Rendered without the request: context processors may need the database or session.
        page = render_to_string("refusal.html", {"title": title, "message": message})
        response = HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
    if retry_after_seconds is not None:
        response["Retry-After"] = str(retry_after_seconds)
    return response
