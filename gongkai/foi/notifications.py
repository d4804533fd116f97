"""E-mail to an agency's disclosure office about reply deadlines (Art. 33).

Two messages, both to the agency's office staff (active OFFICE membership, with an e-mail):

- **The daily digest** (``gongkai foi digest``): open requests that are overdue or due
  within ``deadlines.DUE_SOON_DAYS`` working days, as of a day. At most one per agency per
  day: each send is recorded in the audit trail (``foi.digest.sent`` on the agency, with
  the date), and an agency already sent that date is skipped, so the command is safe to
  run twice (or from two schedulers).

- **After a change to the working-day calendar** (an administrator declares a day off or a
  make-up working day, or loads a year's schedule): the requests whose due date may have
  moved, with their due dates under the new calendar.

  Design note. ``core.services.calendar`` tells listeners, after commit, only *which*
  dates changed — not what they were before — and nothing stores past due dates (they
  are derived, never stored). For a loaded schedule those are the dates whose status
  differs from the calendar before the load: in a provisional year, the holiday-law
  calendar (Art. 2 holidays and their 补假), not Monday-Friday, so a 补假 the notice does
  not keep is reported and a holiday it merely confirms is not. So "old → new" cannot be computed honestly. Instead a
  request is reported when a changed date lies inside its **counted period**: after the
  period start (receipt or corrected request) up to its due date under the new calendar
  (for a paused request, the date it would have if it resumed today), and outside its
  pauses. A change outside that span cannot move the due date — a day that becomes a
  working day moves the due date earlier but is itself counted, so it lies before the new
  due date; a day that becomes a rest day moves it later — so every moved request is
  reported; a request may be reported whose date did not in fact move (e.g. an override
  that restates what the package data already said). The message says "may have changed"
  and gives the new date.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from gongkai.core import audit
from gongkai.core.models import Agency, AuditEvent
from gongkai.foi import deadlines, selectors

logger = logging.getLogger(__name__)

DIGEST_ACTION = "foi.digest.sent"


def _link(request) -> str:
    return settings.GONGKAI_BASE_URL.rstrip("/") + reverse("staff:foi-detail", args=[request.pk])


def _line(row: selectors.RequestRow) -> str:
    r, d = row.request, row.deadline
    department = r.department.name if r.department else "未分办"
    flag = "（暂定）" if d.provisional else ""
    return (f"- {r.tracking_number}｜{r.get_status_display()}｜{department}｜"
            f"答复期限 {selectors.deadline_due_text(d)}{flag}｜{selectors.deadline_left_text(d)}｜{_link(r)}")


def _by_due(rows):
    return sorted(rows, key=lambda r: (r.deadline.due_on or r.deadline.due_on_if_resumed_today
                                       or dt.date.max, r.request.tracking_number))


@dataclass(frozen=True)
class Digest:
    """One agency's overdue and soon-due open requests as of a day."""

    agency: Agency
    as_of: dt.date
    overdue: tuple[selectors.RequestRow, ...]
    due_soon: tuple[selectors.RequestRow, ...]

    @property
    def subject(self) -> str:
        return (f"【依申请公开】{self.agency.name} {self.as_of.isoformat()}："
                f"已逾期{len(self.overdue)}件，{deadlines.DUE_SOON_DAYS}个工作日内到期{len(self.due_soon)}件")

    @property
    def body(self) -> str:
        lines = [f"{self.agency.name}公开办：", "",
                 f"截至{self.as_of.isoformat()}，以下政府信息公开申请需要关注（答复期限：第三十三条）。", ""]
        if self.overdue:
            lines += [f"一、已逾期（{len(self.overdue)}件）", *map(_line, self.overdue), ""]
        if self.due_soon:
            lines += [f"{'二' if self.overdue else '一'}、{deadlines.DUE_SOON_DAYS}个工作日内到期"
                      f"（{len(self.due_soon)}件）", *map(_line, self.due_soon), ""]
        lines += ["答复期限按收到申请日期、补正、征求意见、收费通知和延期记录自动计算，",
                  "计算过程见各申请详情页。本邮件由系统每日发送一次。"]
        return "\n".join(lines)


def build_digest(agency: Agency, as_of: dt.date) -> Digest | None:
    """Open requests of the agency that are overdue or due within
    ``deadlines.DUE_SOON_DAYS`` working days on ``as_of``; None when there are none."""
    rows = selectors.open_requests_with_deadlines(agency=agency, as_of=as_of)
    overdue = _by_due(r for r in rows if r.deadline.overdue)
    due_soon = _by_due(r for r in rows if r.deadline.due_soon and not r.deadline.overdue)
    if not overdue and not due_soon:
        return None
    return Digest(agency=agency, as_of=as_of, overdue=tuple(overdue), due_soon=tuple(due_soon))


