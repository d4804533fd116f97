"""The report printed as HTML, DOCX and PDF: every label exactly as in the format data,
every figure in its cell, merged header cells, and Chinese text that shows (not boxes).

``ReportDocument`` is plain data, so these tests need no database.
"""

import dataclasses
import datetime as dt
import io
import os
import re
import struct
import subprocess
import sys
import zlib
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from docx.oxml.ns import qn
from pypdf import PdfReader

from gongkai.reports.document import ReportDocument
from gongkai.reports.formats import get_format
from gongkai.reports.rendering import render_docx, render_pdf
from gongkai.reports.rendering.model import printed_sections, printed_table
from gongkai.reports.rendering.pdf import STATIC_DIR, StaticOnlyFetcher, html_to_pdf, pdf_html
from gongkai.reports.rendering.values import format_value

AGENCY = "青岚市市场监督管理局"
FEE_SOURCE = "财务科2025年度非税收入台账"


def doc_2021() -> ReportDocument:
    """Every cell a different figure (so a misplaced one shows), one left blank, one amount
    typed by hand, and enough prose that table 三 breaks across two pages."""
    fmt = get_format("2021")
    cells = {ref: i + 1 for i, ref in enumerate(fmt.cell_refs())}
    cells["2.8/fees/amount"] = Decimal("12.34560")
    cells["2.6/enforcement/decisions"] = None
    overview = "\n".join(
        f"（{n}）2025年，本局坚持以公开为常态、不公开为例外，持续完善政府信息公开工作机制，"
        f"主动公开政府信息{100 + n}条，及时回应社会关切，依法保障人民群众的知情权、参与权和监督权。"
        for n in range(1, 15)  # 14 paragraphs: table 三 starts low on page 3
    )
    return ReportDocument(
        format=fmt, agency_name=AGENCY, year=2025, cells=cells,
        prose={"overview": overview, "problems": "一是公开内容有待丰富。\n二是解读形式较为单一。",
               "other_matters": "本年度共发出收费通知0件，收取信息处理费0元。"},
        preamble="本报告根据《中华人民共和国政府信息公开条例》编制。",
        published_on=dt.date(2026, 1, 20),
        manual_sources={"2.8/fees/amount": FEE_SOURCE},
    )


def doc_2019_report_2020() -> ReportDocument:
    """The figures of the sample 2020 report (青岚市市场监督管理局, 2019 format): zeros except
    table 二."""
    fmt = get_format("2019")
    cells = dict.fromkeys(fmt.cell_refs(), 0)
    cells.update({
        "2.5/licensing/items_last_year": 69, "2.5/licensing/decisions": 5361,
        "2.6/penalty/items_last_year": 60, "2.6/penalty/decisions": 209,
        "2.6/enforcement/items_last_year": 13, "2.6/enforcement/decisions": 31,
        "2.9/procurement/projects": 2, "2.9/procurement/amount": Decimal("395.721"),
    })
    return ReportDocument(
        format=fmt, agency_name="青岚市市场监督管理局", year=2020, cells=cells,
        prose={"overview": "2020年，青岚市市场监督管理局稳步推进政府信息公开工作。",
               "problems": "政策解读形式以文字为主。", "other_matters": "无。"},
        manual_sources={"2.9/procurement/amount": "局财务科政府采购台账"},
    )


# --- HTML --------------------------------------------------------------------------------

