"""The guest details step: contact fields plus the business's consents (shape only)."""

import uuid

from django import forms

from rezerva.booking.models import ConsentDefinition


class GuestDetailsForm(forms.Form):
    name = forms.CharField(
        max_length=120, label="Full name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    coupon_code = forms.CharField(
        max_length=32,
        required=False,
        label="Coupon code (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(
        self,
        *args,
        consents: list[ConsentDefinition],
        requires_phone: bool,
        accepts_coupons: bool = False,
        **kwargs,
    ):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if not accepts_coupons:
            # Only businesses with live coupons show the field: no dead ends for guests.
            del self.fields["coupon_code"]
        self.fields["phone"].required = requires_phone
        self.fields["phone"].label = "Phone" if requires_phone else "Phone (optional)"
        for consent in consents:
            # Required consents are checked by the booking service, which names the field.
            self.fields[f"consent_{consent.pk}"] = forms.BooleanField(
                required=False,
                label=consent.text + ("" if consent.is_required else " (optional)"),
            )
        self.consents = consents

    def agreed_ids(self) -> frozenset[int]:
        """The consent ids the guest ticked."""
        return frozenset(c.pk for c in self.consents if self.cleaned_data.get(f"consent_{c.pk}"))


class LostLinkForm(forms.Form):
    """'Lost your booking link?': the email the booking was made with."""

    email = forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
