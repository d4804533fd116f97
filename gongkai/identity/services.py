"""Staff sign-in through an identity provider (OpenID Connect or CAS): who the provider's
person is in gongkai, and the audit trail of every sign-in and refusal.

Roles and people are managed in gongkai: a provider never creates a user. A person is
found by the provider's subject (``StaffIdentity``) once linked; before that, by the
configured claim, which must equal the configured ``User`` field of exactly one active
user (case-insensitive for e-mail). The link is recorded on that first match, so a later
change of the claim at the provider (a new e-mail address) neither locks the person out
nor lets someone else in with the old value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from gongkai.core import audit, clock, masking, permissions, ratelimit, twofactor
from gongkai.core.models import User
from gongkai.identity.models import StaffIdentity

REFUSED_ACTION = "identity.staff_refused"
#: A refusal by the two-factor rule keeps the name core's two-factor trail uses.
SECOND_FACTOR_REFUSED_ACTION = "twofactor.provider_refused"
LINKED_ACTION = "identity.staff_linked"


class StaffSignInRefused(Exception):
    """The provider's person may not open a back-office session; ``message`` is for
    them (Chinese), ``code`` for the audit trail."""

    def __init__(self, code: str, message: str, *, user: User | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.user = user


@dataclass(frozen=True)
class StaffMatch:
    user: User
    identity: StaffIdentity | None  # None: not linked yet (linked when the sign-in succeeds)


UNKNOWN_MESSAGE = ("统一身份认证已确认您的身份，但本平台没有与之对应的工作人员账户。"
                   "工作人员账户由本机关公开办或平台管理员开设，请与其联系。")
INACTIVE_MESSAGE = "该工作人员账户已停用，请联系平台管理员。"
NO_ROLE_MESSAGE = "该账户目前没有任何有效的后台岗位，请联系本机关公开办或平台管理员。"
AMBIGUOUS_MESSAGE = "统一身份认证提供的信息对应本平台多个账户，无法确定身份，请联系平台管理员。"
CLAIM_MISSING_MESSAGE = "统一身份认证未提供用于识别工作人员的信息，请联系平台管理员。"
OTHER_LINK_MESSAGE = "该工作人员账户已关联另一个统一身份认证账号，请联系平台管理员。"
EMAIL_UNVERIFIED_MESSAGE = ("统一身份认证未确认该电子邮箱属于您，无法据此找到您的工作人员账户。"
                            "请先在统一身份认证平台验证电子邮箱，或联系平台管理员。")


def _verified(value) -> bool:
    """``email_verified`` as providers send it: a boolean, or (some) the string "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _lookup(match_field: str, value: str):
    lookup = f"{match_field}__iexact" if match_field == "email" else match_field
    return User.objects.filter(**{lookup: value})


def staff_match(*, provider: str, subject: str, claims: Mapping, match_claim: str,
                match_field: str, require_verified_email: bool = False) -> StaffMatch:
    """The active staff account the provider's person is, or ``StaffSignInRefused``.

    ``require_verified_email``: a first link on the ``email`` claim needs the provider's
    ``email_verified`` to be true (an address a person could type into their profile at
    the provider must not give them someone else's account)."""
    if not subject:
        raise StaffSignInRefused("claim_missing", CLAIM_MISSING_MESSAGE)
    identity = (StaffIdentity.objects.select_related("user")
                .filter(provider=provider, subject=subject).first())
    if identity is not None:
        user = identity.user
    else:
        value = claims.get(match_claim)
        if not isinstance(value, str) or not value.strip():
            raise StaffSignInRefused("claim_missing", CLAIM_MISSING_MESSAGE)
        if (require_verified_email and match_claim == "email"
                and not _verified(claims.get("email_verified"))):
            raise StaffSignInRefused("email_unverified", EMAIL_UNVERIFIED_MESSAGE)
        candidates = list(_lookup(match_field, value.strip()))
        active = [u for u in candidates if u.is_active]
        if len(active) > 1:
            raise StaffSignInRefused("ambiguous", AMBIGUOUS_MESSAGE)
        if not active:
            if candidates:
                raise StaffSignInRefused("inactive", INACTIVE_MESSAGE, user=candidates[0])
            raise StaffSignInRefused("unknown", UNKNOWN_MESSAGE)
        user = active[0]
        if StaffIdentity.objects.filter(provider=provider, user=user).exists():
            # Linked to another subject of the same provider: someone else now carries
            # this value there (or the provider re-issued subjects). Never guess.
            raise StaffSignInRefused("linked_to_other", OTHER_LINK_MESSAGE, user=user)
    if not user.is_active:
        raise StaffSignInRefused("inactive", INACTIVE_MESSAGE, user=user)
    if not permissions.is_staff_user(user):
        raise StaffSignInRefused("no_role", NO_ROLE_MESSAGE, user=user)
    return StaffMatch(user=user, identity=identity)


