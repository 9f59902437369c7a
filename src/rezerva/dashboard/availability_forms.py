"""Owner forms for working hours (A2, A3): input shape only; availability.services decides.

The week grid is one form with a row of fields per interval (`d<weekday>_<n>_starts/ends`)
and a "Closed" box per day. Adding or removing an interval and "Copy Monday" edit a draft of
what was typed and show it again unsaved (no JavaScript needed); "Save" sends the week.
"""

import copy
import datetime as dt
import re
from dataclasses import dataclass

from django import forms

from rezerva.availability.models import Weekday
from rezerva.core.forms import NameField
from rezerva.core.timezones import NonexistentLocalTime, wall_time_to_utc

MAX_INTERVALS = 6  # per day in the grid; a working day rarely has more than two or three
_ROW_KEY = re.compile(r"^d([0-6])_(\d+)_(starts|ends)$")
HOURS_MODES = [("default", "Follow business hours"), ("own", "Own hours")]


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        required=False,
        label=label,
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
    )


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        required=required,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


# --- The week grid as typed (a draft) -----------------------------------------------------

# {weekday: {"closed": bool, "rows": [(starts text, ends text), ...]}}
Draft = dict[int, dict]


def draft_from_week(week: dict[int, list[tuple[dt.time, dt.time]]]) -> Draft:
    """A saved week as the grid shows it: a day without intervals is closed."""
    return {
        d: {
            "closed": not week.get(d),
            "rows": [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e in week.get(d, [])],
        }
        for d in range(7)
    }


def draft_from_data(data) -> Draft:
    """What the owner typed into the grid, blanks included (for add, remove and copy)."""
    draft: Draft = {d: {"closed": bool(data.get(f"d{d}_closed")), "rows": []} for d in range(7)}
    for d, count in _rows_in(data).items():
        draft[d]["rows"] = [
            (data.get(f"d{d}_{i}_starts", ""), data.get(f"d{d}_{i}_ends", "")) for i in range(count)
        ]
    return draft


def edit_draft(draft: Draft, edit: str) -> tuple[Draft, str]:
    """Apply "add-<day>", "remove-<day>-<n>" or "copy-monday"; returns the draft and what
    changed (an empty message for an unknown edit)."""
    draft = copy.deepcopy(draft)
    names = dict(Weekday.choices)
    if m := re.fullmatch(r"add-([0-6])", edit):
        day = draft[int(m[1])]
        if len(day["rows"]) < MAX_INTERVALS:
            day["rows"].append(("", ""))
        day["closed"] = False
        return draft, f"Interval added to {names[int(m[1])]}: enter its times, then save."
    if m := re.fullmatch(r"remove-([0-6])-(\d+)", edit):
        rows = draft[int(m[1])]["rows"]
        if int(m[2]) < len(rows):
            del rows[int(m[2])]
        return draft, f"Interval removed from {names[int(m[1])]}. Save to keep the change."
    if edit == "copy-monday":
        for d in range(1, 5):
            draft[d] = copy.deepcopy(draft[0])
        return draft, "Monday's hours copied to Tuesday to Friday. Save to keep them."
    return draft, ""


def _rows_in(data) -> dict[int, int]:
    """How many interval rows each day has in posted data (at most MAX_INTERVALS)."""
    rows: dict[int, int] = {}
    for key in data:
        if m := _ROW_KEY.match(key):
            day, index = int(m[1]), int(m[2])
            if index < MAX_INTERVALS:
                rows[day] = max(rows.get(day, 0), index + 1)
    return rows


@dataclass(frozen=True)
class DayRow:
    """One weekday of the grid, ready for the template."""

    weekday: int
    label: str
    closed: forms.BoundField
    rows: list[tuple[int, forms.BoundField, forms.BoundField]]
    errors: list[str]
    can_add: bool


class WeekForm(forms.Form):
    """A week of working hours; for a performer also "follow the business hours" or her own."""

    draft_note = ""  # set when the grid is shown again after an edit, unsaved

    def __init__(self, *args, draft: Draft | None = None, performer: bool = False, **kwargs):
        if draft is not None:
            kwargs["initial"] = {**kwargs.get("initial", {}), **_initial_of(draft)}
        super().__init__(*args, **kwargs)
        counts = (
            _rows_in(self.data)
            if self.is_bound
            else {d: len(day["rows"]) for d, day in (draft or {}).items()}
        )
        self.rows = {d: max(1, counts.get(d, 0)) for d in range(7)}
        self.day_errors: dict[int, list[str]] = {d: [] for d in range(7)}
        self.is_performer = performer
        if performer:
            self.fields["hours_mode"] = forms.ChoiceField(
                choices=HOURS_MODES, widget=forms.RadioSelect, label="Working hours"
            )
        for d, name in Weekday.choices:
            self.fields[f"d{d}_closed"] = forms.BooleanField(required=False, label="Closed")
            for i in range(self.rows[d]):
                self.fields[f"d{d}_{i}_starts"] = _time_field(f"{name}, interval {i + 1}, from")
                self.fields[f"d{d}_{i}_ends"] = _time_field(f"{name}, interval {i + 1}, until")

    def clean(self):
        data = super().clean()
        for d in range(7):
            if data.get(f"d{d}_closed"):
                continue
            for i in range(self.rows[d]):
                starts, ends = f"d{d}_{i}_starts", f"d{d}_{i}_ends"
                if starts in self.errors or ends in self.errors:
                    continue
                if (data.get(starts) is None) != (data.get(ends) is None):
                    missing = starts if data.get(starts) is None else ends
                    self.add_error(missing, "Enter both times, or clear both.")
        return data

    def week(self) -> dict[int, list[tuple[dt.time, dt.time]]]:
        """The cleaned week for set_weekly_hours: closed or empty days have no intervals."""
        data = self.cleaned_data
        week = {}
        for d in range(7):
            pairs = [
                (data.get(f"d{d}_{i}_starts"), data.get(f"d{d}_{i}_ends"))
                for i in range(self.rows[d])
            ]
            closed = data.get(f"d{d}_closed")
            week[d] = [] if closed else [(s, e) for s, e in pairs if s and e]
        return week

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """The service's field keys (`day_<weekday>`) shown on that day of the grid."""
        for key, message in errors.items():
            if m := re.fullmatch(r"day_([0-6])", key):
                self.day_errors[int(m[1])].append(message)
            else:
                self.add_error(None, message)

    def days(self) -> list[DayRow]:
        return [
            DayRow(
                weekday=d,
                label=name,
                closed=self[f"d{d}_closed"],
                rows=[
                    (i, self[f"d{d}_{i}_starts"], self[f"d{d}_{i}_ends"])
                    for i in range(self.rows[d])
                ],
                errors=self.day_errors[d],
                can_add=self.rows[d] < MAX_INTERVALS,
            )
            for d, name in Weekday.choices
        ]


