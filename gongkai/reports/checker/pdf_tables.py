"""A PDF page read by its geometry: ruled tables as grids of cells, the rest as lines.

Text-layer lines lose a table's structure: a narrow merged cell printed one or two
characters per line ("三、/本年/度办/理结/果") leaks into the labels of the rows beside
it, and a label wrapped inside its cell becomes two lines. Here the ruling lines decide:
pdfplumber's table finder (lines strategy) gives each cell's box, merged cells included;
the boxes are laid on a grid (every distinct edge is a grid line), and a row of the grid
is one line of cells, as the HTML and DOCX readers give it: a merged cell's text in its
first slot only, the slots it covers left out. A character belongs to the cell its centre
lies in; the lines of a cell are joined (CJK without a space, a space only between Latin
letters or a letter and a digit). Text outside every cell (title, headings, prose) comes
as lines, in reading order with the table rows by vertical position.

A cell cut by a page break is read whole, in the row it starts in (see :func:`_stitch`):
renderers either leave the cut open (no rule under the first part, none above the rest)
or close both parts and repeat the header rows; both are recognised.

A page without ruled tables (or without any character, or turned sideways) is not read
here: the caller falls back to its text layer. Nothing here raises for a hostile page: too many ruling
lines or grid slots also mean "read the text layer instead".
"""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from gongkai.reports.normalise import is_number

__all__ = ["PageLine", "read_page", "read_pages"]

MAX_PAGE_EDGES = 5_000  # a page of the 2021 format's table 三 has about 600
MAX_PAGE_CHARS = 50_000  # a dense A4 page has about 3,000
MAX_GRID_SLOTS = 200_000  # the same bound as the HTML and DOCX readers' grids
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
SNAP = 1.5  # points: cell edges closer than this are one grid line
TOUCH = 3.0  # points: a rule this close to the end of another meets it
MIN_RULE = 2.0  # points: a shorter vertical stroke is no cell border
SPACE_GAP = 0.25  # a gap wider than this share of the font size between two characters is a space


@dataclass(frozen=True)
class PageLine:
    """One line of a page: a table row (``cells``) or a line of text outside tables."""

    top: float
    cells: tuple[str, ...]
    table: int = 0  # the table's number on the page (1-based); 0: text outside tables
    row: int = 0  # the row's number in its table's grid (1-based)

    @property
    def structured(self) -> bool:
        return self.table > 0


def read_pages(pages) -> Iterator[list[PageLine] | None]:
    """The lines of each pdfplumber page in turn; None for a page to be read through its
    text layer (no ruled table, no text, or pdfplumber failed on it). A cell cut by a page
    break (a row allowed to break across pages, a merged group cell running on) is read
    whole, in the row it starts in on the earlier page."""
    held: list[_Page | None] = []
    for page in pages:
        try:
            current = _read(page)
        except Exception:  # a page pdfplumber cannot read: its text layer is read
            current = None
        finally:
            page.close()  # its parsed objects are not kept for the rest of the file
        if held:
            previous = held.pop()
            if previous is not None and current is not None:
                with contextlib.suppress(Exception):  # odd geometry: cut cells stay in two parts
                    _stitch(previous, current)
            yield previous.lines() if previous is not None else None
        held.append(current)
    for previous in held:
        yield previous.lines() if previous is not None else None


def read_page(page) -> list[PageLine] | None:
    """The lines of one pdfplumber page, or None when it has no ruled table (or no text)."""
    read = _read(page)
    return read.lines() if read is not None else None


@dataclass
class _Cell:
    r0: int
    c0: int
    rows: int
    columns: int
    x0: float
    x1: float
    chars: list[dict] = field(default_factory=list)
    text: str = ""
    open_top: bool = False  # its top border is missing: it runs on from the previous page
    open_bottom: bool = False  # its bottom border is missing: it runs on to the next page
    moved: bool = False  # its text went to the cell it continues, on the previous page


