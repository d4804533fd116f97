"""The checker reads published reports: both sample reports, the same tables as HTML, DOCX and PDF,
simplified or traditional characters; what it cannot map it reports, never guesses."""

import io
import re
import zipfile
from decimal import Decimal

import opencc
import pytest

from gongkai.reports.checker import check_bytes
from gongkai.reports.checker.check import chinese_error
from gongkai.reports.checker.extract import extract
from gongkai.reports.checker.readers import UnreadableFile, read_document, split_text_line
from gongkai.reports.formats import get_format
from gongkai.reports.tests.fixtures.renditions import report_docx, report_html
from gongkai.reports.tests.fixtures.sample_reports import (
    AGENCY_2018,
    AGENCY_2020,
    REPORT_2018,
    REPORT_2020,
    report_2020_text,
)


def _extract(data: bytes):
    return extract(read_document(data))


@pytest.fixture(scope="module")
def report_2020():
    return _extract(REPORT_2020.read_bytes())


@pytest.fixture(scope="module")
def report_2018():
    return _extract(REPORT_2018.read_bytes())


# --- a 2020 report in the 2019 format, traditional, one row per line --------------------------

def test_report_2020_is_read_as_the_2019_format_with_its_year_and_agency(report_2020):
    assert report_2020.format.id == "2019"
    assert report_2020.year == 2020
    assert report_2020.agency == AGENCY_2020


def test_report_2020_places_every_cell_of_the_2019_format(report_2020):
    fmt = get_format("2019")
    assert report_2020.missing == []
    assert set(report_2020.cells) == set(fmt.cell_refs())
    assert len(report_2020.cells) == 198
    assert report_2020.unplaced == []  # every table line mapped; prose is not looked at


def test_report_2020_figures_land_in_their_cells(report_2020):
    cells = report_2020.cells
    assert cells["2.5/licensing/items_last_year"] == 69
    assert cells["2.5/licensing/change"] == 0
    assert cells["2.5/licensing/decisions"] == 5361  # broken over two lines in the report
    assert cells["2.6/penalty/decisions"] == 209
    assert cells["2.6/enforcement/items_last_year"] == 13
    assert cells["2.6/enforcement/decisions"] == 31
    assert cells["2.9/procurement/projects"] == 2
    assert cells["2.9/procurement/amount"] == Decimal("395.721")  # "395.721萬元"
    assert cells["3/三.七/total"] == 0
    assert cells["3/三.六/natural_person"] == 0
    assert cells["4/all/litigation_after_review.total"] == 0


def test_report_2020_breaks_no_rule():
    result = check_bytes("2020.txt", REPORT_2020.read_bytes())
    assert result.status == 0
    assert result.violations == []
    assert result.check.unchecked == []
    assert result.check.checked == 40  # 7 + 7 columns, 23 rows, 3 appeal totals


def test_report_2020_in_simplified_characters_reads_the_same(report_2020):
    simplified = opencc.OpenCC("t2s").convert(report_2020_text())
    assert simplified != report_2020_text()
    again = _extract(simplified.encode("utf-8"))
    assert again.format.id == "2019" and again.year == 2020 and again.agency == AGENCY_2020
    assert again.cells == report_2020.cells
    assert again.unplaced == []


def test_report_2020_in_gb18030_with_full_width_punctuation_reads_the_same(report_2020):
    text = report_2020_text().replace("|", "｜").replace("(", "（").replace(")", "）")
    again = _extract(text.encode("gb18030"))
    assert again.cells == report_2020.cells


# --- a 2018 legacy report, one cell per line ---------------------------------------------------

def test_report_2018_is_read_as_legacy_with_its_appendix(report_2018):
    assert report_2018.format.id == "legacy"
    assert report_2018.year == 2018
    assert report_2018.agency == AGENCY_2018
    cells = report_2018.cells
    assert cells["appendix/proactive_documents/value"] == 74
    assert cells["appendix/proactive_website/value"] == 74
    assert cells["appendix/requests_received/value"] == 4
    assert cells["appendix/requests_in_person/value"] == 0
    assert cells["appendix/requests_online/value"] == 4
    assert cells["appendix/replies/value"] == 4
    assert cells["appendix/replies_disclosed/value"] == 2
    assert cells["appendix/replies_refused/value"] == 2
    assert cells["appendix/fees_waived/value"] == 0
    assert cells["appendix/complaints/value"] == 0  # under the merged label 政务/公开/相关
    assert cells["appendix/reviews/value"] == 0
    assert cells["appendix/lawsuits/value"] == 0


