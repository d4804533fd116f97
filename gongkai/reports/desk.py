"""Annual reports on the back office's desk (``core.desk``; registered from
``ReportsConfig.ready``): a submitted report waits for a leader's sign-off, a signed-off
one for the office to publish it, in the membership's agency.

An agency has one report a year, so a queue holds one report or a few and is shown only
while one waits; its link opens the report itself when there is one, else the list of
reports in that state.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from gongkai.core.desk import Queue
from gongkai.core.models import Membership, Role
from gongkai.reports import permissions
from gongkai.reports.models import ReportState

AREA = "年度报告"

# role → (queue key, label, state waiting on that role)
_WAITING = {
    Role.LEADER: ("to_sign", "年度报告待签发", ReportState.SUBMITTED),
    Role.OFFICE: ("to_publish", "年度报告已签发待发布", ReportState.SIGNED_OFF),
}


def waiting_reports(*, user, agency_id: int, state: str) -> list[int]:
    """The ids of the agency's reports visible to the user in ``state``, oldest year
    first: one query."""
    return list(permissions.reports_visible_to(user).filter(agency_id=agency_id, state=state)
                .order_by("year").values_list("pk", flat=True))


def queues(membership: Membership) -> list[Queue]:
    """The annual reports waiting on this membership (``core.desk`` provider)."""
    waiting = _WAITING.get(membership.role)
    if waiting is None:
        return []
    key, label, state = waiting
    ids = waiting_reports(user=membership.user, agency_id=membership.agency_id, state=state)
    if not ids:
        return []  # seasonal: shown only while a report waits
    url = (reverse("staff:report-detail", args=[ids[0]]) if len(ids) == 1 else
           reverse("staff:report-list") + "?" + urlencode({"state": state.value, "agency": membership.agency_id}))
    return [Queue(key=f"reports.{key}", area=AREA, label=label, count=len(ids), url=url)]
