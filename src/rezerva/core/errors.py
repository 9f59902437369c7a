"""Domain errors: one base class with a stable code, mapped to form errors and problem+json."""


class DomainError(Exception):
    """A rule refused the request; `code` is stable, `message` is shown to people."""

    code = "domain_error"
    field: str | None = None

    def __init__(self, message: str = "", *, field: str | None = None, code: str | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        if field is not None:
            self.field = field
        if code is not None:
            self.code = code


class ValidationFailed(DomainError):
    """Some fields are invalid."""

    code = "validation"

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors.values()), "Invalid input.")
        super().__init__(first)
        self.errors = errors


class NotFound(DomainError):
    """Not found."""

    code = "not_found"
