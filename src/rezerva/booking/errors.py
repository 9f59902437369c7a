"""Booking errors with stable codes (also the problem+json `type` in the API)."""

from rezerva.core.errors import DomainError


class SessionFull(DomainError):
    """This session is full."""

    code = "session_full"

    def __init__(self, message: str = "", *, session_ids: list[int] | None = None):
        super().__init__(message or "This session just filled up. Please pick another one.")
        self.session_ids = session_ids or []


class SeriesSoldOut(SessionFull):
    """This series is sold out."""

    code = "series_sold_out"


class SessionNotBookable(DomainError):
    """This session cannot be booked."""

    code = "session_not_bookable"


class SeriesNotBookable(DomainError):
    """This series is not on sale."""

    code = "series_not_bookable"


class BookingBusy(DomainError):
    """Too many people are booking right now; please try again."""

    code = "booking_busy"


class PlanLimitReached(DomainError):
    """This business cannot take more bookings this month."""

    code = "plan_limit_reached"


class CancellationClosed(DomainError):
    """This booking can no longer be cancelled online."""

    code = "cancellation_closed"


class AlreadyCancelled(DomainError):
    """This is already cancelled."""

    code = "already_cancelled"


class SessionNotFound(DomainError):
    """This session does not exist."""

    code = "session_not_found"


class SeriesNotFound(DomainError):
    """This series does not exist."""

    code = "series_not_found"


class IdempotencyKeyReused(DomainError):
    """This Idempotency-Key was already used for a different request. Use a new key."""

    code = "idempotency_key_reused"


class TooManyHolds(DomainError):
    """You already hold unpaid seats here. Pay for them or let them lapse, then book again."""

    code = "too_many_holds"


class ServiceNotFound(DomainError):
    """This service does not exist."""

    code = "service_not_found"


class ServiceNotBookable(DomainError):
    """This service is not taking bookings."""

    code = "service_not_bookable"
