"""Payment errors with stable codes."""

from rezerva.core.errors import DomainError


class PaymentNotStarted(DomainError):
    """The payment could not be started; please try again."""

    code = "payment_not_started"


class HoldExpired(DomainError):
    """Your seat hold expired before payment; please book again."""

    code = "hold_expired"


class RefundNotAllowed(DomainError):
    """This payment cannot be refunded."""

    code = "refund_not_allowed"


class RefundTooLarge(DomainError):
    """The refund is larger than what is left to refund."""

    code = "refund_too_large"
    field = "amount"


class RefundFailed(DomainError):
    """Stripe refused the refund."""

    code = "refund_failed"


class StripeNotConnected(DomainError):
    """Connect a Stripe account before selling online."""

    code = "stripe_not_connected"
    field = "price_type"
