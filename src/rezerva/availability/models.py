"""When performers work (A2, A3): weekly hours, date overrides, time off and closures.

Hours are wall-clock times in the business timezone; a weekly rule keeps its wall time across
DST. Time off and closures are absolute moments (UTC), like runs.
"""

from django.db import models
from django.db.models import F, Q

from rezerva.core.models import TenantModel


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WeeklyHours(TenantModel):
    """One working interval on a weekday; several make a day with breaks. No performer: the
    business's default schedule, which a performer follows until she has hours of her own."""

    performer = models.ForeignKey(
        "catalog.Performer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="weekly_hours",
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts"]
        indexes = [models.Index(fields=["business", "performer"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="weekly_ends_after"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class DateOverride(TenantModel):
    """A date with its own hours for one performer (or the business default): one row per
    interval, or a single row without times for a day off."""

    performer = models.ForeignKey(
        "catalog.Performer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="date_overrides",
    )
    date = models.DateField()
    starts = models.TimeField(null=True, blank=True)
    ends = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "starts"]
        indexes = [models.Index(fields=["business", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__isnull=True, ends__isnull=True)
                | Q(starts__isnull=False, ends__isnull=False, ends__gt=F("starts")),
                name="override_closed_or_interval",
            ),
        ]

    @property
    def is_closed(self) -> bool:
        return self.starts is None

    def __str__(self) -> str:
        return f"{self.date} {'closed' if self.is_closed else f'{self.starts}-{self.ends}'}"


class TimeOff(TenantModel):
    """Time a performer cannot be booked (holiday, an appointment elsewhere, blocked time); no
    performer: a business closure that closes everyone."""

    performer = models.ForeignKey(
        "catalog.Performer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="time_off",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["business", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="time_off_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.performer_id or 'closure'} {self.starts_at:%Y-%m-%d %H:%M}"
