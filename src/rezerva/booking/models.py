"""Seats guests hold on runs: single and drop-in bookings, and series purchases."""

import datetime as dt
import uuid

from django.db import models
from django.db.models import F, Q

# BookingStatus lives in core.holds (coupons count by it too); read it from here as before.
from rezerva.core.holds import BookingStatus
from rezerva.core.models import TenantModel

ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class CancelledBy(models.TextChoices):
    GUEST = "guest", "Guest"
    OWNER = "owner", "Owner"
    SYSTEM = "system", "System"


class GuestFields(models.Model):
    """Who booked: no account, just contact details."""

    guest_name = models.CharField(max_length=120)
    guest_email = models.EmailField(max_length=254)
    guest_phone = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        abstract = True


class SeriesPurchase(TenantModel, GuestFields):
    """One guest buying a whole series: one payment, one counter tick, a Booking per run."""

    series = models.ForeignKey(
        "scheduling.Series", on_delete=models.PROTECT, related_name="purchases"
    )
    status = models.CharField(
        max_length=12, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    price_minor = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3)
    price_type = models.CharField(max_length=10)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    # A keyed digest of the client address that placed an unpaid hold (seat hoarding limits).
    hold_client = models.CharField(max_length=32, blank=True, default="")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(
        max_length=10, choices=CancelledBy.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business", "series", "status"])]
        constraints = []

    def __str__(self) -> str:
        return f"{self.guest_name} - {self.series_id}"

    def hold_is_active(self, now: dt.datetime) -> bool:
        """A pending purchase still holds its seats."""
        return self.status == BookingStatus.PENDING and bool(
            self.hold_expires_at and self.hold_expires_at > now
        )


class Booking(TenantModel, GuestFields):
    """One seat on one run."""

    class Kind(models.TextChoices):
        SINGLE = "single", "Single session"
        DROP_IN = "drop_in", "Drop-in"
        SERIES = "series", "Series buyer"
        APPOINTMENT = "appointment", "Appointment"

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", "Not marked"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "No-show"

    session = models.ForeignKey(
        "scheduling.Session", on_delete=models.PROTECT, related_name="bookings"
    )
    purchase = models.ForeignKey(
        SeriesPurchase, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(
        max_length=12, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    price_minor = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3)
    price_type = models.CharField(max_length=10)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    # A keyed digest of the client address that placed an unpaid hold (seat hoarding limits).
    hold_client = models.CharField(max_length=32, blank=True, default="")
    # Appointments (A5): who is booked and what it keeps her from, buffers included. The
    # appointment's own time and place are its private run (`session`, capacity 1); these
    # columns carry PostgreSQL's exclusion constraint (booking/migrations/0007).
    performer = models.ForeignKey(
        "catalog.Performer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    blocks_from = models.DateTimeField(null=True, blank=True)
    blocks_until = models.DateTimeField(null=True, blank=True)
    # Entered by the owner for a guest (phone, walk-in): the email was never confirmed by its
    # owner, so owner messages reach it only within a small daily cap (F6).
    added_by_owner = models.BooleanField(default=False)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attendance = models.CharField(
        max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(
        max_length=10, choices=CancelledBy.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["session", "status"]),
            models.Index(fields=["business", "status", "created_at"]),
            models.Index(
                fields=["performer", "blocks_from"],
                condition=Q(performer__isnull=False),
                name="booking_appointment_block_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase", "session"],
                condition=Q(purchase__isnull=False),
                name="booking_one_seat_per_purchase_and_run",
            ),
            models.CheckConstraint(
                condition=Q(kind="series", purchase__isnull=False)
                | (~Q(kind="series") & Q(purchase__isnull=True)),
                name="booking_series_kind_has_purchase",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind="appointment",
                    performer__isnull=False,
                    blocks_from__isnull=False,
                    blocks_until__gt=F("blocks_from"),
                )
                | (~Q(kind="appointment") & Q(performer__isnull=True)),
                name="booking_appointment_has_performer_and_block",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name} - {self.session_id}"

    def hold_is_active(self, now: dt.datetime) -> bool:
        """A pending booking still holds its seat."""
        return self.status == BookingStatus.PENDING and bool(
            self.hold_expires_at and self.hold_expires_at > now
        )


class IdempotencyKey(TenantModel):
    """B5 and F2: a client's Idempotency-Key, bound to a fingerprint of the request that first
    used it and to what that request placed. The same key with the same request replays the
    first result; with another request it is refused and reveals nothing. Kept 24 hours."""

    key = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=64)
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    purchase = models.OneToOneField(
        SeriesPurchase, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "key"], name="idempotency_key_unique"),
            models.CheckConstraint(
                condition=Q(booking__isnull=False, purchase__isnull=True)
                | Q(booking__isnull=True, purchase__isnull=False),
                name="idempotency_key_for_booking_xor_purchase",
            ),
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return self.key


class ConsentDefinition(TenantModel):
    """A consent or the terms a guest agrees to when booking; editing the text bumps the version."""

    class Kind(models.TextChoices):
        TERMS = "terms", "Terms and conditions"
        CONSENT = "consent", "Consent"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CONSENT)
    text = models.TextField(max_length=4000)
    version = models.PositiveIntegerField(default=1)
    is_required = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ConsentRecord(TenantModel):
    """What exactly a guest agreed to, and when: the text is copied, not referenced."""

    definition = models.ForeignKey(ConsentDefinition, on_delete=models.PROTECT, related_name="+")
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    purchase = models.ForeignKey(
        SeriesPurchase, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    text = models.TextField()
    version = models.PositiveIntegerField()
    agreed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False) | Q(purchase__isnull=False),
                name="consent_record_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} v{self.version} @ {self.agreed_at:%Y-%m-%d %H:%M}"
