"""Placing a published report's figures at their canonical cells.

Given the lines of a document (:mod:`gongkai.reports.checker.readers`), the extractor

1. tries every format definition and keeps the one that places the most figures (the
   labels decide: 本年制发件数 is 2021, 本年新制作数量 is 2019, (六)其他处理 with
   sub-rows is 2021, a 附表 of 受理政府信息公开申请总数 is legacy); a tie goes to the format
   the stated year prescribes;
2. reads the year and the agency where the report states them (title, preamble,
   统计期限, the appendix's "2018年度" column);
3. places each table line: its label cells, folded by :func:`normalise_label`, must be a
   row's label or alias, optionally preceded by the row's group labels (the group label
   printed beside the first sub-row, as crawled flattened reports do: ``三、本年度办理结果 | (一)予以公开 | 0 …``);
   its figures fill the table's columns in order (or in the order of the last header
   line, when that line printed the column labels in another order). A row whose
   figures continue on the next line(s) (``行政許可 | 69 | 0`` + ``| 5361 |``, or one
   cell per line, as some converters print) is joined with them. A line of figures without a label
   belongs to the table whose header was last seen, when that table has a single,
   unlabelled row (table 四).

Nothing is guessed: a line that looks like part of a table (it has figures, or came from
a table) but cannot be mapped exactly — unknown label, too few or too many figures, a
figure conflicting with one already placed — goes to ``unplaced`` with the reason.
Lines outside the sections that hold tables (prose) are not looked at.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.reports.checker.readers import Document, Line
from gongkai.reports.formats import ReportFormat, Row, Table, all_formats, cell_ref, format_for_year
from gongkai.reports.normalise import NotANumber, normalise_label, parse_number

Value = int | Decimal | None

MAX_LABEL_CHARS = 200  # longer text is prose, never a label or a header
MAX_STATEMENT_CHARS = 3_000  # longest line searched for the year and the agency
MAX_UNPLACED_CHARS = 300  # what is shown of a line that could not be placed
MIN_PLACED_CELLS = 3  # fewer placed figures than this (or one row only): no format recognised
_HEADING = re.compile(r"^(?P<number>[一二三四五六七八九十]{1,3})、(?P<title>.{1,60})$")
_YEAR_HEADER = re.compile(r"(?:19|20)\d{2}年度?|本年度")
_ENUMERATOR = re.compile(r"^(?:其中:?)?(?:\d{1,2}[.、]|\(\d{1,2}\)|[一二三四五六七八九十]{1,2}[、.]|\([一二三四五六七八九十]{1,2}\))?")


@dataclass(frozen=True)
class Unplaced:
    where: str
    text: str
    reason: str

    def as_dict(self) -> dict:
        return {"where": self.where, "text": self.text, "reason": self.reason}


@dataclass
class Extraction:
    format: ReportFormat | None
    year: int | None = None
    agency: str = ""
    cells: dict[str, Value] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        if self.format is None:
            return []
        return [ref for ref in self.format.cell_refs() if ref not in self.cells]


# --- the vocabulary of a format ------------------------------------------------------------

@dataclass(frozen=True)
class _RowKey:
    table: Table
    row: Row
    chain: tuple[str, ...]  # normalised group labels above the row, outermost first


@dataclass(frozen=True)
class _Vocabulary:
    rows: dict[str, tuple[_RowKey, ...]]  # normalised label or alias -> rows
    groups: frozenset[str]  # normalised group labels (rows without figures)
    header: dict[str, frozenset[str]]  # normalised header token -> table keys
    titles: dict[str, str]  # normalised table title -> table key
    sections: dict[str, tuple[str, str]]  # section number -> (normalised title, kind)
    tokens: tuple[str, ...]  # every header token, longest first


_vocabularies: dict[tuple[str, int], _Vocabulary] = {}


def _vocabulary(fmt: ReportFormat) -> _Vocabulary:
    key = (fmt.id, id(fmt))
    if key not in _vocabularies:
        _vocabularies[key] = _build_vocabulary(fmt)
    return _vocabularies[key]


def _build_vocabulary(fmt: ReportFormat) -> _Vocabulary:
    rows: dict[str, list[_RowKey]] = {}
    groups: set[str] = set()
    header: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    for table in fmt.tables:
        by_label = {r.label: r for r in table.rows}
        for row in table.rows:
            if not row.numbers:
                groups.add(normalise_label(row.label))
                continue
            chain, group = [], row.group
            while group:
                chain.insert(0, normalise_label(group))
                group = by_label[group].group if group in by_label else ""
            key = _RowKey(table, row, tuple(chain))
            for name in (row.label, *row.aliases):
                if name:
                    rows.setdefault(normalise_label(name), []).append(key)
        tokens = [table.corner, *(c.label for c in table.columns)]
        tokens += [g for c in table.columns for g in c.groups]
        if table.title:
            titles[normalise_label(table.title)] = table.key
            tokens.append(table.title)
        for token in tokens:
            if token:
                header.setdefault(normalise_label(token), set()).add(table.key)
    for generic in ("信息内容", "指标名称", "项目", "指标"):
        header.setdefault(generic, set())
    sections = {s.number: (normalise_label(s.title), s.kind) for s in fmt.sections}
    tokens = tuple(sorted(set(header) | groups | set(titles), key=len, reverse=True))
    return _Vocabulary(
        {k: tuple(v) for k, v in rows.items()}, frozenset(groups),
        {k: frozenset(v) for k, v in header.items()}, titles, sections, tokens,
    )


def _is_chain_prefix(prefix: str, chain: tuple[str, ...]) -> bool:
    """``prefix`` is some of the row's group labels, in order (each at most once)."""
    if not prefix:
        return True
    return any(prefix.startswith(g) and _is_chain_prefix(prefix[len(g):], chain[i + 1:])
               for i, g in enumerate(chain))


