"""Accounts on the back office's desk (``core.desk``; registered from
``ChannelsConfig.ready``):

- office: its agency's accounts in operation not updated within the interval
  (``selectors.stale_accounts``), linked to the accounts list that flags the same ones;
- supervisor: the stale accounts across the subtree (``selectors.stale_accounts_under``,
  listed by ``staff:channel-stale``), with the agencies that have most, worst first.
"""

from __future__ import annotations

from gongkai.channels import selectors
from gongkai.channels.views import list_url, subtree_url
from gongkai.core import clock
from gongkai.core.desk import Queue, QueueLine, Urgency
from gongkai.core.models import Membership, Role

AREA = "政务新媒体"
SUBTREE_TOP = 5


def queues(membership: Membership) -> list[Queue]:
    agency, today = membership.agency, clock.today()
    if membership.role == Role.OFFICE:
        stale = selectors.stale_accounts(agency=agency, today=today)
        days = selectors.stale_after_days(agency)
        return [Queue(key="channels.stale", area=AREA, label="未按时更新的政务新媒体账号",
                      count=len(stale), url=list_url(agency.pk), urgency=Urgency.OVERDUE,
                      hint=f"超过{days}天未发布信息（国办秘函〔2019〕19号：单项否决）")]
    if membership.role == Role.SUPERVISOR:
        lines = selectors.stale_counts_under(agency, today)
        more = len(lines) - SUBTREE_TOP
        return [Queue(
            key="channels.subtree_stale", area=AREA, label="本机关及下级机关未按时更新的政务新媒体账号",
            count=sum(line.stale for line in lines), url=subtree_url(agency.pk), urgency=Urgency.OVERDUE,
            hint=f"另有{more}个机关有未更新的账号" if more > 0 else "",
            lines=tuple(QueueLine(line.agency.name, line.stale, list_url(line.agency.pk))
                        for line in lines[:SUBTREE_TOP]),
            lines_caption="未更新账号最多的机关",
        )]
    return []
