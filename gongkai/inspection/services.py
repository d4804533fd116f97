"""Writes of the inspection area: the day's result of the self-inspection (one row per
agency and day, replaced when run again), and the public's error reports (submit, reply,
close). Each service checks the actor and the state, writes, records the event and
appends the audit entry in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, clock, sequences
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.inspection import checks, permissions
from gongkai.inspection.models import SiteCheck, SiteErrorEvent, SiteErrorReport
from gongkai.inspection.workflow import Action, SiteErrorStatus, next_status

PAGE_URL_MAX = 500
DESCRIPTION_MAX = 2000
CONTACT_MAX = 100
REPLY_MAX = 2000


def _finding_dicts(findings) -> list[dict]:
    return [f.as_dict() for f in findings]


@transaction.atomic
def site_check_store(*, result: checks.Result) -> SiteCheck:
    """Keep ``result`` as the agency's result for its day: one row per agency and day,
    so running the daily job twice (or the office's 立即检查 after it) replaces it."""
    values = {
        "checked_at": clock.now(),
        "score": result.score,
        "passed": result.passed,
        "veto": _finding_dicts(result.veto),
        "deductions": _finding_dicts(result.deductions),
        "warnings": _finding_dicts(result.warnings),
        "external": [{"url": e.url, "page": e.page, "state": e.state, "status": e.status}
                     for e in result.external],
        "pages": result.pages,
        "requests": result.requests,
    }
    row, _ = SiteCheck.objects.update_or_create(agency=result.agency, checked_on=result.checked_on,
                                                defaults=values)
    return row


def site_check_run(*, actor, agency: Agency, today: dt.date | None = None) -> SiteCheck:
    """The office's 立即检查: run every check for its agency now and keep the result as
    today's. The crawl runs outside the transaction (it renders pages); the write and its
    audit entry are one."""
    if not permissions.can_act(actor, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作机构可以运行网站自查。")
    result = checks.inspect(agency, today=today, time_budget=checks.rules().seconds_now)
    with transaction.atomic():
        row = site_check_store(result=result)
        audit.record(actor=actor, action="inspection.check", obj=row, agency=agency,
                     after={"checked_on": row.checked_on.isoformat(), "score": str(row.score),
                            "veto": len(row.veto), "deductions": len(row.deductions)})
    return row


# --- 「我为政府网站找错」 ------------------------------------------------------------------------


def new_tracking_number(*, agency: Agency, year: int) -> str:
    """`ZC{year}-{agency id}-{sequence}`: gap-free per agency and year."""
    seq = sequences.next_number(f"inspection.site_error.{agency.pk}", year)
    return f"ZC{year}-{agency.pk:04d}-{seq:05d}"


def _record(report: SiteErrorReport, *, action: Action, actor, from_status: str = "",
            reason: str = "") -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    SiteErrorEvent.objects.create(report=report, agency=report.agency, action=action,
                                  from_status=from_status, to_status=report.status,
                                  at=clock.now(), actor=user, reason=reason)
    audit.record(actor=actor, action=f"inspection.site_error.{action}", obj=report,
                 agency=report.agency, reason=reason,
                 before={"status": from_status} if from_status else None,
                 after={"status": report.status})


def _text(value: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{what}。")
    if len(value) > limit:
        raise DomainError(f"{what}不能超过{limit}个字。")
    return value


@transaction.atomic
def site_error_submit(*, agency: Agency, page_url: str, description: str,
                      contact: str = "") -> SiteErrorReport:
    """An error reported by the public: in the agency office's queue at once. The
    contact, if given, is encrypted at rest and never written to the audit trail."""
    if not agency.is_active:
        raise DomainError("该机关不接收网站纠错。")
    page_url = _text(page_url, "出错页面地址", PAGE_URL_MAX)
    description = _text(description, "错误描述", DESCRIPTION_MAX)
    contact = (contact or "").strip()
    if len(contact) > CONTACT_MAX:
        raise DomainError(f"联系方式不能超过{CONTACT_MAX}个字。")
    report = SiteErrorReport.objects.create(
        agency=agency, tracking_number=new_tracking_number(agency=agency, year=clock.today().year),
        page_url=page_url, description=description, contact=contact,
        status=SiteErrorStatus.RECEIVED, submitted_at=clock.now())
    _record(report, action=Action.SUBMIT, actor=None)
    return report


def _locked(report: SiteErrorReport, actor, action: Action) -> SiteErrorReport:
    report = SiteErrorReport.objects.select_for_update().select_related("agency").get(pk=report.pk)
    if not permissions.can_act(actor, report.agency):
        raise PermissionDenied("只有本机关的政府信息公开工作机构可以处理网站纠错。")
    next_status(report.status, action)
    return report


@transaction.atomic
def site_error_reply(*, actor, report: SiteErrorReport, reply: str) -> SiteErrorReport:
    """The office fixed (or explained) what was reported: the reply is kept with it."""
    report = _locked(report, actor, Action.REPLY)
    reply = _text(reply, "处理结果", REPLY_MAX)
    previous = report.status
    report.status = next_status(previous, Action.REPLY)
    report.reply, report.handled_by, report.handled_at = reply, actor, clock.now()
    report.save(update_fields=["status", "reply", "handled_by", "handled_at"])
    _record(report, action=Action.REPLY, actor=actor, from_status=previous, reason=reply)
    return report


@transaction.atomic
def site_error_close(*, actor, report: SiteErrorReport, reason: str) -> SiteErrorReport:
    """Not an error of the site (a duplicate, spam, a matter for another channel): closed
    with the reason."""
    report = _locked(report, actor, Action.CLOSE)
    reason = _text(reason, "关闭理由", REPLY_MAX)
    previous = report.status
    report.status = next_status(previous, Action.CLOSE)
    report.reply, report.handled_by, report.handled_at = reason, actor, clock.now()
    report.save(update_fields=["status", "reply", "handled_by", "handled_at"])
    _record(report, action=Action.CLOSE, actor=actor, from_status=previous, reason=reason)
    return report


def site_checks_daily(*, agencies, today: dt.date | None = None, store: bool = True,
                      on_result=None, keep: bool = True) -> list[checks.Result]:
    """The daily job (``gongkai site-check``): inspect each agency, keep each result as
    its day's row (unless ``store`` is off) and note the run once in the audit trail.
    ``on_result(result)`` is called as each agency is done. With ``keep`` off nothing is
    held once an agency is done (the command, over thousands of agencies) and the list
    returned is empty."""
    today = today or clock.today()
    results, done, vetoed = [], 0, 0
    for agency in agencies:
        result = checks.inspect(agency, today=today)
        if store:
            site_check_store(result=result)
        done += 1
        vetoed += bool(result.veto)
        if keep:
            results.append(result)
        if on_result is not None:
            on_result(result)
    if store and done:
        with transaction.atomic():
            audit.record(actor=None, action="inspection.daily_check", object_type="inspection.sitecheck",
                         object_id=today.isoformat(), object_repr=f"网站自查 {today:%Y-%m-%d}",
                         after={"agencies": done, "vetoed": vetoed})
    return results