def _strip_enumerator(label: str) -> str:
    return _ENUMERATOR.sub("", label, count=1)


def _match_row(vocab: _Vocabulary, label: str, current: str | None) -> _RowKey | None:
    """The one row whose label (or alias) ``label`` is, allowing the row's group labels
    before it; None when no row or more than one row fits."""
    found: list[_RowKey] = []
    for name, keys in vocab.rows.items():
        if label == name or (label.endswith(name)):
            for key in keys:
                if _is_chain_prefix(label[: len(label) - len(name)], key.chain):
                    found.append(key)
    if not found:  # "其中:1.当面申请数" for "当面申请数": numbering differs between reports
        bare = _strip_enumerator(label)
        if bare:
            found = [k for name, keys in vocab.rows.items() for k in keys
                     if _strip_enumerator(name) == bare]
    unique = {(k.table.key, k.row.key): k for k in found}
    if len(unique) > 1 and current is not None:
        unique = {ref: k for ref, k in unique.items() if ref[0] == current} or unique
    return next(iter(unique.values())) if len(unique) == 1 else None


def _segment_header(text: str, vocab: _Vocabulary) -> list[str] | None:
    """``text`` cut into known header tokens (labels may have run together), or None."""
    if not text:
        return []
    tokens = vocab.tokens
    best: dict[int, list[str] | None] = {len(text): []}
    for start in range(len(text) - 1, -1, -1):
        best[start] = None
        for token in tokens:
            if token and text.startswith(token, start) and best.get(start + len(token)) is not None:
                best[start] = [token, *best[start + len(token)]]
                break
        else:
            match = _YEAR_HEADER.match(text, start)
            if match and best.get(match.end()) is not None:
                best[start] = [match.group(), *best[match.end()]]
    return best[0]


# --- one pass of the extractor with one format ---------------------------------------------

@dataclass
class _Pending:
    key: _RowKey
    values: list[Value]
    line: Line
    texts: list[str]


