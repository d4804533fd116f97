"""PDF tables read by their geometry (issue 19): ruled cells laid on a grid as the HTML and
DOCX readers lay them, so that a narrow merged cell printed a character per line
("三、本年度办理结果") stays in its own cell instead of leaking into the labels beside it,
a label wrapped inside its cell reads whole, and headings and prose still come through
in reading order. The PDFs are printed by WeasyPrint from HTML tables with borders, in
the CJK font the platform's own report PDFs use."""

from __future__ import annotations

import html
import io
import re

import pytest

from gongkai.reports.checker import check_bytes
from gongkai.reports.checker.extract import extract
from gongkai.reports.checker.pdf_tables import _cell_text
from gongkai.reports.checker.readers import UnreadableFile, read_document
from gongkai.reports.formats import get_format
from gongkai.reports.tests.fixtures.renditions import Cell, table_grid

weasyprint = pytest.importorskip("weasyprint")

AGENCY = "青岚市青山区人民政府办公室"

# Label cells as narrow as published reports print them: the outermost group one character
# wide (printed a character per line), sub-groups two characters wide, row labels wrapping.
CSS = (
    "body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC',serif;font-size:10.5pt}"
    "table{border-collapse:collapse;width:100%;margin:6pt 0}"
    "td{border:0.75pt solid #000;padding:1.5pt;text-align:center}"
    "td.outer{width:10.5pt;word-break:break-all}td.group{width:21pt}td.label{text-align:left;width:LABEL_WIDTH}"
    "@page{size:PAGE_SIZE;margin:20mm 18mm}"
)


def _pdf(body: str, *, label_width: str = "9em", page: str = "A4", bordered: bool = True) -> bytes:
    css = CSS.replace("LABEL_WIDTH", label_width).replace("PAGE_SIZE", page)
    if not bordered:
        css = css.replace("border:0.75pt solid #000", "border:none")
    return weasyprint.HTML(string=f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
                                  f"<style>{css}</style></head><body>{body}</body></html>").write_pdf()


