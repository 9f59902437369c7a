"""Availability errors with stable codes (also the problem+json `type` in the API)."""

from rezerva.core.errors import DomainError


class SlotNotAvailable(DomainError):
    """This time is not available. Please pick another one."""

    code = "slot_not_available"


class PerformerNotFound(DomainError):
    """This team member does not offer this service."""

    code = "performer_not_found"


class RangeTooLong(DomainError):
    """Ask for at most 62 days at a time."""

    code = "range_too_long"
