"""JSON API lists come a page at a time: `limit`/`offset` and an RFC 8288 `Link: rel=next`."""

from django.http import HttpResponse
from ninja import Query

PAGE_LIMIT = Query(100, ge=1, le=500, description="How many items (1-500).")
PAGE_OFFSET = Query(0, ge=0, le=100_000, description="How many items to skip.")
# A series carries all its remaining runs, so its pages are shorter (as on the service page).
SERIES_PAGE_LIMIT = Query(20, ge=1, le=100, description="How many series (1-100).")
# Participants and buyers are small rows an owner exports; a full run of 500 fits one page.
PEOPLE_PAGE_LIMIT = Query(500, ge=1, le=5000, description="How many people (1-5000).")


def page_of(request, response: HttpResponse, items: list, *, limit: int, offset: int) -> list:
    """Cut a page fetched with one extra item; that item means a next page (a Link header)."""
    if len(items) > limit:
        query = request.GET.copy()
        query["limit"], query["offset"] = str(limit), str(offset + limit)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        response["Link"] = f'<{next_url}>; rel="next"'
    return items[:limit]


def queryset_page(request, response: HttpResponse, queryset, *, limit: int, offset: int) -> list:
    """One page of an ordered queryset, cut in SQL with one extra row as the next-page probe."""
    items = list(queryset[offset : offset + limit + 1])
    return page_of(request, response, items, limit=limit, offset=offset)
