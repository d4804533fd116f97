"""Reminders of work-plan tasks: from N days before a task's due date (the agency's
setting, else ``data/reminders.toml``) and every day once it is overdue, until it is done.

At most one reminder per task per day: each send is recorded as a ``TaskReminder``
(unique per task and day) with the task row locked, so the sweep is safe to run twice or
from two schedulers. The mail leaves only after that transaction commits
(``transaction.on_commit``), as ``reports/reminders.py`` does. Recipients: the responsible
department's officers and the agency's office (``services.responsible_recipients``, the
office's found as ``foi.selectors.office_recipients`` finds them)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import partial

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from gongkai.core import audit, clock
from gongkai.workplans import selectors, services
from gongkai.workplans.models import Task, TaskReminder
from gongkai.workplans.rules import TaskState

SENT_ACTION = "workplans.reminder.sent"
logger = logging.getLogger(__name__)


@dataclass
class ReminderResult:
    task: Task
    kind: str  # due_soon | overdue
    status: str  # sent | already_sent | no_recipients | dry_run | mail_failed
    recipients: list[str] = field(default_factory=list)


def subject_and_body(task: Task, kind: str, today: dt.date) -> tuple[str, str]:
    days = (task.due_on - today).days
    when = (f"已逾期{-days}天" if kind == "overdue"
            else ("今天到期" if days == 0 else f"还有{days}天到期"))
    subject = f"【工作要点】第{task.number}项任务{when}（完成时限{task.due_on.isoformat()}）"
    body = "\n".join([
        f"{task.plan.agency.name}：", "",
        f"{task.plan.title}第{task.number}项任务{when}：", task.text, "",
        f"责任部门：{task.department.name if task.department else '未指定'}",
        f"完成时限：{task.due_on.isoformat()}", f"当前进展：{task.get_state_display()}", "",
        "请及时填报工作进展和佐证材料；完成后在平台上标记完成。", f"任务：{services.task_link(task)}", "",
        "本邮件在任务到期前和逾期后每日至多发送一次，任务完成后不再发送。",
    ])
    return subject, body


def _send(result: ReminderResult, subject: str, body: str) -> None:
    """After the commit: a mail server failing is reported (status ``mail_failed``), not
    retried that day (the reminder is recorded), and does not stop the sweep."""
    try:
        send_mail(subject, body, None, list(result.recipients))
    except Exception:  # SMTP and socket errors alike: the other tasks are still reminded
        logger.exception("work-plan reminder of task %s not delivered", result.task.pk)
        result.status = "mail_failed"


def _remind(task: Task, kind: str, today: dt.date, dry_run: bool) -> ReminderResult | None:
    with transaction.atomic():
        if not dry_run:
            task = Task.objects.select_for_update(of=("self",)).select_related("plan__agency", "department").get(pk=task.pk)
            if task.state == TaskState.DONE:  # finished meanwhile
                return None
        result = ReminderResult(task, kind, "already_sent")
        if TaskReminder.objects.filter(task=task, sent_on=today).exists():
            return result
        result.recipients = services.responsible_recipients(task)
        if not result.recipients:
            result.status = "no_recipients"
            return result
        if dry_run:
            result.status = "dry_run"
            return result
        try:  # the row lock above keeps a second sweep waiting; the constraint is the backstop
            with transaction.atomic():
                TaskReminder.objects.create(task=task, sent_on=today, kind=kind, recipients=len(result.recipients))
        except IntegrityError:
            result.recipients = []
            return result
        subject, body = subject_and_body(task, kind, today)
        transaction.on_commit(partial(_send, result, subject, body))
        audit.record(actor=None, action=SENT_ACTION, obj=task, agency=task.plan.agency,
                     after={"date": today, "kind": kind, "due_on": task.due_on,
                            "recipients": len(result.recipients)})
        result.status = "sent"
        return result


def send_task_reminders(*, today: dt.date | None = None, dry_run: bool = False) -> list[ReminderResult]:
    """Remind the responsible side of every open task due soon or overdue (see the module
    docstring); ``dry_run`` sends and records nothing."""
    today = today or clock.today()
    results = []
    for task, kind in selectors.tasks_to_remind(today):
        result = _remind(task, kind, today, dry_run)
        if result is not None:
            results.append(result)
    return results
