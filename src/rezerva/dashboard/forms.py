"""Owner forms: input shape only; rules are in the domain services."""

from django import forms

from rezerva.booking.models import ConsentDefinition
from rezerva.catalog.models import PriceType, SalesMode, Service
from rezerva.core.forms import MoneyField, NameField, WallTimeField
from rezerva.core.money import SUPPORTED_CURRENCIES
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import Business

COMMON_TIMEZONES = [
    "Europe/Warsaw",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Paris",
    "Europe/Prague",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Kyiv",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
]


class BusinessForm(forms.Form):
    name = NameField(max_length=120)
    slug = forms.SlugField(max_length=60, help_text="Your public page: /<address>/")
    timezone = forms.ChoiceField(choices=[(z, z) for z in COMMON_TIMEZONES])
    currency = forms.ChoiceField(choices=[(c, c) for c in SUPPORTED_CURRENCIES])
    locale = forms.ChoiceField(choices=Business.Locale.choices, label="Language")


class BusinessSettingsForm(forms.Form):
    name = NameField(max_length=120)
    timezone = forms.ChoiceField(choices=[(z, z) for z in COMMON_TIMEZONES])
    currency = forms.ChoiceField(choices=[(c, c) for c in SUPPORTED_CURRENCIES])
    locale = forms.ChoiceField(choices=Business.Locale.choices, label="Language")
    hold_minutes = forms.IntegerField(
        min_value=1, max_value=120, label="Seat hold while paying (min)"
    )
    cancellation_notice_hours = forms.IntegerField(
        min_value=0, max_value=24 * 30, label="Guests may cancel up to (hours before)"
    )
    requires_phone = forms.BooleanField(required=False, label="Ask guests for a phone number")
    # Optional: left empty, the current value stays (the service treats None as "unchanged").
    reminder_hours = forms.IntegerField(
        min_value=0,
        max_value=24 * 7,
        required=False,
        label="Remind guests before each session (hours)",
        help_text="Emailed this many hours before each booked session; 0 turns reminders off",
    )
    stripe_account_id = forms.CharField(
        max_length=64,
        required=False,
        label="Stripe account (Connect)",
        help_text="acct_... of your connected Stripe account; needed to sell online",
    )


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(choices=Service.Kind.choices, widget=forms.RadioSelect)
    name = NameField(max_length=120)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    price_type = forms.ChoiceField(choices=PriceType.choices, label="Price type")
    price = MoneyField(required=False, help_text="Single-entry (catalogue) price")
    sales_mode = forms.ChoiceField(
        choices=SalesMode.choices, required=False, help_text="Group services only"
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    is_visible = forms.BooleanField(required=False, initial=True, label="Listed on your page")

    def __init__(self, *args, currency: str, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price"].currency = currency
        self.fields["price"].label = f"Price ({currency})"
        if editing:
            del self.fields["kind"]


class RunForm(forms.Form):
    starts_at = WallTimeField(label="Starts")
    ends_at = WallTimeField(label="Ends")
    capacity = forms.IntegerField(min_value=1, max_value=1_000_000, initial=10)
    mode = forms.ChoiceField(choices=Session.Mode.choices)
    title = NameField(max_length=120, required=False, help_text='e.g. "Lesson 1 - syntax"')
    meeting_url = forms.CharField(max_length=500, required=False, label="Meeting URL")
    address = forms.CharField(max_length=300, required=False)
    performer = forms.ModelChoiceField(queryset=None, required=False, label="Instructor")
    repeat_weekly = forms.IntegerField(
        min_value=1,
        max_value=52,
        initial=1,
        label="Weeks in a row",
        help_text="1 = just this date; 6 = six weekly runs at the same local time",
    )

    def __init__(self, *args, performers, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["performer"].queryset = performers
        if editing:
            del self.fields["repeat_weekly"]


class SeriesForm(forms.Form):
    title = NameField(max_length=120)
    price_type = forms.ChoiceField(choices=PriceType.choices, label="Price type")
    price = MoneyField(required=False)
    is_active = forms.BooleanField(required=False, initial=True, label="Active (on sale)")
    is_visible = forms.BooleanField(required=False, initial=True, label="Visible to guests")
    drop_in_enabled = forms.BooleanField(required=False, label="Allow drop-in (book one run)")
    drop_in_price = MoneyField(required=False, help_text="Empty: the service price")
    allows_late_join = forms.BooleanField(required=False, label="Allow joining after it started")

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("price", "drop_in_price"):
            self.fields[name].currency = currency
        self.fields["price"].label = f"Series price ({currency})"
        self.fields["drop_in_price"].label = f"Drop-in price ({currency})"


class AttachRunsForm(forms.Form):
    sessions = forms.TypedMultipleChoiceField(coerce=int, choices=(), label="Sessions to add")

    def __init__(self, *args, runs, **kwargs):
        super().__init__(*args, **kwargs)
        # Accept any integer: the service decides (and explains) whether a run can be attached.
        self.fields["sessions"].valid_value = lambda value: str(value).isdigit()
        self.runs = runs


class CancelRunForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Reason (sent to guests)")


class PerformerForm(forms.Form):
    name = NameField(max_length=120)
    email = forms.EmailField(required=False)


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(choices=ConsentDefinition.Kind.choices)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    is_required = forms.BooleanField(required=False, initial=True, label="Required to book")


class RefundForm(forms.Form):
    amount = MoneyField(label="Amount to refund")
    reason = forms.CharField(max_length=300, help_text="Recorded with your name")

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency
        self.fields["amount"].label = f"Amount to refund ({currency})"


class CouponForm(forms.Form):
    """A coupon as the owner types it: wall times in the business timezone, amounts as money."""

    code = forms.CharField(
        max_length=32, help_text="Guests type this; letters are not case-sensitive"
    )
    discount = forms.ChoiceField(
        choices=[("percent", "Percent off"), ("fixed", "Fixed amount off")]
    )
    percent_off = forms.IntegerField(required=False, min_value=1, max_value=100, label="Percent")
    amount_off = MoneyField(required=False, label="Amount off")
    valid_from = WallTimeField(required=False, label="Valid from (optional)")
    valid_until = WallTimeField(required=False, label="Valid until (optional)")
    max_uses = forms.IntegerField(
        required=False, min_value=1, label="Uses in total", help_text="Empty: no limit"
    )
    max_uses_per_email = forms.IntegerField(
        required=False, min_value=1, label="Uses per guest email", help_text="Empty: no limit"
    )
    services = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: every service and series",
    )
    series = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Series"
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, currency: str, services, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount_off"].currency = currency
        self.fields["services"].choices = [(str(s.pk), s.name) for s in services]
        self.fields["series"].choices = [(str(s.pk), s.title) for s in series]


class ApiTokenForm(forms.Form):
    """A new owner API token: a name to recognise it by and how long it lives."""

    EXPIRY_CHOICES = [("", "Never"), ("30", "30 days"), ("90", "90 days"), ("365", "365 days")]

    name = forms.CharField(max_length=80, required=False)
    expires_in_days = forms.TypedChoiceField(
        choices=EXPIRY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Expires after",
    )
