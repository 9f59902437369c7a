"""Writes for businesses and memberships."""

import datetime as dt
import re
import secrets

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from rezerva.core.errors import ValidationFailed
from rezerva.core.money import SUPPORTED_CURRENCIES
from rezerva.core.text import single_line
from rezerva.core.timezones import is_valid_timezone
from rezerva.tenancy.errors import FeatureNotInPlan, SlugTaken
from rezerva.tenancy.models import ActivityLog, ApiToken, Business, Membership, MonthlyUsage
from rezerva.tenancy.plans import TRIAL_DAYS, PlanCode
from rezerva.tenancy.selectors import has_feature, hash_api_token, month_of, plan_of

RESERVED_SLUGS = {"admin", "api", "dashboard", "accounts", "static", "manage", "media", "b"}
MAX_REMINDER_HOURS = 24 * 7  # a week; N3 default is 24 h


def log_activity(*, business: Business, actor, action: str, target: object = "", **data) -> None:
    """Write one audit row; call it inside the transaction that made the change."""
    ActivityLog.objects.create(
        business=business,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target=str(target)[:64],
        data=data,
    )


def require_feature(business: Business, feature: str, *, now: dt.datetime) -> None:
    """Raise FeatureNotInPlan unless the business's plan includes the feature (P1, P4)."""
    if not has_feature(business, feature, now=now):
        raise FeatureNotInPlan(feature, plan_of(business, now=now).name)


def _validate_business_fields(*, name: str, slug: str, timezone: str, currency: str) -> None:
    errors = {}
    if not name:
        errors["name"] = "Enter the business name."
    if slug in RESERVED_SLUGS:
        errors["slug"] = "This address is reserved; choose another."
    if not is_valid_timezone(timezone):
        errors["timezone"] = "Choose a timezone such as Europe/Warsaw."
    if currency not in SUPPORTED_CURRENCIES:
        errors["currency"] = "Choose a supported currency."
    if errors:
        raise ValidationFailed(errors)


def create_business(
    *,
    owner,
    name: str,
    slug: str,
    timezone: str,
    currency: str,
    locale: str = "en",
    plan: str = PlanCode.TRIAL,
    now: dt.datetime,
) -> Business:
    """Create a business with its owner membership; new businesses start on a 14-day trial.

    The name is stored as one clean line (core.text.single_line): it goes into email subjects,
    sender names and calendar files, where a newline broke sending (review F12)."""
    slug = slug.strip().lower()  # one address per business, however it was typed
    name = single_line(name)
    _validate_business_fields(name=name, slug=slug, timezone=timezone, currency=currency)
    try:
        with transaction.atomic():
            business = Business.objects.create(
                name=name,
                slug=slug,
                timezone=timezone,
                currency=currency,
                locale=locale,
                plan=plan,
                trial_ends_at=now + dt.timedelta(days=TRIAL_DAYS)
                if plan == PlanCode.TRIAL
                else None,
                contact_email=owner.email,
            )
            Membership.objects.create(business=business, user=owner, role=Membership.Role.OWNER)
            log_activity(business=business, actor=owner, action="business.created", target=slug)
    except IntegrityError as exc:
        raise SlugTaken() from exc
    return business


def update_business_settings(
    *,
    business: Business,
    actor,
    name: str,
    timezone: str,
    currency: str,
    locale: str,
    hold_minutes: int,
    cancellation_notice_hours: int,
    requires_phone: bool,
    stripe_account_id: str | None = None,
    reminder_hours: int | None = None,
) -> Business:
    """Change a business's settings (and the connected Stripe account, "acct_..."); the name is
    stored as one clean line, as in create_business."""
    name = single_line(name)
    _validate_business_fields(name=name, slug=business.slug, timezone=timezone, currency=currency)
    if stripe_account_id is not None:
        stripe_account_id = stripe_account_id.strip()
        if stripe_account_id and not re.fullmatch(r"acct_[A-Za-z0-9]{4,60}", stripe_account_id):
            raise ValidationFailed(
                {"stripe_account_id": "A Stripe account id looks like acct_1AbCdEf..."}
            )
        business.stripe_account_id = stripe_account_id
    business.name = name
    business.timezone = timezone
    business.currency = currency
    business.locale = locale
    business.hold_minutes = hold_minutes
    business.cancellation_notice_hours = cancellation_notice_hours
    business.requires_phone = requires_phone
    if reminder_hours is not None:
        if not 0 <= reminder_hours <= MAX_REMINDER_HOURS:
            raise ValidationFailed(
                {"reminder_hours": f"Choose between 0 (off) and {MAX_REMINDER_HOURS} hours."}
            )
        business.reminder_hours = reminder_hours
    with transaction.atomic():
        business.save(
            update_fields=[
                "name",
                "timezone",
                "currency",
                "locale",
                "hold_minutes",
                "cancellation_notice_hours",
                "requires_phone",
                "reminder_hours",
                "stripe_account_id",
                "updated_at",
            ]
        )
        log_activity(business=business, actor=actor, action="business.updated", target=business.pk)
    return business


