"""The national formats of the annual report, loaded from data (``data/formats/*.toml``).

One definition per format: sections, tables with their row and column labels exactly as
printed, and the arithmetic rules that tie the cells together. A new national format is
a new TOML file, not new code. A cell is addressed everywhere (computation, checking,
rendering, JSON output) by the reference ``"table/row/column"``, e.g. ``"3/三.七/total"``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from gongkai.reports.normalise import label_key

FORMATS_DIR = Path(__file__).parent / "data" / "formats"


class FormatError(ValueError):
    """A format definition is inconsistent (raised when it is loaded)."""


def cell_ref(table: str, row: str, column: str) -> str:
    return f"{table}/{row}/{column}"


def split_ref(ref: str) -> tuple[str, str, str]:
    table, row, column = ref.split("/")
    return table, row, column


@dataclass(frozen=True)
class Section:
    number: str  # 一 … 六
    title: str  # printed heading, e.g. "一、总体情况"
    kind: str  # "prose" or "tables"
    key: str = ""  # prose sections: where the text is kept (overview, problems, other_matters)
    # prose sections: terms the text must contain before submission (the 2021 format's 六
    # must state the information processing fees: "信息处理费")
    must_mention: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    groups: tuple[str, ...] = ()  # header cells above this one, outermost first (merged)
    value: str = "count"  # count (non-negative integer), signed (integer), amount (decimal)
    unit: str = ""  # printed after each amount ("万元"); "" when the heading states it


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    group: str = ""  # label of the group row printed beside this one ("" at top level)
    numbers: bool = True  # False: a group label, printed merged beside its first sub-row
    source: str = ""  # figures tables: where computation takes the row from ("manual": typed)
    aliases: tuple[str, ...] = ()  # other spellings seen in published reports
    value: str = ""  # overrides the column's value type for this row
    # other wordings of the same row seen in published reports ("规范性文件" for the 2021
    # format's "行政规范性文件"): matched like the label and the aliases. Aliases spell the
    # label another way (numbering, "其中:"); synonyms word it another way. The checker
    # records which one matched (``Placement.matched``).
    synonyms: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The label, its aliases and its synonyms: every printed name of the row."""
        return (self.label, *self.aliases, *self.synonyms)


@dataclass(frozen=True)
class Table:
    key: str  # "2.1", "3", "4", …
    section: str  # the section number it belongs to
    kind: str  # figures | foi_requests | appeals
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    title: str = ""  # printed above the header, e.g. "第二十条第(一)项"
    corner: str = ""  # the top-left header cell

    @property
    def numbered_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.numbers)

    def row(self, key: str) -> Row:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def cell_refs(self) -> list[str]:
        return [cell_ref(self.key, r.key, c.key) for r in self.numbered_rows for c in self.columns]

    def value_type(self, row_key: str, column_key: str) -> str:
        return self.row(row_key).value or self.column(column_key).value


@dataclass(frozen=True)
class Rule:
    """``sum(left) = sum(right)`` (kind "sum"), ``sum(left) >= sum(right)`` ("at_least"),
    or this year's ``left`` = last year's ``right`` ("cross_year"), for each column or row
    of a table when ``for_each_*`` is set."""

    id: str
    text: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    kind: str = "sum"
    for_each_column_of: str = ""
    for_each_row_of: str = ""
    blank_is_zero: bool = False


@dataclass(frozen=True)
class RuleInstance:
    rule: Rule
    left: tuple[str, ...]
    right: tuple[str, ...]
    label: str  # which column or row this instance is for ("" when the rule has one)


@dataclass(frozen=True)
class ReportFormat:
    id: str
    name: str
    basis: str
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    rules: tuple[Rule, ...]
    first_year: int | None = None
    last_year: int | None = None
    generate: bool = True  # False: read-only (legacy reports are parsed, never generated)
    # True: a published report must print every cell (the checker reports a missing one);
    # False for the legacy appendix, whose local formats printed a subset of indicators.
    cells_required: bool = True
    _cells: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    # derived once when the format is read: every numbered cell's value type, and the rule
    # instances (a province's roll-up decodes and checks thousands of reports)
    _value_types: dict = field(default_factory=dict, compare=False, repr=False)
    _instances: dict = field(default_factory=dict, compare=False, repr=False)

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def tables_in(self, section_number: str) -> list[Table]:
        return [t for t in self.tables if t.section == section_number]

    def cell_refs(self) -> list[str]:
        return [ref for t in self.tables for ref in t.cell_refs()]

    def has_cell(self, ref: str) -> bool:
        return ref in self._cells

    def value_type(self, ref: str) -> str:
        known = self._value_types.get(ref)
        if known is not None:
            return known
        table, row, column = split_ref(ref)
        return self.table(table).value_type(row, column)

    def label_of(self, ref: str) -> str:
        """A human label for a cell: 表三「(七)总计」×「自然人」."""
        table_key, row_key, column_key = split_ref(ref)
        table = self.table(table_key)
        row, column = table.row(row_key), table.column(column_key)
        heading = table.title or f"表{table.section}"
        row_label = row.label or "（唯一行）"
        col_label = "/".join((*column.groups[1:], column.label)) if column.groups else column.label
        return f"{heading}「{row_label}」×「{col_label}」"

    def applies_to(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )

    def rule_instances(self, *, cross_year: bool = False) -> list[RuleInstance]:
        """Every rule expanded over its columns or rows. Cross-year rules only when asked
        (they need last year's report)."""
        if cross_year not in self._instances:
            self._instances[cross_year] = tuple(self._expand_rules(cross_year))
        return list(self._instances[cross_year])

    def _expand_rules(self, cross_year: bool) -> list[RuleInstance]:
        out = []
        for rule in self.rules:
            if (rule.kind == "cross_year") != cross_year:
                continue
            if rule.for_each_column_of:
                for column in self.table(rule.for_each_column_of).columns:
                    out.append(RuleInstance(
                        rule,
                        tuple(r.replace("{column}", column.key) for r in rule.left),
                        tuple(r.replace("{column}", column.key) for r in rule.right),
                        column.label,
                    ))
            elif rule.for_each_row_of:
                for row in self.table(rule.for_each_row_of).numbered_rows:
                    out.append(RuleInstance(
                        rule,
                        tuple(r.replace("{row}", row.key) for r in rule.left),
                        tuple(r.replace("{row}", row.key) for r in rule.right),
                        row.label,
                    ))
            else:
                out.append(RuleInstance(rule, rule.left, rule.right, ""))
        return out


