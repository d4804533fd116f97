"""Who may see and do what, for agencies, people, the calendar and the audit trail.

Which objects a user may read is defined once, as a Q built from the user's active
memberships (``agency_scope_q``, ``records_scope_q``); the object checks ("may this user see
this one") ask the queryset built from it, so list and detail pages cannot disagree:

- office, officer, reviewer, leader: their own agency;
- supervisor: read access to their agency and the whole subtree below it;
- platform administrator (``is_superuser``): everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q, QuerySet

from gongkai.core.models import Agency, AuditEvent, Membership, Role


def memberships_of(user) -> list[Membership]:
    """Active memberships of a signed-in user (cached on the user object per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_gongkai_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
            .select_related("agency", "department")
            .order_by("agency__path", "role")
        )
        user._gongkai_memberships = cached
    return cached


def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def is_staff_user(user) -> bool:
    """May enter the back office at all."""
    return is_platform_admin(user) or bool(memberships_of(user))


def agency_ids_with_role(user, *roles: Role) -> set[int]:
    """The agencies in which the user holds one of ``roles``: the one source of both
    ``has_role`` and the "agencies this user may …" querysets of the apps."""
    return {m.agency_id for m in memberships_of(user) if m.role in roles}


def has_role(user, agency: Agency, *roles: Role) -> bool:
    return agency.pk in agency_ids_with_role(user, *roles)


def _opened_by(m: Membership, *, agency_field: str, by_department: bool) -> Q:
    """What one membership lets its holder read, as a Q over the agency at
    ``agency_field`` ("" for the Agency table itself): a supervisor the subtree, every other
    role its own agency — an officer, where records have departments, only their own."""
    prefix = f"{agency_field}__" if agency_field else ""
    if m.role == Role.SUPERVISOR:
        return Q(**{f"{prefix}path__startswith": m.agency.path})
    q = Q(**{f"{prefix}pk": m.agency_id})
    if by_department and m.role == Role.OFFICER:
        q &= Q(department_id=m.department_id)
    return q


def _scope_q(user, *, agency_field: str, by_department: bool,
             roles: Iterable[Role] | None = None) -> Q | None:
    if is_platform_admin(user):
        return None
    q = Q(pk__in=[])  # no membership: nothing
    for m in memberships_of(user):
        if roles is None or m.role in roles:
            q |= _opened_by(m, agency_field=agency_field, by_department=by_department)
    return q


def agency_scope_q(user, *, field: str = "agency", roles: Iterable[Role] | None = None) -> Q | None:
    """Which agencies' unpublished data the user may read, as a Q over ``field`` (a foreign
    key to Agency; "" for Agency itself); None means everything (platform administrator).
    ``roles`` narrows it to what the user reads under those roles only."""
    return _scope_q(user, agency_field=field, by_department=False, roles=roles)


def records_scope_q(user) -> Q | None:
    """Which of an area's records (requests, publications) a user may read, as a Q over
    their ``agency`` and ``department``; None means everything (platform administrator).

    Office, leader and reviewer read their agency's records; an officer reads their own
    department's; a supervisor reads every agency below theirs.
    """
    return _scope_q(user, agency_field="agency", by_department=True)


def agencies_read_under(user, roles: Iterable[Role]) -> QuerySet[Agency]:
    """The agencies whose records of an area the user reads under ``roles`` (a
    supervisor's: the subtree), in tree order: the one definition an area's
    ``agencies_readable_by`` and its object checks ask."""
    q = agency_scope_q(user, field="", roles=roles)
    return (Agency.objects.all() if q is None else Agency.objects.filter(q)).order_by("path")


def holds_any_role(user, roles: Iterable[Role]) -> bool:
    """Holds one of ``roles`` somewhere, or runs the platform: whether an area's menu entry
    shows."""
    roles = frozenset(roles)
    return is_platform_admin(user) or any(m.role in roles for m in memberships_of(user))


def reads_several_agencies(user) -> bool:
    """A supervisor or the platform administrator: pages offer the choice of agency."""
    return holds_any_role(user, (Role.SUPERVISOR,))


