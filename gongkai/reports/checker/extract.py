"""Placing a published report's figures at their canonical cells.

Given the lines of a document (:mod:`gongkai.reports.checker.readers`), the extractor

1. tries every format definition and keeps the one that places the most figures (the
   labels decide: 本年制发件数 is 2021, 本年新制作数量 is 2019, (六)其他处理 with
   sub-rows is 2021, a 附表 of 受理政府信息公开申请总数 is legacy); a tie goes to the format
   the stated year prescribes;
2. reads the year and the agency where the report states them (title, preamble,
   统计期限, the appendix's "2018年度" column);
3. places each table line: its label cells, folded by :func:`label_key`, must be a
   row's label, alias or synonym (the format's TOML), optionally preceded by the row's group
   labels (the group label printed beside the first sub-row, as crawled flattened reports
   do: ``三、本年度办理结果 | (一)予以公开 | 0 …``), or failing that within a bounded edit
   distance of one (a typo: "其他法律行政止公开"; the nearest row must be unique and every
   other row at least two edits farther); pieces of a merged group cell that a PDF's text
   layer put before a label ("(三)不予 4.保护第三方合法权益") are dropped; a label broken over
   lines is joined. Its figures fill the table's columns in order (or in the order of the
   last header line, when that line printed the column labels in another order); a trailing
   empty cell beyond the row's columns (markdown's "| 0 | |") is no figure;
4. a label printed without its figures is followed by lines of figures: one label takes the
   lines below until it has its figures (``行政許可 | 69 | 0`` + ``| 5361 |``, or one figure
   per line) — unless another row's worth of figures follows (a label before it was lost).
   A *run* of labels followed by a run of lines of figures (converters print
   merged cells so) is read only when exactly one assignment of the lines to the labels
   exists (each label takes whole consecutive lines holding exactly its count of figures,
   or none), the labels are consecutive rows of one table in the format's order and the
   label after the run, if any, is the next row. Otherwise every line of figures is
   unplaced, naming the labels it could belong to: a figure is placed right or not at all.
   (A one-column table whose labels were seen directly above their figures reads "label,
   label, figure" as a blank, then a label and its figure, as the legacy appendices print.)
5. lines of figures without a label belong to the table whose header was last seen, when
   that table has a single, unlabelled row (table 四): in one line, one figure per line, or
   in parts whose header named their column group (行政复议 / 未经复议直接起诉 / 复议后起诉);
6. a row whose only figure is a run of digits at least as long as its count of columns
   ("(七)总计 713000074") is recorded as a :class:`DigitRun` for ``digits.py``, not placed.

Every placed row is recorded as a :class:`Placement`: where it was printed (its label's
line(s) and its figures' lines, "line 4 + line 5"), the label as printed, the name of the
format it matched and the edit distance.

Nothing is guessed: a line that looks like part of a table (it has figures, or came from
a table) but cannot be mapped exactly — unknown label, too few or too many figures, a
figure conflicting with one already placed, figures whose label cannot be told — goes to
``unplaced`` with the reason. Lines outside the sections that hold tables (prose) are not
looked at.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from gongkai.reports.checker import titleblock
from gongkai.reports.checker.readers import Document, Line
from gongkai.reports.formats import ReportFormat, Row, Table, all_formats, cell_ref, format_for_year
from gongkai.reports.normalise import NotANumber, label_key, parse_number

Value = int | Decimal | None

MAX_LABEL_CHARS = 200  # longer text is prose, never a label or a header
MAX_STATEMENT_CHARS = 3_000  # longest line searched for the year and the agency
MAX_UNPLACED_CHARS = 300  # what is shown of a line that could not be placed
MAX_SEPARATED_RUN = 60  # labels (or lines of figures) printed apart in one run: more than any table has
MAX_NAMED_OWNERS = 5  # candidate labels named in the reason of an unplaced line of figures
MAX_LABELS_ON_A_LINE = 24  # label cells of one line tried as several rows' labels
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


@dataclass(frozen=True)
class Placement:
    """Where one placed row came from and how its label was matched (issue 19: every
    placed row can be traced to its source)."""

    table: str  # the format's table key
    row: str  # the format's row key
    where: str  # "page 1, line 4", "table 2, row 3"
    label: str  # the label as printed (joined when it wrapped)
    matched: str  # the format's label, alias or synonym it was matched to
    distance: int = 0  # edit distance of the match after folding (0: exact)
    inferred: bool = False  # the figures were split from a run of digits (see ``DigitRun``)

    def as_dict(self) -> dict:
        return {"table": self.table, "row": self.row, "where": self.where, "label": self.label,
                "matched": self.matched, "distance": self.distance, "inferred": self.inferred}


@dataclass(frozen=True)
class DigitRun:
    """A labelled row whose figures were printed run together ("713000074"): the digits are
    split later, using the format's arithmetic rules as constraints (``digits.py``)."""

    table: str
    row: str
    refs: tuple[str, ...]  # the row's cell refs in print order
    digits: str
    where: str
    text: str

    def as_dict(self) -> dict:
        return {"table": self.table, "row": self.row, "cells": list(self.refs), "digits": self.digits,
                "where": self.where, "text": self.text}


