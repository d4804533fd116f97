"""The report as DOCX (python-docx): A4, the title centred, the numbered headings, prose
with a two-character first-line indent, and every table with real merged cells (from
``layout``), borders on every cell and its header rows repeated on each page.

Chinese needs the East-Asian font slot: a run's ``w:rFonts`` names a Latin font
(``w:ascii``/``w:hAnsi``) and a separate ``w:eastAsia`` font; without the latter Word and
LibreOffice pick a Latin font and may show boxes. We name the fonts of Chinese official
documents (仿宋 for prose, 黑体 for headings, 宋体 for tables), mark the text zh-CN, and
give each font an ``altName`` in the font table naming its Noto CJK equivalent
(Debian's fonts-noto-cjk) for machines without the Windows fonts.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell

from gongkai.reports.document import DRAFT_MARK, ReportDocument
from gongkai.reports.rendering.model import (
    PrintedTable,
    chinese_date,
    preamble_paragraphs,
    printed_sections,
)

LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋"  # prose
HEADING_FONT = "黑体"  # section headings
TABLE_FONT = "宋体"  # tables, title
# East-Asian font -> the name Word/LibreOffice may use where the font is not installed.
FALLBACKS = {
    BODY_FONT: ("FangSong", "Noto Serif CJK SC"),
    HEADING_FONT: ("SimHei", "Noto Sans CJK SC"),
    TABLE_FONT: ("SimSun", "Noto Serif CJK SC"),
}
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(9)
TEXT_WIDTH = Mm(210 - 26 - 24)


def set_fonts(rpr_parent, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set every font slot of a run or style (``w:rFonts``) and mark the text zh-CN."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _run(paragraph, text: str, *, font: str, size, bold: bool = False, superscript: bool = False):
    run = paragraph.add_run(text)
    run.font.size = size
    run.font.bold = bold
    if superscript:
        run.font.superscript = True
    set_fonts(run._r, font)
    return run


def _setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(26), Mm(24)
    _drop_theme_fonts(document)
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(normal.element, BODY_FONT)
    _add_font_fallbacks(document)
    _add_page_number(section)


def _drop_theme_fonts(document) -> None:
    """The default template names theme fonts (``w:eastAsiaTheme`` …), which win over
    explicit names; drop them so our East-Asian fonts apply everywhere."""
    styles = document.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        for attribute in list(fonts.attrib):
            if attribute.endswith("Theme"):
                del fonts.attrib[attribute]
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = OxmlElement("w:rFonts")
                rpr.insert(0, fonts)
            for slot in ("w:ascii", "w:hAnsi", "w:cs"):
                fonts.set(qn(slot), LATIN_FONT)
            fonts.set(qn("w:eastAsia"), BODY_FONT)


def _add_font_fallbacks(document) -> None:
    """Declare the fonts in ``word/fontTable.xml`` with GB2312 charset and an alternative
    name, so a reader without them substitutes a Chinese font, not a Latin one."""
    font_table = None
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            font_table = rel.target_part
    if font_table is None:  # pragma: no cover - python-docx's default template has one
        return
    from lxml import etree

    root = etree.fromstring(font_table.blob)
    for name, (_windows_name, noto) in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt = etree.SubElement(font, qn("w:altName"))
        alt.set(qn("w:val"), noto)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")
        family = etree.SubElement(font, qn("w:family"))
        family.set(qn("w:val"), "modern" if name == BODY_FONT else "auto")
    font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)


def _add_draft_mark(document) -> None:
    """A draft says so on every page (the page header, in red) and under its title, so a
    downloaded working copy cannot pass for the published report."""
    paragraph = document.sections[0].header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = _run(paragraph, DRAFT_MARK, font=HEADING_FONT, size=Pt(14), bold=True)
    run.font.color.rgb = RGBColor(0xC0, 0, 0)


def _add_page_number(section) -> None:
    """A centred ``— PAGE —`` field in the footer."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", font=TABLE_FONT, size=Pt(10.5))
    run = _run(paragraph, "", font=TABLE_FONT, size=Pt(10.5))
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    _run(paragraph, " —", font=TABLE_FONT, size=Pt(10.5))


