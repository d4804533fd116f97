"""Two-factor sign-in: enrolment, code checks, recovery codes, resets, agency policy.

Every change is audited (``twofactor.*``); every wrong code also counts toward the
account's sign-in lock-out (``core.services.signin``), like a wrong password. The rules
(who must, what counts) are in ``gongkai.core.twofactor``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.core import audit, permissions, twofactor
from gongkai.core.models import Agency, Role
from gongkai.core.services import signin

# Outcomes of a code check.
OK = "ok"
WRONG = "wrong"
THROTTLED = "throttled"  # django-otp's back-off after recent wrong codes (wall clock)
LOCKED = "locked"  # the account is locked by the sign-in limits


@dataclass(frozen=True)
class CodeCheck:
    outcome: str
    device: TOTPDevice | StaticDevice | None = None
    method: str = ""  # "totp" or "recovery"
    locked_until: object = None
    recovery_codes_left: int | None = None
    # The code was checked and wrong: a failed sign-in (for the account's lock and the
    # address's throttle). False for a right code and for one never checked (locked
    # account, django-otp's back-off, no device).
    failure: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome == OK


# --- enrolment -------------------------------------------------------------------------

@transaction.atomic
def enrolment_start(*, user) -> TOTPDevice:
    """The authenticator to set up: the user's unconfirmed one (so that reloading the
    page keeps the same QR code), else a new one with a fresh secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=twofactor.TOTP_DEVICE_NAME, confirmed=False)
        audit.record(actor=user, action="twofactor.enrolment_started", obj=user,
                     after={"device_id": device.pk})
    return device


def _begin(user, ip_address) -> signin.Attempt | CodeCheck:
    """Count the code check as a sign-in attempt before the code is checked (the same
    atomic counting as a password: parallel guesses cannot pass the limit), or refuse it
    because the account is locked (audited by ``signin``)."""
    attempt = signin.signin_begin(username=user.username, ip_address=ip_address)
    if isinstance(attempt, signin.Refused):
        return CodeCheck(LOCKED, locked_until=attempt.until)
    return attempt


def _wrong(user, attempt, *, ip_address, stage: str, method: str) -> CodeCheck:
    # Audited here, and counted with the password failures (one lock-out for both).
    with transaction.atomic():
        audit.record(actor=None, action="twofactor.failure", obj=user,
                     after={"ip_address": ip_address, "stage": stage, "method": method})
    until = signin.signin_failed(attempt)
    return CodeCheck(LOCKED if until else WRONG, locked_until=until, failure=True)


def _not_checked(attempt) -> None:
    """The code was not checked (throttled, no device): not a failure."""
    signin.signin_password_accepted(attempt)


