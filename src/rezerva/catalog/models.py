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

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["business", "is_active", "is_visible"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_minor__gte=0), name="service_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    @property
    def offers_single(self) -> bool:
        """The single-session path exists (mode single or both)."""
        return self.sales_mode in (SalesMode.SINGLE, SalesMode.BOTH)

    @property
    def offers_series(self) -> bool:
        """The series path exists (mode series or both)."""
        return self.sales_mode in (SalesMode.SERIES, SalesMode.BOTH)
