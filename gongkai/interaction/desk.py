"""Messages on the back office's desk (``core.desk``; registered from ``InteractionConfig.ready``).

- office: messages to route, replies to check, overdue and due-soon messages, and the
  inspection's alerts: unanswered for over two months (soon) and three months (overdue:
  the website inspection fails the whole site);
- leader: extension requests to decide;
- officer: open messages of their department, overdue among them;
- supervisor: messages unanswered for over three months across the subtree.

Every count is a filter of the message list (``staff:message-list?queue=``), and the link
is that filter (``selectors.QUEUES``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from gongkai.core.desk import Queue, Urgency
from gongkai.core.models import Membership, Role
from gongkai.interaction import selectors

AREA = "留言办理"


def list_url(**params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("staff:message-list") + (f"?{query}" if query else "")


def _queue(key: str, count: int, url: str, **extra) -> Queue:
    return Queue(key=f"interaction.{key}", area=AREA, label=selectors.QUEUES[key], count=count,
                 url=url, **extra)


def queues(membership: Membership) -> list[Queue]:
    role, agency, user = membership.role, membership.agency, membership.user
    if role == Role.OFFICE:
        c = selectors.queue_counts(user=user, agency=agency)
        return [
            _queue("received", c["received"], list_url(queue="received", agency=agency.pk)),
            _queue("to_check", c["to_check"], list_url(queue="to_check", agency=agency.pk)),
            _queue("overdue", c["overdue"], list_url(queue="overdue", agency=agency.pk),
                   urgency=Urgency.OVERDUE),
            _queue("due_soon", c["due_soon"], list_url(queue="due_soon", agency=agency.pk),
                   urgency=Urgency.SOON),
            _queue("two_months", c["two_months"], list_url(queue="two_months", agency=agency.pk),
                   urgency=Urgency.SOON, hint="请尽快答复，超过3个月未答复将导致网站检查单项否决"),
            _queue("three_months", c["three_months"], list_url(queue="three_months", agency=agency.pk),
                   urgency=Urgency.OVERDUE, hint="《政府网站与政务新媒体检查指标》单项否决项"),
            _queue("to_publish", c["to_publish"], list_url(queue="to_publish", agency=agency.pk)),
        ]
    if role == Role.LEADER:
        c = selectors.queue_counts(user=user, agency=agency)
        return [_queue("extension", c["extension"], list_url(queue="extension", agency=agency.pk))]
    if role == Role.OFFICER:
        department = membership.department
        c = selectors.queue_counts(user=user, agency=agency, department_id=department.pk)
        params = {"agency": agency.pk, "department": department.pk}
        return [
            _queue("open", c["open"], list_url(queue="open", **params)),
            _queue("overdue", c["overdue"], list_url(queue="overdue", **params), urgency=Urgency.OVERDUE),
        ]
    if role == Role.SUPERVISOR:
        c = selectors.queue_counts(user=user, agency=agency, under=agency)
        return [_queue("three_months", c["three_months"], list_url(queue="three_months", under=agency.pk),
                       urgency=Urgency.OVERDUE, hint="本机关及下级机关")]
    return []
