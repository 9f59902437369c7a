"""Reads about businesses, memberships and plans."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.http import Http404

from rezerva.tenancy.models import ApiToken, Business, Membership
from rezerva.tenancy.plans import Plan, effective_plan


def plan_of(business: Business, *, now: dt.datetime) -> Plan:
    """The plan in force for a business right now."""
    return effective_plan(plan_code=business.plan, trial_ends_at=business.trial_ends_at, now=now)


def has_feature(business: Business, feature: str, *, now: dt.datetime) -> bool:
    """Whether the business's current plan includes a feature."""
    return feature in plan_of(business, now=now).features


def memberships_of(user) -> QuerySet[Membership]:
    """Every business a user belongs to, by name."""
    return (
        Membership.objects.filter(user=user).select_related("business").order_by("business__name")
    )


def get_membership(user, *, business_id: int | None) -> Membership | None:
    """The user's membership in a business, or their first one when no id is given."""
    memberships = memberships_of(user)
    if business_id is not None:
        found = memberships.filter(business_id=business_id).first()
        if found is not None:
            return found
    return memberships.first()


def get_business_by_slug(slug: str) -> Business:
    """The public business for a hub URL, or 404."""
    try:
        return Business.objects.get(slug=slug)
    except Business.DoesNotExist as exc:
        raise Http404("No such business") from exc


def bookings_this_month(business: Business, *, now: dt.datetime) -> int:
    """How many bookings the business placed this local month (P3)."""
    row = business.usage.filter(month=month_of(business, now)).first()
    return row.bookings_count if row else 0


def month_of(business: Business, now: dt.datetime) -> dt.date:
    """The first day of the business's current calendar month (P3 counts by local month)."""
    return now.astimezone(ZoneInfo(business.timezone)).date().replace(day=1)


def active_api_token(raw: str, *, now: dt.datetime) -> ApiToken | None:
    """The token (with its business) for a raw owner API token; None if unknown, revoked or
    expired (the owner API then answers 401)."""
    return (
        ApiToken.objects.select_related("business")
        .filter(token_hash=hash_api_token(raw), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )


def api_tokens_of(*, business: Business) -> QuerySet[ApiToken]:
    """The business's tokens that were not revoked (expired ones included), newest first."""
    return ApiToken.objects.filter(business=business, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def get_api_token_for_business(*, business: Business, token_id: int) -> ApiToken:
    """One of the business's tokens, or 404 (another business's id included)."""
    try:
        return ApiToken.objects.get(business=business, pk=token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404("No such API token") from exc


def hash_api_token(raw: str) -> str:
    """SHA-256 of a raw token (tokens are long random strings, so no salt is needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()