def agencies_visible_to(user) -> QuerySet[Agency]:
    """Agencies whose unpublished data the user may read."""
    q = agency_scope_q(user, field="")
    return Agency.objects.all() if q is None else Agency.objects.filter(q)


def can_view_agency(user, agency: Agency) -> bool:
    return agencies_visible_to(user).filter(pk=agency.pk).exists()


# --- People and departments ------------------------------------------------------------
#
# Who manages an agency's people (invites, grants and revokes roles, disables, transfers)
# and its departments:
#
# - the platform administrator, everywhere;
# - the agency's own office (公开办), in its agency;
# - a supervising office — OFFICE in an agency above — in every agency below it, when the
#   deployment turns ``GONGKAI_SUPERVISORS_MANAGE_PEOPLE`` on (off by default: each agency
#   manages its own).
#
# Nobody grants rights above their own. Every role reaches its own agency, except the
# supervisor, who reads the agency's whole subtree and oversees the agency's own office: so
# SUPERVISOR is granted only from above — by the platform administrator or, with the setting
# on, a supervising office — never by the office it oversees. Making someone a platform
# administrator stays with the platform administrators (``user_update``). And nobody but a
# platform administrator changes their own roles: an office does not make itself its own
# reviewer or leader.


def _supervisors_manage_people() -> bool:
    return bool(getattr(settings, "GONGKAI_SUPERVISORS_MANAGE_PEOPLE", False))


def agencies_managed_by(user) -> QuerySet[Agency]:
    """The agencies whose people and departments the user manages."""
    if is_platform_admin(user):
        return Agency.objects.all()
    offices = [m.agency for m in memberships_of(user) if m.role == Role.OFFICE]
    q = Q(pk__in=[])
    for agency in offices:
        q |= Q(path__startswith=agency.path) if _supervisors_manage_people() else Q(pk=agency.pk)
    return Agency.objects.filter(q)


def manages_people_somewhere(user) -> bool:
    """Whether the 人员管理 menu entry shows: an office somewhere, or the platform."""
    return holds_any_role(user, (Role.OFFICE,))


def can_manage_people(user, agency: Agency) -> bool:
    """Invite, grant and revoke roles, disable and transfer people in ``agency``."""
    if is_platform_admin(user):
        return True
    for m in memberships_of(user):
        if m.role != Role.OFFICE:
            continue
        if m.agency_id == agency.pk or (
            _supervisors_manage_people() and agency.path.startswith(m.agency.path)
        ):
            return True
    return False


def _manages_from_above(user, agency: Agency) -> bool:
    """Manages ``agency``'s people from above it (or runs the platform)."""
    if is_platform_admin(user):
        return True
    return _supervisors_manage_people() and any(
        m.role == Role.OFFICE and agency.path.startswith(m.agency.path) and m.agency_id != agency.pk
        for m in memberships_of(user)
    )


def roles_assignable(user, agency: Agency) -> list[Role]:
    """The roles ``user`` may grant (and revoke) in ``agency``, in the order of ``Role``."""
    if not can_manage_people(user, agency):
        return []
    above = _manages_from_above(user, agency)
    return [role for role in Role if role != Role.SUPERVISOR or above]


def can_assign_role(user, agency: Agency, role: Role, *, person=None) -> bool:
    """May ``user`` grant or withdraw ``role`` in ``agency`` — of ``person``, when given
    (nobody but a platform administrator changes their own roles)."""
    if person is not None and getattr(person, "pk", None) == getattr(user, "pk", object()) and (
        not is_platform_admin(user)
    ):
        return False
    return role in roles_assignable(user, agency)


def can_manage_departments(user, agency: Agency) -> bool:
    """Departments follow people: whoever manages an agency's people manages them."""
    return can_manage_people(user, agency)


def can_edit_calendar(user) -> bool:
    return is_platform_admin(user)


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """Platform administrators read the whole trail; an agency's office reads its own
    agency's entries."""
    if is_platform_admin(user):
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(agency_id__in=agency_ids_with_role(user, Role.OFFICE))


def can_view_audit(user) -> bool:
    """May open the audit trail at all: whoever ``audit_events_visible_to`` opens a part of
    it to."""
    return is_platform_admin(user) or bool(agency_ids_with_role(user, Role.OFFICE))
