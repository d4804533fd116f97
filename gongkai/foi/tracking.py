"""Tracking numbers and the applicant's secret for checking a request's status."""

import hashlib
import hmac
import secrets

from gongkai.core.sequences import next_number

# No 0/O, 1/I/L: the secret is read off paper and typed in by hand.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SECRET_LENGTH = 10


def new_secret() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))


def hash_secret(secret: str) -> str:
    salt = secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{normalise_secret(secret)}".encode()).hexdigest()
    return f"{salt}${digest}"


def check_secret(secret: str, stored: str) -> bool:
    salt, _, digest = stored.partition("$")
    candidate = hashlib.sha256(f"{salt}:{normalise_secret(secret)}".encode()).hexdigest()
    return hmac.compare_digest(candidate, digest)


def normalise_secret(secret: str) -> str:
    return "".join((secret or "").split()).upper()


def new_tracking_number(*, agency, year: int) -> str:
    """`{year}-{agency id}-{sequence}`: unique across the platform, gap-free per agency
    and year, readable over the phone."""
    seq = next_number(f"foi.request.{agency.pk}", year)
    return f"{year}-{agency.pk:04d}-{seq:05d}"