class _Grid:
    """A table's cell boxes on a grid of its distinct edges."""

    def __init__(self, xs: list[float], ys: list[float], cells: list[_Cell]):
        self.xs, self.ys, self.cells = xs, ys, cells
        self.owner: dict[tuple[int, int], _Cell] = {}
        for cell in cells:
            for r in range(cell.r0, cell.r0 + cell.rows):
                for c in range(cell.c0, cell.c0 + cell.columns):
                    self.owner.setdefault((r, c), cell)

    @classmethod
    def of(cls, table) -> _Grid | None:
        boxes = [c for c in table.cells if c is not None]
        if len(boxes) < 2:  # a ruled frame around a paragraph is not a table
            return None
        xs = _snap([v for c in boxes for v in (c[0], c[2])])
        ys = _snap([v for c in boxes for v in (c[1], c[3])])
        if len(xs) * len(ys) > MAX_GRID_SLOTS:
            return None
        cells = []
        for x0, top, x1, bottom in boxes:
            c0, c1, r0, r1 = _index(xs, x0), _index(xs, x1), _index(ys, top), _index(ys, bottom)
            if c1 > c0 and r1 > r0:
                cells.append(_Cell(r0, c0, r1 - r0, c1 - c0, x0, x1))
        return cls(xs, ys, cells) if len(cells) >= 2 else None

    def take(self, char: dict, x: float, y: float) -> bool:
        """Keep the character if its centre lies in one of the table's cells."""
        if not (self.xs[0] <= x < self.xs[-1] and self.ys[0] <= y < self.ys[-1]):
            return False
        cell = self.owner.get((bisect_right(self.ys, y) - 1, bisect_right(self.xs, x) - 1))
        if cell is None:
            return False
        cell.chars.append(char)
        return True

    def rows(self) -> list[tuple[int, tuple[str, ...]]]:
        """(grid row, cell texts) of each row where a cell starts, top to bottom."""
        starts: dict[int, list[_Cell]] = {}
        for cell in self.cells:
            starts.setdefault(cell.r0, []).append(cell)
        return [(r, tuple(c.text for c in sorted(starts[r], key=lambda c: c.c0))) for r in sorted(starts)]

    def lines(self, number: int) -> list[PageLine]:
        starts: dict[int, list[_Cell]] = {}
        for cell in self.cells:
            if not cell.moved:
                starts.setdefault(cell.r0, []).append(cell)
        out = []
        for r in sorted(starts):
            cells = tuple(cell.text for cell in sorted(starts[r], key=lambda c: c.c0))
            if any(cells):
                out.append(PageLine(self.ys[r], cells, number, r + 1))
        return out


@dataclass
class _Page:
    texts: list[PageLine]
    grids: list[_Grid]  # top to bottom

    def lines(self) -> list[PageLine]:
        lines = list(self.texts)
        for number, grid in enumerate(self.grids, start=1):
            lines += grid.lines(number)
        lines.sort(key=lambda line: line.top)  # stable: a table's rows keep their order
        return lines


