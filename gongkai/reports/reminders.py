"""Reminders that the annual report is due (条例 Art. 49: published by 31 January; a
people's government's of county level and above by 31 March — ``rules.report_deadline_day``).

From 1 December to the agency's deadline, the office of every active agency whose report
is not yet published gets an e-mail with the days left — in December about the year
ending, from January about the year just ended. At most one per agency per day: each send is recorded
as a ``ReportReminder`` (unique per agency and day) with the agency row locked, so the
sweep is safe to run twice or from two schedulers. The mail itself leaves only after that
transaction commits (``transaction.on_commit``): no SMTP round trip while the agency row is
locked, and no mail for a record that was rolled back. A mail server failing after the
commit is reported by the sweep and not retried that day (at most one reminder a day).
The same reminder shows as a banner on the back office's report list.

A supervising office may also remind an agency of its subtree from the roll-up's list of
agencies that have not published (``remind_from_supervisor``), before or after the
deadline; it shares the same daily limit and record, with who sent it.

Recipients are found as ``gongkai foi digest`` finds them (``foi.selectors.office_recipients``:
the agency's active office staff with an e-mail address).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from gongkai.core import audit, clock
from gongkai.core.models import Agency, AgencyKind
from gongkai.reports.models import AnnualReport, ReportReminder
from gongkai.reports.rules import (
    GOVERNMENT_REPORT_LEVELS,
    LATEST_REPORT_DEADLINE,
    REPORT_DEADLINE,
    report_deadline,
    report_deadline_day,
    report_deadline_text,
)

# The reminder window, as (month, day): from WINDOW_START of a year to the agency's
# deadline in the next.
WINDOW_START = (12, 1)
SENT_ACTION = "reports.reminder.sent"

logger = logging.getLogger(__name__)


def report_year_due(today: dt.date, deadline: tuple[int, int] = REPORT_DEADLINE) -> int | None:
    """The report year the reminder is about on ``today`` for an agency whose deadline is
    ``deadline`` (month, day), or None outside its window."""
    if (today.month, today.day) >= WINDOW_START:
        return today.year
    if (today.month, today.day) <= deadline:
        return today.year - 1
    return None


def agencies_due(report_year: int, today: dt.date | None = None):
    """Active agencies whose report on ``report_year`` is not published; on ``today``
    after 31 January only those whose deadline is later (the governments of Art. 49 (2))."""
    published = AnnualReport.objects.filter(year=report_year, published_version__isnull=False)
    agencies = Agency.objects.filter(is_active=True).exclude(pk__in=published.values("agency_id"))
    if today is not None and report_year_due(today) is None:
        agencies = agencies.filter(kind=AgencyKind.PEOPLES_GOVERNMENT, level__in=GOVERNMENT_REPORT_LEVELS)
    return agencies.order_by("path")


@dataclass(frozen=True)
class Reminder:
    """What one agency's office is told on a day."""

    agency: Agency
    report_year: int
    as_of: dt.date
    state_label: str  # the report's state, or "尚未创建"

    @property
    def deadline(self) -> dt.date:
        return report_deadline(self.report_year, self.agency)

    @property
    def days_left(self) -> int:
        return (self.deadline - self.as_of).days

    @property
    def text(self) -> str:
        return (f"{self.agency.name}{self.report_year}年政府信息公开工作年度报告尚未发布（{self.state_label}），"
                f"距{self.deadline.month}月{self.deadline.day}日发布期限还有{self.days_left}天。")

    @property
    def subject(self) -> str:
        return f"【年度报告】{self.report_year}年度报告须于{self.deadline.isoformat()}前发布，还有{self.days_left}天"

    @property
    def body(self) -> str:
        link = settings.GONGKAI_BASE_URL.rstrip("/") + reverse("staff:report-list")
        deadline = report_deadline_text(self.agency)
        return "\n".join([
            f"{self.agency.name}公开办：", "",
            self.text,
            f"根据《中华人民共和国政府信息公开条例》第四十九条，本机关年度报告应于每年{deadline}前向社会公布。",
            "报告的表格由平台根据办理记录自动计算，手填数据须注明来源，经核对、领导签发后发布。", "",
            f"年度报告：{link}", "",
            f"本邮件在{WINDOW_START[0]}月{WINDOW_START[1]}日至次年{deadline}期间每日发送一次，"
            "报告发布后不再发送。",
        ])


