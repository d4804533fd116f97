"""Error reports on the back office's desk (``core.desk``; registered from
``InspectionConfig.ready``): for the office, its agency's reports waiting to be handled.
The count is the list's (``staff:site-error-list?status=received``), one query."""

from __future__ import annotations

from gongkai.core.desk import Queue
from gongkai.core.models import Membership, Role
from gongkai.inspection import selectors
from gongkai.inspection.views.staff import reports_url
from gongkai.inspection.workflow import SiteErrorStatus

AREA = "网站自查"


def queues(membership: Membership) -> list[Queue]:
    if membership.role != Role.OFFICE:
        return []
    agency = membership.agency
    return [Queue(
        key="inspection.site_errors", area=AREA, label="待处理的网站纠错",
        count=selectors.open_report_count(agency),
        url=reports_url(agency.pk, SiteErrorStatus.RECEIVED),
        hint="公众通过“我为政府网站找错”提交的错误",
    )]