def add_member(*, business: Business, actor, user, role: str = Membership.Role.STAFF) -> Membership:
    """Add a user to a business's team (idempotent)."""
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(
            business=business, user=user, defaults={"role": role}
        )
        log_activity(business=business, actor=actor, action="member.added", target=user.pk)
    return membership


# The ORM has no conditional upsert with RETURNING; one statement on PostgreSQL and SQLite >= 3.35.
_TICK_USAGE = (
    "INSERT INTO tenancy_monthlyusage (business_id, month, bookings_count) VALUES (%s, %s, 1) "
    "ON CONFLICT (business_id, month) DO UPDATE "
    "SET bookings_count = tenancy_monthlyusage.bookings_count + 1 {guard}"
    "RETURNING bookings_count"
)
_TICK_UNLIMITED = _TICK_USAGE.format(guard="")
_TICK_UNDER_LIMIT = _TICK_USAGE.format(guard="WHERE tenancy_monthlyusage.bookings_count < %s ")


def tick_monthly_usage(*, business: Business, now: dt.datetime) -> bool:
    """P3: count one booking in this month if the plan allows it; False when at the limit.

    Call inside the placing transaction, after the Session locks (LOCK ORDER step 2). One
    statement creates or bumps the month's row only while it is under the limit, so concurrent
    placements can never overshoot it, and the row lock costs one round trip.
    """
    limit = plan_of(business, now=now).monthly_booking_limit
    if limit is not None and limit <= 0:
        return False
    params = [business.pk, month_of(business, now)]
    with connection.cursor() as cursor:
        if limit is None:
            cursor.execute(_TICK_UNLIMITED, params)
        else:
            cursor.execute(_TICK_UNDER_LIMIT, [*params, limit])
        return cursor.fetchone() is not None


def mark_limit_notified(*, business: Business, now: dt.datetime) -> bool:
    """Remember that the owner was told about the limit this month; True the first time only."""
    month = month_of(business, now)
    return (
        MonthlyUsage.objects.filter(
            business=business, month=month, limit_notified_at__isnull=True
        ).update(limit_notified_at=now)
        == 1
    )


# How long a new owner API token may live, in days; None: until revoked.
API_TOKEN_LIFETIMES_DAYS = (None, 30, 90, 365)
# last_used_at is written at most this often per token, not on every request.
API_TOKEN_USE_PRECISION = dt.timedelta(minutes=1)


def create_api_token(
    *,
    business: Business,
    actor,
    name: str,
    expires_in_days: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue an owner API token, optionally expiring after 30, 90 or 365 days; the raw value
    is returned once and never stored (only its SHA-256)."""
    if expires_in_days not in API_TOKEN_LIFETIMES_DAYS:
        raise ValidationFailed({"expires_in_days": "Choose never, 30, 90 or 365 days."})
    now = now or dt.datetime.now(tz=dt.UTC)
    raw = "rz_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            business=business,
            name=name.strip()[:80] or "API token",
            prefix=raw[:10],
            token_hash=hash_api_token(raw),
            expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
        )
        log_activity(
            business=business,
            actor=actor,
            action="api_token.created",
            target=token.pk,
            expires_in_days=expires_in_days,
        )
    return token, raw


def revoke_api_token(*, token: ApiToken, actor, now: dt.datetime) -> bool:
    """Revoke a token (the caller got it through the business-scoped getter); it is refused
    from the next request on. Revoking twice changes nothing; True if this call revoked it."""
    with transaction.atomic():
        revoked = (
            ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
            == 1
        )
        if revoked:
            log_activity(
                business=token.business, actor=actor, action="api_token.revoked", target=token.pk
            )
    return revoked


def record_api_token_use(*, token: ApiToken, now: dt.datetime) -> None:
    """Note that a token was used: one conditional UPDATE at most once a minute per token
    (the token as just read tells whether it is due, so most requests write nothing)."""
    due_before = now - API_TOKEN_USE_PRECISION
    if token.last_used_at is not None and token.last_used_at > due_before:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=due_before)
    ).update(last_used_at=now)
