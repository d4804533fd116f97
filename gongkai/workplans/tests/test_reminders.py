"""Reminders before the due date and when overdue: at most one per task per day,
--dry-run sends and records nothing, mail leaves on commit."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from gongkai.core.models import AuditEvent
from gongkai.workplans import services
from gongkai.workplans.models import TaskReminder
from gongkai.workplans.reminders import send_task_reminders
from gongkai.workplans.rules import TaskState
from gongkai.workplans.tests.conftest import TODAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_soon(plan, office, department):
    return services.task_add(actor=office, plan=plan, number="1", text="即将到期的任务",
                             due_on=TODAY + dt.timedelta(days=7), department=department)


@pytest.fixture
def far(plan, office, department):
    return services.task_add(actor=office, plan=plan, number="9", text="远期任务",
                             due_on=TODAY + dt.timedelta(days=8), department=department)


def run(*args) -> str:
    out = StringIO()
    call_command("workplans", "remind", *args, stdout=out)
    return out.getvalue()


def test_due_soon_and_overdue_are_reminded_once_a_day(django_capture_on_commit_callbacks, due_soon, far,
                                                      overdue_task, officer, office):
    with django_capture_on_commit_callbacks(execute=True):
        output = run()
    assert "2 tasks due, 2 reminders sent" in output
    assert {r.task_id: r.kind for r in TaskReminder.objects.all()} == {due_soon.pk: "due_soon",
                                                                       overdue_task.pk: "overdue"}
    assert len(mail.outbox) == 2 and all(set(m.to) == {officer.email, office.email} for m in mail.outbox)
    assert any("已逾期3天" in m.subject for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = run()
    assert "0 reminders sent" in again and "already_sent" in again
    assert len(mail.outbox) == 2 and TaskReminder.objects.count() == 2
    assert AuditEvent.objects.filter(action="workplans.reminder.sent").count() == 2
    at(TODAY + dt.timedelta(days=1))  # the next day: again, and the far task enters its window
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert len(mail.outbox) == 5
    assert TaskReminder.objects.filter(task=far).get().kind == "due_soon"


def test_dry_run_sends_and_records_nothing(django_capture_on_commit_callbacks, due_soon):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--dry-run")
    assert "dry_run" in output and "(dry run)" in output
    assert mail.outbox == [] and not TaskReminder.objects.exists()


def test_a_done_task_is_not_reminded(due_soon, officer):
    services.task_set_state(actor=officer, task=due_soon, state=TaskState.DONE, note="完成")
    assert send_task_reminders() == []


def test_the_agencys_own_window(django_capture_on_commit_callbacks, far, office, bureau):
    assert send_task_reminders() == []
    services.settings_save(actor=office, agency=bureau, remind_days_before=10)
    [result] = send_task_reminders()
    assert result.task == far and result.kind == "due_soon" and result.status == "sent"


def test_no_recipients_is_reported_not_recorded(plan, office):
    services.task_add(actor=office, plan=plan, number="1", text="x", due_on=TODAY)
    office.email = ""
    office.save()
    [result] = send_task_reminders()
    assert result.status == "no_recipients" and not TaskReminder.objects.exists()


def test_a_mail_server_failure_is_reported_and_the_sweep_goes_on(django_capture_on_commit_callbacks, due_soon,
                                                                 overdue_task, monkeypatch):
    from gongkai.workplans import reminders

    sent = []

    def flaky(subject, body, sender, to):
        if "已逾期" in subject:
            raise OSError("SMTP down")
        sent.append(subject)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        results = send_task_reminders()
    assert sorted(r.status for r in results) == ["mail_failed", "sent"]
    assert len(sent) == 1 and TaskReminder.objects.count() == 2  # recorded: not retried that day
