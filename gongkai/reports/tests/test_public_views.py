"""The public annual report pages: only published versions, DOCX and PDF downloads with
Chinese file names, earlier versions of a corrected report."""

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.test import TestCase
from django.urls import reverse

from gongkai.core.models import Role
from gongkai.core.tests.factories import UserFactory, make_agency, member
from gongkai.core.tests.helpers import at, built_once
from gongkai.reports import services
from gongkai.reports.models import AnnualReport
from gongkai.reports.tests import test_services as base
from gongkai.reports.tests.test_services import FEES, ready_to_publish, receive

# Shared fixtures of the report's tests (a year of records, a started report).
records = base.records
report = base.report


def publish(report, office, leader):
    """Published, and its files rendered by the task the publication queued (after the
    commit: in a test's transaction, the commit callbacks are run here)."""
    ready_to_publish(report, office, leader)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.report_publish(actor=office, report=report)
    report.refresh_from_db()
    return report


@pytest.fixture
def published(report, office, leader):
    """A report published for one test, which may change it."""
    return publish(report, office, leader)


def url(name, report, **query):
    address = reverse(f"portal:{name}", args=[report.agency.code, report.year])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_draft_is_not_public(client, report):
    assert client.get(url("annual-report-detail", report)).status_code == 404
    assert client.get(url("annual-report-pdf", report)).status_code == 404
    page = client.get(reverse("portal:annual-report-list", args=[report.agency.code])).content.decode()
    assert "暂无已发布的年度报告" in page


def test_an_unknown_agency_is_a_404(client, db):
    assert client.get(reverse("portal:annual-report-list", args=["NOPE"])).status_code == 404


def test_the_public_page_does_not_change_when_records_change(client, published, bureau, office):
    before = client.get(url("annual-report-detail", published)).content.decode()
    receive(bureau, office, dt.date(2025, 12, 29))
    after = client.get(url("annual-report-detail", published)).content.decode()
    assert before == after


def _filename_header(report, kind, suffix=""):
    name = f"{report.agency.name}{report.year}年政府信息公开工作年度报告{suffix}.{kind}"
    return f"filename*=utf-8''{quote(name, safe='')}"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_corrected_report_keeps_its_earlier_version(client, published, office, leader,
                                                     django_capture_on_commit_callbacks):
    services.report_correct(actor=office, report=published, reason="收费金额有误")
    page = client.get(url("annual-report-detail", published)).content.decode()
    assert "收费金额有误" not in page  # still version 1 until the correction is published
    at(dt.date(2026, 1, 25))
    services.report_figure_set(actor=office, report=published, ref=FEES, value="2", source="更正台账")
    base.submit(published, office)
    services.report_sign_off(actor=leader, report=published)
    with django_capture_on_commit_callbacks(execute=True):  # the portal's cache is dropped
        services.report_publish(actor=office, report=published)
    page = client.get(url("annual-report-detail", published)).content.decode()
    assert "本报告于2026-01-25更正（第2版）：收费金额有误" in page
    old = client.get(url("annual-report-detail", published, version=1)).content.decode()
    assert "该版本已被更正" in old
    response = client.get(url("annual-report-docx", published, version=1))
    assert response.status_code == 200
    assert _filename_header(published, "docx", "（第1版）") in response["Content-Disposition"]
    assert client.get(url("annual-report-pdf", published, version=9)).status_code == 404
    # Version 1's files lost (a restored backup): its waiting page links to version 1's page.
    first = published.versions.get(number=1)
    type(first).objects.filter(pk=first.pk).update(docx="", pdf="")
    with django_capture_on_commit_callbacks(execute=False):
        pending = client.get(url("annual-report-pdf", published, version=1))
    assert pending.status_code == 503
    assert f'href="{url("annual-report-detail", published, version=1)}"' in pending.content.decode()


# --- a published report, its pages and its files (rendered once, at publication) ------------

def _no_rendering(monkeypatch):
    import gongkai.reports.rendering as rendering

    def refuse(doc):
        raise AssertionError("a public download must not render")
    monkeypatch.setattr(rendering, "render_docx", refuse)
    monkeypatch.setattr(rendering, "render_pdf", refuse)