@dataclass
class Extraction:
    format: ReportFormat | None
    year: int | None = None
    agency: str = ""
    cells: dict[str, Value] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    digit_runs: list[DigitRun] = field(default_factory=list)

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
    index: int  # the row's place among its table's numbered rows (the format's order)


@dataclass(frozen=True, eq=False)  # hashed by identity (caches key on it)
class _Vocabulary:
    rows: dict[str, tuple[_RowKey, ...]]  # normalised label, alias or synonym -> rows
    printed: dict[str, str]  # normalised name -> the name as the format spells it
    groups: frozenset[str]  # normalised group labels (rows without figures)
    group_chars: frozenset[str]  # the characters of the group labels (digits and dots aside)
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
    printed: dict[str, str] = {}
    groups: set[str] = set()
    header: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    for table in fmt.tables:
        by_label = {r.label: r for r in table.rows}
        for row in table.rows:
            if not row.numbers:
                groups.add(label_key(row.label))
                continue
            chain, group = [], row.group
            while group:
                chain.insert(0, label_key(group))
                group = by_label[group].group if group in by_label else ""
            key = _RowKey(table, row, tuple(chain), table.numbered_rows.index(row))
            for name in row.names:
                if name:
                    rows.setdefault(label_key(name), []).append(key)
                    printed.setdefault(label_key(name), name)
        tokens = [table.corner, *(c.label for c in table.columns)]
        tokens += [g for c in table.columns for g in c.groups]
        if table.title:
            titles[label_key(table.title)] = table.key
            tokens.append(table.title)
        for token in tokens:
            if token:
                header.setdefault(label_key(token), set()).add(table.key)
    for generic in ("信息内容", "指标名称", "项目", "指标"):
        header.setdefault(generic, set())
    sections = {s.number: (label_key(s.title), s.kind) for s in fmt.sections}
    tokens = tuple(sorted(set(header) | groups | set(titles), key=len, reverse=True))
    return _Vocabulary(
        {k: tuple(v) for k, v in rows.items()}, printed, frozenset(groups),
        frozenset("".join(groups)) - frozenset("0123456789."),
        {k: frozenset(v) for k, v in header.items()}, titles, sections, tokens,
    )


def _is_chain_prefix(prefix: str, chain: tuple[str, ...]) -> bool:
    """``prefix`` is some of the row's group labels, in order (each at most once)."""
    if not prefix:
        return True
    return any(prefix.startswith(g) and _is_chain_prefix(prefix[len(g):], chain[i + 1:])
               for i, g in enumerate(chain))


def _chain_remainders(label: str, chain: tuple[str, ...]) -> set[str]:
    """What is left of ``label`` once some of the row's group labels, in order, are cut
    from its start (the label itself among them)."""
    out = {label}
    for i, g in enumerate(chain):
        if label.startswith(g) and len(label) > len(g):
            out |= _chain_remainders(label[len(g):], chain[i + 1:])
    return out


@dataclass(frozen=True)
class _Match:
    key: _RowKey
    name: str  # the normalised label, alias or synonym matched
    distance: int = 0


@lru_cache(maxsize=16384)  # three formats read each line; reports repeat their labels
def _match_row(vocab: _Vocabulary, label: str, current: str | None) -> _Match | None:
    """The one row whose label (or alias, or synonym) ``label`` is, allowing the row's
    group labels before it; None when no row or more than one row fits."""
    found: list[_Match] = []
    for name, keys in vocab.rows.items():
        if label == name or (label.endswith(name)):
            for key in keys:
                if _is_chain_prefix(label[: len(label) - len(name)], key.chain):
                    found.append(_Match(key, name))
    if not found:  # "其中:1.当面申请数" for "当面申请数": numbering differs between reports
        number, bare = _split_enumerator(label)
        if bare:  # but a short label keeps its number: "2.其他" is not "3.其他"
            found = [_Match(k, name) for name, keys in vocab.rows.items() for k in keys
                     if _split_enumerator(name)[1] == bare
                     and (len(bare) >= 4 or not number or _enumerator_number(number)
                          == _enumerator_number(_split_enumerator(name)[0]))]
    unique: dict[tuple[str, str], _Match] = {}
    for match in sorted(found, key=lambda m: -len(m.name)):  # the longest name that fits
        unique.setdefault((match.key.table.key, match.key.row.key), match)
    if len(unique) > 1 and current is not None:
        unique = {ref: m for ref, m in unique.items() if ref[0] == current} or unique
    return next(iter(unique.values())) if len(unique) == 1 else None


# A label printed with a typo ("其他法律行政止公开") is matched by edit distance, within a
# bound that grows with the label's length, and only when no other row comes close.
MAX_FUZZY_CHARS = 80  # longer text is not compared by edit distance
FUZZY_MARGIN = 2  # the runner-up must be at least this much farther than the nearest row


