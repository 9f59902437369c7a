"""Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226), with the standard library.

The parameters every authenticator app assumes: HMAC-SHA1, 30-second steps from the Unix epoch,
6 digits, a 160-bit secret shown in base32 (RFC 4648, without padding).
"""

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
# Codes of the step before and after the current one are accepted too (clock drift, typing time).
TOLERANCE_STEPS = 1


def new_secret() -> str:
    """A fresh random secret in base32 (32 characters, no padding)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def step_at(unix_time: float) -> int:
    """The time step a moment falls in."""
    return int(unix_time // STEP_SECONDS)


def hotp(secret: str, counter: int, *, digits: int = DIGITS) -> str:
    """RFC 4226 HOTP value for `counter`, zero-padded to `digits`."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_at(secret: str, unix_time: float) -> str:
    """The code an authenticator app shows at `unix_time`."""
    return hotp(secret, step_at(unix_time))


def matching_step(secret: str, code: str, unix_time: float) -> int | None:
    """The time step (within the tolerance of `unix_time`) whose code is `code`, else None.

    Compared in constant time; the caller refuses a step it has already accepted (no reuse)."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now_step = step_at(unix_time)
    found = None
    for step in range(now_step - TOLERANCE_STEPS, now_step + TOLERANCE_STEPS + 1):
        if hmac.compare_digest(hotp(secret, step), code) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps read (as a QR code or pasted)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"
