"""The signed link of a sign-up: it proves the person reading that inbox asked for the account."""

from dataclasses import dataclass

from django.core import signing

SIGN_UP_SALT = "rezerva.accounts.sign-up"
SIGN_UP_LINK_MAX_AGE_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True)
class SignUpRequest:
    """What the sign-up form asked for, read back from its emailed link."""

    email: str
    first_name: str


def make_sign_up_token(*, email: str, first_name: str) -> str:
    """A timestamped, signed token carrying the email and name (no password, no secret)."""
    return signing.dumps({"email": email, "first_name": first_name}, salt=SIGN_UP_SALT)


def read_sign_up_token(token: str) -> SignUpRequest | None:
    """The sign-up request behind a link, or None if forged, mangled or older than two days."""
    try:
        data = signing.loads(token, salt=SIGN_UP_SALT, max_age=SIGN_UP_LINK_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("email"), str):
        return None
    return SignUpRequest(email=data["email"], first_name=str(data.get("first_name", "")))
