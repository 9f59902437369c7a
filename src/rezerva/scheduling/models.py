"""Runs of a group service (Session) and the series that bundle them."""

import datetime as dt

from django.db import models

from rezerva.catalog.models import PriceType
from rezerva.core.models import TenantModel


class Series(TenantModel):
    """A bundle of runs of one group service, sold as one booking and one payment."""

    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="series")
    title = models.CharField(max_length=120)
    price_type = models.CharField(max_length=10, choices=PriceType.choices, default=PriceType.FREE)
    price_minor = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    is_visible = models.BooleanField(default=True)
    drop_in_enabled = models.BooleanField(default=False)
    # None: drop-in seats cost the service's catalogue price (D2).
    drop_in_price_minor = models.PositiveIntegerField(null=True, blank=True)
    allows_late_join = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "series"
        ordering = ["id"]
        indexes = [models.Index(fields=["business", "service"])]

    def __str__(self) -> str:
        return self.title

    def drop_in_price(self) -> int:
        """What one drop-in seat costs (D2)."""
        if self.drop_in_price_minor is not None:
            return self.drop_in_price_minor
        return self.service.price_minor


class Session(TenantModel):
    """One run of a group service: a start and end in UTC, a capacity and a place."""

    class Mode(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"

    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="sessions"
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    title = models.CharField(max_length=120, blank=True, default="")
    meeting_url = models.URLField(max_length=500, blank=True, default="")
    address = models.CharField(max_length=300, blank=True, default="")
    performer = models.ForeignKey(
        "catalog.Performer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["business", "service", "starts_at"]),
            models.Index(fields=["series", "starts_at"]),
            # The slot search reads the runs each performer leads in a date range (A5).
            models.Index(fields=["performer", "starts_at"], name="session_performer_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="session_capacity_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.service_id} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def is_upcoming(self, now: dt.datetime) -> bool:
        """Not started yet."""
        return self.starts_at > now

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at
