"""Forms for run operations (bulk actions on participants): input shape only.

Kept apart from forms.py so the run-operations work does not collide with other edits there;
which bookings an action may touch is decided by booking.services.operations.
"""

from django import forms

from rezerva.booking.services.operations import MESSAGE_BODY_MAX, MESSAGE_SUBJECT_MAX

CANCEL = "cancel"
ATTENDED = "attended"
NO_SHOW = "no_show"
MESSAGE = "message"


class ParticipantsActionForm(forms.Form):
    action = forms.ChoiceField(
        label="With selected",
        choices=[
            ("", "Choose an action…"),
            (ATTENDED, "Mark attended"),
            (NO_SHOW, "Mark no-show"),
            (MESSAGE, "Send a message"),
            (CANCEL, "Cancel bookings"),
        ],
        error_messages={"required": "Choose what to do with the selected participants."},
    )
    booking_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=(),
        error_messages={"required": "Select at least one participant."},
    )
    subject = forms.CharField(
        max_length=MESSAGE_SUBJECT_MAX, required=False, label="Subject (for a message)"
    )
    body = forms.CharField(
        max_length=MESSAGE_BODY_MAX,
        required=False,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Accept any integers: the service keeps only this run's bookings and reports the rest.
        # (at most 18 digits, so a forged id can never overflow a bigint column).
        self.fields["booking_ids"].valid_value = lambda value: (
            str(value).isdigit() and len(str(value)) <= 18
        )

    def clean(self):
        data = super().clean()
        if data.get("action") == MESSAGE:
            if not (data.get("subject") or "").strip():
                self.add_error("subject", "Write a subject.")
            if not (data.get("body") or "").strip():
                self.add_error("body", "Write the message.")
        return data
