"""Text extraction for leak screening: the text a reader of a published file can get at.

The type is judged by the content, never by the name (a ``.pdf`` that is really text is
read as text): DOCX, PDF (text layer), XLSX, HTML and plain text (UTF-8, else GB18030).
Anything else — images, legacy ``.doc``/``.xls``, other archives, binary data — and any
corrupt or hostile file raises :class:`UnreadableFile`: screening must never report a
file it could not read as clean.

What counts as text a reader can get at is wider than what a viewer shows first:

* DOCX: every paragraph of the body, tables, text boxes, headers and footers, footnotes,
  endnotes, comments, text deleted under tracked changes (it stays in the file), and the
  title/subject/keywords/comments properties.
* PDF: the text layer of every page and the title/subject/keywords properties. A PDF
  without any text layer (a scan) is unreadable here, since its content cannot be
  screened; a page without text in an otherwise textual PDF gives a warning.
* XLSX: every cell of every sheet, hidden sheets included, as the cached value Excel
  shows.
* HTML: the visible text (not ``script``/``style``/``template``), then comments and the
  ``alt``/``title``/hidden-input values, which anyone can read in the page source.

Hostile files are bounded before they are parsed: ZIP members are checked against
declared sizes (which :mod:`zipfile` enforces while decompressing, so a lying header
fails its CRC instead of inflating), XML parts carrying a DTD are refused (OOXML never
needs one; this rules out entity expansion), and pages, cells and the amount of text are
capped.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import dataclasses
import datetime as dt
import io
import re
import unicodedata
import zipfile
from enum import StrEnum
from html.parser import HTMLParser

from gongkai.core.uploads import sniff

__all__ = [
    "ExtractedText",
    "FileType",
    "Part",
    "UnreadableFile",
    "check_zip",
    "decode",
    "detect_type",
    "extract_text",
    "looks_like_html",
]

MAX_INPUT_BYTES = 100 * 1024 * 1024
MAX_TEXT_CHARS = 20_000_000
MAX_ZIP_MEMBERS = 5_000
MAX_ZIP_MEMBER_BYTES = 64 * 1024 * 1024
MAX_ZIP_TOTAL_BYTES = 128 * 1024 * 1024
MAX_PDF_PAGES = 2_000
MAX_XLSX_CELLS = 200_000  # cells with a value
MAX_XLSX_SLOTS = 5_000_000  # cells visited, empty ones included


class UnreadableFile(Exception):
    """The file cannot be screened; ``message`` is English, one line, for the CLI."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FileType(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    XLSX = "xlsx"
    HTML = "html"
    TEXT = "text"


@dataclasses.dataclass(frozen=True)
class Part:
    """A stretch ``text[start:end]`` that came from one place in the file."""

    label: str  # "page 2", "Sheet1!B3", "header", "table 1, row 2, cell 3"…
    start: int
    end: int


@dataclasses.dataclass(frozen=True)
class ExtractedText:
    text: str
    file_type: FileType
    parts: tuple[Part, ...] = ()
    warnings: tuple[str, ...] = ()
    _starts: tuple[int, ...] = dataclasses.field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_starts", tuple(p.start for p in self.parts))

    def location_at(self, offset: int) -> str | None:
        """Where the character at ``offset`` came from; plain text gives its line."""
        if self.parts:
            i = bisect.bisect_right(self._starts, offset) - 1
            if i >= 0 and offset < self.parts[i].end:
                return self.parts[i].label
            return None
        if self.file_type is FileType.TEXT:
            return f"line {self.text.count(chr(10), 0, offset) + 1}"
        return None


def extract_text(data: bytes, *, filename: str = "") -> ExtractedText:
    """The screenable text of ``data``. Raises :class:`UnreadableFile`, never anything else.

    The type comes from the content; ``filename`` only adds a warning when its extension
    says otherwise (a disguised file is worth a reviewer's glance)."""
    kind = detect_type(data)
    try:
        if kind is FileType.DOCX:
            result = _extract_docx(data)
        elif kind is FileType.XLSX:
            result = _extract_xlsx(data)
        elif kind is FileType.PDF:
            result = _extract_pdf(data)
        else:
            text = decode(data)
            if looks_like_html(text):
                result = _extract_html(text)
            else:
                result = ExtractedText(text, FileType.TEXT)
    except UnreadableFile:
        raise
    except Exception as exc:  # A parser's reaction to a corrupt file is not ours to predict.
        raise UnreadableFile(f"corrupt {kind.value.upper()} file ({type(exc).__name__})") from exc
    claimed = _EXTENSIONS.get(filename.rpartition(".")[2].lower()) if "." in filename else None
    if claimed is not None and claimed is not result.file_type:
        actual, named = result.file_type.value.upper(), claimed.value.upper()
        warning = f"content is {actual} although the name says {named}"
        result = dataclasses.replace(result, warnings=(*result.warnings, warning))
    return result