def reminder_for(agency: Agency, today: dt.date) -> Reminder | None:
    """The reminder due to the agency on ``today``, or None (outside the window, or its
    report is published)."""
    year = report_year_due(today, report_deadline_day(agency))
    if year is None or not agency.is_active:
        return None
    report = AnnualReport.objects.filter(agency=agency, year=year).first()
    if report is not None and report.published_version_id is not None:
        return None
    return Reminder(agency, year, today, report.get_state_display() if report else "尚未创建")


@dataclass
class ReminderResult:
    agency: Agency
    report_year: int
    days_left: int
    status: str  # sent | already_sent | no_recipients | dry_run | mail_failed (after the commit)
    recipients: list[str] = field(default_factory=list)


def _remind(agency: Agency, today: dt.date, dry_run: bool) -> ReminderResult | None:
    from gongkai.foi.selectors import office_recipients

    with transaction.atomic():
        if not dry_run:
            Agency.objects.select_for_update().filter(pk=agency.pk).first()
        reminder = reminder_for(agency, today)
        if reminder is None:  # published meanwhile
            return None
        result = ReminderResult(agency, reminder.report_year, reminder.days_left, "already_sent")
        if ReportReminder.objects.filter(agency=agency, sent_on=today).exists():
            return result
        result.recipients = office_recipients(agency)
        if not result.recipients:
            result.status = "no_recipients"
            return result
        if dry_run:
            result.status = "dry_run"
            return result
        transaction.on_commit(partial(_send_after_commit, result, reminder.subject, reminder.body))
        ReportReminder.objects.create(agency=agency, report_year=reminder.report_year, sent_on=today,
                                      days_left=reminder.days_left, recipients=len(result.recipients))
        audit.record(actor=None, action=SENT_ACTION, agency=agency, object_type="core.agency",
                     object_id=str(agency.pk), object_repr=agency.name,
                     after={"date": today.isoformat(), "report_year": reminder.report_year,
                            "days_left": reminder.days_left, "recipients": len(result.recipients)})
        result.status = "sent"
        return result


def send_report_reminders(*, today: dt.date | None = None, dry_run: bool = False) -> list[ReminderResult]:
    """E-mail every due agency's office (see the module docstring); returns one result per
    agency whose report is not published, empty outside the window. ``dry_run`` sends and
    records nothing."""
    today = today or clock.today()
    year = report_year_due(today, LATEST_REPORT_DEADLINE)
    if year is None:
        return []
    results = []
    for agency in agencies_due(year, today):
        result = _remind(agency, today, dry_run)
        if result is not None:
            results.append(result)
    return results


# --- a reminder sent by a supervising office ---------------------------------------------------

SUPERVISOR_SENT_ACTION = "reports.reminder.supervisor_sent"


@dataclass(frozen=True)
class SupervisorReminder(Reminder):
    """What a supervising office tells an agency's office whose report is not published:
    the deadline and the days left, or how long it is overdue (the daily sweep stops at the
    deadline; a supervising office may still remind afterwards)."""

    sender: str  # the supervising office's agency name

    @property
    def due_text(self) -> str:
        deadline = f"{self.deadline.month}月{self.deadline.day}日"
        if self.days_left < 0:
            return f"已超过{deadline}发布期限{-self.days_left}天"
        if self.days_left == 0:
            return f"今天（{deadline}）是发布期限"
        return f"距{deadline}发布期限还有{self.days_left}天"

    @property
    def text(self) -> str:
        return (f"{self.agency.name}{self.report_year}年政府信息公开工作年度报告尚未发布（{self.state_label}），"
                f"{self.due_text}。")

    @property
    def subject(self) -> str:
        return f"【年度报告督办】{self.sender}提醒：{self.report_year}年度报告尚未发布，{self.due_text}"

    @property
    def body(self) -> str:
        link = settings.GONGKAI_BASE_URL.rstrip("/") + reverse("staff:report-list")
        return "\n".join([
            f"{self.agency.name}公开办：", "",
            f"{self.sender}提醒：{self.text}",
            f"根据《中华人民共和国政府信息公开条例》第四十九条，本机关年度报告应于每年"
            f"{report_deadline_text(self.agency)}前向社会公布。请尽快完成核对、签发和发布。", "",
            f"年度报告：{link}",
        ])


