"""Template filters available in every template: money and business-local time."""

from django import template

from rezerva.core.money import format_money
from rezerva.core.timezones import to_business_time

register = template.Library()


@register.filter
def money(minor: int | None, business) -> str:
    """{{ price_minor|money:business }} in the business currency and locale."""
    if minor is None:
        return ""
    return format_money(minor, business.currency, business.locale)


@register.filter
def local(moment, business):
    """{{ run.starts_at|local:business|date:"D j M, H:i" }}: the business's wall time.

    Returned naive on purpose: Django's `date` filter converts aware datetimes back to the active
    zone (UTC), which would undo the conversion.
    """
    if moment is None:
        return None
    return to_business_time(moment, business.timezone).replace(tzinfo=None)