def _read(page) -> _Page | None:
    edges = page.edges
    if len(edges) > MAX_PAGE_EDGES:
        return None
    chars = [c for c in page.chars if c.get("text")]
    if len(chars) > MAX_PAGE_CHARS or not any(c["text"].strip() for c in chars):
        return None
    if 2 * sum(1 for c in chars if c.get("upright", True)) < len(chars):
        return None  # a rotated page, or text set sideways: lines are not rows here
    from pdfplumber.table import merge_edges  # pdfplumber is imported with the first PDF

    # rules drawn in pieces (a border per cell) joined, as the table finder joins them
    ruled = merge_edges([e for e in edges if e.get("orientation") in ("h", "v")], TOUCH, TOUCH, TOUCH, TOUCH)
    horizontal = [e for e in ruled if e["orientation"] == "h"]
    vertical = [e for e in ruled if e["orientation"] == "v" and e["bottom"] - e["top"] >= MIN_RULE]
    closing = _closing_lines(horizontal, vertical)
    settings = dict(TABLE_SETTINGS, explicit_horizontal_lines=[line for line, _end in closing])
    grids = [g for g in map(_Grid.of, page.find_tables(settings)) if g is not None]
    if not grids:
        return None
    grids.sort(key=lambda g: g.ys[0])
    outside = []
    for char in chars:
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        if not any(grid.take(char, x, y) for grid in grids):
            outside.append(char)
    rules = _Rules(horizontal)
    for grid in grids:
        for cell in grid.cells:
            top, bottom = grid.ys[cell.r0], grid.ys[cell.r0 + cell.rows]
            for line, end in closing:
                if not (line["x0"] - TOUCH <= cell.x0 and cell.x1 <= line["x1"] + TOUCH):
                    continue
                at = top if end == "top" else bottom
                if abs(line["top"] - at) <= TOUCH and not rules.covers(at, cell.x0, cell.x1):
                    setattr(cell, f"open_{end}", True)
    lines = _text_lines(outside)
    for grid in grids:
        for cell in grid.cells:
            bounds = grid.ys[cell.r0:cell.r0 + cell.rows + 1]
            if cell.open_bottom and cell.chars and not _is_figure(_cell_text(cell.chars, bounds)):
                lines = _overflow(cell, lines)
            cell.text = _cell_text(cell.chars, bounds)
            cell.chars = []
    texts = [PageLine(line[0]["top"], (text,)) for line in lines if (text := _line_text(line).strip())]
    return _Page(texts, grids)


def _overflow(cell: _Cell, lines: list[list[dict]]) -> list[list[dict]]:
    """A cell cut by the page break whose text ran on below the page's last rule (as some
    renderers print it): the characters right under its own text, within its width, are
    its own (never a page number's). Returns the lines left outside."""
    last = max(c["bottom"] for c in cell.chars)
    size = max((c.get("size") or 10) for c in cell.chars)
    left = []
    for line in lines:
        top = min(c["top"] for c in line)
        mine = [c for c in line if cell.x0 <= (c["x0"] + c["x1"]) / 2 <= cell.x1]
        if (mine and top >= last - TOUCH and top - last <= 0.6 * size
                and not _PAGE_NUMBER.fullmatch(_line_text(line))):
            cell.chars.extend(mine)
            last = max(c["bottom"] for c in mine)
            taken = {id(c) for c in mine}
            line = [c for c in line if id(c) not in taken]
        if line:
            left.append(line)
    return left


class _Rules:
    """The page's horizontal rules, looked up by height."""

    def __init__(self, horizontal: list[dict]):
        self.by_row: dict[int, list[dict]] = {}
        for edge in horizontal:
            self.by_row.setdefault(round(edge["top"] / TOUCH), []).append(edge)

    def near(self, y: float) -> list[dict]:
        key = round(y / TOUCH)
        return [e for k in (key - 1, key, key + 1) for e in self.by_row.get(k, ())
                if abs(e["top"] - y) <= TOUCH]

    def meets(self, y: float, x: float) -> bool:
        """A rule at height ``y`` passes through (or ends at) ``x``."""
        return any(e["x0"] - TOUCH <= x <= e["x1"] + TOUCH for e in self.near(y))

    def covers(self, y: float, x0: float, x1: float) -> bool:
        """Rules at height ``y`` cover at least half of ``x0``–``x1``."""
        covered = sum(max(0.0, min(x1, e["x1"]) - max(x0, e["x0"])) for e in self.near(y))
        return covered >= 0.5 * (x1 - x0)


