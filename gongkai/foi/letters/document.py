"""A letter as laid out for issue (GB/T 9704 custom for 告知书): the title centred in
bold, the 文号 centred under it, the application number, the addressee at the margin,
the body with a two-character indent, then the seal position, the 落款 (agency) and the
date in Chinese, right-aligned. The same ``LetterText`` gives the DOCX (python-docx,
here), the PDF and the preview (HTML, ``letters.pdf`` and the staff fragment).

The seal itself is applied on paper or by e-seal; the letter only marks where
(``SEAL_MARK`` over the 落款, where GB/T 9704 puts the seal: pressing on the agency name
and the date).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from lxml import etree

from gongkai.foi.letters.fill import chinese_date

TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
# Where the Windows fonts are missing (LibreOffice on Debian), use Noto CJK.
FALLBACKS = {BODY_FONT: ("FangSong", "Noto Serif CJK SC"), TITLE_FONT: ("SimSun", "Noto Serif CJK SC")}
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
SEAL_MARK = "（盖章）"


@dataclass(frozen=True)
class LetterText:
    """Everything a letter says, in order, before it is laid out."""

    kind: str
    title: str
    addressee: str
    paragraphs: tuple[str, ...]
    agency_name: str
    issued_on: dt.date
    document_number: str = ""
    reference: str = ""  # the application number, under the 文号
    clerk: tuple[bool, ...] = ()  # per paragraph: the clerk's text (else fixed wording)
    dropped: tuple[str, ...] = ()  # the clerk's sentences left out as repeats

    @property
    def salutation(self) -> str:
        return f"{self.addressee}："

    @property
    def date_text(self) -> str:
        return chinese_date(self.issued_on)

    def lines(self) -> list[str]:
        """The letter's text, line by line, as printed (for tests and search)."""
        head = [self.title, self.document_number, self.reference, self.salutation]
        return [*(h for h in head if h), *self.paragraphs, SEAL_MARK, self.agency_name, self.date_text]


def _set_fonts(rpr_parent, name: str) -> None:
    """Latin and East Asian font alike: Word takes Chinese glyphs from w:eastAsia."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), name)


def _add(document, text: str, *, align=None, indent: bool = False, right_indent: int = 0,
         font: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False, grey: bool = False):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)  # GB/T 9704: 22 lines a page of 三号 text
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = size * 2  # two characters
    if right_indent:
        fmt.right_indent = size * right_indent
    run = paragraph.add_run(text)
    run.font.size, run.font.bold = size, bold
    if grey:
        run.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    _set_fonts(run._r, font)
    return paragraph


def _add_font_fallbacks(document) -> None:
    """Declare the fonts in ``word/fontTable.xml`` with GB2312 charset and an alternative
    name, so a reader without them substitutes a Chinese font, not a Latin one."""
    font_table = next((rel.target_part for rel in document.part.rels.values()
                       if rel.reltype.endswith("/fontTable")), None)
    if font_table is None:  # pragma: no cover - python-docx's default template has one
        return
    root = etree.fromstring(font_table.blob)
    for name, (alt, _noto) in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), f"{alt},{_noto}")
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "roman")
    font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _stable_zip(data: bytes, when: dt.date) -> bytes:
    """The same letter gives the same bytes: zip entries dated the letter's date."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=stamp), src.read(item.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build_docx(letter: LetterText) -> bytes:
    """The letter as a DOCX: A4 with GB/T 9704 margins, fonts named for Chinese."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4, as Word writes it
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element, BODY_FONT)
    r_pr = normal.element.get_or_add_rPr()
    if (lang := r_pr.find(qn("w:lang"))) is None:
        lang = OxmlElement("w:lang")
        r_pr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:eastAsia"), "zh-CN")
    _add_font_fallbacks(document)

    centre, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _add(document, letter.title, align=centre, font=TITLE_FONT, size=TITLE_SIZE, bold=True)
    if letter.document_number:
        _add(document, letter.document_number, align=centre)
    if letter.reference:
        _add(document, letter.reference, align=centre)
    _add(document, "")
    _add(document, letter.salutation)
    for text in letter.paragraphs:
        _add(document, text, indent=True)
    _add(document, "")
    _add(document, SEAL_MARK, align=right, right_indent=4, grey=True)
    _add(document, letter.agency_name, align=right, right_indent=2)
    _add(document, letter.date_text, align=right, right_indent=2)

    moment = dt.datetime.combine(letter.issued_on, dt.time(), tzinfo=dt.UTC)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = letter.title, letter.agency_name, letter.agency_name
    props.created = props.modified = moment
    props.revision = 1
    if letter.document_number:
        props.identifier = letter.document_number

    out = io.BytesIO()
    document.save(out)
    return _stable_zip(out.getvalue(), letter.issued_on)
