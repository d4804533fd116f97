"""The drafted prose and the tables state the same figures, always: the paragraphs drafted
from the data are written at render time from the very cells the tables print (the
report stores a marker line, not numbers), and publication freezes them together."""

import datetime as dt
import io
import re

import docx

from gongkai.core.tests.helpers import at
from gongkai.reports import selectors, services
from gongkai.reports.drafting import DRAFT_MARKER
from gongkai.reports.rendering import render_docx
from gongkai.reports.tests import test_services as base

records = base.records
report = base.report

RECEIVED = "3/一/total"


def _received_in_prose(text: str) -> int:
    return int(re.search(r"本年新收政府信息公开申请(\d+)件", text).group(1))


def _penalties_in_prose(text: str) -> int:
    return int(re.search(r"行政处罚决定(\d+)件", text).group(1))


def test_drafting_stores_the_marker_and_keeps_the_staffs_own_words(report, office):
    assert services.report_draft_prose(actor=office, report=report) == ["overview", "other_matters"]
    report.refresh_from_db()
    assert report.overview == DRAFT_MARKER and report.other_matters == DRAFT_MARKER
    services.report_prose_update(actor=office, report=report,
                                 overview=f"本局高度重视政务公开。\n{DRAFT_MARKER}\n下一步将继续努力。")
    report.refresh_from_db()
    doc = selectors.build_document(report)
    paragraphs = doc.paragraphs("overview")
    assert paragraphs[0] == "本局高度重视政务公开。" and paragraphs[-1] == "下一步将继续努力。"
    assert DRAFT_MARKER not in doc.prose["overview"]
    assert _received_in_prose(doc.prose["overview"]) == doc.cells[RECEIVED] == 3


def test_prose_follows_the_table_when_the_records_move(report, office, bureau):
    services.report_draft_prose(actor=office, report=report)
    report.refresh_from_db()
    base.receive(bureau, office, dt.date(2025, 11, 3))  # one more request on record
    at(dt.date(2026, 1, 6))
    services.report_recompute(actor=office, report=report)
    report.refresh_from_db()
    doc = selectors.build_document(report)
    assert doc.cells[RECEIVED] == 4
    assert _received_in_prose(doc.prose["overview"]) == 4
    # the DOCX prints both from the same document: prose and table cell agree
    word = docx.Document(io.BytesIO(render_docx(doc)))
    prose = "\n".join(p.text for p in word.paragraphs)
    assert _received_in_prose(prose) == 4


def test_prose_follows_a_figure_typed_over_a_computed_cell(report, office):
    services.report_draft_prose(actor=office, report=report)
    report.refresh_from_db()
    before = selectors.build_document(report)
    assert _penalties_in_prose(before.prose["overview"]) == before.cells[base.PENALTIES] == 0
    services.report_figure_set(actor=office, report=report, ref=base.PENALTIES, value="12",
                               source="执法办案系统导出")
    report.refresh_from_db()
    after = selectors.build_document(report)
    assert after.cells[base.PENALTIES] == 12
    assert _penalties_in_prose(after.prose["overview"]) == 12
    # the staff page shows the prose as printed, not the marker
    assert "行政处罚决定12件" in selectors.rendered_prose(report)["overview"]


def test_publication_freezes_the_prose_with_the_cells(report, office, leader, bureau, client):
    base.ready_to_publish(report, office, leader, sign_off=False)
    services.report_return(actor=office, report=report, reason="按数据生成正文")
    services.report_draft_prose(actor=office, report=report, replace=True)
    services.report_submit(actor=office, report=report)
    services.report_sign_off(actor=leader, report=report)
    version = services.report_publish(actor=office, report=report)
    assert DRAFT_MARKER not in version.prose["overview"]
    assert _received_in_prose(version.prose["overview"]) == version.cells[RECEIVED] == 3
    assert "信息处理费" in version.prose["other_matters"]
    # later records change neither the published prose nor its table
    base.receive(bureau, office, dt.date(2025, 12, 1))
    doc = selectors.version_document(version)
    assert _received_in_prose(doc.prose["overview"]) == doc.cells[RECEIVED] == 3
