"""The services: the day's result is one row per agency and day (replaced when run
again); 立即检查 is the office's; an error report is filed into the office's queue with
its contact encrypted, and replied to or closed, each step audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.inspection import checks, services
from gongkai.inspection.models import SiteCheck, SiteErrorEvent, SiteErrorReport
from gongkai.inspection.tests.conftest import TODAY
from gongkai.inspection.workflow import SiteErrorStatus

pytestmark = pytest.mark.django_db


def test_storing_the_same_day_twice_replaces_the_row(bureau, column, publish, today):
    publish(column("新闻动态"), "新闻")
    first = services.site_check_store(result=checks.inspect(bureau))
    column("空白栏目", "static")
    second = services.site_check_store(result=checks.inspect(bureau))
    assert SiteCheck.objects.filter(agency=bureau).count() == 1
    assert first.pk == second.pk
    assert any("空白栏目" in w["detail"] for w in SiteCheck.objects.get().warnings)
    at(TODAY + dt.timedelta(days=1))
    services.site_check_store(result=checks.inspect(bureau))
    assert SiteCheck.objects.filter(agency=bureau).count() == 2


def test_the_office_runs_the_check_now_and_it_is_audited(bureau, office, column, publish, today):
    publish(column("新闻动态"), "新闻")
    row = services.site_check_run(actor=office, agency=bureau)
    assert row.checked_on == TODAY and row.score <= 100
    entry = AuditEvent.objects.get(action="inspection.check")
    assert entry.actor == office and entry.agency == bureau


def test_the_check_now_is_bounded_in_time_and_says_what_it_left_out(bureau, office, column, publish, today,
                                                                   monkeypatch):
    """立即检查 runs in a web request: its crawl has the data file's time budget; what it
    could not reach is not held against the agency."""
    import dataclasses

    from gongkai.inspection import indicators

    assert indicators.rules().seconds_now < 60  # `gongkai serve` ends a request after 60 s
    publish(column("新闻动态"), "新闻")
    monkeypatch.setattr(checks, "rules", lambda: dataclasses.replace(indicators.rules(), seconds_now=0))
    row = services.site_check_run(actor=office, agency=bureau)
    assert any("立即检查限时0秒" in w["detail"] for w in row.warnings)
    assert row.deductions == [] and row.score == 100


@pytest.mark.parametrize("persona", ["officer", "supervisor", "other_office"])
def test_only_the_office_runs_the_check(request, bureau, persona, today):
    with pytest.raises(PermissionDenied):
        services.site_check_run(actor=request.getfixturevalue(persona), agency=bureau)
    assert not SiteCheck.objects.exists()


def test_the_daily_job_stores_each_agency_and_notes_the_run_once(tree, today):
    agencies = list(tree.values())
    results = services.site_checks_daily(agencies=agencies)
    assert len(results) == SiteCheck.objects.count() == len(agencies)
    assert AuditEvent.objects.filter(action="inspection.daily_check").count() == 1
    services.site_checks_daily(agencies=agencies, store=False)
    assert SiteCheck.objects.count() == len(agencies)
    assert AuditEvent.objects.filter(action="inspection.daily_check").count() == 1


def test_the_command_holds_no_result_once_an_agency_is_done(tree, today):
    seen = []
    kept = services.site_checks_daily(agencies=list(tree.values()), keep=False, on_result=seen.append)
    assert kept == [] and len(seen) == SiteCheck.objects.count() == len(tree)
    entry = AuditEvent.objects.get(action="inspection.daily_check")
    assert entry.after == {"agencies": len(tree), "vetoed": sum(1 for r in seen if r.veto)}


def test_an_error_report_goes_to_the_offices_queue_with_its_contact_encrypted(bureau, today):
    report = services.site_error_submit(agency=bureau, page_url="https://example.gov.cn/a",
                                        description="附件打不开，无法下载", contact="13912345678")
    assert report.status == SiteErrorStatus.RECEIVED
    assert report.tracking_number == f"ZC2025-{bureau.pk:04d}-00001"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM inspection_siteerrorreport WHERE id = %s", [report.pk])
        stored = cursor.fetchone()[0]
    assert "13912345678" not in stored
    assert SiteErrorReport.objects.get().contact == "13912345678"
    entry = AuditEvent.objects.get(action="inspection.site_error.submit")
    assert "13912345678" not in str(entry.before) + str(entry.after)


def test_an_error_report_needs_a_page_and_a_description(bureau, today):
    with pytest.raises(DomainError):
        services.site_error_submit(agency=bureau, page_url=" ", description="附件打不开")
    with pytest.raises(DomainError):
        services.site_error_submit(agency=bureau, page_url="/a/", description="")
    assert not SiteErrorReport.objects.exists()


def test_the_office_replies_once_and_it_is_recorded(bureau, office, today):
    report = services.site_error_submit(agency=bureau, page_url="/a/", description="错别字：市场监官")
    report = services.site_error_reply(actor=office, report=report, reply="已改正，感谢指正。")
    assert (report.status, report.reply, report.handled_by) == (SiteErrorStatus.REPLIED, "已改正，感谢指正。",
                                                                office)
    assert list(SiteErrorEvent.objects.values_list("action", flat=True)) == ["submit", "reply"]
    assert AuditEvent.objects.filter(action="inspection.site_error.reply", actor=office).exists()
    with pytest.raises(InvalidTransition):
        services.site_error_close(actor=office, report=report, reason="重复")


@pytest.mark.parametrize("persona", ["officer", "supervisor", "other_office"])
def test_only_the_agencys_office_handles_a_report(request, bureau, persona, today):
    report = services.site_error_submit(agency=bureau, page_url="/a/", description="错别字：市场监官")
    with pytest.raises(PermissionDenied):
        services.site_error_close(actor=request.getfixturevalue(persona), report=report, reason="重复")
    report.refresh_from_db()
    assert report.status == SiteErrorStatus.RECEIVED


def test_closing_needs_a_reason(bureau, office, today):
    report = services.site_error_submit(agency=bureau, page_url="/a/", description="广告广告广告")
    with pytest.raises(DomainError):
        services.site_error_close(actor=office, report=report, reason="  ")
    assert services.site_error_close(actor=office, report=report, reason="广告").status == SiteErrorStatus.CLOSED
