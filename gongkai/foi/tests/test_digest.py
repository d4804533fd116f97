"""The daily digest of overdue and soon-due requests (`gongkai foi digest`) and the
notice to offices after a working-day calendar change."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.core.models import AuditEvent, Role
from gongkai.core.services.calendar import calendar_set_override
from gongkai.core.tests.factories import UserFactory, member
from gongkai.core.tests.helpers import at
from gongkai.foi import notifications
from gongkai.foi.notifications import build_digest, requests_affected_by_calendar_change
from gongkai.foi.services import requests as svc

pytestmark = pytest.mark.django_db
D = dt.date


def run(*args) -> str:
    out = io.StringIO()
    call_command("foi", "digest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def due(register, office):
    """On 2025-03-03: one overdue, one due in 3 working days, one with 20 days left, and one
    overdue but closed."""
    overdue = register(D(2025, 1, 24))  # due 2025-02-27
    soon = register(D(2025, 2, 5))  # due 2025-03-04 (Saturday 02-08 is a make-up day)
    later = register(D(2025, 3, 3))
    closed = register(D(2025, 1, 24))
    svc.request_withdraw(actor=office, request=closed, reason="电话撤回")
    return {"overdue": overdue, "soon": soon, "later": later, "closed": closed}


def test_digest_lists_overdue_and_soon_due_open_requests_only(due, bureau):
    digest = build_digest(bureau, D(2025, 3, 3))
    assert [row.request for row in digest.overdue] == [due["overdue"]]
    assert [row.request for row in digest.due_soon] == [due["soon"]]
    assert due["overdue"].tracking_number in digest.body and "已逾期2个工作日" in digest.body
    assert due["soon"].tracking_number in digest.body and "剩余1个工作日" in digest.body
    assert due["later"].tracking_number not in digest.body
    assert due["closed"].tracking_number not in digest.body
    assert "已逾期1件" in digest.subject and "3个工作日内到期1件" in digest.subject


def test_no_digest_when_nothing_needs_attention(register, bureau):
    register(D(2025, 3, 3))
    assert build_digest(bureau, D(2025, 3, 3)) is None


def test_the_digest_is_sent_once_per_agency_per_day(due, bureau, office, officer, leader):
    output = run("--date", "2025-03-03")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [office.email]  # the office only, not the officer or the leader
    assert due["overdue"].tracking_number in message.body
    entry = AuditEvent.objects.get(action="foi.digest.sent")
    assert (entry.object_type, entry.object_id, entry.after["date"]) == (
        "core.agency", str(bureau.pk), "2025-03-03")
    assert "1 sent" in output

    output = run("--date", "2025-03-03")
    assert len(mail.outbox) == 1
    assert "already sent" in output
    assert AuditEvent.objects.filter(action="foi.digest.sent").count() == 1

    run("--date", "2025-03-04")
    assert len(mail.outbox) == 2


def test_the_digest_defaults_to_today(due):
    at(D(2025, 3, 3))
    run()
    assert AuditEvent.objects.get(action="foi.digest.sent").after["date"] == "2025-03-03"


def test_a_dry_run_prints_and_sends_and_records_nothing(due, office):
    output = run("--dry-run", "--date", "2025-03-03")
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="foi.digest.sent").exists()
    assert due["overdue"].tracking_number in output and office.email in output
    run("--date", "2025-03-03")  # a dry run does not count as the day's send
    assert len(mail.outbox) == 1


def test_office_staff_without_an_email_address_get_nothing(due, bureau, office):
    office.email = ""
    office.save()
    colleague = member(UserFactory(username="colleague"), bureau, Role.OFFICE)
    run("--date", "2025-03-03")
    assert [m.to for m in mail.outbox] == [[colleague.email]]


def test_an_agency_without_recipients_is_reported_and_not_marked_sent(due, office):
    office.email = ""
    office.save()
    run("--date", "2025-03-03")
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="foi.digest.sent").exists()


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError):
        run("--date", "2025-02-30")


def test_a_failed_send_is_reported_and_not_recorded(due, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(notifications, "send_mail", broken)
    with pytest.raises(CommandError):
        run("--date", "2025-03-03")
    assert not AuditEvent.objects.filter(action="foi.digest.sent").exists()


# --- after a calendar change ----------------------------------------------------------------

def test_a_calendar_change_mails_the_requests_whose_period_contains_the_changed_day(
        register, office, platform_admin, django_capture_on_commit_callbacks):
    affected = register(D(2025, 3, 3))  # counted period 03-04..03-31
    unaffected = register(D(2025, 3, 14))  # counted period 03-17..04-14
    with django_capture_on_commit_callbacks(execute=True):
        calendar_set_override(actor=platform_admin, day=D(2025, 3, 12), is_working=False,
                              source="测试通知")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [office.email]
    assert affected.tracking_number in message.body
    assert "2025-04-01" in message.body  # the new due date: one working day later
    assert unaffected.tracking_number not in message.body
    assert "2025-03-12" in message.body


def test_a_changed_day_inside_a_pause_does_not_move_the_due_date(register, office):
    foi = register(D(2025, 3, 3))
    at(D(2025, 3, 5))
    consultation = svc.request_start_consultation(actor=office, request=foi, party_kind="third_party",
                                                  party_name="某公司")
    at(D(2025, 3, 14))
    svc.request_end_consultation(actor=office, consultation=consultation, opinion="agree")
    assert requests_affected_by_calendar_change({D(2025, 3, 12)}) == []
    assert [r.request for r in requests_affected_by_calendar_change({D(2025, 3, 20)})] == [foi]
    assert requests_affected_by_calendar_change({D(2025, 3, 3)}) == []  # the receipt day itself


def test_a_mail_failure_after_a_calendar_change_does_not_undo_it(
        register, platform_admin, monkeypatch, django_capture_on_commit_callbacks):
    register(D(2025, 3, 3))

    def broken(*args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(notifications, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_set_override(actor=platform_admin, day=D(2025, 3, 12), is_working=False, source="x")
    from gongkai.core.models import CalendarOverride

    assert CalendarOverride.objects.filter(day=D(2025, 3, 12)).exists()


def test_the_listener_is_registered_once(db):
    from gongkai.core.services.calendar import calendar_change_listeners

    notifications.register_calendar_listener()
    assert calendar_change_listeners.count(notifications.on_calendar_change) == 1
