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


def can_manage_departments(user, agency: Agency) -> bool:
    return is_platform_admin(user) or has_role(user, agency, Role.OFFICE)


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
