"""Proposals on the back office's desk (``core.desk``; registered from
``ConversionsConfig.ready``): for the office, the proposals of its agency waiting for a
decision. The count is the list's (``staff:conversion-list``), computed the same way
(``selectors.proposals_for``: three queries, whatever the number of requests)."""

from __future__ import annotations

from gongkai.conversions import selectors
from gongkai.conversions.views import list_url
from gongkai.core.desk import Queue
from gongkai.core.models import Membership, Role

AREA = "依申请转主动"


def queues(membership: Membership) -> list[Queue]:
    if membership.role != Role.OFFICE:
        return []
    agency = membership.agency
    return [Queue(
        key="conversions.proposed", area=AREA, label="待处理的转主动公开建议",
        count=len(selectors.proposals_for(agency)), url=list_url(agency.pk),
        hint="多个申请人申请并获公开的相同政府信息（条例第四十四条）",
    )]