def test_report_2018_blank_lines_are_blank_cells_not_zero(report_2018):
    for row in ("proactive_gazette", "requests_post_fax", "replies_partly", "replies_other"):
        ref = f"appendix/{row}/value"
        assert ref in report_2018.cells and report_2018.cells[ref] is None
    assert report_2018.missing == []


def test_report_2018_prose_figures_are_not_cells(report_2018):
    """"201811日" (2018年1月1日 with digits lost) and the top-10 table of section 二 are
    not figures of the appendix."""
    texts = " ".join(u.text for u in report_2018.unplaced)
    assert "201811" not in texts and "业务文件" not in texts
    assert 201811 not in report_2018.cells.values()
    assert [u.text for u in report_2018.unplaced] == ["设为主页 | 加入收藏 | 网站地图 | 关于我们 | 使用帮助"]


def test_report_2018_appendix_sums_hold():
    result = check_bytes("2018.txt", REPORT_2018.read_bytes())
    assert result.status == 0 and result.check.checked == 3


# --- the same tables as HTML, DOCX and PDF ----------------------------------------------------

def _distinct(cells: dict) -> dict:
    """The 2020 report's cells with a different figure in every cell of tables 三 and 四, so
    that a shifted column or row cannot go unnoticed."""
    out = dict(cells)
    for i, ref in enumerate(sorted(r for r in cells if r[0] in "34")):
        out[ref] = i + 1
    return out


@pytest.mark.parametrize("script", ["simplified", "traditional"])
@pytest.mark.parametrize("distinct", [False, True])
def test_html_rendition_with_merged_cells_reads_the_same(report_2020, script, distinct):
    cells = _distinct(report_2020.cells) if distinct else report_2020.cells
    label = opencc.OpenCC("s2t").convert if script == "traditional" else (lambda s: s)
    page = report_html(get_format("2019"), cells, agency=AGENCY_2020, year=2020, label=label)
    assert "rowspan=" in page and "colspan=" in page
    again = _extract(page.encode("utf-8"))
    assert (again.format.id, again.year) == ("2019", 2020)
    assert again.cells == cells
    assert again.unplaced == []


@pytest.mark.parametrize("distinct", [False, True])
def test_docx_rendition_with_merged_cells_reads_the_same(report_2020, distinct):
    cells = _distinct(report_2020.cells) if distinct else report_2020.cells
    data = report_docx(get_format("2019"), cells, agency=AGENCY_2020, year=2020)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "w:gridSpan" in xml and "w:vMerge" in xml  # merged header and group cells
    again = _extract(data)
    assert read_document(data).kind == "docx"
    assert (again.format.id, again.year, again.agency) == ("2019", 2020, AGENCY_2020)
    assert again.cells == cells
    assert again.unplaced == []


def test_pdf_rendition_reads_the_same_through_its_text_layer(report_2020):
    import weasyprint

    cells = _distinct(report_2020.cells)
    page = report_html(get_format("2019"), cells, agency=AGENCY_2020, year=2020)
    pdf = weasyprint.HTML(string=page).write_pdf()
    document = read_document(pdf)
    assert document.kind == "pdf"
    again = extract(document)
    assert (again.format.id, again.year, again.agency) == ("2019", 2020, AGENCY_2020)
    assert again.cells == cells
    assert again.unplaced == []


def test_2021_format_is_recognised_by_its_own_labels():
    fmt = get_format("2021")
    cells = dict.fromkeys(fmt.cell_refs(), 0)
    cells["2.1/rules/issued"] = 3
    cells["2.8/fees/amount"] = Decimal("1.5")
    page = report_html(fmt, cells, agency="测试市市场监督管理局", year=2022)
    again = _extract(page.encode())
    assert again.format.id == "2021" and again.year == 2022
    assert again.cells == cells


def test_a_report_in_the_wrong_format_for_its_year_is_a_finding(report_2020):
    page = report_html(get_format("2019"), report_2020.cells, agency=AGENCY_2020, year=2022)
    result = check_bytes("2022.html", page.encode())
    assert result.format.id == "2019"
    assert result.status == 1  # not only a note: the exit status says so
    [finding] = [v for v in result.violations if v.rule == "格式.年度不符"]
    assert finding.as_dict()["expected"] == "2021年版年度报告格式"
    assert finding.as_dict()["found"] == "2019年版年度报告格式"
    assert "2022年度报告应采用“2021年版年度报告格式”" in finding.describe()


# --- what cannot be mapped is reported, never guessed ------------------------------------------

