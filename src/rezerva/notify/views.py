"""Guest downloads: one run's calendar file from the manage page (N2)."""

from django.http import Http404, HttpResponse

from rezerva.notify import calendar
from rezerva.notify.emails import calendar_item
from rezerva.notify.selectors import booking_on_run_for_token
from rezerva.tenancy.selectors import get_business_by_slug


def run_calendar(request, slug: str, token: str, session_id: int) -> HttpResponse:
    """The .ics of one run of the booking behind a signed manage link (404 for anything else)."""
    business = get_business_by_slug(slug)
    booking = booking_on_run_for_token(business=business, token=token, session_id=session_id)
    if booking is None:
        raise Http404("No such booking")
    item = calendar_item(booking=booking, session=booking.session, business=business)
    content = calendar.build_calendar(business=business, items=[item], method=calendar.PUBLISH)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{business.slug}-{session_id}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