def enrolment_confirm(*, user, code: str, ip_address: str | None) -> tuple[CodeCheck, list[str]]:
    """Confirm the unconfirmed authenticator with a code from the app. On success the
    device is confirmed, any other authenticator of the user is removed, and ten new
    recovery codes are issued (returned once, in the clear; stored hashed)."""
    attempt = _begin(user, ip_address)
    if isinstance(attempt, CodeCheck):
        return attempt, []
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update()
                  .filter(user=user, confirmed=False).order_by("-pk").first())
        if device is None:
            _not_checked(attempt)
            return CodeCheck(WRONG), []
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            _not_checked(attempt)
            return CodeCheck(THROTTLED), []
        if twofactor.looks_like_totp(code) and device.verify_token(code.replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            removed = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()[0]
            audit.record(actor=user, action="twofactor.enrolled", obj=user,
                         after={"device_id": device.pk, "replaced_devices": removed,
                                "ip_address": ip_address})
            codes = _issue_recovery_codes(user)
            signin.signin_password_accepted(attempt)
            return CodeCheck(OK, device=device, method="totp"), codes
    return _wrong(user, attempt, ip_address=ip_address, stage="enrolment", method="totp"), []


# --- the second step of a sign-in -------------------------------------------------------

def verify(*, user, code: str, ip_address: str | None) -> CodeCheck:
    """Check a code typed at sign-in: six digits against the authenticator (a code
    already used is refused: django-otp keeps the last time step, and the device row is
    locked so two requests cannot both use it), anything else as a recovery code (used
    up by this check)."""
    attempt = _begin(user, ip_address)
    if isinstance(attempt, CodeCheck):
        return attempt
    if twofactor.looks_like_totp(code):
        method = "totp"
        with transaction.atomic():
            device = (TOTPDevice.objects.select_for_update()
                      .filter(user=user, confirmed=True).order_by("pk").first())
            if device is not None:
                allowed, _ = device.verify_is_allowed()
                if not allowed:
                    _not_checked(attempt)
                    return CodeCheck(THROTTLED)
                if device.verify_token(code.replace(" ", "")):
                    audit.record(actor=user, action="twofactor.success", obj=user,
                                 after={"method": method, "ip_address": ip_address})
                    signin.signin_password_accepted(attempt)
                    return CodeCheck(OK, device=device, method=method)
    else:
        method = "recovery"
        with transaction.atomic():
            device = (StaticDevice.objects.select_for_update()
                      .filter(user=user, name=twofactor.RECOVERY_DEVICE_NAME, confirmed=True).first())
            if device is not None:
                allowed, _ = device.verify_is_allowed()
                if not allowed:
                    _not_checked(attempt)
                    return CodeCheck(THROTTLED)
                token = device.token_set.filter(
                    token__in=twofactor.recovery_code_candidates(user.pk, code)).first()
                if token is not None:
                    token.delete()
                    device.throttle_reset(commit=False)
                    device.set_last_used_timestamp(commit=False)
                    device.save()
                    left = device.token_set.count()
                    audit.record(actor=user, action="twofactor.recovery_code_used", obj=user,
                                 after={"codes_left": left, "ip_address": ip_address})
                    signin.signin_password_accepted(attempt)
                    return CodeCheck(OK, device=device, method=method, recovery_codes_left=left)
                device.throttle_increment()
    return _wrong(user, attempt, ip_address=ip_address, stage="sign_in", method=method)


# --- recovery codes ----------------------------------------------------------------------

def _issue_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=twofactor.RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [twofactor.new_recovery_code() for _ in range(twofactor.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=twofactor.recovery_code_digest(user.pk, c)) for c in codes)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    """Ten new recovery codes for a user who has an authenticator; the old ones stop
    working. Returned once, in the clear."""
    if not twofactor.has_confirmed_device(user):
        raise ValidationError("请先启用两步验证（绑定身份验证器应用）。")
    codes = _issue_recovery_codes(user)
    audit.record(actor=user, action="twofactor.recovery_codes_regenerated", obj=user,
                 after={"count": len(codes)})
    return codes


# --- administration ----------------------------------------------------------------------

@transaction.atomic
def two_factor_reset(*, actor, user, reason: str) -> dict:
    """Remove every device and recovery code of ``user`` (a lost phone, a departure):
    platform administrators only, with a reason. Their open sessions lose their
    verification at once (django-otp finds no device), and if two factors are required
    of them the next back-office page sends them to enrol again."""
    if not permissions.is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以重置两步验证")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写重置理由。")
    totp = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
    static = StaticDevice.objects.filter(user=user).delete()[1].get("otp_static.StaticDevice", 0)
    summary = {"authenticators_removed": totp, "recovery_devices_removed": static}
    audit.record(actor=actor, action="twofactor.reset", obj=user, reason=reason, after=summary)
    return summary


def may_set_agency_policy(actor, agency: Agency) -> bool:
    return permissions.is_platform_admin(actor) or permissions.has_role(actor, agency, Role.OFFICE)


@transaction.atomic
def agency_two_factor_policy_set(*, actor, agency: Agency, required: bool, reason: str) -> None:
    """Require (or stop requiring) two factors of every member of ``agency``: its office
    or a platform administrator, with a reason."""
    if not may_set_agency_policy(actor, agency):
        raise PermissionDenied("只有本机关公开办或平台管理员可以设置两步验证要求")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写理由。")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    before = agency.require_two_factor
    if before == required:
        return
    agency.require_two_factor = required
    agency.save(update_fields=["require_two_factor"])
    audit.record(actor=actor, action="twofactor.agency_policy", obj=agency, agency=agency,
                 reason=reason, before={"require_two_factor": before},
                 after={"require_two_factor": required})


# --- an external identity provider -------------------------------------------------------

def mark_session_verified_by_provider(request, user, claims) -> twofactor.ProviderVerdict:
    """For the identity-provider sign-in (another issue builds it): call right after
    ``auth.login(request, user)`` in the provider's callback. A refused verdict (a role
    that requires two factors, and the provider's ``acr``/``amr`` do not show one) is
    audited and signs the session out again; an allowed one records in the session
    whether the provider's second factor counted, which ``twofactor.session_state``
    reads."""
    from django.contrib import auth

    verdict = twofactor.provider_sign_in_verdict(user, claims)
    after = {"acr": claims.get("acr"), "amr": claims.get("amr"), "second_factor": verdict.second_factor}
    with transaction.atomic():
        audit.record(actor=user if verdict.allowed else None,
                     action="twofactor.provider" if verdict.allowed else "twofactor.provider_refused",
                     obj=user, reason=verdict.reason, after=after)
    if verdict.allowed:
        request.session[twofactor.PROVIDER_SESSION_KEY] = {
            "user_id": user.pk, "second_factor": verdict.second_factor}
    else:
        auth.logout(request)
    return verdict