class _Pass:
    def __init__(self, fmt: ReportFormat, doc: Document):
        self.fmt = fmt
        self.vocab = _vocabulary(fmt)
        self.doc = doc
        self.cells: dict[str, Value] = {}
        self.unplaced: list[Unplaced] = []
        self.current: str | None = None  # table key whose header or row was seen last
        self.orders: dict[str, list[int]] = {}  # table key -> column indexes in print order
        self.pending: _Pending | None = None
        self.fragments: list[Line] = []  # unmatched short text lines (a label's start?)
        self.year_header: int | None = None

    # regions -------------------------------------------------------------------------------

    def _heading(self, line: Line) -> str | None:
        """"tables" or "prose" if the line is a section heading of this format."""
        if len(line.cells) != 1 or len(line.cells[0]) > 100:
            return None
        text = normalise_label(line.cells[0])
        match = _HEADING.match(text)
        if match is None or text in self.vocab.rows or text in self.vocab.groups:
            return None
        if self.fmt.id == "legacy":
            return "tables" if "附表" in text else "prose"
        section = self.vocab.sections.get(match["number"])
        if section is None:
            return None
        title, kind = section
        if difflib.SequenceMatcher(None, text, title).ratio() < 0.6:
            return None
        return kind

    def run(self) -> None:
        headings = [self._heading(line) for line in self.doc.lines]
        in_tables = "tables" not in headings  # no recognisable headings: read everything
        for line, heading in zip(self.doc.lines, headings, strict=True):
            if heading is not None:
                self._finish_pending()
                self.fragments = []
                self.current = None
                in_tables = heading == "tables"
                continue
            if in_tables:
                self._line(line)
        self._finish_pending()

    # one line ------------------------------------------------------------------------------

    def _line(self, line: Line) -> None:
        cells = list(line.cells)
        while cells and not cells[0].strip():
            cells.pop(0)
        labels: list[str] = []
        while cells and not _is_figure(cells[0]):
            labels.append(cells.pop(0))
        if any(not _is_figure(c) for c in cells):  # text after a figure
            self._finish_pending()
            if not self._header(labels + cells):
                self._unplace(line, "文字与数字混排，无法对应到表格单元格")
            return
        values = [parse_number(c) for c in cells]
        if not labels:
            self._figures_only(line, values)
            return
        self._finish_pending()
        if sum(map(len, labels)) > 2 * MAX_LABEL_CHARS:  # prose, however it was split
            if values:
                self._unplace(line, "行标签无法对应到本格式的任何一行")
            return
        label = normalise_label("".join(labels))
        key = self._row_for(label)
        if key is None:
            if values:
                self._unplace(line, "行标签无法对应到本格式的任何一行")
            elif self._header(labels):
                self.fragments = []
            elif line.structured:
                self._unplace(line, "无法识别的表格文字")
            else:
                self.fragments = [*self.fragments[-3:], line]
            return
        self.fragments = []
        self.current = key.table.key
        self.pending = _Pending(key, values, line, [line.text])
        if len(values) >= len(key.table.columns):
            self._finish_pending()

    def _row_for(self, label: str) -> _RowKey | None:
        for n in range(len(self.fragments), 0, -1):  # a label broken over several lines
            joined = "".join(normalise_label(f.cells[0]) for f in self.fragments[-n:]) + label
            key = _match_row(self.vocab, joined, self.current)
            if key is not None:
                self.fragments = []
                return key
        return _match_row(self.vocab, label, self.current)

    def _figures_only(self, line: Line, values: list[Value]) -> None:
        pending = self.pending
        if pending is not None and len(pending.values) < len(pending.key.table.columns):
            pending.values.extend(values)
            pending.texts.append(line.text)
            if len(pending.values) >= len(pending.key.table.columns):
                self._finish_pending()
            return
        self._finish_pending()
        table = self.fmt.table(self.current) if self.current else None
        if (table is not None and len(table.numbered_rows) == 1 and not table.numbered_rows[0].label
                and len(values) == len(table.columns)):
            row = table.numbered_rows[0]
            self._place(table, row, values, line, line.text)
            return
        self._unplace(line, "没有行标签的数字，无法确定所在行")

    def _finish_pending(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        table, row = pending.key.table, pending.key.row
        text = " / ".join(pending.texts)
        expected = len(table.columns)
        if len(pending.values) == expected:
            self._place(table, row, pending.values, pending.line, text)
        elif not pending.values and expected == 1:
            self._place(table, row, [None], pending.line, text)  # a blank cell
        elif len(pending.values) < expected:
            self._unplace(pending.line, f"“{row.label}”只有{len(pending.values)}个数字，应有{expected}个", text)
        else:
            self._unplace(pending.line, f"“{row.label}”有{len(pending.values)}个数字，应有{expected}个", text)

    def _place(self, table: Table, row: Row, values: list[Value], line: Line, text: str) -> None:
        order = self.orders.get(table.key) or list(range(len(table.columns)))
        refs = [cell_ref(table.key, row.key, table.columns[i].key) for i in order]
        clashes = [ref for ref, value in zip(refs, values, strict=True)
                   if ref in self.cells and self.cells[ref] != value]
        if clashes:
            self._unplace(line, "与前文同一单元格的数字不一致：" + "、".join(clashes), text)
            return
        self.cells.update(zip(refs, values, strict=True))

    def _header(self, cells: list[str]) -> bool:
        """A header line (title, corner, column labels, group labels): remembered as the
        current table, and the order its column labels are printed in."""
        texts = [normalise_label(c) for c in cells if c.strip()]
        if not texts or sum(map(len, texts)) > MAX_LABEL_CHARS:
            return False
        tokens: list[str] = []
        for text in texts:
            segments = _segment_header(text, self.vocab)
            if segments is None:
                return False
            tokens += segments
        tables: dict[str, int] = {}
        for token in tokens:
            if token in self.vocab.titles:
                tables[self.vocab.titles[token]] = tables.get(self.vocab.titles[token], 0) + 100
            for key in self.vocab.header.get(token, ()):
                tables[key] = tables.get(key, 0) + 1
        if tables:
            best = max(tables.values())
            tied = [k for k, v in tables.items() if v == best]
            self.current = self.current if self.current in tied else tied[0]
            self._column_order(tokens)
        match = next((re.match(r"((?:19|20)\d{2})年", t) for t in tokens if re.match(r"(?:19|20)\d{2}年", t)), None)
        if match:
            self.year_header = int(match.group(1))
        return True

    def _column_order(self, tokens: list[str]) -> None:
        table = self.fmt.table(self.current)
        labels = [normalise_label(c.label) for c in table.columns]
        printed = [t for t in tokens if t in labels]
        if len(printed) == len(labels) and len(set(printed)) == len(labels) == len(set(labels)):
            self.orders[table.key] = [labels.index(t) for t in printed]

    def _unplace(self, line: Line, reason: str, text: str | None = None) -> None:
        text = text or line.text
        if len(text) > MAX_UNPLACED_CHARS:
            text = text[:MAX_UNPLACED_CHARS] + "…"
        self.unplaced.append(Unplaced(line.where, text, reason))


def _is_figure(text: str) -> bool:
    if not text.strip():
        return True  # an empty cell: a blank figure
    try:
        parse_number(text)
    except NotANumber:
        return False
    return True


# --- year and agency -----------------------------------------------------------------------

_AGENCY = r"[\u4e00-\u9fff()]{1,30}?(?:局|委员会|委|办公室|人民政府|政府|厅|署|院|中心|管理处|办)"
_TITLE = re.compile(rf"^(?P<agency>{_AGENCY})(?P<year>(?:19|20)\d{{2}})年度?政府信息公开(?:工作)?年度?报告$")
_REPORT_OF = re.compile(r"(?P<year>(?:19|20)\d{2})年度?政府信息公开(?:工作)?年度?报告")
_PERIOD = re.compile(r"统计期限\D{0,4}(?P<year>(?:19|20)\d{2})年")
_ISSUER = re.compile(rf"(?:发布单位|发布机构|发文机关|来源):?(?P<agency>{_AGENCY})(?:发布|$|[^\u4e00-\u9fff])")


def _year_and_agency(doc: Document, year_header: int | None) -> tuple[int | None, str, list[str]]:
    # titles and statements of the period are short; a page-long paragraph is not searched
    texts = [normalise_label(" ".join(line.cells)) for line in doc.lines
             if sum(map(len, line.cells)) <= MAX_STATEMENT_CHARS]
    year, agency, notes = None, "", []
    for text in texts:
        match = _TITLE.match(text)
        if match:
            year, agency = int(match["year"]), match["agency"]
            break
    if year is None:
        for pattern in (_REPORT_OF, _PERIOD):
            match = next(filter(None, (pattern.search(t) for t in texts)), None)
            if match:
                year = int(match["year"])
                break
    year = year or year_header
    if not agency and year:
        overview = re.compile(rf"{year}年度?,?(?P<agency>{_AGENCY})")
        match = next(filter(None, (overview.match(t) for t in texts)), None)
        if match:
            agency = match["agency"]
    if not agency:
        match = next(filter(None, (_ISSUER.search(t) for t in texts)), None)
        if match:
            agency = match["agency"]
    return year, agency, notes


# --- the whole document --------------------------------------------------------------------

def extract(doc: Document, *, formats: tuple[ReportFormat, ...] | None = None) -> Extraction:
    """The report's format, year, agency and every figure that could be placed."""
    passes = []
    for fmt in formats or all_formats():
        one = _Pass(fmt, doc)
        one.run()
        passes.append(one)
    best_score = max((len(p.cells) - len(p.unplaced) for p in passes), default=0)
    candidates = [p for p in passes if len(p.cells) - len(p.unplaced) == best_score
                  and len(p.cells) >= MIN_PLACED_CELLS and len({ref.rsplit("/", 1)[0] for ref in p.cells}) >= 2]
    chosen = None
    header_year = next((p.year_header for p in passes if p.year_header), None)
    year, agency, notes = _year_and_agency(doc, header_year)
    if len(candidates) > 1 and year is not None:
        prescribed = prescribed_format(year)
        chosen = next((p for p in candidates if prescribed and p.fmt.id == prescribed.id), None)
    if chosen is None and candidates:
        chosen = candidates[0]  # formats come newest first
        if len(candidates) > 1:
            notes.append("多个格式同样符合，按最新格式识别：" + "、".join(p.fmt.name for p in candidates))
    if chosen is None:
        return Extraction(None, year, agency, notes=notes)
    # a format that does not match the stated year is a finding of the check (格式.年度不符)
    return Extraction(chosen.fmt, year, agency, chosen.cells, chosen.unplaced, notes)


def prescribed_format(year: int) -> ReportFormat | None:
    try:
        return format_for_year(year)
    except KeyError:
        return None
