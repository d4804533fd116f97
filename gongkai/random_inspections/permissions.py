"""Who may see and change random inspections in the back office.

- office (公开办) of an agency: runs its list, directories, plans, tasks, draws and results;
- officer (department information officer) of an agency: reads its agency's tasks and
  enters results for the tasks its department takes part in;
- supervisor: reads the agencies of its subtree (read-only);
- a joint task's partner agencies' offices and officers read it and enter results.

Everything published (the list, the plan, a draw's inputs and results) is public, read
through ``selectors``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Agency, Role

READ_ROLES = frozenset({Role.OFFICE, Role.OFFICER, Role.SUPERVISOR})


def agencies_readable_by(user) -> QuerySet[Agency]:
    """The agencies whose lists, directories and tasks (drafts included) the user reads."""
    return core_permissions.agencies_read_under(user, READ_ROLES)


def can_view_agency(user, agency: Agency) -> bool:
    return agencies_readable_by(user).filter(pk=agency.pk).exists()


def can_manage(user, agency: Agency) -> bool:
    """The list, the directories, plans, tasks and draws: the agency's office."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def can_view_area(user) -> bool:
    """The navigation entry: whoever reads some agency's random inspections."""
    return core_permissions.holds_any_role(user, READ_ROLES)


reads_several_agencies = core_permissions.reads_several_agencies


# --- results (一公开) -------------------------------------------------------------------------


def _task_agency_ids(task) -> set[int]:
    """The lead agency and the partner agencies of a (joint) task."""
    return {task.plan.agency_id, *(a.pk for a in task.partner_agencies.all())}


def tasks_readable_by(user):
    """The tasks a user reads in the back office (their draws and results too): those of
    the agencies the user reads, and the joint tasks an agency the user reads takes part
    in as a partner. The one rule the task pages and the results pages ask."""
    from django.db.models import Q

    from gongkai.random_inspections.models import InspectionTask

    readable = agencies_readable_by(user)
    return InspectionTask.objects.filter(Q(plan__agency__in=readable) | Q(partner_agencies__in=readable)).distinct()


def can_view_task(user, task) -> bool:
    return tasks_readable_by(user).filter(pk=task.pk).exists()


def can_enter_results(user, task) -> bool:
    """Enter and correct results (before publication): the lead agency's office; an
    officer of the lead agency whose department takes part (any officer when the task names
    no department); the offices and officers of a joint task's partner agencies."""
    agency_id = task.plan.agency_id
    department_ids = {d.pk for d in task.departments.all()}
    partners = _task_agency_ids(task) - {agency_id}
    for m in core_permissions.memberships_of(user):
        if m.agency_id == agency_id and m.role == Role.OFFICE:
            return True
        if (m.agency_id == agency_id and m.role == Role.OFFICER
                and (not department_ids or m.department_id in department_ids)):
            return True
        if m.agency_id in partners and m.role in (Role.OFFICE, Role.OFFICER):
            return True
    return False


def can_publish_results(user, task) -> bool:
    """Publish results, and run follow-up cases: the lead agency's office."""
    return core_permissions.has_role(user, task.plan.agency, Role.OFFICE)


def can_access_record(user, result) -> bool:
    """The inspection record (检查记录) may name people: the lead agency's office and the
    person who entered the result only."""
    if not getattr(user, "is_authenticated", False):
        return False
    return result.entered_by_id == user.pk or can_publish_results(user, result.target.draw.task)