def _parse(data: dict, source: str) -> ReportFormat:
    try:
        tables = tuple(
            Table(
                key=t["key"], section=t["section"], kind=t["kind"],
                title=t.get("title", ""), corner=t.get("corner", ""),
                columns=tuple(
                    Column(c["key"], c["label"], tuple(c.get("groups", ())), c.get("value", "count"),
                           c.get("unit", ""))
                    for c in t["columns"]
                ),
                rows=tuple(
                    Row(r["key"], r["label"], r.get("group", ""), r.get("numbers", True),
                        r.get("source", ""), tuple(r.get("aliases", ())), r.get("value", ""),
                        tuple(r.get("synonyms", ())))
                    for r in t["rows"]
                ),
            )
            for t in data["tables"]
        )
        fmt = ReportFormat(
            id=data["id"], name=data["name"], basis=data.get("basis", ""),
            first_year=data.get("first_year"), last_year=data.get("last_year"),
            generate=data.get("generate", True),
            cells_required=data.get("cells_required", True),
            sections=tuple(Section(s["number"], s["title"], s["kind"], s.get("key", ""),
                                   tuple(s.get("must_mention", ())))
                           for s in data["sections"]),
            tables=tables,
            rules=tuple(
                Rule(r["id"], r["text"], tuple(r["left"]), tuple(r["right"]), r.get("kind", "sum"),
                     r.get("for_each_column_of", ""), r.get("for_each_row_of", ""),
                     r.get("blank_is_zero", False))
                for r in data.get("rules", ())
            ),
        )
    except KeyError as exc:
        raise FormatError(f"{source}: missing {exc}") from exc
    cells = frozenset(fmt.cell_refs())
    object.__setattr__(fmt, "_cells", cells)
    fmt._value_types.update({ref: fmt.table(t).value_type(row, column)
                             for ref in cells for t, row, column in (split_ref(ref),)})
    _validate(fmt, source)
    return fmt


def _validate(fmt: ReportFormat, source: str) -> None:
    for kind_ok in {r.kind for r in fmt.rules} - {"sum", "at_least", "cross_year"}:
        raise FormatError(f"{source}: unknown rule kind {kind_ok!r}")
    for instance in fmt.rule_instances() + fmt.rule_instances(cross_year=True):
        for ref in instance.left + instance.right:
            if not fmt.has_cell(ref):
                raise FormatError(f"{source}: rule {instance.rule.id} names unknown cell {ref}")
    for table in fmt.tables:
        groups = {r.label for r in table.rows if not r.numbers}
        names: dict[tuple[str, str], str] = {}
        for row in table.rows:
            if row.group and row.group not in groups:
                raise FormatError(f"{source}: row {row.key} is in unknown group {row.group!r}")
            for name in row.names if row.numbers else ():
                if not name:
                    continue
                seen = names.setdefault((row.group, label_key(name)), row.key)
                if seen != row.key:
                    raise FormatError(f"{source}: {name!r} names both row {seen} and row {row.key}")


@cache
def all_formats() -> tuple[ReportFormat, ...]:
    """Every format definition, newest first."""
    formats = [_parse(tomllib.loads(p.read_text("utf-8")), p.name)
               for p in sorted(FORMATS_DIR.glob("*.toml"))]
    return tuple(sorted(formats, key=lambda f: -(f.first_year or 0)))


def get_format(format_id: str) -> ReportFormat:
    for fmt in all_formats():
        if fmt.id == format_id:
            return fmt
    raise KeyError(f"no report format {format_id!r}")


def format_for_year(year: int) -> ReportFormat:
    """The national format a report on ``year`` must follow."""
    for fmt in all_formats():
        if fmt.applies_to(year):
            return fmt
    raise KeyError(f"no report format for {year}")
