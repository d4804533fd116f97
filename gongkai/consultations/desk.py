"""Consultations on the back office's desk (``core.desk``; registered from
``ConsultationsConfig.ready``).

- office: consultations with comments awaiting screening, closed ones awaiting opinions
  and feedback, and those whose feedback is overdue;
- leader: drafts awaiting approval.

Each count is a filter of the consultation list (``?queue=``, ``selectors.QUEUES``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from gongkai.consultations import selectors
from gongkai.core.desk import Queue, Urgency
from gongkai.core.models import Membership, Role

AREA = "意见征集"


def _queue(membership: Membership, key: str, count: int, **extra) -> Queue:
    url = reverse("staff:consultation-list") + "?" + urlencode(
        {"agency": membership.agency_id, "queue": key})
    return Queue(key=f"consultations.{key}", area=AREA, label=selectors.QUEUES[key], count=count,
                 url=url, **extra)


def queues(membership: Membership) -> list[Queue]:
    if membership.role not in (Role.OFFICE, Role.LEADER):
        return []
    counts = selectors.queue_counts(user=membership.user, agency=membership.agency)
    if membership.role == Role.LEADER:
        return [_queue(membership, "awaiting_approval", counts["awaiting_approval"], urgency=Urgency.SOON)]
    return [
        _queue(membership, "pending_comments", counts["pending_comments"],
               hint="公众意见经审核后才公开显示"),
        _queue(membership, "awaiting_feedback", counts["awaiting_feedback"],
               hint="归纳意见、说明采纳情况并公布"),
        _queue(membership, "feedback_overdue", counts["feedback_overdue"], urgency=Urgency.OVERDUE),
    ]
