"""Writes for accounts: sign-up, the emails that must not reveal an account, two-factor login."""

import datetime as dt
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from rezerva.accounts import totp
from rezerva.accounts.errors import TwoFactorAlreadyOn, TwoFactorCodeWrong, TwoFactorNotOn
from rezerva.accounts.models import TwoFactorDevice
from rezerva.accounts.tokens import make_sign_up_token
from rezerva.core.errors import ValidationFailed

logger = logging.getLogger(__name__)

TWO_FACTOR_ISSUER = "Rezerva"


def sign_up_owner(*, email: str, password: str, first_name: str = "", last_name: str = ""):
    """Create an owner account; the email must be new and the password pass the validators.

    Precondition: the caller has proved the email is the person's own (the emailed sign-up
    link); the sign-up form itself only sends that link (`send_sign_up_email`)."""
    email = email.strip().lower()
    user_model = get_user_model()
    try:
        validate_password(password, user_model(email=email, first_name=first_name))
    except ValidationError as exc:
        raise ValidationFailed({"password1": " ".join(exc.messages)}) from exc
    try:
        with transaction.atomic():
            return user_model.objects.create_user(
                email=email, password=password, first_name=first_name, last_name=last_name
            )
    except IntegrityError as exc:
        raise ValidationFailed({"email": "An account with this email already exists."}) from exc


# --- emails whose answer must not reveal whether an account exists --------------------------
# The pages only queue these (accounts/tasks.py); the look-up happens here, in the worker, so
# neither the page nor its timing differs for a known and an unknown address.


def _send(*, to: str, template: str, context: dict) -> None:
    text = render_to_string(template, context).strip()
    subject, _, body = text.partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [to])


def send_sign_up_email(*, email: str, first_name: str = "") -> str:
    """Email the link that finishes a sign-up, or, if the address already has an account, a
    notice to its owner instead (log in or reset the password). Returns which one was sent."""
    email = email.strip().lower()
    user_model = get_user_model()
    existing = user_model.objects.filter(email__iexact=email).first()
    if existing is not None:
        _send(
            to=existing.email,
            template="accounts/email/sign_up_account_exists.txt",
            context={
                "login_url": settings.SITE_URL + reverse("accounts:login"),
                "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
            },
        )
        return "account_exists"
    token = make_sign_up_token(email=email, first_name=first_name.strip()[:150])
    _send(
        to=email,
        template="accounts/email/sign_up_confirm.txt",
        context={
            "first_name": first_name.strip(),
            "confirm_url": settings.SITE_URL + reverse("accounts:sign_up_confirm", args=[token]),
        },
    )
    return "confirm_link"


def send_password_reset_email(*, email: str) -> int:
    """Email a password-reset link to each active account with this address and a usable
    password (normally one); an unknown address gets nothing. Returns the number sent."""
    user_model = get_user_model()
    users = [
        u
        for u in user_model.objects.filter(email__iexact=email.strip(), is_active=True)
        if u.has_usable_password()
    ]
    site = urlsplit(settings.SITE_URL)
    for user in users:
        context = {
            "email": user.email,
            "domain": site.netloc,
            "site_name": "Rezerva",
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "protocol": site.scheme or "https",
        }
        subject = render_to_string("accounts/password_reset_subject.txt", context)
        body = render_to_string("accounts/password_reset_email.txt", context)
        send_mail("".join(subject.splitlines()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return len(users)


# --- two-factor login (TOTP) --------------------------------------------------------------------


def two_factor_device_of(user) -> TwoFactorDevice | None:
    """The user's device, confirmed or being set up, or None."""
    return TwoFactorDevice.objects.filter(user=user).first()


def has_two_factor(user) -> bool:
    """Whether logging in as this user needs a code after the password."""
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def start_two_factor_setup(*, user) -> TwoFactorDevice:
    """A device with a new secret, not yet on; refused while two-factor login is on.

    Asking again replaces a secret that was never confirmed."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.is_enabled:
            raise TwoFactorAlreadyOn()
        if device is None:
            return TwoFactorDevice.objects.create(user=user, secret=totp.new_secret())
        device.secret = totp.new_secret()
        device.last_used_step = 0
        device.save(update_fields=["secret", "last_used_step"])
        return device


def provisioning_uri(device: TwoFactorDevice) -> str:
    """The otpauth:// URI of a device, labelled with its user's email."""
    return totp.provisioning_uri(device.secret, account=device.user.email, issuer=TWO_FACTOR_ISSUER)


def _use_code(device: TwoFactorDevice, code: str, now: dt.datetime, **changes) -> None:
    """Accept `code` once: its step must be later than the last accepted one (a conditional
    update, so two requests racing with the same code cannot both pass)."""
    step = totp.matching_step(device.secret, code, now.timestamp())
    if step is None or step <= device.last_used_step:
        raise TwoFactorCodeWrong()
    updated = TwoFactorDevice.objects.filter(
        pk=device.pk, secret=device.secret, last_used_step__lt=step
    ).update(last_used_step=step, **changes)
    if updated != 1:
        raise TwoFactorCodeWrong()


def enable_two_factor(*, user, code: str, now: dt.datetime) -> TwoFactorDevice:
    """Turn two-factor login on, once a code from the new secret proves the app has it."""
    device = two_factor_device_of(user)
    if device is None:
        raise TwoFactorNotOn("Start the set-up first.")
    if device.is_enabled:
        raise TwoFactorAlreadyOn()
    _use_code(device, code, now, confirmed_at=now)
    logger.info("two-factor login turned on for user %s", user.pk)
    device.refresh_from_db()
    return device


def disable_two_factor(*, user, code: str, now: dt.datetime) -> None:
    """Turn two-factor login off; needs a current code, so a left-open session is not enough."""
    device = two_factor_device_of(user)
    if device is None or not device.is_enabled:
        raise TwoFactorNotOn()
    _use_code(device, code, now)
    TwoFactorDevice.objects.filter(pk=device.pk).delete()
    logger.info("two-factor login turned off for user %s", user.pk)


def check_two_factor_code(*, user, code: str, now: dt.datetime) -> None:
    """The second login step: accept a current, unused code or raise TwoFactorCodeWrong."""
    device = two_factor_device_of(user)
    if device is None or not device.is_enabled:
        raise TwoFactorCodeWrong()
    _use_code(device, code, now)
