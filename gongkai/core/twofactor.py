"""Two-factor sign-in: who must have a second factor, what counts as one, and where a
session stands. Plain functions, no HTTP; the writes are in ``core.services.twofactor``.

等保 level 3 (GB/T 22239-2019 8.1.4.1 d) asks that administrators and those who handle
important data be identified by two or more factors. gongkai reads that as:

- **required** for platform administrators and for anyone holding, in an active agency,
  one of ``REQUIRED_ROLES`` (secrecy reviewers, signing leaders, supervising offices) when
  they sign in with a local password;
- **required by policy** for every other member of an agency whose
  ``Agency.require_two_factor`` is set;
- **optional** for everyone else: once they enrol, their device is asked for on every
  sign-in all the same.

The second factor is a TOTP authenticator app (RFC 6238, django-otp's ``otp_totp``), with
ten one-time recovery codes (``otp_static``) for a lost phone. A sign-in through an
external identity provider counts as two-factor when the provider says so in its
``acr``/``amr`` claims (``provider_second_factor_counts``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.core import permissions
from gongkai.core.models import Role

#: Roles whose holders always need a second factor (with a local password).
REQUIRED_ROLES = frozenset({Role.REVIEWER, Role.LEADER, Role.SUPERVISOR})

#: Recovery codes issued at enrolment and on each regeneration.
RECOVERY_CODE_COUNT = 10
#: Letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10  # shown as two groups of five: "k7m2p-x9qd4" (about 49 bits)

#: The names the devices carry (shown on the user's two-factor page).
TOTP_DEVICE_NAME = "身份验证器应用"
RECOVERY_DEVICE_NAME = "恢复码"

#: Session key of the provider's verdict for a sign-in through an external identity
#: provider (set by ``core.services.twofactor.mark_session_verified_by_provider``).
PROVIDER_SESSION_KEY = "gongkai_2fa_provider"


# --- who must ------------------------------------------------------------------------

def required_because(user) -> str | None:
    """Why ``user`` must sign in with a second factor, in Chinese, or None when it is
    optional for them. Only active memberships of active agencies count (a revoked role
    no longer obliges, and no longer opens anything either)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if permissions.is_platform_admin(user):
        return "平台管理员须启用两步验证"
    memberships = permissions.memberships_of(user)
    for m in memberships:
        if m.role in REQUIRED_ROLES:
            return f"{m.get_role_display()}须启用两步验证"
    for m in memberships:
        if m.agency.require_two_factor:
            return f"{m.agency.display_short_name}要求全体工作人员启用两步验证"
    return None


def two_factor_required(user) -> bool:
    """Must ``user`` have a second factor to use the back office (local password)?"""
    return required_because(user) is not None


def has_confirmed_device(user) -> bool:
    """Has ``user`` a confirmed authenticator app?"""
    if not getattr(user, "pk", None):
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_step_needed(user) -> bool:
    """After the password, is a second step due: a code (a confirmed device, required
    or chosen) or an enrolment (required and no device yet)?"""
    return two_factor_required(user) or has_confirmed_device(user)


# --- where a session stands ----------------------------------------------------------

VERIFIED = "verified"  # a device (or the identity provider) verified this session
NOT_NEEDED = "not_needed"  # optional for the user and they have no device
NEEDS_CODE = "needs_code"  # has a device: ask for its code
NEEDS_ENROLMENT = "needs_enrolment"  # required and no device: enrol first


def session_state(user, session: Mapping) -> str:
    """Where a signed-in session stands for the back office (``user`` as prepared by
    django-otp's middleware, which sets ``otp_device`` only for a confirmed device of
    this user)."""
    if getattr(user, "otp_device", None) is not None:
        return VERIFIED
    verdict = session.get(PROVIDER_SESSION_KEY)
    if verdict and verdict.get("user_id") == user.pk and verdict.get("second_factor"):
        return VERIFIED
    if has_confirmed_device(user):
        return NEEDS_CODE
    if two_factor_required(user):
        return NEEDS_ENROLMENT
    return NOT_NEEDED


