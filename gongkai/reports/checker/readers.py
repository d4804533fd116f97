"""Reading a published report into lines of cells, whatever it was published as.

Every reader gives the same thing: the document's lines in reading order, each a tuple
of cell texts. A table row is one line (merged cells appear once, in their first slot);
a paragraph is a one-cell line. A PDF's ruled tables are read by their geometry
(:mod:`.pdf_tables`: cell boxes, so merged and wrapped cells read whole), a page without
them through its text layer. Flattened text (a crawler's copy of a table) is split on ``|``; other text
lines (PDF text layers, hand-typed text) are split into a label and the figures at its
end. The type comes from the content, never the name; anything corrupt or hostile raises
:class:`UnreadableFile` (the bounds are those of leak screening's extractor).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from gongkai.publishing.extract import (  # the same bounds as leak screening
    MAX_INPUT_BYTES,
    MAX_PDF_PAGES,
    FileType,
    UnreadableFile,
    check_zip,
    decode,
    detect_type,
    looks_like_html,
)
from gongkai.reports.checker.pdf_tables import read_pages
from gongkai.reports.normalise import is_number

__all__ = ["MAX_INPUT_BYTES", "Document", "Line", "UnreadableFile", "read_document"]

MAX_LINES = 50_000  # an annual report has a few hundred; a web page a few thousand
MAX_SPLIT_CHARS = 2_000  # a longer line without bars is prose: not split into figures
MAX_SPAN = 200  # a colspan/rowspan beyond this is clipped (no template needs more)
MAX_GRID_SLOTS = 200_000  # the 2021 format's tables fill about 300 slots


@dataclass(frozen=True)
class Line:
    cells: tuple[str, ...]
    where: str  # "line 12", "table 2, row 3", "page 1, line 4"
    structured: bool = False  # a table row (grid, or cells separated by | or tabs)

    @property
    def text(self) -> str:
        return " | ".join(self.cells)


@dataclass
class Document:
    kind: str  # text | html | docx | pdf
    lines: list[Line] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, line: Line) -> None:
        if len(self.lines) >= MAX_LINES:
            raise UnreadableFile(f"more than {MAX_LINES} lines of text: not an annual report")
        self.lines.append(line)


def read_document(data: bytes, *, filename: str = "") -> Document:
    """The lines of a report file. Raises :class:`UnreadableFile` and nothing else."""
    kind = detect_type(data)
    try:
        if kind is FileType.DOCX:
            return _read_docx(data)
        if kind is FileType.PDF:
            return _read_pdf(data)
        if kind is FileType.XLSX:
            raise UnreadableFile("a spreadsheet is not a published report (save it as HTML, DOCX or PDF)")
        text = decode(data)
        if looks_like_html(text):
            return _read_html(text)
        return _read_text(text, kind="text")
    except UnreadableFile:
        raise
    except Exception as exc:  # a parser's reaction to a corrupt file is not ours to predict
        raise UnreadableFile(f"corrupt {kind.value.upper()} file ({type(exc).__name__})") from exc


# --- plain text --------------------------------------------------------------------------

_SPLIT = re.compile(r"\s*[|｜\t]\s*")


def split_text_line(line: str) -> tuple[tuple[str, ...], bool]:
    """Cells of one text line and whether it was explicitly separated.

    ``a | b | c |`` → (a, b, c): the border bars at either end make no cells, an empty
    cell between two bars is a blank cell. Without bars, the figures at the end of the
    line are cells of their own: ``行政许可 69 0 5361`` → (行政许可, 69, 0, 5361)."""
    stripped = line.strip()
    if not stripped:
        return (), False
    if "|" in stripped or "｜" in stripped or "\t" in stripped:
        cells = [c.strip() for c in _SPLIT.split(stripped)]
        if cells and cells[0] == "":
            cells = cells[1:]
        if cells and cells[-1] == "":
            cells = cells[:-1]
        return tuple(cells), True
    if len(stripped) > MAX_SPLIT_CHARS:
        return (stripped,), False
    tokens = stripped.split()
    first = len(tokens)
    while first > 0 and is_number(tokens[first - 1]):
        first -= 1
    if first == len(tokens):
        return (stripped,), False
    return ((" ".join(tokens[:first]),) if first else ()) + tuple(tokens[first:]), False


def _read_text(text: str, *, kind: str, where: str = "line") -> Document:
    doc = Document(kind)
    for number, raw in enumerate(text.splitlines(), start=1):
        cells, structured = split_text_line(raw)
        if cells:
            doc.add(Line(cells, f"{where} {number}", structured))
    return doc


# --- HTML --------------------------------------------------------------------------------

_SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "title"})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div", "dl",
    "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "ul",
})


def _span(value: str | None) -> int:
    try:
        return max(1, min(MAX_SPAN, int((value or "1").strip() or 1)))
    except ValueError:
        return 1


class _Grid:
    """A table's cells laid on a grid: a merged cell fills every slot it spans, and its
    text is kept in its first slot only."""

    def __init__(self):
        self.rows: list[list[tuple[str, int, int]]] = []  # per row: (text, colspan, rowspan)

    def lines(self, number: int) -> list[Line]:
        taken: dict[tuple[int, int], bool] = {}
        out, slots = [], 0
        for r, row in enumerate(self.rows):
            cells: list[str] = []
            c = 0
            for text, colspan, rowspan in row:
                while taken.get((r, c)):
                    c += 1
                slots += colspan * rowspan
                if slots > MAX_GRID_SLOTS:
                    raise UnreadableFile("table larger than the checker reads")
                for dr in range(rowspan):
                    for dc in range(colspan):
                        taken[(r + dr, c + dc)] = True
                cells.append(text)
                c += colspan
            if any(cells):
                out.append(Line(tuple(cells), f"table {number}, row {r + 1}", True))
        return out


class _HTMLReader(HTMLParser):
    def __init__(self, doc: Document):
        super().__init__(convert_charrefs=True)
        self.doc = doc
        self._skip = 0
        self._text: list[str] = []  # running text outside tables
        self._tables: list[_Grid] = []
        self._cell: list[str] | None = None
        self._cell_spans = (1, 1)
        self._cell_stack: list[tuple[list[str] | None, tuple[int, int]]] = []
        self._count = 0
        self._paragraphs = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self._skip += 1
            return
        attrs = dict(attrs)
        if tag == "table":
            self._flush()
            self._cell_stack.append((self._cell, self._cell_spans))
            self._cell = None
            self._tables.append(_Grid())
        elif tag == "tr" and self._tables:
            self._close_cell()
            self._tables[-1].rows.append([])
        elif tag in ("td", "th") and self._tables:
            self._close_cell()
            if not self._tables[-1].rows:
                self._tables[-1].rows.append([])
            self._cell = []
            self._cell_spans = (_span(attrs.get("colspan")), _span(attrs.get("rowspan")))
        elif tag in _BLOCK:
            self._break()

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self._break()

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "table" and self._tables:
            self._close_cell()
            grid = self._tables.pop()
            self._count += 1
            for line in grid.lines(self._count):
                self.doc.add(line)
            self._cell, self._cell_spans = self._cell_stack.pop()
        elif tag in _BLOCK:
            self._break()

    def handle_data(self, data):
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif not self._tables:
            self._text.append(data)

    def _break(self):
        if self._cell is not None:
            self._cell.append(" ")
        else:
            self._flush()

    def _close_cell(self):
        if self._cell is not None and self._tables and self._tables[-1].rows:
            text = re.sub(r"\s+", " ", "".join(self._cell)).strip()
            self._tables[-1].rows[-1].append((text, *self._cell_spans))
        self._cell = None

    def _flush(self):
        text = re.sub(r"[ \t\r\f\v]+", " ", "".join(self._text))
        self._text = []
        for raw in text.split("\n"):
            cells, structured = split_text_line(raw)
            if cells:
                self._paragraphs += 1
                self.doc.add(Line(cells, f"paragraph {self._paragraphs}", structured))

    def close(self):
        super().close()
        while self._tables:
            self.handle_endtag("table")
        self._flush()


def _read_html(text: str) -> Document:
    doc = Document("html")
    reader = _HTMLReader(doc)
    reader.feed(text)
    reader.close()
    return doc


# --- DOCX --------------------------------------------------------------------------------

def _read_docx(data: bytes) -> Document:
    check_zip(data)  # zip bombs, DTDs: refused before python-docx parses anything
    import docx  # imported on the first DOCX: the command starts without it

    document = docx.Document(io.BytesIO(data))
    doc = Document("docx")
    paragraphs = tables = 0
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraphs += 1
            for raw in _docx_text(block).split("\n"):
                cells, structured = split_text_line(raw)
                if cells:
                    doc.add(Line(cells, f"paragraph {paragraphs}", structured))
        elif tag == "tbl":
            tables += 1
            grid = _Grid()
            for tr in block.tr_lst:
                row = []
                for tc in tr.tc_lst:
                    if tc.vMerge == "continue":
                        # the cell above spans down into this slot
                        row.append(None)
                        continue
                    row.append((re.sub(r"\s+", " ", _docx_text(tc)).strip(), tc.grid_span, 1))
                grid.rows.append(row)
            for line in _docx_grid_lines(grid, tables):
                doc.add(line)
    return doc


def _docx_text(element) -> str:
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    parts = []
    for p in element.iter(f"{ns}p"):
        pieces = []
        for node in p.iter(f"{ns}t", f"{ns}tab", f"{ns}br"):
            if node.tag == f"{ns}t":
                pieces.append(node.text or "")
            else:
                pieces.append(" " if node.tag == f"{ns}tab" else "\n")
        parts.append("".join(pieces))
    return "\n".join(parts)


def _docx_grid_lines(grid: _Grid, number: int) -> list[Line]:
    """DOCX marks a vertical merge in each covered cell (``vMerge="continue"``) rather
    than with a row span, so a covered slot is simply left out of its line."""
    out = []
    for r, row in enumerate(grid.rows):
        cells = tuple(cell[0] for cell in row if cell is not None)
        if len(cells) > MAX_SPAN * 10:
            raise UnreadableFile("table row wider than the checker reads")
        if any(cells):
            out.append(Line(cells, f"table {number}, row {r + 1}", True))
    return out


# --- PDF ---------------------------------------------------------------------------------

def _read_pdf(data: bytes) -> Document:
    """Ruled tables by their geometry (:mod:`.pdf_tables`), each row a line of cells with
    its page, table and row; text outside tables as lines in reading order. A page without
    ruled tables, or one pdfplumber cannot read, is read through its text layer (pypdf's
    layout mode), as is every page when pdfplumber cannot open the file at all."""
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # repaired defects are not ours to report
    import pypdf  # imported on the first PDF

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
        raise UnreadableFile("encrypted PDF (a password is needed to open it)")
    if len(reader.pages) > MAX_PDF_PAGES:
        raise UnreadableFile(f"PDF with more than {MAX_PDF_PAGES} pages")
    doc = Document("pdf")
    empty = 0
    for number, (page, geometry) in enumerate(zip(reader.pages, _pdf_geometry(data, len(reader.pages)),
                                                  strict=True), start=1):
        if geometry is not None:
            texts = 0
            for line in geometry:
                if line.structured:
                    doc.add(Line(line.cells, f"page {number}, table {line.table}, row {line.row}", True))
                    continue
                texts += 1
                cells, structured = split_text_line(line.cells[0])
                if cells:
                    doc.add(Line(cells, f"page {number}, line {texts}", structured))
            continue
        text = page.extract_text(extraction_mode="layout") or ""
        if not text.strip():
            empty += 1
            continue
        for line in _read_text(text, kind="pdf", where=f"page {number}, line").lines:
            doc.add(line)
    if reader.pages and empty == len(reader.pages):
        raise UnreadableFile("PDF without a text layer (scanned?); OCR is not supported")
    if empty:
        doc.warnings.append(f"{empty} page(s) without a text layer were not read")
    return doc


def _pdf_geometry(data: bytes, pages: int):
    """Per page, its lines read by geometry, or None where its text layer is to be read."""
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)
    try:
        import pdfplumber  # imported on the first PDF: the command starts without it

        pdf = pdfplumber.open(io.BytesIO(data), password="")
    except Exception:  # pypdf opened it: its text layer is read
        yield from (None for _ in range(pages))
        return
    with pdf:
        try:
            plumbed = pdf.pages if len(pdf.pages) == pages else None
        except Exception:
            plumbed = None
        if plumbed is None:  # the two parsers disagree on the pages: trust neither's geometry
            yield from (None for _ in range(pages))
            return
        yield from read_pages(plumbed)
