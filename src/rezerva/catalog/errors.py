"""Catalogue errors."""

from rezerva.core.errors import DomainError


class ServiceNotGroup(DomainError):
    """Sessions and series exist only for group services."""

    code = "service_not_group"
