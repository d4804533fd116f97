"""Requests on the back office's desk (``core.desk``; registered from ``FoiConfig.ready``).

What waits on each role, in the membership's agency (a supervisor's: its subtree):

- office: unconfirmed submissions, overdue and due-soon requests, drafts to check, its
  own drafts returned for changes;
- leader: drafts to sign off, extension requests to decide;
- officer: open requests assigned to their department, their drafts returned;
- supervisor: overdue requests across the subtree, per agency, worst first.

Every count is a filter of the request list (``staff:foi-list``), and the link is that
filter: the queues of ``selectors.REQUEST_QUEUES`` (``?queue=``), a status, or ``?due=``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from gongkai.core.desk import Queue, QueueLine, Urgency
from gongkai.core.models import Membership, Role
from gongkai.foi import deadlines, selectors
from gongkai.foi.models import SignoffStep
from gongkai.foi.models.signoff import signoff_steps_for
from gongkai.foi.workflow import RequestStatus

AREA = "依申请公开"
# A supervising office's desk names the agencies with the most overdue requests, this many.
SUBTREE_TOP = 5


def list_url(**params) -> str:
    """The request list filtered by ``params`` (in a fixed order, for stable links)."""
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return reverse("staff:foi-list") + (f"?{query}" if query else "")


def _queue(key: str, label: str, count: int, url: str, **extra) -> Queue:
    return Queue(key=f"foi.{key}", area=AREA, label=label, count=count, url=url, **extra)


def _due_queues(membership: Membership) -> list[Queue]:
    agency = membership.agency
    lines = selectors.request_deadline_counts(user=membership.user, agency_id=agency.pk)
    overdue = sum(line.overdue for line in lines)
    due_soon = sum(line.due_soon for line in lines)
    # An office reads its own agency only; a government's office must not take its 0 for
    # the agencies below it (they are the supervisor membership's, issue 17).
    below = agency.children.filter(is_active=True).exists()
    return [
        _queue("overdue", "已逾期", overdue, list_url(due="overdue", agency=agency.pk),
               urgency=Urgency.OVERDUE,
               hint="仅计本机关；下级机关的逾期申请请以主管部门监督员岗位查看「政务公开监督」" if below else ""),
        _queue("due_soon", f"{deadlines.DUE_SOON_DAYS}个工作日内到期", due_soon,
               list_url(due="due_soon", agency=agency.pk), urgency=Urgency.SOON),
    ]


def _office(membership: Membership, steps: list[SignoffStep]) -> list[Queue]:
    agency = membership.agency
    counts = selectors.request_queue_counts(
        user=membership.user, agency_id=agency.pk, queues=("unconfirmed", "to_check", "returned"))
    queues = [
        _queue("unconfirmed", "待确认收到", counts["unconfirmed"],
               list_url(status=RequestStatus.AWAITING_CONFIRMATION.value, agency=agency.pk),
               hint="网上提交的申请，确认收到后开始计算答复期限"),
        *_due_queues(membership),
    ]
    if SignoffStep.CHECK in steps or counts["to_check"]:
        queues.append(_queue("to_check", "待核稿", counts["to_check"],
                             list_url(queue="to_check", agency=agency.pk)))
    if steps or counts["returned"]:
        queues.append(_queue("returned", "拟稿退回修改", counts["returned"],
                             list_url(queue="returned", agency=agency.pk)))
    return queues


def _leader(membership: Membership, steps: list[SignoffStep]) -> list[Queue]:
    agency = membership.agency
    counts = selectors.request_queue_counts(
        user=membership.user, agency_id=agency.pk, queues=("to_sign", "extension"))
    queues = []
    if SignoffStep.SIGN_OFF in steps or counts["to_sign"]:
        queues.append(_queue("to_sign", "待签发文书", counts["to_sign"],
                             list_url(queue="to_sign", agency=agency.pk)))
    queues.append(_queue("extension", "待审批延期申请", counts["extension"],
                         list_url(queue="extension", agency=agency.pk)))
    return queues


def _officer(membership: Membership, steps: list[SignoffStep]) -> list[Queue]:
    agency, department = membership.agency, membership.department
    counts = selectors.request_queue_counts(
        user=membership.user, agency_id=agency.pk, department_id=department.pk, queues=("open",))
    queues = [_queue("department_open", f"{department.name}办理中的申请", counts["open"],
                     list_url(queue="open", department=department.pk, agency=agency.pk))]
    returned = selectors.request_queue_counts(
        user=membership.user, agency_id=agency.pk, queues=("returned",))["returned"]
    if SignoffStep.DRAFT in steps or returned:
        queues.append(_queue("returned", "拟稿退回修改", returned,
                             list_url(queue="returned", agency=agency.pk)))
    return queues


def _supervisor(membership: Membership) -> list[Queue]:
    agency = membership.agency
    lines = [line for line in selectors.request_deadline_counts(user=membership.user, under=agency)
             if line.overdue]
    total = sum(line.overdue for line in lines)
    more = len(lines) - SUBTREE_TOP
    return [_queue(
        "subtree_overdue", "本机关及下级机关已逾期申请", total,
        list_url(due="overdue", under=agency.pk), urgency=Urgency.OVERDUE,
        hint=f"另有{more}个机关有逾期申请，见全部列表" if more > 0 else "",
        lines=tuple(QueueLine(line.agency.name, line.overdue, list_url(due="overdue", agency=line.agency.pk))
                    for line in lines[:SUBTREE_TOP]),
        lines_caption="逾期最多的机关",
    )]


def queues(membership: Membership) -> list[Queue]:
    """The requests waiting on this membership (``core.desk`` provider)."""
    role = membership.role
    if role == Role.SUPERVISOR:
        return _supervisor(membership)
    if role not in (Role.OFFICE, Role.LEADER, Role.OFFICER):
        return []  # reviewers have no step in a request
    steps = signoff_steps_for(membership.agency)
    if role == Role.OFFICE:
        return _office(membership, steps)
    if role == Role.LEADER:
        return _leader(membership, steps)
    return _officer(membership, steps)
