"""Who sees and changes the work plans.

- office (公开办): manages its agency's plan (plan, tasks, departments, evidence, notes,
  states), issues 督办 on its overdue tasks, replies to a 督办 on them;
- officer: reads its agency's plans; reports progress, evidence and completion of its own
  department's tasks, and replies to a 督办 on them;
- leader: reads its agency's plans;
- supervisor (a supervising office): reads the plans of its agency and the subtree below;
  sets tasks for the agencies below it, follows their progress and issues 督办 on the
  overdue tasks it set;
- platform administrator: reads everything, changes nothing;
- anyone else (a reviewer, another agency): the same 404 as a missing plan.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role

READ_ROLES = frozenset({Role.OFFICE, Role.OFFICER, Role.LEADER, Role.SUPERVISOR})
# Who speaks for a supervising agency towards the agencies below it.
SETTING_ROLES = (Role.SUPERVISOR, Role.OFFICE)


def agencies_readable_by(user) -> QuerySet[Agency]:
    """The agencies whose plans the user reads."""
    return core_permissions.agencies_read_under(user, READ_ROLES)


def plans_scope_q(user) -> Q | None:
    """Over WorkPlan (and via ``plan__`` over Task): None means everything."""
    return core_permissions.agency_scope_q(user, field="agency", roles=READ_ROLES)


def can_read_agency(user, agency: Agency) -> bool:
    return agencies_readable_by(user).filter(pk=agency.pk).exists()


def can_manage(user, agency: Agency) -> bool:
    """Create the plan, add and change its tasks: the agency's office."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def can_edit_task(user, task) -> bool:
    """Change a task: its agency's office; a task set for the agencies below, also whoever
    may set tasks from that agency (the supervisor who set it corrects it; the copies
    follow)."""
    if can_manage(user, task.plan.agency):
        return True
    return task.is_assignment and can_set_for(user, task.plan.agency)


def can_report_progress(user, task) -> bool:
    """Notes, evidence, state: the office, or an officer of the responsible department."""
    agency = task.plan.agency
    if can_manage(user, agency):
        return True
    return task.department_id is not None and any(
        m.role == Role.OFFICER and m.agency_id == agency.pk and m.department_id == task.department_id
        for m in core_permissions.memberships_of(user))


def setting_agencies(user) -> list[Agency]:
    """The agencies from which the user sets tasks for the agencies below them."""
    return [m.agency for m in core_permissions.memberships_of(user) if m.role in SETTING_ROLES
            and Agency.objects.filter(path__startswith=m.agency.path).exclude(pk=m.agency_id).exists()]


def can_set_for(user, agency: Agency) -> bool:
    """Set tasks from ``agency`` for the agencies below it."""
    return core_permissions.has_role(user, agency, *SETTING_ROLES)


def subordinates_of(agency: Agency) -> QuerySet[Agency]:
    return (Agency.objects.filter(path__startswith=agency.path, is_active=True)
            .exclude(pk=agency.pk).order_by("path"))


def can_supervise(user, task) -> bool:
    """Issue 督办 on the task: its agency's office, or — for a task set from above — the
    office or supervisor of the agency that set it."""
    if can_manage(user, task.plan.agency):
        return True
    return task.parent_id is not None and can_set_for(user, task.parent.plan.agency)


def can_reply(user, task) -> bool:
    """Reply to a 督办: the responsible side (its office, or the responsible department's
    officer)."""
    return can_report_progress(user, task)


def can_view_area(user) -> bool:
    return core_permissions.holds_any_role(user, READ_ROLES)


reads_several_agencies = core_permissions.reads_several_agencies
