"""Money: a Payment per booking or series purchase, Stripe events applied once, refunds."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from rezerva.core.models import TenantModel


class Payment(TenantModel):
    """What a guest owes or paid for one booking or one series purchase."""

    class Provider(models.TextChoices):
        STRIPE = "stripe", "Stripe"
        ON_SITE = "on_site", "On site"
        FREE = "free", "Free"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PROCESSING = "processing", "Processing"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    booking = models.OneToOneField(
        "booking.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    purchase = models.OneToOneField(
        "booking.SeriesPurchase",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    provider = models.CharField(max_length=10, choices=Provider.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    refunded_minor = models.PositiveIntegerField(default=0)
    stripe_account_id = models.CharField(max_length=64, blank=True, default="")
    stripe_checkout_session_id = models.CharField(
        max_length=255, null=True, blank=True, unique=True
    )
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, default="")
    checkout_url = models.URLField(max_length=2000, blank=True, default="")
    checkout_attempt = models.PositiveIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Something the owner must look at (Stripe took a different amount, ...); shown on the
    # dashboard until she marks it resolved.
    problem = models.CharField(max_length=300, blank=True, default="")
    problem_at = models.DateTimeField(null=True, blank=True)
    # When the sweep last re-read the Checkout Session (reconciling a late or lost webhook).
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False, purchase__isnull=True)
                | Q(booking__isnull=True, purchase__isnull=False),
                name="payment_for_booking_xor_purchase",
            ),
            models.CheckConstraint(
                condition=Q(refunded_minor__lte=F("amount_minor")),
                name="payment_refund_never_exceeds_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount_minor} {self.currency} ({self.status})"

    @property
    def refundable_minor(self) -> int:
        return self.amount_minor - self.refunded_minor if self.status == self.Status.PAID else 0


class Refund(TenantModel):
    """An owner-initiated refund (never automatic): who, why, how much, and Stripe's id."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_minor = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    stripe_refund_id = models.CharField(max_length=255, blank=True, default="")
    error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gte=1), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount_minor} of payment {self.payment_id}"


class StripeEvent(models.Model):
    """Every Stripe event we accepted, keyed by its id so it is applied at most once."""

    class Status(models.TextChoices):
        # received: being applied, or its last attempt failed; Stripe's retry runs it again.
        RECEIVED = "received", "Received"
        SUCCEEDED = "succeeded", "Applied"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=64, blank=True, default="")
    business = models.ForeignKey(
        "tenancy.Business", null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.CharField(max_length=500, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id} ({self.status})"
