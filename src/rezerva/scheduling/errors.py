"""Scheduling errors with stable codes."""

from rezerva.core.errors import DomainError


class SessionAlreadyCancelled(DomainError):
    """This session is already cancelled."""

    code = "session_cancelled"


class RunNotAttachable(DomainError):
    """This run cannot be added to the series."""

    code = "run_not_attachable"


class RunNotDetachable(DomainError):
    """This run cannot be removed from the series."""

    code = "run_not_detachable"


class RunNeedsSeries(DomainError):
    """This service is sold as series only: a run outside a series could never be booked."""

    code = "run_needs_series"
    field = "series_id"

    def __init__(self):
        super().__init__(
            "This service is sold as series only, so a session outside a series could never be "
            "booked. Create it in one of the service's series (series_id)."
        )