def _max_distance(body: str) -> int:
    """How many edits a label of this length may carry: none below 4 characters (规章,
    3.其他 are too short to tell a typo from another word), 1 up to 7, 2 up to 11, then 3."""
    n = len(body)
    return 0 if n < 4 else 1 if n < 8 else 2 if n < 12 else 3


def _levenshtein(a: str, b: str, cutoff: int) -> int:
    """Edit distance of ``a`` and ``b``, or ``cutoff + 1`` when it exceeds ``cutoff``."""
    if abs(len(a) - len(b)) > cutoff:
        return cutoff + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > cutoff:
            return cutoff + 1
        previous = current
    return min(previous[-1], cutoff + 1)


def _split_enumerator(label: str) -> tuple[str, str]:
    match = _ENUMERATOR.match(label)
    return (match.group(), label[match.end():]) if match else ("", label)


@dataclass(frozen=True)
class _FuzzyName:
    name: str  # normalised label, alias or synonym
    number: str  # its enumerator's number ("" when it has none)
    body: str  # the name without its enumerator
    bound: int  # edits allowed (``_max_distance``)
    keys: tuple[_RowKey, ...]
    characters: Counter


@cache
def _fuzzy_names(vocab: _Vocabulary) -> tuple[_FuzzyName, ...]:
    out = []
    for name, keys in vocab.rows.items():
        enumerator, body = _split_enumerator(name)
        out.append(_FuzzyName(name, _enumerator_number(enumerator), body, _max_distance(body), keys, Counter(body)))
    return tuple(out)


def _fuzzy_row(vocab: _Vocabulary, label: str) -> _Match | None:
    """The one row whose name ``label`` is within the bounded edit distance of (after any of
    the row's group labels), when every other row is clearly farther."""
    if not label or len(label) > MAX_FUZZY_CHARS:
        return None
    return _fuzzy_cached(vocab, label)


@lru_cache(maxsize=16384)  # reports repeat their labels; a batch reads many reports
def _fuzzy_cached(vocab: _Vocabulary, label: str) -> _Match | None:
    best: dict[tuple[str, str], _Match] = {}
    remainders: dict[tuple[str, ...], list[tuple[str, str, Counter]]] = {}
    for entry in _fuzzy_names(vocab):
        limit = entry.bound + FUZZY_MARGIN
        for key in entry.keys:
            if key.chain not in remainders:
                remainders[key.chain] = [(_enumerator_number(e), b, Counter(b)) for e, b in
                                         map(_split_enumerator, _chain_remainders(label, key.chain))]
            for number, body, characters in remainders[key.chain]:
                if number and entry.number and number != entry.number:
                    continue  # "2.其他" is not a typo of "3.其他"
                if abs(len(body) - len(entry.body)) > limit:
                    continue
                if sum((characters & entry.characters).values()) < len(entry.body) - limit:
                    continue  # too few characters in common for the edits allowed
                distance = _levenshtein(body, entry.body, limit)
                if distance > limit:
                    continue
                ref = (key.table.key, key.row.key)
                if ref not in best or distance < best[ref].distance:
                    best[ref] = _Match(key, entry.name, distance)
    if not best:
        return None
    ranked = sorted(best.values(), key=lambda m: m.distance)
    nearest = ranked[0]
    if nearest.distance == 0 or nearest.distance > _max_distance(_split_enumerator(nearest.name)[1]):
        return None  # distance 0 after cutting: an exact match would have been found
    if len(ranked) > 1 and ranked[1].distance < nearest.distance + FUZZY_MARGIN:
        return None
    return nearest


def _enumerator_number(enumerator: str) -> str:
    """The number of an enumerator ("其中1." → "1")."""
    return re.sub(r"[^0-9一二三四五六七八九十]", "", enumerator)


def _segment_header(text: str, vocab: _Vocabulary) -> list[str] | None:
    found = _segment_cached(text, vocab)
    return None if found is None else list(found)


@lru_cache(maxsize=16384)
def _segment_cached(text: str, vocab: _Vocabulary) -> tuple[str, ...] | None:
    """``text`` cut into known header tokens (labels may have run together), or None.
    Brackets and separators between tokens are skipped ("行政诉讼(未经复议直接起诉)")."""
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
            elif text[start] in _HEADER_SEPARATORS and best.get(start + 1) is not None:
                best[start] = best[start + 1]
    return tuple(best[0]) if best[0] else None


_HEADER_SEPARATORS = frozenset("()、./-")
_RULE_CELL = re.compile(r":?-{3,}:?")


# --- one pass of the extractor with one format ---------------------------------------------

_LABEL_LIKE = re.compile(r"^(?:其中)?(?:\d{1,2}\.|\(\d{1,2}\)|[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\))")