def staff_verdict(user: User, claims: Mapping) -> twofactor.ProviderVerdict:
    """The two-factor rule for a provider sign-in (``core.twofactor``); a refusal is
    raised, so that no session is opened for it."""
    verdict = twofactor.provider_sign_in_verdict(user, claims)
    if not verdict.allowed:
        raise StaffSignInRefused("second_factor", verdict.reason, user=user)
    return verdict


def _masked(value) -> str:
    if not isinstance(value, str) or not value:
        return ""
    return masking.mask_email(value) if "@" in value else masking.mask_name(value)


#: Refusals before anyone was identified (a forged or stale callback, a cancelled sign-in,
#: a code the provider would not exchange): anybody can cause them, so only the first per
#: client address and kind in each sign-in failure window is audited, as for core's
#: refusals of a locked account (a flood must not write one entry a request).
UNIDENTIFIED = frozenset({"state", "cancelled", "provider_error"})
UNIDENTIFIED_AUDITED_SCOPE = "identity.staff_refused.audited"


@transaction.atomic
def staff_sign_in_refused(*, provider: str, refusal: StaffSignInRefused, subject: str = "",
                          claims: Mapping | None = None, match_claim: str = "",
                          ip_address: str | None = None, client: str = "") -> None:
    """Audit a refused provider sign-in (the claim's value masked: the audit trail is
    read more widely than the accounts). ``client``: the client's rate-limit key
    (``core.ratelimit.client_key``), for the refusals in ``UNIDENTIFIED``."""
    claims = claims or {}
    after = {"provider": provider, "code": refusal.code, "subject": subject,
             "ip_address": ip_address}
    if refusal.code in UNIDENTIFIED:
        minutes = settings.GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES
        if not ratelimit.first_in_window(UNIDENTIFIED_AUDITED_SCOPE,
                                         f"{client}:{provider}:{refusal.code}",
                                         window_seconds=minutes * 60):
            return
        after["recorded_once_per_minutes"] = minutes
    if match_claim:
        after["claim"] = match_claim
        after["value"] = _masked(claims.get(match_claim))
    if "acr" in claims or "amr" in claims:
        after.update(acr=claims.get("acr"), amr=claims.get("amr"))
    action = SECOND_FACTOR_REFUSED_ACTION if refusal.code == "second_factor" else REFUSED_ACTION
    if refusal.user is not None:
        audit.record(actor=None, action=action, obj=refusal.user,
                     reason=refusal.message, after=after)
    else:
        audit.record(actor=None, action=action, object_type="core.user",
                     object_repr=f"{provider}:{subject}" if subject else provider,
                     reason=refusal.message, after=after)


@transaction.atomic
def staff_identity_signed_in(*, match: StaffMatch, provider: str, subject: str,
                             match_claim: str = "") -> StaffIdentity:
    """Record the successful sign-in on the link, creating the link on the first one
    (audited: from now on the subject, not the claim, names this person)."""
    now = clock.now()
    identity = match.identity
    if identity is None:
        try:
            with transaction.atomic():
                identity = StaffIdentity.objects.create(user=match.user, provider=provider,
                                                        subject=subject, linked_at=now,
                                                        last_signed_in_at=now)
        except IntegrityError:
            # A concurrent first sign-in linked the subject or the account meanwhile (the
            # unique constraints decide): the same link is fine, any other is refused.
            identity = StaffIdentity.objects.filter(provider=provider, subject=subject,
                                                    user=match.user).first()
            if identity is None:
                raise StaffSignInRefused("linked_to_other", OTHER_LINK_MESSAGE,
                                         user=match.user) from None
            identity.last_signed_in_at = now
            identity.save(update_fields=["last_signed_in_at"])
            return identity
        audit.record(actor=match.user, action=LINKED_ACTION, obj=match.user,
                     reason=f"首次通过统一身份认证登录，按{match_claim or '用户标识'}匹配",
                     after={"provider": provider, "subject": subject})
    else:
        identity.last_signed_in_at = now
        identity.save(update_fields=["last_signed_in_at"])
    return identity


UNLINKED_ACTION = "identity.staff_unlinked"


@transaction.atomic
def staff_identity_unlink(*, actor, identity: StaffIdentity, reason: str) -> None:
    """Remove a link (platform administrators): the person's next sign-in through the
    platform is matched on the claim again, e.g. after the platform re-issued subjects
    or a link was made to the wrong account."""
    if not permissions.is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以解除统一身份关联")
    if not (reason or "").strip():
        raise ValidationError("请填写理由")
    audit.record(actor=actor, action=UNLINKED_ACTION, obj=identity.user, reason=reason,
                 before={"provider": identity.provider, "subject": identity.subject})
    identity.delete()
