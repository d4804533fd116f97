"""Where a hand-typed figure came from ("财务科2025年收费台账") is the office's working
note: the back office shows it, the public page and the published DOCX and PDF never do;
and a note printed where it is shown is numbered once ("注1：…", not "1. 注1：…")."""

import io
import re

import docx
import pytest
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from gongkai.reports import selectors, services
from gongkai.reports.tests import test_services as base

records = base.records
report = base.report

SOURCE = "财务科2025年收费台账"  # what base.ready_to_publish records for the fee figure


@pytest.fixture
def published(report, office, leader):
    base.ready_to_publish(report, office, leader)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the files are rendered after the commit
        services.report_publish(actor=office, report=report)
    report.refresh_from_db()
    return report


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_the_public_page_shows_no_internal_source_note(client, published):
    version = published.published_version
    assert version.manual_sources  # the version keeps the sources, for the back office
    url = reverse("portal:annual-report-detail", args=[published.agency.code, published.year])
    page = client.get(url).content.decode()
    assert "行政事业性收费" in page  # the row is there, with its figure
    assert SOURCE not in page and "人工填报" not in page
    assert "report-note-ref" not in page and "注1" not in page


def test_the_published_files_carry_no_internal_source_note(published):
    version = published.published_version
    with version.docx.open("rb") as handle:
        text = _docx_text(handle.read())
    assert "行政事业性收费" in text
    assert SOURCE not in text and "人工填报" not in text and "注1" not in text
    with version.pdf.open("rb") as handle:
        pdf = _pdf_text(handle.read())
    assert "行政事业性收费" in pdf
    assert SOURCE not in pdf and "人工填报" not in pdf


def test_the_back_office_still_sees_where_the_figure_came_from(client_for, office, published):
    page = client_for(office).get(reverse("staff:report-detail", args=[published.pk])).content.decode()
    assert f"人工填报，来源：{SOURCE}" in page
    internal = selectors.version_document(published.published_version, internal=True)
    assert internal.manual_sources == published.published_version.manual_sources


def test_a_note_is_numbered_once(report, office):
    services.report_figure_set(actor=office, report=report, ref=base.FEES, value="1.25", source=SOURCE)
    from django.template.loader import render_to_string

    html = render_to_string("reports/_document.html", {"doc": selectors.build_document(report)})
    # the note itself says "注1：" and is not an item of a numbered list besides
    assert re.search(r'<p id="report-table-[^"]+-note-1">注1：[^<]*行政事业性收费[^<]*为人工填报，来源：'
                     + SOURCE + "</p>", html)
    notes = re.findall(r'<div class="report-notes">(.*?)</div>', html, re.S)
    assert notes and not any("<ol" in n or "<li" in n for n in notes)