@dataclass
class _Label:
    """A label in a run of labels waiting for their figures."""

    match: _Match | None  # None: text that names no row of the format
    lines: list[Line]  # the line(s) it was printed on
    printed: str  # as printed, joined when it wrapped
    values: list[Value] = field(default_factory=list)  # figures printed on the label's line
    texts: list[str] = field(default_factory=list)  # their cells' text

    @property
    def line(self) -> Line:
        return self.lines[0]

    @property
    def expected(self) -> int:
        return len(self.match.key.table.columns) if self.match else 0

    @property
    def counts(self) -> bool:
        """A label (known or not) that may own the figures below it: unknown text counts
        only when it looks like a row label (a table cell, or text starting with a row's
        numbering); a note such as "单位:件" does not."""
        return self.match is not None or self.line.structured or bool(_LABEL_LIKE.match(label_key(self.printed)))

    def name(self) -> str:
        return f"“{self.match.key.row.label}”" if self.match else f"“{self.printed[:40]}”（无法识别）"


@dataclass
class _Figures:
    """A line of figures without a label."""

    line: Line
    values: list[Value]
    texts: list[str]


class _Pass:
    def __init__(self, fmt: ReportFormat, doc: Document):
        self.fmt = fmt
        self.vocab = _vocabulary(fmt)
        self.doc = doc
        self.cells: dict[str, Value] = {}
        self.unplaced: list[Unplaced] = []
        self.placements: list[Placement] = []
        self.digit_runs: list[DigitRun] = []
        self.current: str | None = None  # table key whose header or row was seen last
        self.orders: dict[str, list[int]] = {}  # table key -> column indexes in print order
        self.labels: list[_Label] = []  # a run of labels printed without figures (or one with too few)
        self.figures: list[_Figures] = []  # the lines of figures printed after them
        self.header_tokens: list[str] = []  # header tokens seen since the last figures
        self.interleaved: set[str] = set()  # tables seen printing a label, then its figures below
        self.year_header: int | None = None

    # regions -------------------------------------------------------------------------------

    def _heading(self, line: Line) -> str | None:
        """"tables" or "prose" if the line is a section heading of this format."""
        if len(line.cells) != 1 or len(line.cells[0]) > 100:
            return None
        text = label_key(line.cells[0])
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
                self._resolve()
                self.labels = []
                self.header_tokens = []
                self.current = None
                in_tables = heading == "tables"
                continue
            if in_tables:
                self._line(line)
        self._resolve()

    # one line ------------------------------------------------------------------------------

    def _line(self, line: Line) -> None:
        cells = list(line.cells)
        if line.structured and all(_RULE_CELL.fullmatch(c.strip()) for c in cells):
            return  # a markdown table's rule under its header ("--- | :---:")
        while cells and not cells[0].strip():
            cells.pop(0)
        while len(cells) > 1 and not cells[-1].strip() and not _is_figure(cells[-2]):
            cells.pop()  # a trailing empty cell after text ("| 信息内容 | 本年制发件数 | |")
        labels: list[str] = []
        while cells and not _is_figure(cells[0]):
            labels.append(cells.pop(0))
        if any(not _is_figure(c) for c in cells):  # text after a figure
            self._resolve()
            tokens = self._header_tokens(labels + cells)
            if tokens is None:
                self._unplace(line, "文字与数字混排，无法对应到表格单元格")
            else:
                self._apply_header(tokens)
            return
        values = [_number(c) for c in cells]
        if not labels:
            if values:
                self.figures.append(_Figures(line, values, cells))
            return
        if sum(map(len, labels)) > 2 * MAX_LABEL_CHARS:  # prose, however it was split
            if values:
                self._resolve()
                self._unplace(line, "行标签无法对应到本格式的任何一行")
            return
        printed = "".join(c.strip() for c in labels)
        label = label_key(printed)
        if self.figures:  # a label after figures starts another run
            following = _match_row(self.vocab, label, self.current) or _fuzzy_row(self.vocab, label)
            if following is None:
                several = self._several_on_one_line(labels)
                following = several[0][0] if several else None
            self._resolve(following.key if following else None)
        if (not values and not self.labels and self.header_tokens and label in self.vocab.header
                and self._header_tokens(labels)):
            self._apply_header([label])  # a column label printed one per line ("其他")
            return
        found = self._row_for(label, printed)
        if found is None:
            if values:
                self._resolve()
                tokens = self._header_tokens(labels)
                if tokens is not None and self._single_row_table(tokens):
                    # table 四 in parts, each part's group beside its figures ("行政复议 | 0 | 1 …")
                    self._apply_header(tokens)
                    self.figures.append(_Figures(line, values, cells))
                    self._resolve()
                    return
                self._unplace(line, "行标签无法对应到本格式的任何一行")
                return
            tokens = self._header_tokens(labels)
            if tokens is not None:
                if self.figures or any(t not in self.vocab.groups for t in tokens):
                    self._resolve()  # a row group's label alone does not end a run of labels
                self._apply_header(tokens)
                return
            several = self._several_on_one_line(labels)
            if several:  # a converter's line of labels, their figures below
                if self.labels and self.labels[-1].values:
                    self._resolve()
                self.current = several[0][0].key.table.key
                self.header_tokens = []
                self.labels += [_Label(match, [line], text) for match, text in several]
                return
            if line.structured:
                self._unplace(line, "无法识别的表格文字")
            if len(label) <= MAX_FUZZY_CHARS:  # perhaps a label's start, or a label not known
                self.labels.append(_Label(None, [line], printed))
            return
        match, printed, joined = found
        self.labels = [slot for slot in self.labels if slot.counts]  # notes between labels: not labels
        slot = _Label(match, [*joined, line], printed)
        if values:
            self._resolve()
            slot.values, slot.texts = values, cells
            self.current = match.key.table.key
            self.header_tokens = []
            if len(values) >= slot.expected:
                self._place_slot(slot, [])
            else:
                self.labels = [slot]  # its other figures may follow on the next line(s)
            return
        if self.labels and self.labels[-1].values:
            self._resolve()
        self.current = match.key.table.key
        self.header_tokens = []
        self.labels.append(slot)

    def _several_on_one_line(self, cells: list[str]) -> list[tuple[_Match, str]] | None:
        """The rows a line of label cells names, one after another (group labels between
        them aside), when every cell is part of one; None unless two or more."""
        cells = [c.strip() for c in cells if c.strip()]
        if not 2 <= len(cells) <= MAX_LABELS_ON_A_LINE:
            return None
        best: dict[int, list[tuple[_Match, str]] | None] = {len(cells): []}
        for i in range(len(cells) - 1, -1, -1):
            best[i] = None
            for j in range(i + 1, min(len(cells), i + 3) + 1):  # a label over up to three cells
                rest = best[j]
                if rest is None:
                    continue
                text = "".join(label_key(c) for c in cells[i:j])
                if text in self.vocab.groups:
                    best[i] = rest
                    break
                match = _match_row(self.vocab, text, self.current)
                if match is not None:
                    best[i] = [(match, "".join(cells[i:j])), *rest]
                    break
        found = best[0]
        return found if found and len(found) >= 2 else None

    def _row_for(self, label: str, printed: str) -> tuple[_Match, str, list[Line]] | None:
        """The row ``label`` names, joined with the text line(s) right before it when the
        label was broken over several lines (those lines leave the run of labels); its
        match, the label as printed and the lines before it that it was joined with.

        Exact matches first, then matches that drop words printed before a label which are
        made of the characters of the table's group labels only (a PDF's text layer puts
        pieces of a merged group cell beside the rows: "(三)不予 4.保护第三方合法权益",
        "处理 政机关不再处理…"), then matches by edit distance."""
        fragments: list[_Label] = []
        for slot in reversed(self.labels[-3:]):
            if slot.line.structured or slot.values or (slot.match is not None and not slot.match.distance):
                break  # only text not known, or a label matched by edit distance, may be a label's start
            fragments.insert(0, slot)
        attempts = [fragments[-n:] for n in range(len(fragments), 0, -1)] + [[]]
        exact = lambda text: _match_row(self.vocab, text, self.current)  # noqa: E731
        for matcher, strip in ((exact, False), (exact, True), (lambda text: _fuzzy_row(self.vocab, text), False)):
            for joined in attempts:
                if matcher is not exact and any(f.match for f in joined):
                    continue
                if strip:
                    text = "".join(label_key(self._strip_leaks(f.printed)) for f in joined)
                    text += label_key(self._strip_leaks(printed))
                    if text == "".join(label_key(f.printed) for f in joined) + label:
                        continue
                else:
                    text = "".join(label_key(f.printed) for f in joined) + label
                match = matcher(text)
                if match is not None:
                    if joined:
                        del self.labels[len(self.labels) - len(joined):]
                    return match, "".join(f.printed for f in joined) + printed, [f.line for f in joined]
        return None

    def _strip_leaks(self, printed: str) -> str:
        """``printed`` without the words before its last that are pieces of group labels."""
        words = printed.split()
        while len(words) > 1 and set(label_key(words[0])) <= self.vocab.group_chars:
            words.pop(0)
        return " ".join(words)

    # a run of labels and the figures after them ---------------------------------------------

    def _resolve(self, following: _RowKey | None = None) -> None:
        """Give the figures printed after a run of labels to their labels, when only one
        reading is possible; otherwise every line of figures is unplaced, naming the labels
        it could belong to. ``following``: the row whose label comes next, if known."""
        labels = [slot for slot in self.labels if slot.counts]
        figures = self.figures
        self.labels, self.figures = [], []
        if not figures:
            for slot in labels:
                if slot.match is not None:
                    self._place_slot(slot, [])
            return
        if not any(slot.match for slot in labels):
            table = self.fmt.table(self.current) if self.current else None
            if labels and not (table and len(table.numbered_rows) == 1 and not table.numbered_rows[0].label):
                names = "、".join(slot.name() for slot in labels[-3:])
                for fig in figures:  # figures below text that is no label of the format
                    self._unplace(fig.line, f"这行数字前的文字不是本格式的行标签：{names}")
            else:
                self._unlabelled(figures)
            self.header_tokens = []
            return
        self.header_tokens = []
        if len(labels) == 1:
            self._one_label(labels[0], figures)
            return
        self._several_labels(labels, figures, following)

    def _one_label(self, slot: _Label, figures: list[_Figures]) -> None:
        """One label, then lines of figures: they are its figures until it has them all
        (``行政許可 | 69 | 0`` + ``| 5361 |``, or one figure per line)."""
        expected, have, taken = slot.expected, len(slot.values), 0
        for fig in figures:
            if have >= expected:
                break
            count = _trimmed_count(fig, expected - have)
            if have + count > expected:
                break
            have, taken = have + count, taken + 1
        if taken < len(figures) and have < expected:  # the next line would overflow the row
            taken += 1
        rest = figures[taken:]
        if have == expected and sum(len(fig.values) for fig in rest) >= expected:
            # another row's worth of figures under one label: a label before it is missing
            # or not known, and which lines are this label's cannot be told
            for fig in figures:
                self._unplace(fig.line, f"“{slot.match.key.row.label}”下面的数字多于一行应有的{expected}个，"
                                        "可能有行标签缺失或无法识别，无法确定哪些数字属于这一行")
            return
        self._place_slot(slot, figures[:taken])
        if taken and not slot.values:
            self.interleaved.add(slot.match.key.table.key)
        if taken < len(figures):
            self._unlabelled(figures[taken:])

    def _several_labels(self, labels: list[_Label], figures: list[_Figures], following: _RowKey | None) -> None:
        """Several labels, then several lines of figures (as some converters print merged
        cells): read only when one assignment of the lines to the labels exists, in print
        order, each label taking whole lines with exactly its count of figures (or none),
        and the labels are consecutive rows of one table in the format's order (and the
        label after them, if any, is the next row)."""
        if len(labels) > MAX_SEPARATED_RUN or len(figures) > MAX_SEPARATED_RUN:
            # longer than any table of a format: no reading is attempted (the search and the
            # reasons would grow with the square of the run; a pasted page is not a report)
            for fig in figures:
                self._unplace(fig.line, f"行标签与数字分开排列且连续超过{MAX_SEPARATED_RUN}行，无法确定这行数字属于哪一行")
            return
        widths = {slot.expected for slot in labels if slot.match}
        width = next(iter(widths)) if len(widths) == 1 else 0
        expected = [slot.expected or width for slot in labels]  # text not known: any row of the table
        counts = [_trimmed_count(fig, width) if width else len(fig.values) for fig in figures]
        known = [slot for slot in labels if slot.match is not None]
        in_order = (len(known) == len(labels) and len({s.match.key.table.key for s in known}) == 1
                    and all(b.match.key.index == a.match.key.index + 1 for a, b in itertools.pairwise(known)))
        if in_order and following is not None and following.table.key == known[-1].match.key.table.key:
            # the label after the run must be the next row: a gap means a label is missing
            in_order = following.index == known[-1].match.key.index + 1
        ways, candidates, assignment = _assignments(expected, counts)
        if in_order and ways == 1:
            for slot, (start, end) in zip(labels, assignment, strict=True):
                self._place_slot(slot, figures[start:end])
            return
        last = labels[-1]
        table = last.match.key.table if last.match else None
        if (in_order and table is not None and len(table.columns) == 1 and table.key in self.interleaved
                and sum(counts) == 1 and len(figures) == 1):
            # one figure per line, a label right above its figure (as earlier in this table):
            # the labels before it, the rows just before its row, printed no figure (blank
            # cells). Labels of rows apart, or of another table, are never blanked so.
            for slot in labels[:-1]:
                self._place_slot(slot, [])
            self._place_slot(last, figures)
            return
        if not in_order:
            why = "行标签不是本格式中依次相连的行" + ("" if ways else "，数字的个数也对不上")
        else:
            why = "数字的个数与行标签对不上" if not ways else "数字可以有不止一种对应方式"
        for i, fig in enumerate(figures):
            owners = sorted(candidates[i]) if in_order and ways else range(len(labels))
            owners = list(owners)
            names = "、".join(labels[o].name() for o in owners[:MAX_NAMED_OWNERS])
            if len(owners) > MAX_NAMED_OWNERS:
                names += f"等{len(owners)}行"
            self._unplace(fig.line, f"行标签与数字分开排列，{why}，无法确定这行数字属于哪一行；可能属于：{names}")

    def _place_slot(self, slot: _Label, figures: list[_Figures]) -> None:
        """A label and the lines of figures that are its figures: placed when their count
        is the row's, else unplaced (a run of digits is kept for ``digits.py``)."""
        key = slot.match.key
        table, row, expected = key.table, key.row, slot.expected
        values, texts = list(slot.values), list(slot.texts)
        for fig in figures:
            count = _trimmed_count(fig, expected - len(values))
            values += fig.values[:count]
            texts += fig.texts[:count]
        lines = slot.lines + [fig.line for fig in figures]
        text = " / ".join(line.text for line in lines)
        if len(values) == expected + 1 and not texts[-1].strip():
            values, texts = values[:-1], texts[:-1]  # a trailing empty cell ("| 0 | |")
        if len(values) == expected:
            self._place(table, row, values, lines, text, slot)
        elif not values and expected == 1:
            self._place(table, row, [None], lines, text, slot)  # a blank cell
        elif expected > 1 and _digit_run(texts) and len(texts[0]) >= expected:
            order = self.orders.get(table.key) or list(range(len(table.columns)))
            refs = tuple(cell_ref(table.key, row.key, table.columns[i].key) for i in order)
            self.digit_runs.append(DigitRun(table.key, row.key, refs, texts[0].strip(), _where(lines), text))
        elif len(values) < expected:
            self._unplace(slot.line, f"“{row.label}”只有{len(values)}个数字，应有{expected}个", text)
        else:
            self._unplace(slot.line, f"“{row.label}”有{len(values)}个数字，应有{expected}个", text)

    def _unlabelled(self, figures: list[_Figures]) -> None:
        """Lines of figures without a label: the figures of the table whose header was
        last seen, when that table has a single, unlabelled row (table 四), in one line or
        one figure per line; or of the part of its columns the header named (table 四
        printed as small tables, one per column group) when they are as many."""
        table = self.fmt.table(self.current) if self.current else None
        if table is None or len(table.numbered_rows) != 1 or table.numbered_rows[0].label:
            for fig in figures:
                self._unplace(fig.line, "没有行标签的数字，无法确定所在行")
            return
        row = table.numbered_rows[0]
        everything, part = self._header_columns(table)
        columns = None
        for candidate in (everything, part):
            values: list[Value] = []
            for fig in figures:
                values += fig.values[:_trimmed_count(fig, len(candidate) - len(values))]
            if candidate and len(values) == len(candidate):
                columns = candidate
                break
        if columns is not None:
            lines = [f.line for f in figures]
            self._place(table, row, values, lines, " / ".join(f.line.text for f in figures), None, columns)
            return
        texts = [t for f in figures for t in f.texts]
        if len(figures) == 1 and _digit_run(texts) and len(texts[0]) >= len(everything) > 1:
            refs = tuple(cell_ref(table.key, row.key, table.columns[i].key) for i in everything)
            self.digit_runs.append(DigitRun(table.key, row.key, refs, texts[0].strip(),
                                            figures[0].line.where, figures[0].line.text))
            return
        total = sum(len(f.values) for f in figures)
        widths = "或".join(str(len(c)) for c in (everything, part) if c)
        for fig in figures:
            self._unplace(fig.line, f"没有行标签的数字共{total}个，与表格的{widths}列对不上")

    def _single_row_table(self, tokens: list[str]) -> bool:
        """The header tokens name column groups of a table with a single, unlabelled row."""
        tables = {key for t in tokens for key in self.vocab.header.get(t, ())}
        if len(tables) != 1:
            return False
        table = self.fmt.table(next(iter(tables)))
        groups = {label_key(g) for c in table.columns for g in c.groups}
        return (len(table.numbered_rows) == 1 and not table.numbered_rows[0].label
                and all(t in groups for t in tokens))

    def _header_columns(self, table: Table) -> tuple[list[int], list[int]]:
        """The table's columns in print order, and the part of them (perhaps none) under
        the column groups the header last seen named (table 四 printed as small tables:
        行政复议 / 行政诉讼(未经复议直接起诉) / 复议后起诉): a column is in the part when a
        group of it is named and no other group below that one is named for other columns."""
        everything = self.orders.get(table.key) or list(range(len(table.columns)))
        paths = [tuple(label_key(g) for g in c.groups) for c in table.columns]
        named = {t for t in self.header_tokens if any(t in path for path in paths)}
        part = []
        for i, path in enumerate(paths):
            levels = [level for level, g in enumerate(path) if g in named]
            if not levels:
                continue
            deepest = max(levels)
            if not any(other[:deepest + 1] == path[:deepest + 1] and named & set(other[deepest + 1:])
                       for other in paths):
                part.append(i)
        if len(part) == len(table.columns):
            part = []
        labels = [label_key(table.columns[i].label) for i in part]
        printed = [t for t in self.header_tokens if t in labels]
        if part and len(printed) == len(labels) and len(set(printed)) == len(labels) == len(set(labels)):
            part = [part[labels.index(t)] for t in printed]
        return everything, part

    def _place(self, table: Table, row: Row, values: list[Value], lines: list[Line], text: str,
               slot: _Label | None, columns: list[int] | None = None) -> None:
        order = columns or self.orders.get(table.key) or list(range(len(table.columns)))
        refs = [cell_ref(table.key, row.key, table.columns[i].key) for i in order]
        clashes = [ref for ref, value in zip(refs, values, strict=True)
                   if ref in self.cells and self.cells[ref] != value]
        if clashes:
            self._unplace(lines[0], "与前文同一单元格的数字不一致：" + "、".join(clashes), text)
            return
        self.cells.update(zip(refs, values, strict=True))
        match = slot.match if slot else None
        self.placements.append(Placement(
            table.key, row.key, _where(lines), slot.printed if slot else "",
            self.vocab.printed.get(match.name, match.name) if match else "",
            match.distance if match else 0,
        ))

    # headers -------------------------------------------------------------------------------

    def _header_tokens(self, cells: list[str]) -> list[str] | None:
        """The header tokens of a line (title, corner, column labels, group labels), or
        None when it is no header line."""
        texts = [label_key(c) for c in cells if c.strip()]
        if not texts or sum(map(len, texts)) > MAX_LABEL_CHARS:
            return None
        tokens: list[str] = []
        for text in texts:
            segments = _segment_header(text, self.vocab)
            if segments is None:
                return None
            tokens += segments
        return tokens

    def _apply_header(self, tokens: list[str]) -> None:
        """A header line: remembered as the current table, and the order its column labels
        are printed in."""
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
        self.header_tokens += tokens
        match = next((re.match(r"((?:19|20)\d{2})年", t) for t in tokens if re.match(r"(?:19|20)\d{2}年", t)), None)
        if match:
            self.year_header = int(match.group(1))

    def _column_order(self, tokens: list[str]) -> None:
        table = self.fmt.table(self.current)
        labels = [label_key(c.label) for c in table.columns]
        printed = [t for t in tokens if t in labels]
        if len(printed) == len(labels) and len(set(printed)) == len(labels) == len(set(labels)):
            self.orders[table.key] = [labels.index(t) for t in printed]

    def _unplace(self, line: Line, reason: str, text: str | None = None) -> None:
        text = text or line.text
        if len(text) > MAX_UNPLACED_CHARS:
            text = text[:MAX_UNPLACED_CHARS] + "…"
        self.unplaced.append(Unplaced(line.where, text, reason))