def _initial_of(draft: Draft) -> dict:
    initial = {}
    for d, day in draft.items():
        initial[f"d{d}_closed"] = day["closed"]
        for i, (starts, ends) in enumerate(day["rows"][:MAX_INTERVALS]):
            initial[f"d{d}_{i}_starts"] = starts
            initial[f"d{d}_{i}_ends"] = ends
    return initial


# --- Date overrides and time off ----------------------------------------------------------

OVERRIDE_ROWS = 3


class DateOverrideForm(forms.Form):
    """A3: one date with its own hours, or closed all day."""

    date = _date_field("Date")
    closed = forms.BooleanField(required=False, label="Closed all day")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, OVERRIDE_ROWS + 1):
            self.fields[f"starts_{i}"] = _time_field(f"Interval {i} from")
            self.fields[f"ends_{i}"] = _time_field(f"Interval {i} until")

    def clean(self):
        data = super().clean()
        if data.get("closed"):
            return data
        for i in range(1, OVERRIDE_ROWS + 1):
            starts, ends = f"starts_{i}", f"ends_{i}"
            if starts in self.errors or ends in self.errors:
                continue
            if (data.get(starts) is None) != (data.get(ends) is None):
                self.add_error(ends if data.get(starts) else starts, "Enter both times.")
        if not self.errors and not self.intervals():
            self.add_error("starts_1", "Enter the hours for that day, or tick “Closed all day”.")
        return data

    def intervals(self) -> list[tuple[dt.time, dt.time]]:
        """The day's intervals; none when closed."""
        data = self.cleaned_data
        if data.get("closed"):
            return []
        pairs = [
            (data.get(f"starts_{i}"), data.get(f"ends_{i}")) for i in range(1, OVERRIDE_ROWS + 1)
        ]
        return [(s, e) for s, e in pairs if s and e]

    def rows(self):
        return [(self[f"starts_{i}"], self[f"ends_{i}"]) for i in range(1, OVERRIDE_ROWS + 1)]


class TimeOffForm(forms.Form):
    """A3/A9: time off, a business closure or blocked time: whole days (times left empty) or
    from a time to a time, typed in the business timezone."""

    start_date = _date_field("From (date)")
    start_time = _time_field("From (time)")
    end_date = _date_field("Until (date)", required=False)
    end_time = _time_field("Until (time)")
    reason = NameField(max_length=200, required=False, label="Note (optional)")

    def __init__(self, *args, performers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_time"].help_text = "Empty: from the start of the day"
        self.fields["end_date"].help_text = "Empty: the same day"
        self.fields["end_time"].help_text = "Empty: to the end of the day"
        if performers is not None:
            field = forms.TypedChoiceField(
                coerce=int, label="Team member", choices=[(p.pk, p.name) for p in performers]
            )
            # Any number passes: the service refuses a performer of another business.
            field.valid_value = lambda value: str(value).isdigit()
            self.fields["performer"] = field
            self.order_fields(["performer"])

    def moments(self, tz_name: str) -> tuple[dt.datetime, dt.datetime]:
        """UTC start and end; a time the clocks skip is a field error (NonexistentLocalTime
        carries the field it is about)."""
        data = self.cleaned_data
        start_day = data["start_date"]
        end_day = data.get("end_date") or start_day
        starts = dt.datetime.combine(start_day, data.get("start_time") or dt.time(0))
        if data.get("end_time"):
            ends = dt.datetime.combine(end_day, data["end_time"])
        else:
            ends = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(0))
        return _utc(starts, tz_name, "start_time"), _utc(ends, tz_name, "end_time")

    def end_field(self) -> str:
        """Where "the end must be after the start" shows."""
        return "end_time" if self.cleaned_data.get("end_time") else "end_date"


def _utc(local: dt.datetime, tz_name: str, field: str) -> dt.datetime:
    try:
        return wall_time_to_utc(local, tz_name)
    except NonexistentLocalTime as exc:
        raise NonexistentLocalTime(exc.message, field=field) from None