def _closing_lines(horizontal: list[dict], vertical: list[dict]) -> list[tuple[dict, str]]:
    """Rules the page break left out: where ruling lines of cells stop at one height, one
    or more of them without a horizontal rule there (the bottom of a page whose last row runs on,
    the top of the page it runs on to), a line closing those cells."""
    rules = _Rules(horizontal)
    out = []
    for end in ("top", "bottom"):
        dangling = sorted((e[end], e["x0"]) for e in vertical if not rules.meets(e[end], e["x0"]))
        groups: list[list[tuple[float, float]]] = []
        for y, x in dangling:
            if groups and y - groups[-1][-1][0] <= TOUCH:
                groups[-1].append((y, x))
            else:
                groups.append([(y, x)])
        for group in groups:
            y = min(y for y, _x in group) if end == "top" else max(y for y, _x in group)
            # across every rule that stops there, closed or not (the cut may leave some closed)
            xs = sorted(e["x0"] for e in vertical if abs(e[end] - y) <= TOUCH)
            if len(xs) < 2:
                continue
            out.append(({"object_type": "line", "x0": xs[0], "x1": xs[-1], "top": y, "bottom": y,
                         "width": xs[-1] - xs[0], "height": 0}, end))
    return out


def _stitch(previous: _Page, current: _Page) -> None:
    """Cells cut by the page break, read whole in the row they start in (on the earlier
    page). Only where one table runs on: the last table of the previous page and the first
    of this one have the same outer edges, with nothing but page numbers between them.

    * A renderer that leaves the cut open (no rule under the cell, none above its rest):
      each open-topped cell's text goes to the open-bottomed cell it overlaps most.
    * A renderer that closes both parts (and may repeat the header rows): in the first row
      after the repeated header, a label cell that does not begin a new item (no 三、, (五),
      2. …) goes to the label cell of the same width in the previous page's last row when
      either part is merged over several rows (a group cut in two: "三、本年" + "度办理结果"),
      or when that row holds no figure while the previous page's last row does (a row cut
      in two)."""
    if not previous.grids or not current.grids:
        return
    upper, lower = previous.grids[-1], current.grids[0]
    if abs(upper.xs[0] - lower.xs[0]) > TOUCH or abs(upper.xs[-1] - lower.xs[-1]) > TOUCH:
        return
    if any(_is_text(line) for line in previous.texts if line.top > upper.ys[-1]):
        return
    if any(_is_text(line) for line in current.texts if line.top < lower.ys[0]):
        return
    above = [c for c in upper.cells if c.open_bottom]
    below = [c for c in lower.cells if c.open_top]
    for cell in below:
        best, overlap = None, 0.0
        for candidate in above:
            shared = min(cell.x1, candidate.x1) - max(cell.x0, candidate.x0)
            if shared > overlap:
                best, overlap = candidate, shared
        if best is None or overlap < 0.5 * min(cell.x1 - cell.x0, best.x1 - best.x0):
            continue
        if cell.text:
            best.text = _join(best.text, cell.text)
        cell.moved = True
    if below:
        return
    last = len(upper.ys) - 2  # the previous page's last grid row
    bottom = [c for c in upper.cells if c.r0 + c.rows - 1 == last and not c.moved]
    first = _first_body_row(upper, lower)
    top = [c for c in lower.cells if c.r0 == first]
    if not bottom or not top:
        return
    row_cut = not any(_is_figure(c.text) for c in top) and any(_is_figure(c.text) for c in bottom)
    joined = []
    for cell in top:
        if not cell.text or _is_figure(cell.text) or _ITEM.match(cell.text):
            continue
        match = next((c for c in bottom if abs(c.x0 - cell.x0) <= TOUCH and abs(c.x1 - cell.x1) <= TOUCH), None)
        if match is None or not match.text or _is_figure(match.text):
            continue
        if row_cut or cell.rows > 1 or match.rows > 1:
            joined.append((match, cell))
    for match, cell in joined:
        match.text = _join(match.text, cell.text)
        cell.moved = True
    if row_cut and joined and all(c.moved or not c.text for c in top):
        for cell in top:
            cell.moved = True