def digest_already_sent(agency: Agency, on: dt.date) -> bool:
    return AuditEvent.objects.filter(
        action=DIGEST_ACTION, object_type="core.agency", object_id=str(agency.pk),
        after__date=on.isoformat(),
    ).exists()


@dataclass
class DigestResult:
    agency: Agency
    status: str  # sent | already_sent | nothing_due | no_recipients | dry_run
    digest: Digest | None = None
    recipients: list[str] = field(default_factory=list)


def digest_send(*, agency: Agency, as_of: dt.date, dry_run: bool = False) -> DigestResult:
    """Send the agency's digest for ``as_of`` unless it was already sent that day; the send
    and its audit entry are one transaction, with the agency row locked so two runs at the
    same time cannot both send. ``dry_run`` builds it and sends and records nothing."""
    with transaction.atomic():
        if not dry_run:
            Agency.objects.select_for_update().filter(pk=agency.pk).first()
        if digest_already_sent(agency, as_of):
            return DigestResult(agency, "already_sent")
        digest = build_digest(agency, as_of)
        if digest is None:
            return DigestResult(agency, "nothing_due")
        recipients = selectors.office_recipients(agency)
        if not recipients:
            return DigestResult(agency, "no_recipients", digest)
        if dry_run:
            return DigestResult(agency, "dry_run", digest, recipients)
        send_mail(digest.subject, digest.body, None, recipients)
        audit.record(
            actor=None, action=DIGEST_ACTION, agency=agency, object_type="core.agency",
            object_id=str(agency.pk), object_repr=agency.name,
            after={"date": as_of.isoformat(), "overdue": len(digest.overdue),
                   "due_soon": len(digest.due_soon), "recipients": len(recipients)},
        )
        return DigestResult(agency, "sent", digest, recipients)


# --- after a calendar change ------------------------------------------------------------------

def _in_counted_period(deadline: deadlines.Deadline, day: dt.date) -> bool:
    end = deadline.due_on or deadline.due_on_if_resumed_today
    if deadline.period_start is None or end is None:
        return False  # not received yet, or waiting for a correction: no period counting
    if not deadline.period_start < day <= end:
        return False
    return not any(p.started_on < day <= (p.ended_on or deadline.as_of) for p in deadline.pauses)


def requests_affected_by_calendar_change(days: set[dt.date], *,
                                         as_of: dt.date | None = None) -> list[selectors.RequestRow]:
    """Open requests whose counted period contains a changed date (see the module
    docstring), with their deadlines under the current calendar."""
    return [
        row for row in selectors.open_requests_with_deadlines(as_of=as_of)
        if any(_in_counted_period(row.deadline, day) for day in days)
    ]


def calendar_change_message(agency: Agency, rows, days: set[dt.date]) -> tuple[str, str]:
    changed = "、".join(d.isoformat() for d in sorted(days))
    body = [
        f"{agency.name}公开办：", "",
        f"工作日历已调整（涉及日期：{changed}）。以下{len(rows)}件办理中申请的计算期间包含调整的日期，",
        "答复期限可能已经变化，现已按新日历重新计算，请核对并视情况告知申请人：", "",
        *map(_line, _by_due(rows)), "",
        "平台不保存此前的答复期限（期限始终按办理记录和日历计算），因此本邮件列出的是调整后的期限。",
    ]
    return f"【依申请公开】工作日历调整：{len(rows)}件申请的答复期限已重新计算", "\n".join(body)


def on_calendar_change(days: set[dt.date]) -> None:
    """Listener for ``core.services.calendar`` (called after commit): e-mail each agency's
    office the open requests whose due dates may have moved. It never raises: the
    calendar change is already committed, and a mail failure must not turn it into an
    error page for the administrator."""
    try:
        grouped: dict[int, list] = defaultdict(list)
        for row in requests_affected_by_calendar_change(set(days)):
            grouped[row.request.agency_id].append(row)
        for rows in grouped.values():
            agency = rows[0].request.agency
            recipients = selectors.office_recipients(agency)
            if recipients:
                subject, body = calendar_change_message(agency, rows, days)
                send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("notifying offices of due dates moved by a calendar change failed")


def register_calendar_listener() -> None:
    from gongkai.core.services.calendar import calendar_change_listeners

    if on_calendar_change not in calendar_change_listeners:
        calendar_change_listeners.append(on_calendar_change)