def _where(lines: list[Line]) -> str:
    """Where a row was printed: its line, or its lines joined ("line 4 + line 5")."""
    wheres: list[str] = []
    for line in lines:
        if line.where not in wheres:
            wheres.append(line.where)
    return " + ".join(wheres)


def _trimmed_count(fig: _Figures, room: int) -> int:
    """How many figures of the line count: all, but a trailing empty cell beyond the
    ``room`` left in the row (a markdown table's "| 0 | |") is no figure."""
    if len(fig.values) == room + 1 and not fig.texts[-1].strip():
        return room
    return len(fig.values)


_DIGITS = re.compile(r"\d+")


def _digit_run(texts: list[str]) -> bool:
    """The row's only figure is a run of digits (its figures printed without separators)."""
    return len(texts) == 1 and _DIGITS.fullmatch(texts[0].strip()) is not None


def _assignments(expected: list[int], counts: list[int]) -> tuple[int, list[set[int]], list[tuple[int, int]]]:
    """Ways to give the lines of figures (``counts`` figures each), in order, to the labels
    (``expected`` figures each), in order: each label takes consecutive whole lines with
    exactly its count, or none. Returns the number of ways (capped at 2), for each line the
    labels it goes to in some way, and the assignment when there is exactly one."""
    k, m = len(expected), len(counts)

    def fits(i: int, start: int) -> list[int]:
        ends, total = [], 0
        for end in range(start, m):
            total += counts[end]
            if total == expected[i] and expected[i]:
                ends.append(end + 1)
            if total >= expected[i]:
                break
        return ends

    # backward[i][j]: ways to give lines j.. to labels i..
    backward = [[0] * (m + 1) for _ in range(k + 1)]
    backward[k][m] = 1
    for i in range(k - 1, -1, -1):
        for j in range(m, -1, -1):
            ways = backward[i + 1][j]
            if j < m:
                ways += sum(backward[i + 1][end] for end in fits(i, j))
            backward[i][j] = min(ways, 2)
    forward = [[0] * (m + 1) for _ in range(k + 1)]
    forward[0][0] = 1
    candidates: list[set[int]] = [set() for _ in range(m)]
    for i in range(k):
        for j in range(m + 1):
            if not forward[i][j]:
                continue
            forward[i + 1][j] = min(forward[i + 1][j] + forward[i][j], 2)
            if j < m:
                for end in fits(i, j):
                    forward[i + 1][end] = min(forward[i + 1][end] + forward[i][j], 2)
                    if backward[i + 1][end]:
                        for line in range(j, end):
                            candidates[line].add(i)
    ways = backward[0][0]
    assignment: list[tuple[int, int]] = []
    if ways == 1:
        j = 0
        for i in range(k):
            if backward[i + 1][j]:
                assignment.append((j, j))
                continue
            end = next(e for e in fits(i, j) if backward[i + 1][e])
            assignment.append((j, end))
            j = end
    return ways, candidates, assignment


_NOT_A_NUMBER = object()


@lru_cache(maxsize=65536)
def _number(text: str) -> object:
    """The figure in a cell (``parse_number``), or ``_NOT_A_NUMBER``."""
    try:
        return parse_number(text)
    except NotANumber:
        return _NOT_A_NUMBER


def _is_figure(text: str) -> bool:
    return not text.strip() or _number(text) is not _NOT_A_NUMBER


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
    year, agency, notes = titleblock.year_and_agency(doc, header_year)
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
    return Extraction(chosen.fmt, year, agency, chosen.cells, chosen.unplaced, notes,
                      chosen.placements, chosen.digit_runs)


def prescribed_format(year: int) -> ReportFormat | None:
    try:
        return format_for_year(year)
    except KeyError:
        return None