_ITEM = re.compile(r"\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.、．]|第[一二三四五六七八九十\d]|其中)")
_PAGE_NUMBER = re.compile(r"[\s\d\-—–－_/第页共PpageofOF·.]*")


def _is_figure(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and is_number(text)


def _is_text(line: PageLine) -> bool:
    """Anything but a page number ("— 3 —", "第3页 共5页", "3/5")."""
    return not _PAGE_NUMBER.fullmatch(line.cells[0])


def _first_body_row(upper: _Grid, lower: _Grid) -> int:
    """The first grid row of ``lower`` after the header rows it repeats from ``upper``."""
    up, low = upper.rows(), lower.rows()
    k = 0
    while k < min(len(up), len(low)) - 1 and up[k][1] == low[k][1]:
        k += 1
    return low[k][0] if low else 0


def _snap(values: list[float]) -> list[float]:
    """Distinct coordinates, those closer than SNAP taken as one (their first)."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > SNAP:
            out.append(value)
    return out


def _index(grid: list[float], value: float) -> int:
    """The grid line ``value`` was snapped to."""
    i = bisect_right(grid, value + SNAP) - 1
    return max(i, 0)


# --- text -----------------------------------------------------------------------------------

def _text_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into lines (a character whose vertical centre lies within the
    current line's extent belongs to it), top to bottom, each left to right."""
    lines: list[list[dict]] = []
    top = bottom = 0.0
    for char in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        middle = (char["top"] + char["bottom"]) / 2
        if lines and top <= middle <= bottom:
            lines[-1].append(char)
            bottom = max(bottom, char["bottom"])
        else:
            lines.append([char])
            top, bottom = char["top"], char["bottom"]
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    return lines


def _line_text(line: list[dict]) -> str:
    """One line's characters as text: a space where the PDF has one or where the gap
    between two characters is wider than a quarter of the font size; a character printed
    twice over itself (fake bold) counts once."""
    out: list[str] = []
    previous = None
    for char in line:
        text = char["text"]
        if previous is not None:
            if (text == previous["text"] and abs(char["x0"] - previous["x0"]) < 0.5 * (char["x1"] - char["x0"] or 1)
                    and abs(char["top"] - previous["top"]) < 0.5 * (char["bottom"] - char["top"] or 1)):
                continue
            if char["x0"] - previous["x1"] > SPACE_GAP * (char.get("size") or 10):
                out.append(" ")
        out.append(text)
        previous = char
    return " ".join("".join(out).split())


def _cell_text(chars: list[dict], bounds: list[float] | None = None) -> str:
    """A cell's text, its lines joined: a label wrapped inside its cell reads whole, a
    narrow merged cell printed a character per line reads as one word. ``bounds`` are the
    grid lines the cell spans: a box over two grid rows holding "1" beside one row and "2"
    beside the next is two figures whose rule between them was not drawn (or not found),
    never the figure 12; they are kept apart by a space (the cell is then no figure, and
    the row is left unplaced rather than misread)."""
    text, row = "", None
    for line in _text_lines(chars):
        middle = (min(c["top"] for c in line) + max(c["bottom"] for c in line)) / 2
        line_row = bisect_right(bounds, middle) if bounds and len(bounds) > 2 else 0
        part = _line_text(line)
        if row is not None and line_row != row and text[-1:].isdigit() and part[:1].isdigit():
            text = f"{text} {part}"
        else:
            text = _join(text, part)
        row = line_row
    return text


def _join(text: str, part: str) -> str:
    if not text or not part:
        return text or part
    return text + (" " if _needs_space(text[-1], part[0]) else "") + part


def _needs_space(left: str, right: str) -> bool:
    """Between two lines of a cell: a space between Latin words (or a word and a figure),
    none in CJK text and none inside a figure wrapped by the cell's width."""
    if left.isascii() and right.isascii() and left.isalnum() and right.isalnum():
        return not (left.isdigit() and right.isdigit())
    return False