@pytest.fixture(scope="class")
def _published_once(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")

    def build():
        # Its own bureau and people (the personas are per test), named apart from them.
        city = make_agency(name="测试市人民政府办公室")
        bureau = make_agency(parent=city, name="测试市市场监督管理局")
        office = member(UserFactory(username="report_office"), bureau, Role.OFFICE)
        leader = member(UserFactory(username="report_leader"), bureau, Role.LEADER)
        base.receive_a_year(bureau, office)
        at(dt.date(2026, 1, 5))
        report = services.report_start(actor=office, agency=bureau, year=2025)
        return media, publish(report, office, leader).pk

    yield from built_once(django_db_blocker, build, media_root=media)


class TestAPublishedReport:
    """What the public sees of a published report; no test here changes it."""

    @pytest.fixture
    def published(self, db, settings, _published_once):
        media, pk = _published_once
        settings.MEDIA_ROOT = media  # where its DOCX and PDF were stored
        return AnnualReport.objects.get(pk=pk)  # a fresh copy for each test

    def test_the_published_report_is_listed_and_shown(self, client, published):
        page = client.get(reverse("portal:annual-report-list", args=[published.agency.code])).content.decode()
        assert "测试市市场监督管理局2025年政府信息公开工作年度报告" in page
        page = client.get(url("annual-report-detail", published)).content.decode()
        assert "三、收到和处理政府信息公开申请情况" in page
        assert url("annual-report-docx", published) in page and url("annual-report-pdf", published) in page

    def test_the_docx_download(self, client, published):
        from docx import Document

        response = client.get(url("annual-report-docx", published))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response["Content-Disposition"].startswith("attachment; ")
        assert _filename_header(published, "docx") in response["Content-Disposition"]
        text = "\n".join(p.text for p in Document(io.BytesIO(body(response))).paragraphs)
        assert "测试市市场监督管理局2025年政府信息公开工作年度报告" in text

    def test_the_pdf_download(self, client, published):
        from pypdf import PdfReader

        response = client.get(url("annual-report-pdf", published))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert _filename_header(published, "pdf") in response["Content-Disposition"]
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body(response))).pages)
        text = text.replace("\n", "")  # the title wraps
        assert "测试市市场监督管理局2025年政府信息公开工作年度报告" in text
        assert "2026年1月10日" in text  # the published version's date

    @pytest.mark.parametrize("kind", ["docx", "pdf"])
    def test_a_download_serves_the_file_stored_at_publication(self, client, published, monkeypatch, kind):
        version = published.published_version
        stored = getattr(version, kind)
        assert stored.name.startswith("reports/versions/") and stored.name.endswith(f".{kind}")
        with stored.open("rb") as handle:
            expected = handle.read()
        _no_rendering(monkeypatch)
        for query in ({}, {"v": "1"}, {"x": "cache-busting"}):
            response = client.get(url(f"annual-report-{kind}", published, **query))
            assert response.status_code == 200 and body(response) == expected

    def test_a_published_file_does_not_change_when_the_templates_do(self, client, published, monkeypatch):
        before = body(client.get(url("annual-report-pdf", published)))
        monkeypatch.setattr("gongkai.reports.rendering.pdf.pdf_html", lambda doc: "<p>新模板</p>")
        assert body(client.get(url("annual-report-pdf", published))) == before


def test_a_version_without_its_files_asks_a_worker_for_them_and_says_so(client, published, monkeypatch):
    """Published before files were stored (or its files lost): the download does not
    render (seconds of WeasyPrint in a request); it queues the rendering, answers 503 in
    Chinese with Retry-After, and serves the file once the worker has stored it."""
    version = published.published_version
    version.docx.delete(save=False)
    version.pdf.delete(save=False)
    type(version).objects.filter(pk=version.pk).update(docx="", pdf="")
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = client.get(url("annual-report-pdf", published))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    text = response.content.decode()
    assert "PDF文件正在生成" in text and '<meta http-equiv="refresh" content="30">' in text
    # The web page of the report is readable meanwhile: the page links to it.
    assert f'href="{url("annual-report-detail", published)}" data-testid="report-html-link"' in text
    version.refresh_from_db()
    assert not version.pdf  # nothing was rendered in the request
    for callback in queued:  # the commit: the task runs (local mode: no broker)
        callback()
    version.refresh_from_db()
    assert version.pdf and version.docx
    first = body(client.get(url("annual-report-pdf", published)))
    assert first.startswith(b"%PDF")
    _no_rendering(monkeypatch)
    assert body(client.get(url("annual-report-pdf", published))) == first


def test_a_failed_rendering_keeps_the_publication_and_is_retried(client, report, office, leader, monkeypatch):
    """Rendering runs after the publication's commit: a failure there (WeasyPrint, the
    storage) does not undo the publication; the task keeps its error and is tried again,
    and the download says the file is coming."""
    from gongkai.tasks.models import OutboxState, OutboxTask

    ready_to_publish(report, office, leader)
    monkeypatch.setattr("gongkai.reports.rendering.render_pdf", lambda doc: 1 / 0)
    with TestCase.captureOnCommitCallbacks(execute=True):
        version = services.report_publish(actor=office, report=report)
    report.refresh_from_db()
    assert report.published_version == version and not version.pdf and not version.docx
    task = OutboxTask.objects.get(key=f"{services.RENDER_VERSION}:{version.pk}")
    assert task.state == OutboxState.PENDING and "ZeroDivisionError" in task.last_error and task.attempts == 1
    assert client.get(url("annual-report-pdf", report)).status_code == 503
