"""Reads of the inspection area for its pages: the latest result and the trend per
agency, the month's results for the report, and the error reports, each within what the
user may read (``permissions``): a missing and a foreign record give the same 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from gongkai.core.masking import mask_email, mask_phone
from gongkai.core.models import Agency
from gongkai.inspection import permissions
from gongkai.inspection.models import SiteCheck, SiteErrorReport
from gongkai.inspection.workflow import SiteErrorStatus

TREND_DAYS = 30
NOT_THIS_ROLE = "网站自查由本机关政府信息公开工作机构和上级主管部门查看。"


def agency_get_for_user(*, user, pk: int) -> Agency:
    agency = permissions.agencies_readable_by(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("机关不存在")
    return agency


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    latest: SiteCheck | None


def latest_by_agency(*, user, under: Agency | None = None) -> list[AgencyRow]:
    """Each readable agency (of ``under``'s subtree if given) with its latest result: two
    queries whatever the number of agencies."""
    agencies = permissions.agencies_readable_by(user)
    if under is not None:
        agencies = agencies.filter(path__startswith=under.path)
    newest = SiteCheck.objects.filter(agency=OuterRef("pk")).order_by("-checked_on").values("pk")[:1]
    agencies = list(agencies.annotate(latest_id=Subquery(newest)))
    checks = SiteCheck.objects.in_bulk([a.latest_id for a in agencies if a.latest_id])
    return [AgencyRow(a, checks.get(a.latest_id)) for a in agencies]


def latest_check(agency: Agency) -> SiteCheck | None:
    return SiteCheck.objects.filter(agency=agency).order_by("-checked_on").first()


def trend(agency: Agency, *, days: int = TREND_DAYS, until: dt.date | None = None) -> list[SiteCheck]:
    """The agency's daily results, oldest first, over the last ``days`` results."""
    qs = SiteCheck.objects.filter(agency=agency)
    if until is not None:
        qs = qs.filter(checked_on__lte=until)
    return list(reversed(qs.order_by("-checked_on")[:days]))


def month_checks(agency: Agency, year: int, month: int) -> list[SiteCheck]:
    """The agency's results in a calendar month, oldest first (the monthly report)."""
    return list(SiteCheck.objects.filter(agency=agency, checked_on__year=year,
                                         checked_on__month=month).order_by("checked_on"))


# --- error reports -------------------------------------------------------------------------------


def reports_for(*, user, agency: Agency | None = None, status: str = "") -> QuerySet[SiteErrorReport]:
    qs = permissions.reports_visible_to(user).select_related("agency")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-pk")


def reports_in_month(*, user, agency: Agency, year: int, month: int) -> list[SiteErrorReport]:
    """The agency's reports submitted in a calendar month (platform-local dates), oldest first."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))
    return list(reports_for(user=user, agency=agency)
                .filter(submitted_at__gte=start, submitted_at__lt=end).order_by("submitted_at", "pk"))


def open_report_count(agency: Agency) -> int:
    """The desk's count: exactly what ``?status=received`` lists for the agency."""
    return SiteErrorReport.objects.filter(agency=agency, status=SiteErrorStatus.RECEIVED).count()


def report_get_for_user(*, user, pk: int) -> SiteErrorReport:
    report = permissions.reports_visible_to(user).select_related("agency", "handled_by").filter(pk=pk).first()
    if report is None:
        raise Http404("纠错不存在")
    return report


def visible_contact(user, report: SiteErrorReport) -> str:
    """The reporter's contact in full for the office that handles the report (it may need
    to call back); masked for those who only read (a supervisor, the platform
    administrator), as the message board masks a writer's details."""
    contact = report.contact or ""
    if not contact or permissions.can_act(user, report.agency):
        return contact
    return mask_email(contact) if "@" in contact else mask_phone(contact)


def report_history(report: SiteErrorReport):
    return list(report.events.select_related("actor").order_by("at", "id"))


def report_for_receipt(*, agency: Agency, tracking_number: str) -> SiteErrorReport | None:
    return SiteErrorReport.objects.filter(agency=agency, tracking_number=tracking_number).first()
