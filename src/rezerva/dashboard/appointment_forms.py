"""Owner forms for one-to-one services and appointments (A4, A9): input shape only.

Ranges, who offers a service, free times and double bookings are the services' decisions; the
forms parse numbers, dates and times (typed in the business timezone) and pass them on.
"""

import datetime as dt
import uuid

from django import forms

from rezerva.catalog.models import Service
from rezerva.catalog.services import AppointmentSettings
from rezerva.core.timezones import NonexistentLocalTime, wall_time_to_utc

_DEFAULTS = AppointmentSettings()


def _minutes(label: str, *, help_text: str = "", initial: int | None = None):
    return forms.IntegerField(
        required=False,
        label=label,
        help_text=help_text,
        initial=initial,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class AppointmentSettingsForm(forms.Form):
    """A4 for a one-to-one service. Empty numbers take the defaults (60 min, no buffers, 2 h
    notice, 60 days ahead, no daily cap); no performer ticked means everyone on the team."""

    # The service's field keys, where they differ from this form's.
    FIELD_MAP = {"min_notice_minutes": "min_notice"}

    duration_minutes = _minutes("Length (minutes)", initial=_DEFAULTS.duration_minutes)
    slot_interval_minutes = _minutes(
        "Start times every (minutes)",
        help_text="Empty: the length (a 45-minute service starts at 9:00, 9:45, 10:30 …)",
    )
    buffer_before_minutes = _minutes(
        "Buffer before (minutes)",
        help_text="Kept free before each appointment; guests never see it",
        initial=0,
    )
    buffer_after_minutes = _minutes(
        "Buffer after (minutes)", help_text="Time to tidy up after each appointment", initial=0
    )
    min_notice = _minutes("Minimum notice", help_text="How soon before a start guests may book")
    min_notice_unit = forms.ChoiceField(
        choices=[("hours", "hours"), ("minutes", "minutes")],
        label="Notice in",
        initial="hours",
        required=False,
    )
    horizon_days = _minutes("Bookable up to (days ahead)", initial=_DEFAULTS.horizon_days)
    daily_cap = _minutes("At most per team member per day", help_text="Empty: no limit")
    performers = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label="Who offers it",
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: everyone on the team",
    )

    def __init__(self, *args, performers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_notice"].initial = _DEFAULTS.min_notice_minutes // 60
        self.fields["performers"].choices = [(p.pk, p.name) for p in performers]

    @staticmethod
    def initial_for(service: Service) -> dict:
        """The service's settings as the form shows them (notice in hours when whole)."""
        notice = service.min_notice_minutes
        in_hours = notice % 60 == 0
        return {
            "duration_minutes": service.duration_minutes,
            "slot_interval_minutes": service.slot_interval_minutes,
            "buffer_before_minutes": service.buffer_before_minutes,
            "buffer_after_minutes": service.buffer_after_minutes,
            "min_notice": notice // 60 if in_hours else notice,
            "min_notice_unit": "hours" if in_hours else "minutes",
            "horizon_days": service.horizon_days,
            "daily_cap": service.daily_cap,
            "performers": list(service.performers.values_list("pk", flat=True)),
        }

    def settings(self) -> AppointmentSettings:
        data = self.cleaned_data

        def number(name: str, default):
            return default if data.get(name) is None else data[name]

        notice = data.get("min_notice")
        if notice is None:
            notice_minutes = _DEFAULTS.min_notice_minutes
        else:
            notice_minutes = notice if data.get("min_notice_unit") == "minutes" else notice * 60
        return AppointmentSettings(
            duration_minutes=number("duration_minutes", _DEFAULTS.duration_minutes),
            slot_interval_minutes=data.get("slot_interval_minutes"),
            buffer_before_minutes=number("buffer_before_minutes", 0),
            buffer_after_minutes=number("buffer_after_minutes", 0),
            min_notice_minutes=notice_minutes,
            horizon_days=number("horizon_days", _DEFAULTS.horizon_days),
            daily_cap=data.get("daily_cap"),
            performer_ids=tuple(data.get("performers") or ()),
        )


class _AnyNumberChoice(forms.TypedChoiceField):
    """A choice of one of the business's rows; any number passes the form, so another
    business's id reaches the service, which refuses it as not found."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, **kwargs)

    def valid_value(self, value):
        return str(value).isdigit()


class WhenForm(forms.Form):
    """A date and a time in the business timezone."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
    )

    def starts_at(self, tz_name: str) -> dt.datetime:
        """The start in UTC; a time the clocks skip is refused on the time field."""
        local = dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        try:
            return wall_time_to_utc(local, tz_name)
        except NonexistentLocalTime as exc:
            raise NonexistentLocalTime(exc.message, field="time") from None


class MoveAppointmentForm(WhenForm):
    """A9: the appointment's new date and time (same performer)."""


class BookOnBehalfForm(WhenForm):
    """A9: the owner books a guest in: service, team member, time and contact details."""

    service = _AnyNumberChoice(label="Service")
    performer = _AnyNumberChoice(label="Team member")
    name = forms.CharField(max_length=120, label="Guest name")
    email = forms.EmailField(max_length=254, label="Guest email")
    phone = forms.CharField(max_length=32, required=False, label="Guest phone")
    # B5: a double click or a resent form books once (the view binds it to the signed-in user).
    request_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=40, initial=lambda: uuid.uuid4().hex
    )

    field_order = ["service", "performer", "date", "time", "name", "email", "phone"]

    def __init__(self, *args, services, performers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            (s.pk, f"{s.name} ({s.duration_minutes} min)") for s in services
        ]
        self.fields["performer"].choices = [(p.pk, p.name) for p in performers]
        self.fields["email"].help_text = "The confirmation and the manage link go here"


def add_settings_errors(exc, *, service_form: forms.Form, settings_form: forms.Form) -> None:
    """A refusal of create_service/update_appointment_settings shown on the field it is about,
    in whichever of the two forms holds it."""
    errors = exc.errors if hasattr(exc, "errors") else {exc.field or "__all__": exc.message}
    for key, message in errors.items():
        name = AppointmentSettingsForm.FIELD_MAP.get(key, key)
        if name in settings_form.fields:
            settings_form.add_error(name, message)
        else:
            service_form.add_error(name if name in service_form.fields else None, message)
