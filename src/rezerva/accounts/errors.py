"""Refusals of the accounts services, with stable codes."""

from rezerva.core.errors import DomainError


class TwoFactorCodeWrong(DomainError):
    """That code is not right (or was already used). Enter the current code from your app."""

    code = "two_factor_code_wrong"
    field = "code"


class TwoFactorAlreadyOn(DomainError):
    """Two-factor login is already on for this account."""

    code = "two_factor_already_on"


class TwoFactorNotOn(DomainError):
    """Two-factor login is not on for this account."""

    code = "two_factor_not_on"