_EXTENSIONS = {
    "docx": FileType.DOCX,
    "pdf": FileType.PDF,
    "xlsx": FileType.XLSX,
    "html": FileType.HTML,
    "htm": FileType.HTML,
    "txt": FileType.TEXT,
}


# --------------------------------------------------------------------------
# Detection by content
# --------------------------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_SIGNATURES: list[tuple[bytes, str]] = [
    (_OLE2, "legacy or password-protected Office file (.doc/.xls); save it as DOCX/XLSX"),
    (b"GIF87a", "image file: no text to screen (OCR is not supported)"),
    (b"GIF89a", "image file: no text to screen (OCR is not supported)"),
    (b"II*\x00", "image file: no text to screen (OCR is not supported)"),
    (b"MM\x00*", "image file: no text to screen (OCR is not supported)"),
    (b"Rar!\x1a\x07", "archive (RAR) is not supported"),
    (b"7z\xbc\xaf\x27\x1c", "archive (7z) is not supported"),
    (b"\x1f\x8b", "archive (gzip) is not supported"),
]


def detect_type(data: bytes) -> FileType:
    """The file's type from its first bytes (and, for ZIP, its member names). HTML is
    reported as TEXT: telling them apart needs the decoded text (:func:`extract_text`)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise UnreadableFile("not a file's content")
    if len(data) > MAX_INPUT_BYTES:
        raise UnreadableFile(f"file larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    head = bytes(data[:16])
    kind = sniff(head)
    if kind is not None:
        if kind.name == "PDF":
            return FileType.PDF
        raise UnreadableFile("image file: no text to screen (OCR is not supported)")
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise UnreadableFile("empty or split ZIP archive is not supported")
    for signature, message in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise UnreadableFile(message)
    if head[8:12] == b"WEBP" or (head.startswith(b"BM") and head[6:10] == b"\0\0\0\0"):
        raise UnreadableFile("image file: no text to screen (OCR is not supported)")
    if b"%PDF-" in data[:1024]:
        return FileType.PDF  # readers accept a PDF header after some leading junk
    return FileType.TEXT


def _zip_type(data: bytes) -> FileType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except Exception as exc:
        raise UnreadableFile(f"corrupt ZIP archive ({type(exc).__name__})") from exc
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return FileType.DOCX
        if any(n.startswith("xl/") for n in names):
            return FileType.XLSX
    raise UnreadableFile("ZIP archive that is neither DOCX nor XLSX")


_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!doctype", "<!ENTITY", "<!entity")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


def check_zip(data: bytes) -> None:
    """Refuse an OOXML package that would inflate too far or carries a DTD (also used by
    the annual report checker before python-docx parses anything)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise UnreadableFile(f"ZIP archive with more than {MAX_ZIP_MEMBERS} members")
            total = 0
            for info in infos:
                if info.flag_bits & 0x1:
                    raise UnreadableFile("encrypted ZIP member")
                if info.file_size > MAX_ZIP_MEMBER_BYTES:
                    raise UnreadableFile(
                        f"ZIP member {info.filename!r} would inflate beyond "
                        f"{MAX_ZIP_MEMBER_BYTES // (1024 * 1024)} MB (zip bomb?)"
                    )
                total += info.file_size
                if total > MAX_ZIP_TOTAL_BYTES:
                    raise UnreadableFile(
                        f"ZIP archive would inflate beyond "
                        f"{MAX_ZIP_TOTAL_BYTES // (1024 * 1024)} MB (zip bomb?)"
                    )
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    blob = archive.read(info)  # size-checked above; CRC checked on read
                    if any(marker in blob for marker in _DTD_MARKERS):
                        raise UnreadableFile(f"XML part {info.filename!r} declares a DTD")
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(f"corrupt ZIP archive ({type(exc).__name__})") from exc


# --------------------------------------------------------------------------
# Assembling the text
# --------------------------------------------------------------------------


