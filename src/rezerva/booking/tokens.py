"""Unguessable signed manage links: a token names a booking or purchase by its random id."""

import uuid
from dataclasses import dataclass

from django.core import signing

_SIGNER = signing.Signer(salt="rezerva.booking.manage")
BOOKING = "b"
PURCHASE = "p"


@dataclass(frozen=True)
class ManageRef:
    kind: str  # BOOKING or PURCHASE
    public_id: uuid.UUID


def make_manage_token(*, kind: str, public_id: uuid.UUID) -> str:
    """A token for the guest's manage link (signed with SECRET_KEY; cannot be forged or altered)."""
    return _SIGNER.sign(f"{kind}{public_id.hex}")


def read_manage_token(token: str) -> ManageRef | None:
    """The reference inside a token, or None for anything forged, altered or malformed."""
    try:
        value = _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    kind, hex_id = value[:1], value[1:]
    if kind not in (BOOKING, PURCHASE):
        return None
    try:
        return ManageRef(kind, uuid.UUID(hex=hex_id))
    except ValueError:
        return None