class _Tables(HTMLParser):
    """Every <table>: its header and body rows as (tag, attrs, text) cells."""

    def __init__(self):
        super().__init__()
        self.tables, self.styles, self.cell, self.part = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.styles.append((tag, attrs["style"]))
        if tag == "table":
            self.tables.append({"attrs": attrs, "thead": [], "tbody": [], "caption": ""})
        elif tag in ("thead", "tbody"):
            self.part = tag
        elif tag == "caption":
            self.cell = {"tag": "caption", "attrs": attrs, "text": ""}
        elif tag == "tr":
            self.tables[-1][self.part].append([])
        elif tag in ("th", "td"):
            self.cell = {"tag": tag, "attrs": attrs, "text": ""}

    def handle_endtag(self, tag):
        if tag == "caption":
            self.tables[-1]["caption"] = self.cell["text"]
            self.cell = None
        elif tag in ("th", "td") and self.cell:
            self.tables[-1][self.part][-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def grid(rows):
    """Place HTML cells on the grid the way a browser does: {(row, col): cell}."""
    placed, occupied = {}, set()
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            rs, cs = int(cell["attrs"].get("rowspan", 1)), int(cell["attrs"].get("colspan", 1))
            placed[(r, c)] = {**cell, "rowspan": rs, "colspan": cs}
            occupied |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            c += cs
    return placed


def parse(html):
    parser = _Tables()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def html_2021():
    return render_to_string("reports/_document.html", {"doc": doc_2021()})


@pytest.mark.parametrize("make_doc", [doc_2021, doc_2019_report_2020])
def test_html_prints_every_cell_at_its_place_with_its_merges(make_doc):
    doc = make_doc()
    parsed = parse(render_to_string("reports/_document.html", {"doc": doc}))
    assert [t["attrs"]["data-table"] for t in parsed.tables] == [t.key for t in doc.format.tables]
    assert parsed.styles == []  # the CSP forbids inline style attributes
    for html_table, table in zip(parsed.tables, doc.format.tables, strict=True):
        printed = printed_table(doc, table)
        for part, rows in (("thead", printed.header_rows), ("tbody", printed.body_rows)):
            placed = grid(html_table[part])
            expected = {(c.row, c.col): c for row in rows for c in row}
            assert placed.keys() == expected.keys(), table.key
            for pos, cell in expected.items():
                got = placed[pos]
                assert (got["rowspan"], got["colspan"]) == (cell.rowspan, cell.colspan), (table.key, pos)
                if cell.is_header:
                    assert got["tag"] == "th" and got["attrs"]["scope"] == cell.scope
                    note = f"注{cell.note}" if cell.note else ""  # on the row label
                    assert got["text"] == cell.text + note  # exactly as in the format data
                else:
                    assert got["tag"] == "td" and got["attrs"]["data-ref"] == cell.ref
                    assert "report-num" in got["attrs"]["class"]  # right-aligned by report.css
                    value = format_value(doc.value(cell.ref), doc.format.value_type(cell.ref))
                    unit = "万元" if value and cell.ref == "2.9/procurement/amount" else ""
                    assert cell.note is None
                    assert got["text"] == value + unit, cell.ref  # the number alone
        # Every row and column label of the format appears exactly as printed there.
        texts = {re.sub(r"注\d+$", "", c["text"]) for row in html_table["thead"] + html_table["tbody"] for c in row}
        assert {c.label for c in table.columns} <= texts
        assert {r.label for r in table.rows if r.label} <= texts


def test_html_table_3_values_land_under_their_applicant_column(html_2021):
    doc = doc_2021()
    table3 = next(t for t in parse(html_2021).tables if t["attrs"]["data-table"] == "3")
    body = grid(table3["tbody"])
    header = grid(table3["thead"])
    # Column 9 is 总计 (spanning header rows 2-3); row 23 is (七)总计 after the 22 outcome rows.
    assert header[(1, 9)]["text"] == "总计" and header[(1, 9)]["rowspan"] == 2
    assert body[(23, 1)]["text"] == "(七)总计"
    assert body[(23, 9)]["text"] == str(doc.cells["3/三.七/total"])
    assert body[(2, 0)]["text"] == "三、本年度办理结果" and body[(2, 0)]["rowspan"] == 22
    assert header[(0, 0)]["text"].startswith("(本列数据的勾稽关系为")


def test_html_document_prints_title_preamble_sections_prose_and_manual_source(html_2021):
    doc = doc_2021()
    text = re.sub(r"<[^>]+>", "", html_2021)
    assert "<h1" in html_2021 and doc.title in html_2021
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", html_2021)
    assert headings == [s.title for s in doc.format.sections]
    assert doc.preamble in text
    for key in ("overview", "problems", "other_matters"):
        for paragraph in doc.paragraphs(key):
            assert f'<p class="report-para">{paragraph}</p>' in html_2021
    # The fee total is marked as typed by hand, naming its source; amounts keep 4 decimals.
    assert '<td class="report-num" data-ref="2.8/fees/amount">12.3456</td>' in html_2021
    assert re.search(r'行政事业性收费<sup class="report-note-ref"><a href="#[^"]+">注1</a></sup></th>', html_2021)
    assert f"为人工填报，来源：{FEE_SOURCE}" in text
    assert 'data-ref="2.6/enforcement/decisions"></td>' in html_2021  # not stated: empty
    assert "2026年1月20日" in text


def test_html_table_partial_renders_one_table_on_its_own():
    doc = doc_2019_report_2020()
    html = Template('{% include "reports/_table.html" with doc=doc table=table %}').render(
        Context({"doc": doc, "table": doc.format.table("2.9")}))
    parsed = parse(html)
    assert len(parsed.tables) == 1
    assert parsed.tables[0]["caption"] == "主动公开政府信息情况：第二十条第(九)项"
    assert 'data-ref="2.9/procurement/amount">395.721万元</td>' in html
    assert "政府集中采购<sup" in html
    assert "局财务科政府采购台账" in html


def test_report_tags_format_cells():
    doc = doc_2019_report_2020()
    html = Template(
        '{% load report_tags %}[{% cell_value doc "2.5/licensing/decisions" %}]'
        '[{{ amount|report_amount:2 }}][{{ none|report_count }}][{{ neg|report_count }}]'
    ).render(Context({"doc": doc, "amount": Decimal("1.005"), "none": None, "neg": -3}))
    assert html == "[5361][1.01][][-3]"


@pytest.mark.parametrize(("value", "value_type", "printed"), [
    (None, "count", ""), (0, "count", "0"), (12, "count", "12"), (-2, "signed", "-2"),
    (Decimal("395.721"), "amount", "395.721"), (Decimal("1.50000"), "amount", "1.5"),
    (Decimal("0.00004"), "amount", "0"), (Decimal("2"), "amount", "2"), (7, "amount", "7"),
])
def test_format_value(value, value_type, printed):
    assert format_value(value, value_type) == printed


# --- DOCX --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docx_2021():
    return docx.Document(io.BytesIO(render_docx(doc_2021())))


def test_docx_tables_have_real_merged_cells_matching_the_layout(docx_2021):
    doc = doc_2021()
    assert len(docx_2021.tables) == len(doc.format.tables)
    for word_table, table in zip(docx_2021.tables, doc.format.tables, strict=True):
        printed = printed_table(doc, table)
        offset = len(printed.header_rows)
        assert len(word_table.rows) == offset + len(printed.body_rows)
        # python-docx's grid: a merged cell is the same element at every position it covers.
        all_cells, width = word_table._cells, len(word_table.columns)
        assert width == printed.width

        def grid_cell(r, c, all_cells=all_cells, width=width):
            return all_cells[r * width + c]

        cells = [(c, 0) for row in printed.header_rows for c in row]
        cells += [(c, offset) for row in printed.body_rows for c in row]
        for cell, base in cells:
            top, left = base + cell.row, cell.col
            word_cell = grid_cell(top, left)
            bottom_right = grid_cell(top + cell.rowspan - 1, left + cell.colspan - 1)
            assert word_cell._tc is bottom_right._tc, (table.key, cell.text)
            expected = cell.text + (f"注{cell.note}" if cell.note else "")
            assert word_cell.text == expected, (table.key, top, left)
            if left + cell.colspan < printed.width:  # the next cell is another one
                assert grid_cell(top, left + cell.colspan)._tc is not word_cell._tc


def test_docx_table_3_merges_in_the_xml(docx_2021):
    tbl = docx_2021.tables[4]._tbl
    rows = tbl.tr_lst
    corner = rows[0].tc_lst[0]
    assert corner.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "3"
    assert corner.tcPr.find(qn("w:vMerge")).get(qn("w:val")) == "restart"
    group = rows[3 + 2].tc_lst[0]  # body row 2: 三、本年度办理结果
    assert "三、本年度办理结果" in "".join(group.itertext())
    assert group.tcPr.find(qn("w:vMerge")).get(qn("w:val")) == "restart"
    continued = [rows[3 + r].tc_lst[0].tcPr.find(qn("w:vMerge")) for r in range(3, 24)]
    assert all(v is not None and v.get(qn("w:val"), "continue") == "continue" for v in continued)
    first = rows[3].tc_lst[0]  # 一、…: one cell over the three label columns
    assert first.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "3"


def test_docx_prints_every_label_and_number(docx_2021):
    doc = doc_2021()
    text = "\n".join(p.text for p in docx_2021.paragraphs)
    assert doc.title in text
    for section in doc.format.sections:
        assert section.title in text
    for paragraph in doc.paragraphs("overview"):
        assert paragraph in text
    table3 = {c.text for row in docx_2021.tables[4].rows for c in row.cells}
    assert {r.label for r in doc.format.table("3").rows} <= table3
    assert {str(doc.cells[ref]) for ref in doc.format.table("3").cell_refs()} <= table3
    assert f"为人工填报，来源：{FEE_SOURCE}" in text


def test_docx_page_fonts_headers_and_borders(docx_2021):
    section = docx_2021.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    body = docx_2021.element.body
    runs = list(body.iter(qn("w:r")))
    assert runs
    for run in runs:
        fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert fonts.get(qn("w:eastAsia")) in {"仿宋", "黑体", "宋体"}
        assert run.find(f"{qn('w:rPr')}/{qn('w:lang')}").get(qn("w:eastAsia")) == "zh-CN"
    styles = docx_2021.styles.element
    assert not [a for f in styles.iter(qn("w:rFonts")) for a in f.attrib if a.endswith("Theme")]
    font_table = next(r.target_part for r in docx_2021.part.rels.values()
                      if r.reltype.endswith("/fontTable"))
    assert "Noto Serif CJK SC" in font_table.blob.decode("utf-8")
    for word_table, table in zip(docx_2021.tables, doc_2021().format.tables, strict=True):
        header_rows = len(printed_table(doc_2021(), table).header_rows)
        flags = [tr.trPr.find(qn("w:tblHeader")) is not None for tr in word_table._tbl.tr_lst]
        assert flags == [True] * header_rows + [False] * (len(flags) - header_rows)
        for tc in word_table._tbl.iter(qn("w:tc")):
            edges = tc.tcPr.find(qn("w:tcBorders"))
            assert [e.get(qn("w:val")) for e in edges] == ["single"] * 4
    indented = [p for p in docx_2021.paragraphs if p.text in doc_2021().paragraphs("overview")]
    assert indented and all(p.paragraph_format.first_line_indent > 0 for p in indented)
    title = next(p for p in docx_2021.paragraphs if p.text == doc_2021().title)
    assert title.alignment == 1  # centred


# --- PDF ---------------------------------------------------------------------------------

def base_fonts(reader):
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def read_png_grey(data: bytes, max_rows: int | None = None):
    """A non-interlaced 8-bit PNG (as pdftoppm writes) as rows of grey levels (stdlib
    only); the top ``max_rows`` rows when given."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    assert depth == 8 and interlace == 0 and colour in (0, 2, 6)
    bpp = {0: 1, 2: 3, 6: 4}[colour]
    raw, stride = zlib.decompress(idat), width * bpp
    prev, rows, i = bytearray(stride), [], 0
    for _ in range(min(height, max_rows or height)):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line[::bpp]))
        prev = line
    return rows


def glyph_shapes(rows, threshold=128):
    """The connected dark shapes of a page (glyphs or their strokes), as (how many, the
    share of the most frequent exact shape, how many distinct shapes). Chinese text is
    made of hundreds of different shapes; a font without CJK glyphs draws the same box
    ("tofu") for every character, so one shape dominates."""
    height, width = len(rows), len(rows[0])
    dark = {(x, y) for y in range(height) for x in range(width) if rows[y][x] < threshold}
    seen, shapes = set(), Counter()
    for start in dark:
        if start in seen:
            continue
        stack, shape = [start], []
        seen.add(start)
        while stack:
            x, y = stack.pop()
            shape.append((x, y))
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    n = (x + dx, y + dy)
                    if n in dark and n not in seen:
                        seen.add(n)
                        stack.append(n)
        if len(shape) >= 6:  # not a speck of anti-aliasing
            x0, y0 = min(p[0] for p in shape), min(p[1] for p in shape)
            shapes[frozenset((x - x0, y - y0) for x, y in shape)] += 1
    total = sum(shapes.values())
    return total, shapes.most_common(1)[0][1] / total, len(shapes)


def first_page_png(pdf: bytes, tmp_path, resolution=50) -> bytes:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / f"page-r{resolution}"
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", "-gray", "-f", "1", "-l", "1",
                    str(path), str(prefix)], check=True, timeout=60)
    return next(tmp_path.glob(f"page-r{resolution}*.png")).read_bytes()


@pytest.fixture(scope="module")
def pdf_2021():
    return render_pdf(doc_2021())


def test_pdf_embeds_only_cjk_fonts(pdf_2021):
    names = base_fonts(PdfReader(io.BytesIO(pdf_2021)))
    assert names and all("CJK" in name for name in names), names


def test_pdf_text_layer_round_trips(pdf_2021):
    doc = doc_2021()
    reader = PdfReader(io.BytesIO(pdf_2021))
    pages = [page.extract_text() for page in reader.pages]
    text = re.sub(r"\s+", "", "".join(pages))
    assert re.sub(r"\s+", "", doc.title) in text
    for row in doc.format.table("3").rows:
        assert row.label in text, row.label
    for ref in ("3/三.七/total", "3/四/natural_person", "2.5/licensing/decisions"):
        assert str(doc.cells[ref]) in text
    assert "12.3456" in text and FEE_SOURCE in text
    # Page numbers in the footer.
    assert [re.search(r"—\s*(\d+)\s*—", p).group(1) for p in pages] == [
        str(n) for n in range(1, len(pages) + 1)]


def test_pdf_repeats_table_headers_on_every_page_of_a_table(pdf_2021):
    reader = PdfReader(io.BytesIO(pdf_2021))
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in reader.pages]
    first = next(i for i, p in enumerate(pages) if "一、本年新收政府信息公开申请数量" in p)
    last = next(i for i, p in enumerate(pages) if "四、结转下年度继续办理" in p)
    assert last > first, "the fixture's prose should push table 三 across a page break"
    for page in pages[first:last + 1]:
        assert "申请人情况" in page and "法人或其他组织" in page and "社会公益组织" in page


def test_pdf_page_shows_chinese_glyphs_not_boxes(pdf_2021, tmp_path):
    rows = read_png_grey(first_page_png(pdf_2021, tmp_path))
    text_area = rows[: len(rows) // 2]
    dark = sum(1 for row in text_area for v in row if v < 128)
    assert dark > 0.02 * len(text_area) * len(text_area[0])  # a page of text, not blank
    # At 50 dpi body text is a few pixels high; tell glyphs from boxes at 100 dpi.
    rows = read_png_grey(first_page_png(pdf_2021, tmp_path, 100), max_rows=585)
    count, top_share, distinct = glyph_shapes(rows)
    assert count > 300 and distinct > 150 and top_share < 0.2, (count, top_share, distinct)


def test_pixel_check_would_catch_boxes(tmp_path):
    """Control: the same page printed where fontconfig knows only DejaVu (no CJK glyphs)
    comes out as boxes, and both the font check and the pixel check say so. (Whether its
    text layer still reads back depends on the extractor: pdftotext maps the missing
    glyphs back to the characters, pypdf does not; so the text check alone is not relied
    on to catch boxes.)"""
    html = tmp_path / "report.html"
    html.write_text(pdf_html(doc_2021()), encoding="utf-8")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>", encoding="utf-8")
    # `make test` installs fonts-dejavu-core; without it the control proves nothing.
    assert Path("/usr/share/fonts/truetype/dejavu").is_dir(), "install Debian's fonts-dejavu-core"
    # write_pdf: the unchecked printer (html_to_pdf itself refuses boxes: test_pdf_font.py)
    script = ("import sys; from gongkai.reports.rendering.pdf import write_pdf; "
              "sys.stdout.buffer.write(write_pdf(open(sys.argv[1], encoding='utf-8').read()))")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    pdf = subprocess.run([sys.executable, "-c", script, str(html)], env=env, check=True,
                         capture_output=True, timeout=120).stdout
    reader = PdfReader(io.BytesIO(pdf))
    assert not any("CJK" in name for name in base_fonts(reader))
    rows = read_png_grey(first_page_png(pdf, tmp_path, 100), max_rows=585)
    count, top_share, distinct = glyph_shapes(rows)
    assert top_share > 0.5 and distinct < 60, (count, top_share, distinct)


def test_2019_format_document_renders_in_every_form(tmp_path):
    doc = doc_2019_report_2020()
    pdf = PdfReader(io.BytesIO(render_pdf(doc)))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pdf.pages))
    for label in ("第二十条第(九)项", "政府集中采购", "395.721万元", "5361", "(六)其他处理",
                  "其他对外管理服务事项", "本年增/减"):
        assert label in text
    assert all("CJK" in name for name in base_fonts(pdf))
    word = docx.Document(io.BytesIO(render_docx(doc)))
    assert [len(t.columns) for t in word.tables] == [4, 4, 4, 3, 3, 10, 15]
    assert word.tables[4].cell(2, 2).text == "395.721万元"  # the number alone
    assert word.tables[4].cell(2, 0).text == "政府集中采购注1"  # the marker on the row label
    assert len([s for s in printed_sections(doc) if s.tables]) == 3


def test_pdf_fetches_nothing_outside_the_static_directory():
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError, match="remote"):
        fetcher.fetch("https://example.com/x.css")
    with pytest.raises(ValueError, match="outside"):
        fetcher.fetch("file:///etc/passwd")
    css = fetcher.fetch((STATIC_DIR / "gongkai" / "report.css").as_uri())
    assert b"table.report-table" in css.read()
    css.close()
    # A stylesheet pointing at the network is refused, and the page still prints.
    pdf = html_to_pdf('<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>报告</p>')
    assert pdf.startswith(b"%PDF")


# --- our own files go back through the checker; drafts are marked ------------------------

def _html_file(doc) -> bytes:
    return render_to_string("reports/pdf.html", {"doc": doc}).encode()


@pytest.mark.parametrize("render", [render_docx, render_pdf, _html_file], ids=["docx", "pdf", "html"])
def test_a_typed_figure_in_our_own_file_is_placed_by_the_checker(render):
    from gongkai.reports.checker import check_bytes

    doc = doc_2021()
    assert "2.8/fees/amount" in doc.manual_sources
    result = check_bytes("ours", render(doc))
    assert result.format.id == "2021"
    assert result.extraction.cells["2.8/fees/amount"] == Decimal("12.3456")
    assert not [u for u in result.unplaced if "12.3456" in u.text]
    missing = {v.label for v in result.violations if v.rule == "格式.缺少单元格"}
    assert "行政事业性收费" not in missing
    if render is not render_pdf:  # a PDF's text layer wraps table 三's long labels
        assert missing == set()


@pytest.mark.parametrize("published", [False, True])
def test_a_draft_says_so_in_its_title_and_on_its_pages(published):
    doc = dataclasses.replace(doc_2021(), draft=not published)
    word = docx.Document(io.BytesIO(render_docx(doc)))
    header = "".join(p.text for p in word.sections[0].header.paragraphs)
    body = "\n".join(p.text for p in word.paragraphs)
    pdf = PdfReader(io.BytesIO(render_pdf(doc)))
    pages = [re.sub(r"\s+", "", page.extract_text()) for page in pdf.pages]
    if published:
        assert "草稿" not in doc.title and "草稿" not in header and "草稿" not in body
        assert not any("草稿" in page for page in pages)
    else:
        assert doc.title.endswith("（草稿）") and word.core_properties.title.endswith("（草稿）")
        assert "草稿" in header and "草稿未经发布" in body.replace("\u3000", "")
        assert len(pages) > 1 and all("草稿" in page for page in pages)  # every page