def test_a_row_with_a_figure_missing_is_unplaced_not_shifted():
    text = report_2020_text().replace("行政處罰 | 60 | 0 | 209 |", "行政處罰 | 60 | 209 |")
    again = _extract(text.encode())
    assert "2.6/penalty/decisions" not in again.cells and "2.6/penalty/change" not in again.cells
    assert [u.text for u in again.unplaced] == ["行政處罰 | 60 | 209"]
    assert "只有2个数字，应有3个" in again.unplaced[0].reason


def test_an_unknown_row_label_is_unplaced():
    text = report_2020_text().replace("行政強制 | 13 | 0 | 31 |", "行政检查 | 13 | 0 | 31 |")
    again = _extract(text.encode())
    assert "2.6/enforcement/decisions" not in again.cells
    assert again.unplaced[0].text == "行政检查 | 13 | 0 | 31"
    assert again.unplaced[0].where.startswith("line ")


def test_a_figure_contradicting_an_earlier_one_is_unplaced():
    text = report_2020_text().replace("行政強制 | 13 | 0 | 31 |", "行政強制 | 13 | 0 | 31 |\n行政強制 | 13 | 0 | 32 |")
    again = _extract(text.encode())
    assert again.cells["2.6/enforcement/decisions"] == 31
    assert "不一致" in again.unplaced[0].reason


def test_header_printed_in_another_column_order_is_followed():
    text = report_2020_text().replace(
        "信息內容 | 采購項目數量 | 采購總金額 |", "信息內容 | 采購總金額 | 采購項目數量 |"
    ).replace("政府集中采購 | 2 | 395.721萬元 |", "政府集中采購 | 395.721萬元 | 2 |")
    again = _extract(text.encode())
    assert again.cells["2.9/procurement/projects"] == 2
    assert again.cells["2.9/procurement/amount"] == Decimal("395.721")


@pytest.mark.parametrize(("line", "cells", "structured"), [
    ("行政許可 | 69 | 0", ("行政許可", "69", "0"), True),
    ("| 5361 |", ("5361",), True),
    ("规章 |  | 0 |", ("规章", "", "0"), True),  # an empty cell between bars is a blank
    ("行政许可   69 0  5361", ("行政许可", "69", "0", "5361"), False),
    ("三、本年度办理结果 (一)予以公开 0 0", ("三、本年度办理结果 (一)予以公开", "0", "0"), False),
    ("本年新 公開數量", ("本年新 公開數量",), False),
])
def test_text_lines_split_into_cells(line, cells, structured):
    assert split_text_line(line) == (cells, structured)


# --- unreadable files -------------------------------------------------------------------------

def _docx_with_dtd() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "message", "chinese"), [
    (b"PK\x03\x04garbage that is not a zip archive", "corrupt ZIP", "文件已损坏，无法按ZIP格式读取"),
    (_docx_with_dtd(), "DTD", "出于安全考虑未读取"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image", "这是图片文件"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "", "无法按PDF格式读取"),
    (bytes(range(256)) * 8, "binary", "无法识别的二进制文件"),
])
def test_hostile_or_broken_files_are_unreadable(data, message, chinese):
    with pytest.raises(UnreadableFile) as caught:
        read_document(data)
    assert message in caught.value.message
    result = check_bytes("bad", data)
    assert result.status == 2 and result.error  # English, for the CLI
    assert chinese in result.error_zh
    assert not re.search(r"[a-z]", result.error_zh)  # no English inside the Chinese message


@pytest.mark.parametrize("message", [
    "file larger than 100 MB", "encrypted PDF (a password is needed to open it)",
    "PDF with more than 2000 pages", "PDF without a text layer (scanned?); OCR is not supported",
    "legacy or password-protected Office file (.doc/.xls); save it as DOCX/XLSX",
    "archive (RAR) is not supported", "text in an unknown encoding (neither UTF-8 nor GB18030)",
    "a spreadsheet is not a published report (save it as HTML, DOCX or PDF)",
    "more than 50000 lines of text: not an annual report", "table row wider than the checker reads",
    "ZIP member 'x' would inflate beyond 64 MB (zip bomb?)", "something nobody foresaw",
])
def test_every_reader_error_has_a_chinese_message_without_english(message):
    text = chinese_error(message)
    assert text and not re.search(r"[a-z]", text)


@pytest.mark.parametrize("text", ["", "这是一份会议纪要，与年度报告无关。\n出席 12 人", "规章 | 1 | 2 | 3 |"])
def test_text_without_a_report_format_is_not_recognised(text):
    result = check_bytes("x.txt", text.encode())
    assert result.status == 2
    assert result.extraction.format is None
    assert "未识别出年度报告格式" in result.error_zh