# --- recovery codes --------------------------------------------------------------------

def new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_recovery_code(text: str) -> str:
    """What the user typed, as stored before hashing: lower case, no spaces or dashes."""
    return "".join(ch for ch in (text or "").strip().lower() if ch not in " -\u3000")


def looks_like_totp(text: str) -> bool:
    cleaned = (text or "").replace(" ", "")
    return len(cleaned) == 6 and cleaned.isascii() and cleaned.isdigit()


def _digest(user_id: int, code: str, secret: str) -> str:
    # otp_static keeps each token in a 16-character column, so the stored value is a
    # keyed hash cut to 80 bits (16 base32 characters): useless without SECRET_KEY, and
    # bound to the user, so equal codes of two users do not look alike.
    key = hashlib.sha256(f"gongkai.twofactor.recovery:{secret}".encode()).digest()
    mac = hmac.new(key, f"{user_id}:{normalise_recovery_code(code)}".encode(), hashlib.sha256)
    return base64.b32encode(mac.digest()).decode()[:16].lower()


def recovery_code_digest(user_id: int, code: str) -> str:
    """The value stored for a recovery code (with the current SECRET_KEY)."""
    return _digest(user_id, code, settings.SECRET_KEY)


def recovery_code_candidates(user_id: int, code: str) -> list[str]:
    """Stored values the code may have: under SECRET_KEY and each SECRET_KEY_FALLBACKS,
    so rotating the key keeps the codes working while the old key is a fallback."""
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_digest(user_id, code, s) for s in secrets_]


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()


def recovery_codes_left(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


# --- an external identity provider -----------------------------------------------------

@dataclass(frozen=True)
class ProviderVerdict:
    """What gongkai makes of an identity provider's sign-in of ``user``."""

    allowed: bool  # may this sign-in open a session at all
    second_factor: bool  # did the provider's authentication count as two-factor
    reason: str  # in Chinese, for the refusal page and the audit trail


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()  # some providers send a space-separated string
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def provider_second_factor_counts(claims: Mapping, *, required_acr: Iterable[str] | None = None,
                                  required_amr: Iterable[str] | None = None) -> bool:
    """Does an OpenID Connect ID token's authentication count as a second factor?

    ``acr`` must be one of GONGKAI_SSO_REQUIRED_ACR (when that list is not empty) and
    ``amr`` (RFC 8176 values such as ``otp``, ``mfa``, ``hwk``) must hold at least one of
    GONGKAI_SSO_REQUIRED_AMR (when that list is not empty). With both lists empty nothing
    counts: gongkai never assumes a provider did more than it says."""
    acr_ok = list(settings.GONGKAI_SSO_REQUIRED_ACR if required_acr is None else required_acr)
    amr_ok = list(settings.GONGKAI_SSO_REQUIRED_AMR if required_amr is None else required_amr)
    if not acr_ok and not amr_ok:
        return False
    if acr_ok:
        acr = claims.get("acr")
        if not isinstance(acr, str) or acr not in acr_ok:
            return False
    # One of the configured amr values present (or no amr required).
    return not amr_ok or bool(set(_as_list(claims.get("amr"))) & set(amr_ok))


def provider_sign_in_verdict(user, claims: Mapping, **lists) -> ProviderVerdict:
    """Whether a sign-in of ``user`` through the identity provider, with these ID-token
    claims, may open a back-office session: for the roles that require two factors only
    if the provider's second factor counts; for everyone else always (whether it counted
    is kept, so that an agency's policy can be met by the provider too)."""
    counts = provider_second_factor_counts(claims, **lists)
    why = required_because(user)
    if why and not counts:
        return ProviderVerdict(
            allowed=False, second_factor=False,
            reason=f"{why}：统一身份认证未提供符合要求的多因素认证（acr/amr），请使用多因素方式登录。",
        )
    return ProviderVerdict(
        allowed=True, second_factor=counts,
        reason="统一身份认证已完成多因素认证" if counts else "统一身份认证（单因素）",
    )
