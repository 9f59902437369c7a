"""Writes for accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rezerva.core.errors import ValidationFailed


def sign_up_owner(*, email: str, password: str, first_name: str = "", last_name: str = ""):
    """Create an owner account; the email must be new and the password pass the validators."""
    email = email.strip().lower()
    user_model = get_user_model()
    try:
        validate_password(password, user_model(email=email))
    except ValidationError as exc:
        raise ValidationFailed({"password1": " ".join(exc.messages)}) from exc
    try:
        with transaction.atomic():
            return user_model.objects.create_user(
                email=email, password=password, first_name=first_name, last_name=last_name
            )
    except IntegrityError as exc:
        raise ValidationFailed({"email": "An account with this email already exists."}) from exc
