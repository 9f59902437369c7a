"""Sign-up, login and two-factor forms (shape only; rules live in services)."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from rezerva.accounts import signin
from rezerva.accounts.services import has_two_factor


class SignUpForm(forms.Form):
    """Step one: who you are. The password is chosen behind the emailed link."""

    first_name = forms.CharField(max_length=150, required=False, label="Your name")
    email = forms.EmailField(max_length=254)


class SignUpPasswordForm(forms.Form):
    """Step two, behind the emailed link: the password (checked by the sign-up service)."""

    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=128,
        help_text="At least 12 characters; a few words make a good one.",
    )
    password2 = forms.CharField(
        label="Password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=128,
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class ThrottledLoginMixin:
    """AuthenticationForm.clean behind the login lockouts (accounts.signin).

    While the account or the client address is locked, the password is not checked at all
    (`throttled_for` says for how long); a refused password counts a failure for both; a
    correct one clears the account's failures."""

    throttled_for = 0

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not (email and password):
            return super().clean()
        wait = signin.login_wait_seconds(self.request, email=email)
        if wait:
            self.throttled_for = wait
            raise ValidationError(signin.wait_message(wait), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            if self.user_cache is None or getattr(exc, "code", None) == "invalid_login":
                signin.record_failed_login(self.request, email=email)
            raise
        signin.record_successful_login(email=email)
        return cleaned


class EmailAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    username = forms.EmailField(label="Email", max_length=254)

    def clean_username(self) -> str:
        # Accounts store emails lower-cased (sign_up_owner), so logins match however they are typed.
        return self.cleaned_data["username"].strip().lower()


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The Django admin's login, under the same lockouts. Accounts with two-factor login are
    refused here like a wrong password (so the answer never confirms a password): they log in
    on the site, with their code, and then open the admin."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter the correct %(username)s and password for a staff account. Note that "
            "both fields may be case-sensitive. Accounts with two-factor login log in on the "
            "site first (/accounts/login/), then open the admin."
        ),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if has_two_factor(user):
            raise self.get_invalid_login_error()


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
