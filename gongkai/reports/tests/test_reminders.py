"""The annual report reminder (Art. 49: 31 January, 31 March for a people's government of
county level and above): who gets it, when, and at most once a day."""

import datetime as dt

import pytest
from django.core import mail

from gongkai.core.models import AgencyKind, AuditEvent, Role
from gongkai.core.tests.factories import UserFactory, member
from gongkai.reports import reminders, services
from gongkai.reports.models import ReportReminder
from gongkai.reports.tests import test_services as base
from gongkai.reports.tests.test_services import ready_to_publish

# Shared fixtures of the report's tests (a year of records, a started report).
records = base.records
report = base.report


@pytest.mark.parametrize("today, year", [
    (dt.date(2025, 11, 30), None), (dt.date(2025, 12, 1), 2025), (dt.date(2025, 12, 31), 2025),
    (dt.date(2026, 1, 1), 2025), (dt.date(2026, 1, 31), 2025), (dt.date(2026, 2, 1), None),
])
def test_the_window_and_the_year_it_is_about(today, year):
    assert reminders.report_year_due(today) == year


def _sent_to(agency_name):
    return [m for m in mail.outbox if agency_name in m.body]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """The sweep as cron runs it: each agency's transaction commits, then its mail leaves."""
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.send_report_reminders(**kwargs)
    return run