def _prose(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _run(paragraph, text, font=BODY_FONT, size=BODY_SIZE)


def _heading(document, text: str) -> None:
    paragraph = document.add_heading(level=1)
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.paragraph_format.space_after = Pt(6)
    run = _run(paragraph, text, font=HEADING_FONT, size=Pt(16))
    run.font.bold = False
    run.font.color.rgb = RGBColor(0, 0, 0)


def _borders(tc) -> None:
    tc_pr = tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.insert_element_before(borders, "w:shd", "w:noWrap", "w:tcMar", "w:textDirection",
                                    "w:tcFitText", "w:vAlign", "w:hideMark")
    for edge in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)


def _table_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                 "w:tblCaption", "w:tblDescription")


def _table_caption(table, text: str) -> None:
    """The table's accessible title (``w:tblCaption``, read out by screen readers); the
    printed page shows the section heading and the table's own title row instead."""
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), text)
    table._tbl.tblPr.insert_element_before(caption, "w:tblDescription")


def _row_flags(row, *, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page


def _column_widths(printed: PrintedTable) -> list[int]:
    """Label columns share about 45% of the text width (the innermost gets most of it),
    figure columns the rest equally; a table without labels spreads evenly."""
    labels, figures = printed.layout.label_columns, len(printed.table.columns)
    if not labels:
        return [int(TEXT_WIDTH / figures)] * figures
    label_share = 0.45 if figures > 3 else 0.4
    label_width = TEXT_WIDTH * label_share
    figure_width = (TEXT_WIDTH - label_width) / figures
    if labels == 1:
        label_widths = [label_width]
    else:
        outer = label_width * 0.14
        label_widths = [outer] * (labels - 1) + [label_width - outer * (labels - 1)]
    return [int(w) for w in label_widths] + [int(figure_width)] * figures


def _table(document, printed: PrintedTable) -> None:
    header_count = len(printed.header_rows)
    rows = header_count + len(printed.body_rows)
    table = document.add_table(rows=rows, cols=printed.width)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _table_borders(table)
    _table_caption(table, printed.caption)
    widths = _column_widths(printed)
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
    for i, row in enumerate(table.rows):
        _row_flags(row, header=i < header_count)
    for i, column in enumerate(table.columns):
        column.width = widths[i]

    # The grid of cells before any merge (``table.cell`` recomputes the whole grid on every
    # call); spans never overlap, so each merge leaves the other cells' elements intact.
    grid = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    placed = [(cell, 0) for row in printed.header_rows for cell in row]
    placed += [(cell, header_count) for row in printed.body_rows for cell in row]
    for cell, offset in placed:
        top, left = cell.row + offset, cell.col
        target = grid[top][left]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(grid[top + cell.rowspan - 1][left + cell.colspan - 1])
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = target.paragraphs[0]
        if cell.numeric:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif cell.kind in ("label",) or cell.kind == "corner":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = 0
        paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = 0
        _run(paragraph, cell.text, font=TABLE_FONT, size=TABLE_SIZE, bold=cell.kind == "title")
        if cell.note:  # on the row label only: a value cell holds its number alone
            _run(paragraph, f"注{cell.note}", font=TABLE_FONT, size=TABLE_SIZE, superscript=True)
    for tc in table._tbl.iter(qn("w:tc")):  # every cell, merged continuations included
        _borders(tc)

    for number, text in printed.notes:
        note = document.add_paragraph()
        _run(note, f"注{number}：{text}", font=TABLE_FONT, size=Pt(9))
    document.add_paragraph()


def render_docx(doc: ReportDocument) -> bytes:
    """The report as a Word document (A4), printing exactly what the HTML prints."""
    document = Document()
    _setup(document)
    document.core_properties.title = doc.title
    document.core_properties.author = doc.agency_name
    document.core_properties.language = "zh-CN"

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(18)
    _run(title, doc.title, font=TABLE_FONT, size=Pt(22), bold=True)
    if doc.draft:
        _add_draft_mark(document)
        mark = document.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = _run(mark, DRAFT_MARK, font=HEADING_FONT, size=Pt(16), bold=True)
        run.font.color.rgb = RGBColor(0xC0, 0, 0)

    for text in preamble_paragraphs(doc):
        _prose(document, text)
    for part in printed_sections(doc):
        _heading(document, part.section.title)
        for text in part.paragraphs:
            _prose(document, text)
        for printed in part.tables:
            _table(document, printed)

    for text in (doc.agency_name, chinese_date(doc.published_on)):
        if text:
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, text, font=BODY_FONT, size=BODY_SIZE)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