@transaction.atomic
def remind_from_supervisor(*, actor, agency: Agency, report_year: int,
                           today: dt.date | None = None) -> ReminderResult:
    """A supervising office reminds ``agency``'s office that its report on ``report_year``
    is not published (Art. 49). Shares the sweep's limit of one reminder per agency per
    day (``ReportReminder``): a second one the same day, by anyone, is ``already_sent``
    and sends nothing. Recorded with who sent it and audited; the mail leaves after the
    commit. From 1 December of the report year on, before or after the deadline."""
    from django.core.exceptions import PermissionDenied

    from gongkai.core.errors import DomainError
    from gongkai.foi.selectors import office_recipients
    from gongkai.reports.permissions import can_supervise_agency

    if not can_supervise_agency(actor, agency):
        raise PermissionDenied("只有上级主管部门可以督办下级机关的年度报告。")
    today = today or clock.today()
    if today < dt.date(report_year, *WINDOW_START):
        raise DomainError(f"{report_year}年度报告自{report_year}年{WINDOW_START[0]}月{WINDOW_START[1]}日起"
                          "才能发送提醒。")
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    report = AnnualReport.objects.filter(agency=agency, year=report_year).first()
    if report is not None and report.published_version_id is not None:
        raise DomainError(f"{agency.name}{report_year}年度报告已发布，无需提醒。")
    sender = _sender_name(actor, agency)
    reminder = SupervisorReminder(agency, report_year, today,
                                  report.get_state_display() if report else "尚未创建", sender)
    result = ReminderResult(agency, report_year, reminder.days_left, "already_sent")
    if ReportReminder.objects.filter(agency=agency, sent_on=today).exists():
        return result
    result.recipients = office_recipients(agency)
    if not result.recipients:
        result.status = "no_recipients"
        return result
    transaction.on_commit(partial(_send_after_commit, result, reminder.subject, reminder.body))
    ReportReminder.objects.create(agency=agency, report_year=report_year, sent_on=today,
                                  days_left=reminder.days_left, recipients=len(result.recipients),
                                  sent_by=actor)
    audit.record(actor=actor, action=SUPERVISOR_SENT_ACTION, agency=agency, object_type="core.agency",
                 object_id=str(agency.pk), object_repr=agency.name,
                 after={"date": today.isoformat(), "report_year": report_year,
                        "days_left": reminder.days_left, "recipients": len(result.recipients)})
    result.status = "sent"
    return result


def _send_after_commit(result: ReminderResult, subject: str, body: str) -> None:
    """After the commit: a mail server failing is logged and reported (status
    ``mail_failed``: by the sweep, to the supervising office) instead of stopping the sweep
    or a server error; the reminder stays recorded, so it is not sent again that day (the
    daily limit)."""
    try:
        send_mail(subject, body, None, list(result.recipients))
    except Exception:  # SMTP and socket errors alike
        logger.exception("annual report reminder to agency %s not delivered", result.agency.pk)
        result.status = "mail_failed"


def _sender_name(actor, agency: Agency) -> str:
    """The supervising agency the reminder comes from: the nearest above ``agency`` (or
    itself) where the actor is a supervisor; "上级主管部门" for the platform administrator."""
    from gongkai.core.models import Role
    from gongkai.core.permissions import agency_ids_with_role

    ids = agency_ids_with_role(actor, Role.SUPERVISOR)
    above = [a for a in Agency.objects.filter(pk__in=ids) if agency.path.startswith(a.path)]
    return max(above, key=lambda a: len(a.path)).name if above else "上级主管部门"
