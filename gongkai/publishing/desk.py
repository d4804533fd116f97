"""Items of proactive disclosure on the back office's desk (``core.desk``; registered from
``PublishingConfig.ready``): what waits on each role in the membership's agency.

- reviewer: items waiting for the secrecy review (保密审查);
- leader: items waiting for the leaders' approval;
- office: approved items waiting to be published;
- officer: their department's drafts.

Each queue is a status (and for the officer a department) of the item list
(``staff:publishing-list``), and the link is that filter, so the desk counts what the
list shows.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from gongkai.core.desk import Queue
from gongkai.core.models import Membership, Role
from gongkai.publishing import permissions
from gongkai.publishing.models import PublicationStatus

AREA = "主动公开"

# role → (queue key, label, status waiting on that role)
_WAITING = {
    Role.REVIEWER: ("to_review", "待保密审查", PublicationStatus.IN_REVIEW),
    Role.LEADER: ("to_approve", "待领导审批", PublicationStatus.IN_APPROVAL),
    Role.OFFICE: ("to_publish", "审批通过待发布", PublicationStatus.APPROVED),
    Role.OFFICER: ("department_drafts", "草稿", PublicationStatus.DRAFT),
}


def list_url(**params) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return reverse("staff:publishing-list") + (f"?{query}" if query else "")


def waiting_count(*, user, agency_id: int, status: str, department_id: int | None = None) -> int:
    """Items of the agency visible to the user in ``status`` (of one department, if
    given): one aggregate query, over the same items the list reads."""
    q = Q(status=status) & (Q(department_id=department_id) if department_id else Q())
    return permissions.publications_visible_to(user).filter(agency_id=agency_id).aggregate(
        n=Count("pk", filter=q))["n"]


def queues(membership: Membership) -> list[Queue]:
    """The items waiting on this membership (``core.desk`` provider)."""
    waiting = _WAITING.get(membership.role)
    if waiting is None:
        return []
    key, label, status = waiting
    department = membership.department if membership.role == Role.OFFICER else None
    count = waiting_count(user=membership.user, agency_id=membership.agency_id, status=status,
                          department_id=department.pk if department else None)
    return [Queue(
        key=f"publishing.{key}", area=AREA,
        label=f"{department.name}{label}" if department else label, count=count,
        url=list_url(status=status.value, department=department.pk if department else None,
                     agency=membership.agency_id),
    )]
