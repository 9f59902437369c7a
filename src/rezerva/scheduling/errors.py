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
