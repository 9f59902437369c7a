"""What a business sells (services) and who teaches it (performers)."""

from django.db import models

from rezerva.core.models import TenantModel


class PriceType(models.TextChoices):
    FREE = "free", "Free"
    ON_SITE = "on_site", "Pay on site"
    ONLINE = "online", "Paid online"


class SalesMode(models.TextChoices):
    SINGLE = "single", "Single sessions only"
    SERIES = "series", "Series only"
    BOTH = "both", "Single sessions and series"


class Performer(TenantModel):
    """A team member who can run sessions (an instructor)."""

    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True, default="")
    membership = models.ForeignKey(
        "tenancy.Membership", null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(default=True)
    # A2: False while she follows the business's default week; True once her own week is
    # saved, even a week with every day closed.
    has_own_hours = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(TenantModel):
    """Something guests book: a one-to-one appointment or a group session/class."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one"
        GROUP = "group", "Group session / class"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="", max_length=4000)
    price_type = models.CharField(max_length=10, choices=PriceType.choices, default=PriceType.FREE)
    price_minor = models.PositiveIntegerField(default=0)
    sales_mode = models.CharField(
        max_length=10, choices=SalesMode.choices, default=SalesMode.SINGLE
    )
    duration_minutes = models.PositiveIntegerField(default=60)
    is_active = models.BooleanField(default=True)
    is_visible = models.BooleanField(default=True)
    # One-to-one settings (A4). Slot starts every `slot_interval_minutes` (None: the duration);
    # buffers block the performer around an appointment and are never shown to guests.
    slot_interval_minutes = models.PositiveIntegerField(null=True, blank=True)
    buffer_before_minutes = models.PositiveIntegerField(default=0)
    buffer_after_minutes = models.PositiveIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(default=120)
    horizon_days = models.PositiveIntegerField(default=60)
    # At most this many appointments of this service per performer and local day (None: no cap).
    daily_cap = models.PositiveIntegerField(null=True, blank=True)
    # Who offers it; empty means every active performer of the business.
    performers = models.ManyToManyField(Performer, blank=True, related_name="services")

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["business", "is_active", "is_visible"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_minor__gte=0), name="service_price_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5), name="service_duration_gte_5"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    @property
    def slot_interval(self) -> int:
        """Minutes between slot starts (A4: defaults to the duration)."""
        return self.slot_interval_minutes or self.duration_minutes

    @property
    def offers_single(self) -> bool:
        """The single-session path exists (mode single or both)."""
        return self.sales_mode in (SalesMode.SINGLE, SalesMode.BOTH)

    @property
    def offers_series(self) -> bool:
        """The series path exists (mode series or both)."""
        return self.sales_mode in (SalesMode.SERIES, SalesMode.BOTH)
