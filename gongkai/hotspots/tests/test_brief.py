"""The weekly brief: its charts as images, opened by LibreOffice (converted to PDF and the
images counted with pdfimages; skipped without LibreOffice, except under CI), and a
clear notice instead of boxes when the server has no CJK font."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document

from gongkai.core.tests.libreoffice import docx_to_pdf, pdf_text, squeezed
from gongkai.hotspots import brief
from gongkai.hotspots.analysis import analyse
from gongkai.hotspots.charts import charts_for
from gongkai.hotspots.periods import WEEK, Period
from gongkai.hotspots.tests.conftest import csv_bytes, row

pytestmark = pytest.mark.django_db
WEEK10 = Period(WEEK, dt.date(2026, 3, 2))


@pytest.fixture
def analysis(import_file, bureau):
    import_file(csv_bytes([row(f"A{i}", summary="悦动健身闭店，预付卡退费。") for i in range(6)]
                          + [row("B1", date="2026-02-24", category="食品", summary="外卖中吃出异物。")]))
    return analyse(agencies=[bureau], period=WEEK10, sources="complaints")


def _images(docx: bytes) -> int:
    return len(Document(io.BytesIO(docx)).inline_shapes)


def test_the_summary_paragraph_has_counts_change_terms_and_emerging_topics(analysis):
    text = brief.summary_paragraph(analysis, scope="测试市市场监督管理局")
    assert text.startswith("2026年第10周（3月2日—3月8日），测试市市场监督管理局共收到12315投诉举报6件，")
    assert "较上周（1件）增长500%" in text
    assert "较上年同期（0件）无可比数据" in text
    assert "“闭店”" in text and "新出现的热点：" in text


def test_the_brief_opens_in_libreoffice_with_its_charts_embedded(analysis, tmp_path):
    assert brief.cjk_font_name(), "the test machine has a CJK font (fonts-noto-cjk)"
    data = brief.render_docx(analysis, agency_name="测试市市场监督管理局", scope="测试市市场监督管理局")
    charts = [c for c in charts_for(analysis) if not c.empty]
    assert _images(data) == len(charts) >= 4
    pdf = docx_to_pdf(data, tmp_path, "brief")
    text = squeezed(pdf_text(pdf))
    assert "投诉举报热点周报" in text and "新出现的热点" in text and "闭店" in text
    assert shutil.which("pdfimages"), "pdfimages is missing: install Debian's poppler-utils"
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True, timeout=60).stdout.splitlines()[2:]
    assert len(listing) >= len(charts)


def test_without_a_cjk_font_the_brief_says_so_and_draws_nothing(analysis, monkeypatch):
    monkeypatch.setattr(brief, "cjk_font_name", lambda: None)
    data = brief.render_docx(analysis, agency_name="测试市市场监督管理局", scope="测试市市场监督管理局")
    assert _images(data) == 0
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "服务器没有中文字体" in text and "fonts-noto-cjk" in text
    tables = Document(io.BytesIO(data)).tables
    assert tables and tables[0].rows[-1].cells[1].text == "6"  # the trend's last week, still there
