"""Form fields and helpers shared by the owner and guest pages."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac

from rezerva.core.errors import DomainError, ValidationFailed
from rezerva.core.money import InvalidAmount, amount_text, parse_amount
from rezerva.core.text import unsafe_text_reason

_WALL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


class WallTimeField(forms.Field):
    """A date and time typed in the business timezone; returns naive wall time."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {"invalid": "Enter a date and time such as 2026-03-29 18:00."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        for fmt in _WALL_FORMATS:
            try:
                return dt.datetime.strptime(str(value).strip(), fmt)  # noqa: DTZ007 - wall time
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class NameField(forms.CharField):
    """A one-line name an owner types (business, service, run, series, instructor): refuses
    newlines, control characters, NUL and invisible text-direction overrides (core.text)."""

    def validate(self, value):
        super().validate(value)
        if value and (reason := unsafe_text_reason(value)):
            raise ValidationError(reason, code="unsafe_text")


class MoneyField(forms.Field):
    """An amount typed as "120" or "120.00", cleaned to integer minor units of `currency`."""

    widget = forms.TextInput
    max_text_length = 14

    def __init__(self, *, currency: str = "PLN", **kwargs):
        super().__init__(**kwargs)
        self.currency = currency
        self.widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "maxlength": self.max_text_length}
        )

    def prepare_value(self, value):
        if isinstance(value, int):
            return amount_text(value, self.currency)
        return value

    def to_python(self, value):
        if value in self.empty_values or str(value).strip() == "":
            return None
        if len(str(value)) > self.max_text_length:
            raise ValidationError("Enter a shorter amount.", code="max_length")
        try:
            return parse_amount(str(value), self.currency)
        except InvalidAmount as exc:
            raise ValidationError(str(exc), code="invalid") from exc


def add_domain_error(form: forms.Form, exc: DomainError, field_map: dict | None = None) -> None:
    """Show a refused rule next to the field it is about (or on top of the form)."""
    field_map = field_map or {}
    errors = (
        exc.errors if isinstance(exc, ValidationFailed) else {exc.field or "__all__": exc.message}
    )
    for field, message in errors.items():
        name = field_map.get(field, field)
        form.add_error(name if name in form.fields else None, message)


def bound_request_key(*, scope: str, holder: object, form_key: str) -> str:
    """F2: a form's hidden Idempotency-Key bound to who was given the form (a browser's CSRF
    secret, a signed-in user): a key copied elsewhere is another key, so it neither replays
    nor blocks the first person's booking. Always a valid key (letters and digits)."""
    digest = salted_hmac(f"rezerva.{scope}.idempotency_key", f"{holder}:{form_key}").hexdigest()
    return f"{scope}-{digest[:40]}"
