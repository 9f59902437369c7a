"""The email outbox and the calendar sequence of each (booking, run).

An `OutboundEmail` row is written in the same transaction as the change it announces, so a
rollback leaves no trace and a commit can never lose an email (see notify/services.py).
"""

from django.db import models
from django.db.models import Q

from rezerva.core.models import TenantModel


class OutboundEmail(TenantModel):
    """One email to one recipient, from queued to sent (or skipped when it no longer applies)."""

    class Kind(models.TextChoices):
        BOOKING_CONFIRMED = "booking_confirmed", "Booking confirmed"
        PURCHASE_CONFIRMED = "purchase_confirmed", "Series purchase confirmed"
        BOOKING_CANCELLED = "booking_cancelled", "Booking cancelled"
        PURCHASE_CANCELLED = "purchase_cancelled", "Series purchase cancelled"
        RUN_CHANGED = "run_changed", "Session time or place changed"
        BOOKING_MOVED = "booking_moved", "Booking moved to another session"
        REMINDER = "reminder", "Reminder"
        MESSAGE = "message", "Message from the business"
        OWNER_NEW_BOOKING = "owner_new_booking", "Owner: new booking"
        OWNER_CANCELLED = "owner_cancelled", "Owner: cancellation"
        OWNER_ALERT = "owner_alert", "Owner: needs attention"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Re-checked at send time and no longer true (e.g. a reminder for a cancelled booking).
        SKIPPED = "skipped", "Skipped"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    booking = models.ForeignKey(
        "booking.Booking", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    purchase = models.ForeignKey(
        "booking.SeriesPurchase",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    session = models.ForeignKey(
        "scheduling.Session", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Reminders only: the start time the reminder is for; a moved run makes it obsolete.
    run_starts_at = models.DateTimeField(null=True, blank=True)
    recipient = models.EmailField(max_length=254)
    dedupe_key = models.CharField(max_length=400)
    message_id = models.CharField(max_length=200)
    data = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(help_text="Not sent before this moment (retry backoff)")
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "available_at"]),
            models.Index(fields=["booking", "kind"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "dedupe_key"], name="outbound_email_unique_dedupe_key"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbound_email_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient} ({self.status})"


class CalendarEntry(TenantModel):
    """The calendar identity of one booking on one run: a stable UID and its SEQUENCE.

    The sequence goes up every time the calendar data for this (booking, run) changes, so a
    calendar client applies an update or a CANCEL over what it already has (RFC 5546).
    """

    booking = models.ForeignKey("booking.Booking", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("scheduling.Session", on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "session"], name="calendar_entry_one_per_booking_and_run"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id}/{self.session_id} seq {self.sequence}"
