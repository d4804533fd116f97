"""Who may see and do what, for agencies, people, the calendar and the audit trail.

Each predicate has a queryset twin ("which objects may this user see") so that list and
detail pages cannot disagree. Scope comes from the user's active memberships:

- office, officer, reviewer, leader: their own agency;
- supervisor: read access to their agency and the whole subtree below it;
- platform administrator (``is_superuser``): everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongkai.core.models import Agency, AuditEvent, Membership, Role

WORKING_ROLES = frozenset({Role.OFFICE, Role.OFFICER, Role.REVIEWER, Role.LEADER})


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


def has_role(user, agency: Agency, *roles: Role) -> bool:
    return any(m.agency_id == agency.pk and m.role in roles for m in memberships_of(user))


def _scope_q(user) -> Q | None:
    """A Q over the agencies the user may read, or None for "none at all"."""
    own_ids, subtree_paths = set(), []
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR:
            subtree_paths.append(m.agency.path)
        else:
            own_ids.add(m.agency_id)
    if not own_ids and not subtree_paths:
        return None
    q = Q(pk__in=own_ids)
    for path in subtree_paths:
        q |= Q(path__startswith=path)
    return q


def agencies_visible_to(user) -> QuerySet[Agency]:
    """Agencies whose unpublished data the user may read."""
    if is_platform_admin(user):
        return Agency.objects.all()
    q = _scope_q(user)
    return Agency.objects.filter(q) if q is not None else Agency.objects.none()


def can_view_agency(user, agency: Agency) -> bool:
    if is_platform_admin(user):
        return True
    for m in memberships_of(user):
        if m.agency_id == agency.pk:
            return True
        if m.role == Role.SUPERVISOR and agency.path.startswith(m.agency.path):
            return True
    return False


def can_manage_departments(user, agency: Agency) -> bool:
    return is_platform_admin(user) or has_role(user, agency, Role.OFFICE)


def can_manage_people(user) -> bool:
    return is_platform_admin(user)


def can_edit_calendar(user) -> bool:
    return is_platform_admin(user)


def can_view_audit(user) -> bool:
    return is_platform_admin(user) or any(m.role == Role.OFFICE for m in memberships_of(user))


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """Platform administrators read the whole trail; an agency's office reads its own
    agency's entries."""
    if is_platform_admin(user):
        return AuditEvent.objects.all()
    office_agency_ids = [m.agency_id for m in memberships_of(user) if m.role == Role.OFFICE]
    if not office_agency_ids:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(agency_id__in=office_agency_ids)


def records_scope_q(user) -> Q | None:
    """Which of an area's records (requests, publications) a user may read, as a Q over
    their ``agency`` and ``department``; None means everything (platform administrator).

    Office, leader and reviewer read their agency's records; an officer reads their own
    department's; a supervisor reads every agency below theirs.
    """
    if is_platform_admin(user):
        return None
    q = Q(pk__in=[])
    for m in memberships_of(user):
        if m.role in (Role.OFFICE, Role.LEADER, Role.REVIEWER):
            q |= Q(agency_id=m.agency_id)
        elif m.role == Role.OFFICER:
            q |= Q(agency_id=m.agency_id, department_id=m.department_id)
        elif m.role == Role.SUPERVISOR:
            q |= Q(agency__path__startswith=m.agency.path)
    return q