def test_the_mail_leaves_only_after_the_reminder_is_committed(bureau, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        results = reminders.send_report_reminders(today=dt.date(2026, 1, 21))
        # recorded (inside the transaction) but not sent: no SMTP while the agency row is locked
        assert ReportReminder.objects.filter(agency=bureau).exists()
        assert mail.outbox == []
    assert {r.agency.pk: r.status for r in results}[bureau.pk] == "sent"
    assert len(callbacks) == 1
    callbacks[0]()
    [message] = mail.outbox
    assert message.to == [office.email]


def test_the_office_of_an_agency_without_a_published_report_is_reminded_once_a_day(bureau, office, tree, send):
    results = send(today=dt.date(2026, 1, 21))
    by_agency = {r.agency.pk: r for r in results}
    assert set(by_agency) == {a.pk for a in tree.values()}  # every active agency is due
    mine = by_agency[bureau.pk]
    assert (mine.status, mine.report_year, mine.days_left) == ("sent", 2025, 10)
    assert mine.recipients == [office.email]
    assert by_agency[tree["province"].pk].status == "no_recipients"
    [message] = mail.outbox
    assert message.to == [office.email]
    assert "还有10天" in message.subject and "2025年政府信息公开工作年度报告尚未发布（尚未创建）" in message.body
    again = send(today=dt.date(2026, 1, 21))
    assert {r.agency.pk: r.status for r in again}[bureau.pk] == "already_sent"
    assert len(mail.outbox) == 1
    assert ReportReminder.objects.filter(agency=bureau).count() == 1
    assert AuditEvent.objects.filter(action=reminders.SENT_ACTION).count() == 1
    send(today=dt.date(2026, 1, 22))
    assert len(mail.outbox) == 2 and "还有9天" in mail.outbox[1].subject


def test_a_dry_run_sends_and_records_nothing(bureau, office):
    results = reminders.send_report_reminders(today=dt.date(2025, 12, 1), dry_run=True)
    mine = next(r for r in results if r.agency == bureau)
    assert (mine.status, mine.report_year, mine.days_left) == ("dry_run", 2025, 61)
    assert mail.outbox == [] and not ReportReminder.objects.exists()


def test_nothing_outside_the_window(bureau, office):
    assert reminders.send_report_reminders(today=dt.date(2026, 2, 1)) == []
    assert mail.outbox == []


def test_no_reminder_once_the_report_is_published(report, bureau, office, leader):
    ready_to_publish(report, office, leader)
    services.report_publish(actor=office, report=report)
    results = reminders.send_report_reminders(today=dt.date(2026, 1, 21))
    assert bureau.pk not in {r.agency.pk for r in results}
    assert _sent_to(bureau.name) == []


def test_a_report_in_progress_is_named_with_its_state(report, bureau, office, send):
    send(today=dt.date(2026, 1, 30))
    [message] = _sent_to(bureau.name)
    assert "（编制中）" in message.body and "还有1天" in message.subject


def test_an_inactive_agency_is_not_reminded(bureau, office):
    bureau.is_active = False
    bureau.save()
    results = reminders.send_report_reminders(today=dt.date(2026, 1, 21))
    assert bureau.pk not in {r.agency.pk for r in results}


def test_the_remind_command_lists_who_would_be_reminded(bureau, office, capsys):
    from django.core.management import call_command

    from gongkai.core import clock

    beijing = dt.timezone(dt.timedelta(hours=8))
    clock.freeze(dt.datetime(2026, 1, 21, 9, 0, tzinfo=beijing))
    try:
        call_command("report", "remind", "--dry-run")
        lines = capsys.readouterr().out.splitlines()
        assert f"{bureau.name}\t2025\t10 days left\tdry_run" in lines
        assert mail.outbox == [] and not ReportReminder.objects.exists()
        clock.freeze(dt.datetime(2026, 2, 1, 9, 0, tzinfo=beijing))
        call_command("report", "remind")
        assert capsys.readouterr().out.strip() == "no reminders due"
    finally:
        clock.freeze(None)


# --- Art. 49 (2): a people's government of county level and above, by 31 March ------------------

@pytest.fixture
def county_government(tree):
    county = tree["county"]
    county.kind = AgencyKind.PEOPLES_GOVERNMENT
    county.save(update_fields=["kind"])
    member(UserFactory(username="county-office", email="gk@county.example.invalid"), county, Role.OFFICE)
    return county


@pytest.mark.parametrize("today, year", [
    (dt.date(2026, 1, 31), 2025), (dt.date(2026, 2, 1), 2025), (dt.date(2026, 3, 31), 2025),
    (dt.date(2026, 4, 1), None), (dt.date(2026, 11, 30), None), (dt.date(2026, 12, 1), 2026),
])
def test_a_later_deadline_widens_the_window(today, year):
    assert reminders.report_year_due(today, (3, 31)) == year


def test_after_31_january_only_the_county_government_is_reminded_until_31_march(
        bureau, office, county_government, send):
    results = send(today=dt.date(2026, 2, 15))
    assert [r.agency for r in results] == [county_government]  # not the bureau, a department
    [message] = mail.outbox
    assert "2026-03-31" in message.subject and "还有44天" in message.subject
    assert "每年3月31日前" in message.body and "至次年3月31日" in message.body
    assert send(today=dt.date(2026, 4, 1)) == []


def test_in_january_each_is_told_its_own_deadline(bureau, office, county_government, send):
    send(today=dt.date(2026, 1, 21))
    by_agency = {m.to[0]: m for m in mail.outbox}
    assert "2026-01-31" in by_agency[office.email].subject
    assert "2026-03-31" in by_agency["gk@county.example.invalid"].subject


def test_a_mail_server_failing_is_reported_and_does_not_stop_the_sweep(bureau, office, tree, send, monkeypatch):
    county_office = member(UserFactory(username="county_office", email="county@example.org"),
                           tree["county"], Role.OFFICE)
    delivered = []

    def flaky_send_mail(subject, body, sender, recipients):
        if office.email in recipients:
            raise OSError("connection refused")
        delivered.append(recipients)

    monkeypatch.setattr(reminders, "send_mail", flaky_send_mail)
    results = {r.agency.pk: r for r in send(today=dt.date(2026, 1, 21))}

    assert results[bureau.pk].status == "mail_failed"
    assert results[tree["county"].pk].status == "sent" and delivered == [[county_office.email]]
    # recorded all the same: the daily limit holds, no second try that day
    assert ReportReminder.objects.filter(agency=bureau).count() == 1
    assert {r.agency.pk: r.status for r in send(today=dt.date(2026, 1, 21))}[bureau.pk] == "already_sent"
