"""People managed by the agencies themselves: invitations by e-mail, disabling someone in
one agency, transfers between departments and agencies.

Who may do what is ``permissions.can_manage_people`` / ``permissions.can_assign_role``:
an agency's office in its agency (and, when the deployment allows it, a supervising
office in the agencies below), the platform administrator everywhere. Granting and
withdrawing one role are ``agencies.membership_grant`` / ``membership_revoke``, under the
same rules.

An invitation is accepted only while its inviter may still grant the role there (and an
officer's department is open); when the inviter loses a role (``membership_revoke``,
``person_disable_in_agency``, ``person_transfer``), their invitations they may no longer
grant are revoked.

The invitation e-mail is sent straight through Django's mail after the commit, not through
the task outbox: the outbox keeps what it sends in the database, and the link's token must
exist nowhere but in the e-mail (the invitation keeps only its hash).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import partial

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from gongkai.core import audit, clock, permissions
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import (
    Agency,
    Department,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    User,
)

# What a person opening a link that no longer works is told.
INVITATION_REFUSALS = {
    InvitationStatus.ACCEPTED: "该邀请已经接受过，请直接登录。",
    InvitationStatus.REVOKED: "该邀请已被撤销。如需加入，请联系邀请您的机关重新邀请。",
    InvitationStatus.EXPIRED: "该邀请已过期（有效期7天）。请联系邀请您的机关重新邀请。",
}
UNKNOWN_INVITATION = "邀请链接无效，请核对邮件中的链接是否完整。"
# The inviter may no longer grant the role there, or the officer's department was closed.
LAPSED_INVITATION = "该邀请已失效。如需加入，请联系邀请您的机关重新邀请。"


class InvitationUnusable(DomainError):
    """The token names no invitation, or one that can no longer be accepted."""

    def __init__(self, message: str, status: InvitationStatus | None = None):
        super().__init__(message)
        self.status = status


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def local_passwords() -> bool:
    """Staff may sign in with a password kept here (else only through 统一身份认证)."""
    return bool(getattr(settings, "GONGKAI_LOCAL_PASSWORDS", True))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写理由"})
    return reason


def _check_department(agency: Agency, role: Role, department: Department | None) -> Department | None:
    if role != Role.OFFICER:
        return None
    if department is None:
        raise ValidationError({"department": "信息员必须绑定一个内设机构"})
    if department.agency_id != agency.pk or not department.is_active:
        raise ValidationError({"department": "请选择本机关启用中的内设机构"})
    return department


def _accepted_users(email: str):
    return User.objects.filter(email__iexact=email)


def _invitation_mail(invitation: Invitation, token: str) -> tuple[str, str]:
    link = settings.GONGKAI_BASE_URL.rstrip("/") + reverse("staff:invitation-accept", args=[token])
    role = invitation.get_role_display()
    where = invitation.agency.name + (f"（{invitation.department.name}）" if invitation.department_id else "")
    expires = clock.localdate_of(invitation.expires_at).isoformat()
    sign_in = ("接受后可用您设置的密码或统一身份认证登录。" if local_passwords()
               else "接受后请通过统一身份认证登录，登录时使用的邮箱须与本邮件的收件邮箱一致。")
    subject = f"【政府信息公开平台】{invitation.agency.name}邀请您担任{role}"
    body = "\n".join([
        f"{invitation.full_name or '您好'}：", "",
        f"{where}邀请您在政府信息公开平台担任“{role}”。",
        "请在下列期限前打开链接接受邀请：", link, f"有效期至：{expires}", "",
        sign_in, "如果您并不认识邀请人，请忽略本邮件。",
    ])
    return subject, body


def _send(subject: str, body: str, to: str) -> None:
    send_mail(subject, body, None, [to])


@transaction.atomic
def invitation_create(
    *, actor, agency: Agency, email: str, role: Role, department: Department | None = None,
    full_name: str = "", reason: str = "",
) -> Invitation:
    """Invite a person by e-mail to take ``role`` in ``agency``; the link, valid for
    seven days, is mailed after the commit. The returned invitation carries the token in
    ``.token`` (the only copy outside the e-mail)."""
    role = Role(role)
    if not permissions.can_assign_role(actor, agency, role):
        raise PermissionDenied("无权邀请人员担任该机关的此岗位")
    email = BaseUserManager.normalize_email((email or "").strip())
    validate_email(email)
    department = _check_department(agency, role, department)
    existing = _accepted_users(email)
    if any(u.pk == actor.pk for u in existing) and not permissions.is_platform_admin(actor):
        raise PermissionDenied("不能邀请自己担任岗位")
    if Membership.objects.filter(user__in=existing, agency=agency, role=role, is_active=True).exists():
        raise DomainError("该邮箱对应的人员已在本机关担任此岗位")
    now = clock.now()
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one invitation at a time per agency
    open_ones = Invitation.objects.filter(
        agency=agency, email__iexact=email, role=role, accepted_at__isnull=True,
        revoked_at__isnull=True, expires_at__gt=now,
    )
    if open_ones.exists():
        raise DomainError("已向该邮箱发出同一岗位的邀请，尚未接受；如需重发，请先撤销原邀请")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        agency=agency, email=email, full_name=(full_name or "").strip(), role=role,
        department=department, token_hash=token_hash(token), invited_by=actor,
        created_at=now, expires_at=now + dt.timedelta(days=Invitation.VALID_DAYS),
    )
    invitation.full_clean(exclude=["token_hash"])
    invitation.save()
    audit.record(
        actor=actor, action="invitation.create", obj=invitation, agency=agency, reason=reason,
        after={"role": role, "department_id": getattr(department, "pk", None),
               "expires_at": invitation.expires_at, "existing_account": bool(existing)},
    )
    subject, body = _invitation_mail(invitation, token)
    transaction.on_commit(partial(_send, subject, body, email), robust=True)
    invitation.token = token
    return invitation


def _still_grantable(invitation: Invitation) -> bool:
    """Whether the inviter may still grant the role in the agency and an officer's
    department is still open (either may have changed since the invitation was sent)."""
    agency, role = invitation.agency, Role(invitation.role)
    if invitation.invited_by is None or not permissions.can_assign_role(invitation.invited_by, agency, role):
        return False
    try:
        _check_department(agency, role, invitation.department)
    except ValidationError:
        return False
    return True


def invitation_for_token(token: str = "", *, digest: str = "") -> Invitation:
    """The pending invitation a link names (by its token, or by the token's ``digest``,
    ``token_hash``), or ``InvitationUnusable`` with what to tell the person (unknown,
    accepted, revoked, expired, or no longer grantable)."""
    invitation = (
        Invitation.objects.select_related("agency", "department", "invited_by")
        .filter(token_hash=digest or token_hash(token or "")).first()
    )
    if invitation is None:
        raise InvitationUnusable(UNKNOWN_INVITATION)
    status = invitation.status_at(clock.now())
    if status != InvitationStatus.PENDING:
        raise InvitationUnusable(INVITATION_REFUSALS[status], status)
    if not _still_grantable(invitation):
        raise InvitationUnusable(LAPSED_INVITATION, InvitationStatus.REVOKED)
    return invitation


def invitation_account(invitation: Invitation) -> User | None:
    """The existing account the invitation's e-mail names (None: accepting creates one).
    Two accounts with one e-mail, or a disabled one, cannot take an invitation."""
    users = list(_accepted_users(invitation.email)[:2])
    if len(users) > 1:
        raise DomainError("该邮箱对应多个账号，无法自动加入，请联系平台管理员")
    if users and not users[0].is_active:
        raise DomainError("该邮箱对应的账号已被停用，请联系平台管理员")
    return users[0] if users else None


def _username_for(email: str) -> str:
    base = email.lower()[:140]
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


@transaction.atomic
def invitation_accept(
    *, token: str = "", digest: str = "", full_name: str = "", password: str | None = None,
) -> Membership:
    """Take up an invitation (the person holding the link, or its ``digest``; nobody is
    signed in), while the inviter may still grant the role and an officer's department is
    open. The e-mail's account gets the role; without an account, one is created with that
    e-mail (and, where staff keep local passwords, the password given, which must pass the
    password rules; elsewhere no password: they sign in through 统一身份认证)."""
    invitation = invitation_for_token(token, digest=digest)
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related(
        "agency", "department", "invited_by").get(pk=invitation.pk)
    if invitation.status_at(clock.now()) != InvitationStatus.PENDING:  # taken meanwhile
        raise InvitationUnusable(INVITATION_REFUSALS[invitation.status_at(clock.now())])
    if not _still_grantable(invitation):
        raise InvitationUnusable(LAPSED_INVITATION, InvitationStatus.REVOKED)
    user = invitation_account(invitation)
    created = user is None
    if created:
        full_name = (full_name or invitation.full_name).strip()
        if not full_name:
            raise ValidationError({"full_name": "请填写姓名"})
        user = User(username=_username_for(invitation.email), email=invitation.email,
                    full_name=full_name)
        user.full_clean(exclude=["password"])
        if local_passwords():
            if not password:
                raise ValidationError({"password": "请设置登录密码"})
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from None
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit.record(actor=user, action="user.create", obj=user, agency=invitation.agency,
                     reason="接受人员邀请",
                     after={"username": user.username, "invitation": invitation.pk,
                            "usable_password": user.has_usable_password()})
    membership, _ = Membership.objects.update_or_create(
        user=user, agency=invitation.agency, role=invitation.role,
        defaults={"department": invitation.department, "is_active": True},
    )
    invitation.accepted_at, invitation.accepted_by = clock.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=user, action="invitation.accept", obj=invitation, agency=invitation.agency,
        after={"user": user.username, "membership": membership.pk, "role": invitation.role,
               "department_id": invitation.department_id, "account_created": created},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation, reason: str = "") -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    invitation = Invitation.objects.select_for_update().select_related("agency").get(pk=invitation.pk)
    if not permissions.can_assign_role(actor, invitation.agency, invitation.role):
        raise PermissionDenied("无权撤销该邀请")
    status = invitation.status_at(clock.now())
    if status != InvitationStatus.PENDING:
        raise InvalidTransition(f"该邀请{status.label}，不能撤销")
    invitation.revoked_at, invitation.revoked_by = clock.now(), actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor=actor, action="invitation.revoke", obj=invitation, agency=invitation.agency,
                 reason=reason, before={"status": status}, after={"status": InvitationStatus.REVOKED})
    return invitation


def invitations_revoke_ungrantable(*, actor, inviter: User, reason: str) -> list[Invitation]:
    """After ``inviter`` lost a role: withdraw their pending invitations whose role they may
    no longer grant in its agency (each audited; the caller's transaction)."""
    now = clock.now()
    inviter = User.objects.get(pk=inviter.pk)  # fresh: no roles cached from before the change
    pending = (Invitation.objects.select_for_update(of=("self",)).select_related("agency")
               .filter(invited_by=inviter, accepted_at__isnull=True, revoked_at__isnull=True,
                       expires_at__gt=now))
    revoked = []
    for invitation in pending:
        if permissions.can_assign_role(inviter, invitation.agency, Role(invitation.role)):
            continue
        invitation.revoked_at, invitation.revoked_by = now, actor
        invitation.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(actor=actor, action="invitation.revoke", obj=invitation, agency=invitation.agency,
                     reason=reason, before={"status": InvitationStatus.PENDING},
                     after={"status": InvitationStatus.REVOKED, "cause": "inviter_lost_role"})
        revoked.append(invitation)
    return revoked


@transaction.atomic
def person_disable_in_agency(*, actor, user: User, agency: Agency, reason: str) -> list[Membership]:
    """Withdraw every role ``user`` holds in ``agency`` (someone who left it). The account
    stays: it may hold roles elsewhere, and only a platform administrator disables an
    account (``agencies.user_update``)."""
    reason = _require_reason(reason)
    held = list(Membership.objects.select_for_update().filter(user=user, agency=agency, is_active=True))
    if not held:
        raise InvalidTransition("该人员在本机关没有有效岗位")
    if not all(permissions.can_assign_role(actor, agency, m.role, person=user) for m in held):
        raise PermissionDenied("无权停用该人员在本机关的岗位")
    for m in held:
        m.is_active = False
        m.save(update_fields=["is_active"])
    audit.record(
        actor=actor, action="person.disable_in_agency", obj=user, agency=agency, reason=reason,
        before={"memberships": [m.pk for m in held]}, after={"is_active": False},
    )
    invitations_revoke_ungrantable(actor=actor, inviter=user, reason=reason)
    return held


@transaction.atomic
def person_transfer(
    *, actor, membership: Membership, reason: str, agency: Agency | None = None,
    department: Department | None = None,
) -> Membership:
    """Move someone's role: an information officer to another department of the agency, or
    the role to another agency the actor also manages (the old role is withdrawn, the new
    one granted; an officer names their new department)."""
    reason = _require_reason(reason)
    membership = Membership.objects.select_for_update().select_related("agency", "user").get(pk=membership.pk)
    if not membership.is_active:
        raise InvalidTransition("该岗位已撤销，不能调动")
    source, target = membership.agency, agency or membership.agency
    person, role = membership.user, Role(membership.role)
    if not (permissions.can_assign_role(actor, source, role, person=person)
            and permissions.can_assign_role(actor, target, role, person=person)):
        raise PermissionDenied("无权调动该人员")
    department = _check_department(target, role, department)
    before = {"agency_id": source.pk, "department_id": membership.department_id}
    after = {"agency_id": target.pk, "department_id": getattr(department, "pk", None)}
    if before == after:
        raise DomainError("调动前后的机关和内设机构相同")
    if target.pk == source.pk:
        membership.department = department
        membership.save(update_fields=["department"])
        moved = membership
    else:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        moved, _ = Membership.objects.update_or_create(
            user=person, agency=target, role=role,
            defaults={"department": department, "is_active": True},
        )
    for where in {source.pk: source, target.pk: target}.values():  # each agency's trail
        audit.record(actor=actor, action="person.transfer", obj=person, agency=where, reason=reason,
                     before=before, after={**after, "membership": moved.pk, "role": role})
    if target.pk != source.pk:
        invitations_revoke_ungrantable(actor=actor, inviter=person, reason=reason)
    return moved


# --- Reads for the people pages: the same None for "does not exist" and "not yours" ---


def agency_managed_get(*, user, pk: int) -> Agency | None:
    return permissions.agencies_managed_by(user).filter(pk=pk).first()


def membership_managed_get(*, user, pk: int) -> Membership | None:
    return (Membership.objects.select_related("agency", "user", "department")
            .filter(pk=pk, agency__in=permissions.agencies_managed_by(user)).first())


def invitation_managed_get(*, user, pk: int) -> Invitation | None:
    return (Invitation.objects.select_related("agency")
            .filter(pk=pk, agency__in=permissions.agencies_managed_by(user)).first())


def department_managed_get(*, user, pk: int) -> Department | None:
    return (Department.objects.select_related("agency")
            .filter(pk=pk, agency__in=permissions.agencies_managed_by(user)).first())


def invitations_of(agency: Agency):
    """An agency's invitations, newest first (pages read their status with ``status_at``)."""
    return (Invitation.objects.filter(agency=agency)
            .select_related("department", "invited_by", "accepted_by").order_by("-created_at", "-id"))
