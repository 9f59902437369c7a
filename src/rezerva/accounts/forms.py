"""Sign-up and login forms (shape only; rules live in services)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignUpForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False, label="Your name")
    email = forms.EmailField(max_length=254)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, max_length=128)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label="Email", max_length=254)

    def clean_username(self) -> str:
        # Accounts store emails lower-cased (sign_up_owner), so logins match however they are typed.
        return self.cleaned_data["username"].strip().lower()