class _Builder:
    """Concatenates pieces of text, one per line, remembering where each came from."""

    def __init__(self):
        self._chunks: list[str] = []
        self._parts: list[Part] = []
        self._length = 0
        self.warnings: list[str] = []

    def add(self, label: str, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if self._chunks:
            self._chunks.append("\n")
            self._length += 1
        start = self._length
        self._chunks.append(text)
        self._length += len(text)
        if self._length > MAX_TEXT_CHARS:
            raise UnreadableFile(f"more than {MAX_TEXT_CHARS} characters of text")
        self._parts.append(Part(label, start, self._length))

    def build(self, file_type: FileType) -> ExtractedText:
        return ExtractedText(
            "".join(self._chunks), file_type, tuple(self._parts), tuple(self.warnings)
        )


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_P, _W_T, _W_TAB, _W_BR, _W_CR = (f"{_W}p", f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr")
_W_HYPHEN, _W_DELTEXT, _W_DEL = f"{_W}noBreakHyphen", f"{_W}delText", f"{_W}del"
_W_TBL, _W_TR, _W_TC, _W_TXBX = f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}txbxContent"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RUN_TEXT = {_W_TAB: "\t", _W_BR: "\n", _W_CR: "\n", _W_HYPHEN: "-"}


def _extract_docx(data: bytes) -> ExtractedText:

    check_zip(data)
    import docx  # each parser is imported when a file of its type comes (start-up)
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    document = docx.Document(io.BytesIO(data))
    out = _Builder()
    _docx_part_text(document.part.element, "paragraph", out)
    related = {RT.HEADER: "header", RT.FOOTER: "footer", RT.FOOTNOTES: "footnotes"}
    related |= {RT.ENDNOTES: "endnotes", RT.COMMENTS: "comments"}
    rels = [rel for rel in document.part.rels.values() if not rel.is_external]
    for reltype, label in related.items():
        for rel in rels:
            if rel.reltype != reltype:
                continue
            part = rel.target_part
            element = getattr(part, "element", None)
            if element is None:
                parser = etree.XMLParser(resolve_entities=False, no_network=True)
                element = etree.fromstring(part.blob, parser=parser)
            _docx_part_text(element, label, out)
    props = document.core_properties
    for value in (props.title, props.subject, props.keywords, props.comments):
        out.add("document properties", value or "")
    return out.build(FileType.DOCX)


def _nearest(node, tag: str):
    return next(node.iterancestors(tag), None)


def _docx_part_text(root, label: str, out: _Builder) -> None:
    """Every paragraph of an OOXML part, one line each, in document order; text deleted
    under tracked changes goes to lines of its own so it cannot run into live text."""
    tables: dict[object, int] = {}
    paragraph_no = 0
    for p in root.iter(_W_P):
        if _nearest(p, _MC_FALLBACK) is not None:
            continue  # Word's fallback copy of a text box already read in mc:Choice
        own: list[str] = []
        deleted: dict[object, list[str]] = {}
        for node in p.iter(_W_T, _W_TAB, _W_BR, _W_CR, _W_HYPHEN, _W_DELTEXT):
            if _nearest(node, _W_P) is not p:
                continue  # belongs to a text box paragraph nested in this one
            if node.tag == _W_DELTEXT:
                deleted.setdefault(_nearest(node, _W_DEL), []).append(node.text or "")
            elif node.tag == _W_T:
                own.append(node.text or "")
            else:
                own.append(_RUN_TEXT[node.tag])
        where = _docx_where(p, label, tables)
        if where is None:
            paragraph_no += 1
            where = f"{label} {paragraph_no}" if label == "paragraph" else label
        out.add(where, "".join(own))
        for pieces in deleted.values():
            out.add(f"deleted text (tracked change, {where})", "".join(pieces))


def _docx_where(p, label: str, tables: dict[object, int]) -> str | None:
    """Label for a paragraph in a text box or a table; None for an ordinary paragraph."""
    if _nearest(p, _W_TXBX) is not None:
        return "text box" if label == "paragraph" else f"text box ({label})"
    cell = _nearest(p, _W_TC)
    if cell is None:
        return None
    outer = list(p.iterancestors(_W_TBL))[-1]
    number = tables.setdefault(outer, len(tables) + 1)
    row = cell.getparent()
    table = row.getparent() if row is not None else None
    if row is None or row.tag != _W_TR or table is None or table is not outer:
        where = f"table {number}"
    else:
        r = sum(1 for _ in row.itersiblings(_W_TR, preceding=True)) + 1
        c = sum(1 for _ in cell.itersiblings(_W_TC, preceding=True)) + 1
        where = f"table {number}, row {r}, cell {c}"
    return where if label == "paragraph" else f"{where} ({label})"


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def _extract_xlsx(data: bytes) -> ExtractedText:

    check_zip(data)
    import openpyxl
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = _Builder()
    cells = slots = 0
    try:
        for sheet in workbook.worksheets:
            # The stored dimension may lie; without it each row is as wide as its cells.
            sheet.reset_dimensions()
            for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                slots += len(row) + 1
                if slots > MAX_XLSX_SLOTS:
                    raise UnreadableFile(f"spreadsheet larger than {MAX_XLSX_SLOTS} cells")
                for c, value in enumerate(row, start=1):
                    if value is None:
                        continue
                    cells += 1
                    if cells > MAX_XLSX_CELLS:
                        raise UnreadableFile(
                            f"spreadsheet with more than {MAX_XLSX_CELLS} filled cells"
                        )
                    out.add(f"{sheet.title}!{get_column_letter(c)}{r}", _cell_text(value))
    finally:
        workbook.close()
    return out.build(FileType.XLSX)


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Excel keeps numbers as doubles: 13812345678 may come back as 13812345678.0.
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
    return str(value)


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


def _extract_pdf(data: bytes) -> ExtractedText:

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
        raise UnreadableFile("encrypted PDF (a password is needed to open it)")
    pages = len(reader.pages)
    if pages > MAX_PDF_PAGES:
        raise UnreadableFile(f"PDF with more than {MAX_PDF_PAGES} pages")
    out = _Builder()
    empty = []
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        if not text.strip():
            empty.append(number)
        out.add(f"page {number}", text)
    if pages and len(empty) == pages:
        raise UnreadableFile("PDF without a text layer (scanned?); OCR is not supported")
    if empty:
        out.warnings.append(
            "no text layer on page(s) " + ", ".join(map(str, empty)) + ": not screened"
        )
    info = reader.metadata
    if info is not None:
        for value in (info.title, info.subject, info.keywords):
            if isinstance(value, str):
                out.add("document properties", value)
    return out.build(FileType.PDF)


# --------------------------------------------------------------------------
# Plain text and HTML
# --------------------------------------------------------------------------

_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"\x84\x31\x95\x33", "gb18030"),
]
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]{2,30})""", re.I
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def decode(data: bytes) -> str:
    """Text of a file that is not a known binary type: a BOM's encoding, else UTF-8, a
    charset declared in an HTML ``meta``, then GB18030; raises :class:`UnreadableFile`
    for binary data."""
    data = bytes(data)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data[len(bom) :].decode(encoding))
            except UnicodeDecodeError:
                raise UnreadableFile(f"text is not valid {encoding} after its BOM") from None
    if b"\x00" in data:
        raise UnreadableFile("binary file of unknown type")
    encodings = ["utf-8"]
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        with contextlib.suppress(LookupError):
            encodings.append(codecs.lookup(declared.group(1).decode("ascii")).name)
    encodings.append("gb18030")  # a superset of GBK and GB2312
    for encoding in encodings:
        try:
            return _check_text(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("text in an unknown encoding (neither UTF-8 nor GB18030)")


def _check_text(text: str) -> str:
    sample = text[:65536]
    controls = sum(
        1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc"
    )
    if controls > max(8, len(sample) // 100):
        raise UnreadableFile("binary file of unknown type")
    return text


_HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|p|div|span|table|h[1-6]"
    r"|section|article|br|ul|ol|font|center|strong|b)\b",
    re.I | re.S,
)


def looks_like_html(text: str) -> bool:
    """The text starts (after comments) with an HTML tag."""
    return _HTML_START.match(text[:4096]) is not None


_SKIPPED = frozenset({"script", "style", "template"})
_BLOCK = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "caption", "dd", "details"),
        *("dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main"),
        *("nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead"),
        *("title", "tr", "ul"),
    }
)
_CELL = frozenset({"td", "th"})
_HIDDEN_ATTRS = frozenset({"alt", "title"})


def _is_hidden_input(attrs) -> bool:
    return any(name == "type" and (value or "").lower() == "hidden" for name, value in attrs)


class _HTMLText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.visible: list[str] = []
        self.hidden: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self._skip += 1
        self._break(tag)
        for name, value in attrs:
            if value and (
                name in _HIDDEN_ATTRS
                or (tag == "input" and name == "value" and _is_hidden_input(attrs))
            ):
                self.hidden.append(value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED:
            self._skip -= 1

    def handle_endtag(self, tag):
        if tag in _SKIPPED and self._skip:
            self._skip -= 1
        self._break(tag)

    def _break(self, tag):
        if tag in _BLOCK or tag == "br":
            self.visible.append("\n")
        elif tag in _CELL:
            self.visible.append("\t")

    def handle_data(self, data):
        if not self._skip:
            # Rendering collapses source whitespace (not &nbsp; or U+3000) to one space.
            self.visible.append(re.sub(r"[ \t\r\n\f]+", " ", data))

    def handle_comment(self, data):
        self.hidden.append(data)


def _extract_html(text: str) -> ExtractedText:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    out = _Builder()
    visible = "".join(parser.visible)
    lines = "\n".join(line.strip(" ") for line in visible.splitlines())
    out.add("page text", re.sub(r"\n{3,}", "\n\n", lines))
    for value in parser.hidden:
        out.add("page source (comment or attribute)", value)
    return out.build(FileType.HTML)