def _table(grid: list[list[Cell]], outer_groups: frozenset[str] = frozenset()) -> str:
    rows = []
    for line in grid:
        cells = []
        for cell in line:
            kind = ""
            if cell.rowspan > 1 and cell.text in outer_groups:
                kind = " class=outer"
            elif cell.rowspan > 1 and cell.text.startswith("("):
                kind = " class=group"
            elif cell.text and not re.fullmatch(r"[\d.]*", cell.text) and cell.rowspan == 1:
                kind = " class=label"
            spans = (f" colspan={cell.colspan}" if cell.colspan > 1 else "") + (
                f" rowspan={cell.rowspan}" if cell.rowspan > 1 else "")
            cells.append(f"<td{kind}{spans}>{html.escape(cell.text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _distinct_cells(fmt) -> dict:
    """A different figure in every cell, so that a shifted row or column cannot pass."""
    return {ref: i + 1 for i, ref in enumerate(fmt.cell_refs())}


def report_2021_pdf(cells: dict, *, year: int = 2022, **layout) -> bytes:
    fmt = get_format("2021")
    outer = frozenset(r.label for t in fmt.tables for r in t.rows if not r.numbers and not r.group)
    prose = "本机关坚持以公开为常态、不公开为例外，全面推进政务公开，回应社会关切。" * 5
    parts = [f"<h1>{AGENCY}{year}年政府信息公开工作年度报告</h1>",
             f"<p>本报告中所列数据的统计期限为{year}年1月1日至{year}年12月31日。</p>"]
    for section in fmt.sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.kind == "prose":
            parts.append(f"<p>{prose}</p>")
            continue
        for table in fmt.tables_in(section.number):
            parts.append(_table(table_grid(table, cells), outer))
    return _pdf("".join(parts), **layout)


@pytest.fixture(scope="module")
def full_report():
    cells = _distinct_cells(get_format("2021"))
    return cells, report_2021_pdf(cells)


# --- table 三 alone: merged cells, vertical text, wrapped labels -------------------------------

def _table_three_pdf(**layout) -> bytes:
    fmt = get_format("2021")
    table = fmt.table("3")
    cells = {ref: 7 for ref in fmt.cell_refs() if ref.startswith("3/")}
    outer = frozenset({"三、本年度办理结果"})
    return _pdf("<h2>三、收到和处理政府信息公开申请情况</h2>" + _table(table_grid(table, cells), outer)
                + "<p>表后说明：以上数据截至年底。</p>", **layout)


@pytest.fixture(scope="module")
def table_three():
    return read_document(_table_three_pdf())


def _row(document, label_start: str):
    [line] = [line for line in document.lines if line.structured and any(c.startswith(label_start) for c in line.cells)]
    return line


def test_the_narrow_merged_group_cell_reads_once_in_its_own_cell(table_three):
    assert table_three.kind == "pdf"
    outer = [line for line in table_three.lines if "三、本年度办理结果" in line.cells]
    assert len(outer) == 1  # once, in the row it starts in
    assert outer[0].cells[:2] == ("三、本年度办理结果", "(一)予以公开")
    assert outer[0].cells[2:] == ("7",) * 7


def test_no_character_of_a_merged_cell_leaks_into_another_row(table_three):
    table = get_format("2021").table("3")
    whole = {table.corner, *(r.label for r in table.rows), *(c.label for c in table.columns),
             *(g for c in table.columns for g in c.groups)}
    for line in table_three.lines:
        if line.structured:
            assert all(cell in whole or cell == "7" for cell in line.cells), (line.where, line.cells)
        else:  # outside the table: its heading and the note under it, nothing else
            assert line.cells in {("三、收到和处理政府信息公开申请情况",), ("表后说明：以上数据截至年底。",)}


def test_group_cells_appear_once_each_even_when_the_page_break_cuts_them(table_three):
    pages = {line.where.split(",")[0] for line in table_three.lines if line.structured}
    assert len(pages) == 2  # the table runs over a page break (A4, 10.5pt)
    groups = [r.label for r in get_format("2021").table("3").rows if not r.numbers]
    for group in groups:
        assert sum(line.cells.count(group) for line in table_three.lines) == 1, group
    assert _row(table_three, "(五)不予处理").cells[:2] == ("(五)不予处理", "1.信访举报投诉类申请")


def test_sub_group_cells_are_whole_and_beside_their_first_row_only(table_three):
    assert _row(table_three, "(三)不予公开").cells[:2] == ("(三)不予公开", "1.属于国家秘密")
    assert _row(table_three, "(四)无法提供").cells[:2] == ("(四)无法提供", "1.本机关不掌握相关政府信息")
    assert _row(table_three, "2.其他法律").cells == ("2.其他法律行政法规禁止公开", *("7",) * 7)
    assert _row(table_three, "4.保护第三方").cells == ("4.保护第三方合法权益", *("7",) * 7)
    assert _row(table_three, "2.没有现成").cells == ("2.没有现成信息需要另行制作", *("7",) * 7)


def test_a_label_wrapped_inside_its_cell_is_joined_without_spaces(table_three):
    line = _row(table_three, "(二)部分公开")
    assert line.cells == ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", *("7",) * 7)
    long = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    assert _row(table_three, "2.申请人逾期").cells == (long, *("7",) * 7)


def test_merged_header_cells_appear_once_in_their_first_slot(table_three):
    header = [line.cells for line in table_three.lines if line.structured][:3]
    assert header[0] == (get_format("2021").table("3").corner, "申请人情况")
    assert header[1] == ("自然人", "法人或其他组织", "总计")
    assert header[2] == ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")


def test_rows_say_where_they_came_from(table_three):
    line = _row(table_three, "(七)总计")
    assert re.fullmatch(r"page \d, table 1, row \d+", line.where)
    assert line.structured


def test_text_outside_the_table_comes_before_and_after_it_in_reading_order(table_three):
    texts = [(i, line) for i, line in enumerate(table_three.lines) if not line.structured]
    assert [line.cells for _, line in texts] == [("三、收到和处理政府信息公开申请情况",), ("表后说明：以上数据截至年底。",)]
    first_row = next(i for i, line in enumerate(table_three.lines) if line.structured)
    last_row = max(i for i, line in enumerate(table_three.lines) if line.structured)
    assert texts[0][0] < first_row and texts[1][0] > last_row
    assert texts[0][1].where == "page 1, line 1"


def test_the_whole_table_is_placed(table_three):
    extraction = extract(table_three)
    assert extraction.format.id == "2021"
    assert extraction.cells == {
        ref: 7 for ref in get_format("2021").cell_refs() if ref.startswith("3/")}
    assert extraction.unplaced == []


# --- a whole 2021-format report ---------------------------------------------------------------

def test_a_full_2021_report_places_every_cell(full_report):
    cells, pdf = full_report
    result = check_bytes("2022.pdf", pdf)
    assert result.kind == "pdf" and result.error == ""
    extraction = result.extraction
    assert extraction.format.id == "2021" and extraction.year == 2022
    assert extraction.missing == []
    assert extraction.cells == cells
    assert extraction.unplaced == []


def test_headings_come_before_their_tables(full_report):
    _cells, pdf = full_report
    document = read_document(pdf)
    texts = [line.cells[0] for line in document.lines]
    heading = texts.index("三、收到和处理政府信息公开申请情况")
    first_row = next(i for i, line in enumerate(document.lines) if "一、本年新收政府信息公开申请数量" in line.cells)
    assert heading < first_row
    assert texts.index("四、政府信息公开行政复议、行政诉讼情况") > first_row
    assert texts.index("二、主动公开政府信息情况") < texts.index("第二十条第(一)项")
    assert document.lines[texts.index("第二十条第(一)项")].structured  # a table's title row


def test_a_table_continued_over_a_page_break_is_placed_whole():
    cells = _distinct_cells(get_format("2021"))
    pdf = report_2021_pdf(cells, page="A5")  # table 三 runs over two pages
    document = read_document(pdf)
    pages = {line.where.split(",")[0] for line in document.lines
             if line.structured and re.match(r"\d+$", line.cells[-1]) and len(line.cells) >= 8}
    assert len(pages) >= 2  # its rows do lie on more than one page
    extraction = extract(document)
    assert extraction.missing == []
    assert extraction.cells == cells
    assert extraction.unplaced == []


def test_a_consistent_report_passes_every_rule():
    fmt = get_format("2021")
    cells = dict.fromkeys(fmt.cell_refs(), 0)
    result = check_bytes("2022.pdf", report_2021_pdf(cells))
    assert result.extraction.missing == []
    assert result.status == 0 and result.violations == []


# --- the text layer, where there are no ruling lines -------------------------------------------

def test_a_page_without_ruling_lines_is_read_through_its_text_layer():
    fmt = get_format("2021")
    grid = table_grid(fmt.table("2.1"), {"2.1/rules/issued": 3, "2.1/rules/repealed": 0, "2.1/rules/in_force": 12})
    pdf = _pdf("<h2>二、主动公开政府信息情况</h2>" + _table(grid), bordered=False)
    document = read_document(pdf)
    assert not any(line.structured for line in document.lines)
    assert all(re.fullmatch(r"page 1, line \d+", line.where) for line in document.lines)
    assert ("规章", "3", "0", "12") in [line.cells for line in document.lines]


def test_ruling_lines_without_any_text_are_a_scan_not_a_report():
    pdf = _pdf("<table>" + "<tr><td>&nbsp;</td><td>&nbsp;</td></tr>" * 3 + "</table>")
    with pytest.raises(UnreadableFile, match="without a text layer"):
        read_document(pdf)


# --- joining the lines of one cell -------------------------------------------------------------

def _chars(*lines: str, size: float = 10.0) -> list[dict]:
    out = []
    for n, line in enumerate(lines):
        x = 0.0
        for text in line:
            out.append({"text": text, "x0": x, "x1": x + size, "top": n * 12.0, "bottom": n * 12.0 + size,
                        "size": size})
            x += size
    return out


@pytest.mark.parametrize(("lines", "text"), [
    (("三", "、", "本", "年", "度"), "三、本年度"),  # a character per line
    (("(二)部分公开(区分处理的,只计这一情", "形,不计其他情形)"), "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    (("Freedom of", "Information"), "Freedom of Information"),  # Latin words keep their space
    (("Article", "20"), "Article 20"),
    (("395.7", "21万元"), "395.721万元"),  # a figure wrapped by the cell's width reads whole
    (("第20", "条"), "第20条"),
])
def test_the_lines_of_a_cell_are_joined(lines, text):
    assert _cell_text(_chars(*lines)) == text


def test_figures_beside_two_grid_rows_in_one_box_are_never_joined_into_one_figure():
    """A box spanning two grid rows (the rule between two figure cells not drawn) holds
    "1" beside the first row and "2" beside the second: two figures, never 12."""
    two_rows = [0.0, 11.0, 23.0]  # the grid lines the box spans: line 1 in row 1, line 2 in row 2
    assert _cell_text(_chars("1", "2"), two_rows) == "1 2"
    assert _cell_text(_chars("395.7", "21"), [0.0, 30.0]) == "395.721"  # one grid row: wrapped
    assert _cell_text(_chars("395.7", "21"), [0.0, 24.0, 30.0]) == "395.721"  # both lines in row 1


def test_a_figure_cell_over_two_rows_leaves_its_rows_unplaced_not_misread():
    body = ("<h2>三、收到和处理政府信息公开申请情况</h2><table>"
            "<tr><td class=label>甲项</td><td rowspan=2>1<br>2</td></tr>"
            "<tr><td class=label>乙项</td></tr></table>")
    document = read_document(_pdf(body))
    rows = [line.cells for line in document.lines if line.structured]
    assert ("甲项", "1 2") in rows
    assert not any("12" in cells for cells in rows)


def test_a_character_printed_twice_over_itself_counts_once():
    chars = _chars("规章")
    doubled = [dict(c, x0=c["x0"] + 0.3, x1=c["x1"] + 0.3) for c in chars]  # fake bold
    assert _cell_text(sorted(chars + doubled, key=lambda c: c["x0"])) == "规章"


# --- a Word-like PDF: the platform's own DOCX printed by LibreOffice ----------------------------

def test_a_docx_printed_by_libreoffice_reads_whole_across_its_page_breaks(tmp_path):
    """LibreOffice closes a merged cell at the page break on both pages and repeats the
    header rows: "三、本年" / "度办理结果" and "(三)" / "不予公开" are read whole, in the row
    the group starts in (table 三 breaks across two pages in this report)."""
    from gongkai.core.tests.libreoffice import docx_to_pdf
    from gongkai.reports.rendering import render_docx
    from gongkai.reports.tests.test_rendering import doc_2021

    doc = doc_2021()
    pdf = docx_to_pdf(render_docx(doc), tmp_path, "report").read_bytes()
    document = read_document(pdf)
    table = get_format("2021").table("3")
    first, total = (next(line.where.split(",")[0] for line in document.lines if label in line.cells)
                    for label in ("一、本年新收政府信息公开申请数量", "(七)总计"))
    assert first != total  # table 三 does break across pages
    groups = [r.label for r in table.rows if not r.numbers]
    for group in groups:
        assert sum(line.cells.count(group) for line in document.lines) == 1, group
    extraction = extract(document)
    assert extraction.missing == []
    assert extraction.cells == dict(doc.cells)
    assert all(u.reason.startswith("没有行标签") for u in extraction.unplaced)  # the page numbers


def test_rows_cut_by_the_page_break_and_closed_on_both_pages_read_whole(tmp_path):
    """LibreOffice lets a row break across pages (Word's default too) and rules both parts:
    the label's continuation on the next page joins the row it starts in."""
    import docx

    from gongkai.core.tests.libreoffice import docx_to_pdf

    document = docx.Document()
    for _ in range(8):
        document.add_paragraph("说明文字。" * 30)
    table = document.add_table(rows=0, cols=3)
    table.style = "Table Grid"
    labels = [f"{i}.第{i}项" + "很长的标签文字" * 12 for i in range(1, 16)]
    for i, label in enumerate(labels, start=1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, str(i), str(100 + i)
    buffer = io.BytesIO()
    document.save(buffer)
    pdf = docx_to_pdf(buffer.getvalue(), tmp_path, "rows").read_bytes()
    rows = [line for line in read_document(pdf).lines if line.structured]
    assert len({line.where.split(",")[0] for line in rows}) >= 2
    assert [line.cells for line in rows] == [(label, str(i), str(100 + i)) for i, label in enumerate(labels, start=1)]


# --- what geometry does not read is read as today ----------------------------------------------

def _rewritten(pdf: bytes, *, rotate: int = 0, password: str | None = None) -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        if rotate:
            page.rotate(rotate)
        writer.add_page(page)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_page_turned_sideways_is_read_through_its_text_layer(full_report):
    cells, pdf = full_report
    document = read_document(_rewritten(pdf, rotate=90))
    assert not any(line.structured for line in document.lines)
    assert ("一、总体情况",) in [line.cells for line in document.lines]


def test_a_pdf_encrypted_without_a_user_password_is_read_by_geometry(full_report):
    cells, pdf = full_report
    document = read_document(_rewritten(pdf, password=""))
    assert any(line.structured for line in document.lines)
    assert extract(document).cells == cells


def test_a_pdf_that_needs_a_password_is_unreadable(full_report):
    _cells, pdf = full_report
    with pytest.raises(UnreadableFile, match="encrypted PDF"):
        read_document(_rewritten(pdf, password="secret"))


def test_a_page_pdfplumber_fails_on_is_read_through_its_text_layer(full_report, monkeypatch):
    from gongkai.reports.checker import pdf_tables

    _cells, pdf = full_report
    read = pdf_tables._read

    def failing_on_page_two(page):
        if page.page_number == 2:
            raise ValueError("a page pdfplumber cannot read")
        return read(page)

    monkeypatch.setattr(pdf_tables, "_read", failing_on_page_two)
    document = read_document(pdf)
    on_page = {n: [line for line in document.lines if line.where.startswith(f"page {n},")] for n in (1, 2)}
    assert any(line.structured for line in on_page[1])
    assert on_page[2] and not any(line.structured for line in on_page[2])
    assert all(re.fullmatch(r"page 2, line \d+", line.where) for line in on_page[2])
