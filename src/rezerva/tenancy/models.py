"""Businesses, who belongs to them, and the audit log."""

from django.conf import settings
from django.db import models

from rezerva.core.models import TimeStampedModel
from rezerva.tenancy.plans import PlanCode


class Business(TimeStampedModel):
    """A tenant: everything an owner sells and every booking belongs to exactly one business."""

    class Locale(models.TextChoices):
        ENGLISH = "en", "English"
        POLISH = "pl", "Polski"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="Europe/Warsaw")
    currency = models.CharField(max_length=3, default="PLN")
    locale = models.CharField(max_length=5, choices=Locale.choices, default=Locale.ENGLISH)
    plan = models.CharField(max_length=20, choices=PlanCode.choices, default=PlanCode.TRIAL)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    hold_minutes = models.PositiveIntegerField(default=15)
    cancellation_notice_hours = models.PositiveIntegerField(default=24)
    requires_phone = models.BooleanField(default=False)
    # N3: hours before each booked run that guests get a reminder; 0 turns reminders off.
    reminder_hours = models.PositiveIntegerField(default=24)
    contact_email = models.EmailField(blank=True, default="")
    # Stripe Connect account that receives this business's online payments ("acct_...").
    stripe_account_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name_plural = "businesses"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hold_minutes__gte=1), name="business_hold_min"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user's role in a business."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        STAFF = "staff", "Staff"

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.business} ({self.role})"


class ActivityLog(models.Model):
    """What changed, who did it and when, written in the same transaction as the change."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="activity")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=64, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["business", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class MonthlyUsage(models.Model):
    """Bookings placed in one calendar month of the business (P3); a series purchase ticks once."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="usage")
    month = models.DateField(help_text="First day of the month in the business timezone")
    bookings_count = models.PositiveIntegerField(default=0)
    limit_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "month"], name="usage_one_row_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.business_id} {self.month:%Y-%m}: {self.bookings_count}"


class ApiToken(models.Model):
    """A per-business token for the owner API; only its SHA-256 is stored."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Refused from this moment on; null: never expires.
    expires_at = models.DateTimeField(null=True, blank=True)
    # Updated at most once a minute (tenancy.services.record_api_token_use), not per request.
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
