"""The back office's PDFs (a report's working copy, a roll-up) are rendered by a worker,
never in the request: the request gets a page that refreshes itself (503, Retry-After)
until the file is stored, then the file; the file is kept by the content it was made
from, so asking again renders nothing, and a changed report is a new file. Without a
broker (local mode) the task runs right after the commit; in these tests, whose own
transaction never commits, the commit's callbacks are run by hand."""

import datetime as dt
import os

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from gongkai.core import clock
from gongkai.reports import prepared, selectors
from gongkai.reports.rendering import pdf
from gongkai.reports.tests import test_services as base
from gongkai.tasks.models import OutboxState, OutboxTask

records = base.records
report = base.report


def get_prepared(client, url):
    """Ask for a back-office PDF as a person waiting for it would: the first answer is
    the "being prepared" page, the worker runs (the commit), the page's refresh gets the
    file."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.get(url)
    assert first.status_code == 503, first.status_code
    return client.get(url)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _no_rendering(monkeypatch):
    def refuse(html):
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf, "html_to_pdf", refuse)


def test_a_draft_pdf_is_prepared_by_a_worker_then_served_and_kept(client_for, office, report, monkeypatch,
                                                                  caplog):
    client = client_for(office)
    url = reverse("staff:report-pdf", args=[report.pk])
    with TestCase.captureOnCommitCallbacks(execute=False) as queued, caplog.at_level("WARNING"):
        pending = client.get(url)
    # "Come back in 5 s" is not an error of the site: no ERROR line per refresh.
    assert not [r for r in caplog.records if r.name == "django.request"], caplog.text
    # Nothing rendered in the request: a page that refreshes itself, and the task queued.
    assert pending.status_code == 503 and pending["Retry-After"] == "5"
    text = pending.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in text
    assert "PDF文件正在生成" in text and "（草稿）" in text
    assert f'href="{reverse("staff:report-detail", args=[report.pk])}"' in text
    [task] = OutboxTask.objects.filter(name=prepared.RENDER_PDF)
    assert task.state == OutboxState.PENDING and not default_storage.exists(
        f"{prepared.PREPARED_DIR}/{task.key.split(':')[1]}.pdf")
    # The row carries the page's digest; the page itself waits in the storage.
    assert task.args == {"digest": task.key.split(":")[1]}
    assert default_storage.exists(prepared.page_name(task.args["digest"]))
    for callback in queued:  # the commit: the worker renders (local mode)
        callback()
    task.refresh_from_db()
    assert task.state == OutboxState.DONE
    assert not default_storage.exists(prepared.page_name(task.args["digest"]))  # rendered: gone

    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    first = body(served)
    assert first.startswith(b"%PDF")
    # Asked again, unchanged: the stored file, nothing rendered, no new task.
    _no_rendering(monkeypatch)
    assert body(client.get(url)) == first
    assert OutboxTask.objects.filter(name=prepared.RENDER_PDF).count() == 1


def test_a_changed_draft_is_a_new_file(client_for, office, report):
    client = client_for(office)
    url = reverse("staff:report-pdf", args=[report.pk])
    get_prepared(client, url)
    report.preamble = "本报告根据条例编制，已按意见修改。"
    report.save(update_fields=["preamble"])
    # The stored file was made from other content: not served, a new rendering asked for.
    with TestCase.captureOnCommitCallbacks(execute=False):
        assert client.get(url).status_code == 503
    assert OutboxTask.objects.filter(name=prepared.RENDER_PDF).count() == 2


def test_the_same_content_asked_twice_before_it_is_ready_is_one_task(client_for, office, report):
    client = client_for(office)
    url = reverse("staff:report-pdf", args=[report.pk])
    with TestCase.captureOnCommitCallbacks(execute=False):
        assert client.get(url).status_code == 503
        assert client.get(url).status_code == 503
    assert OutboxTask.objects.filter(name=prepared.RENDER_PDF).count() == 1


def test_a_purged_file_is_rendered_again_when_asked_for(client_for, office, report):
    client = client_for(office)
    url = reverse("staff:report-pdf", args=[report.pk])
    assert get_prepared(client, url).status_code == 200
    [name] = _pdfs()
    default_storage.delete(f"{prepared.PREPARED_DIR}/{name}")  # its mark stays behind
    # Its task is done: a new one renders the file again.
    assert get_prepared(client, url).status_code == 200
    assert OutboxTask.objects.filter(name=prepared.RENDER_PDF, state=OutboxState.DONE).count() == 2


def test_prepared_files_are_purged_after_30_days(client_for, office, report):
    get_prepared(client_for(office), reverse("staff:report-pdf", args=[report.pk]))
    [name] = _pdfs()
    path = default_storage.path(f"{prepared.PREPARED_DIR}/{name}")
    made = timezone.make_aware(dt.datetime(2026, 2, 1, 9))
    os.utime(path, (made.timestamp(), made.timestamp()))  # made "now" by the platform clock
    clock.freeze(made + dt.timedelta(days=30) - dt.timedelta(seconds=1))
    assert prepared.purge_prepared() == 0
    clock.freeze(made + dt.timedelta(days=30, seconds=1))
    assert prepared.purge_prepared() == 1
    assert default_storage.listdir(prepared.PREPARED_DIR)[1] == []


def test_the_task_run_twice_stores_one_file(report):
    html = pdf.pdf_html(selectors.build_document(report))
    prepared.render_pdf_file(html=html)
    prepared.render_pdf_file(html=html)
    assert sorted(default_storage.listdir(prepared.PREPARED_DIR)[1]) == [
        f"{prepared._digest(html)}.pdf", f"{prepared._digest(html)}.pdf.ready"]


def _pdfs() -> list[str]:
    return [f for f in default_storage.listdir(prepared.PREPARED_DIR)[1] if f.endswith(".pdf")]


def test_a_pdf_without_its_ready_mark_is_never_served(report):
    """A storage writes a file under its final name as it goes: half a PDF has no mark."""
    html = pdf.pdf_html(selectors.build_document(report))
    name = prepared.stored_name(html)
    default_storage.save(name, ContentFile(b"%PDF-1.7 half"))
    assert not prepared._is_ready(name)
    prepared.render_pdf_file(html=html)  # renders it whole, then marks it
    assert prepared._is_ready(name)
    with default_storage.open(name, "rb") as handle:
        assert handle.read() != b"%PDF-1.7 half"


def test_a_pdf_that_failed_for_good_says_so_instead_of_waiting(client_for, office, report,
                                                               monkeypatch):
    def broken(html):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    monkeypatch.setattr(settings, "TASK_MAX_ATTEMPTS", 1)
    client = client_for(office)
    url = reverse("staff:report-pdf", args=[report.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.get(url).status_code == 503  # the worker runs it: it fails for good
    first = client.get(url, follow=True)
    assert prepared.NOT_MADE in first.content.decode()
    again = client.get(url, follow=True)  # not rendered again on every visit
    assert prepared.NOT_MADE in again.content.decode()
    assert OutboxTask.objects.filter(name=prepared.RENDER_PDF).count() == 1


def test_the_summary_pdf_is_prepared_too(client_for, office, report, supervisor_of_report):
    client = client_for(supervisor_of_report)
    url = reverse("staff:report-rollup-pdf", args=[report.agency.pk, report.year])
    with TestCase.captureOnCommitCallbacks(execute=False):
        pending = client.get(url)
    assert pending.status_code == 503 and "汇总表" in pending.content.decode()
    assert f'href="{reverse("staff:report-rollup", args=[report.agency.pk, report.year])}"' in \
        pending.content.decode()


@pytest.fixture
def supervisor_of_report(report):
    from gongkai.core.models import Role
    from gongkai.core.tests.factories import UserFactory, member

    return member(UserFactory(), report.agency, Role.SUPERVISOR)
