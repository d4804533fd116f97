"""The printed grid of a report table, computed from its format definition alone.

Every renderer (HTML, DOCX, PDF) prints a table from this layout, so merged header cells
and merged row labels are decided once. The rules, generic over any format:

- Header. A table with a ``title`` (table 二: "第二十条第(一)项") starts with a title row
  across every column. Then one header row per level of column groups plus one for the
  column labels: consecutive columns sharing a group prefix share one merged cell; a
  column with fewer groups than the deepest one has its label spanning down to the last
  header row (table 三: 自然人 and 总计 under 申请人情况; table 四: the 行政复议 labels).
  The corner (``table.corner``) is the top-left cell over the label columns, spanning
  every header row below the title.
- Body. The label columns are as many as the deepest chain of row groups plus one (three
  in table 三). A row with ``numbers = false`` is never a line of its own: its label is a
  merged cell beside its first numbered descendant, spanning down over all of them. A
  numbered row's own label spans the label columns its groups leave free (一, 二 and 四
  span all three in table 三). A table whose rows carry no label and no corner (table 四)
  has no label column.

Every cell carries its grid position (``row``, ``col``), so a renderer that places
cells explicitly (python-docx) and one that flows them (HTML) agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongkai.reports.formats import Column, Row, Table, cell_ref


@dataclass(frozen=True)
class HeaderCell:
    text: str
    row: int  # grid row within the header (0 = first header row)
    col: int  # grid column (0 = leftmost, label columns included)
    colspan: int = 1
    rowspan: int = 1
    kind: str = "column"  # title | corner | group | column
    scope: str = "col"  # col | colgroup (HTML th scope)
    column: str = ""  # the column key, for kind "column"


@dataclass(frozen=True)
class BodyCell:
    row: int  # grid row within the body (0 = first body row)
    col: int
    kind: str  # group (a label over several rows) | label (a row's own label) | value
    text: str = ""  # label cells: the label exactly as in the format
    ref: str = ""  # value cells: "table/row/column"
    colspan: int = 1
    rowspan: int = 1
    row_key: str = ""
    column: str = ""  # value cells: the column key
    value_type: str = ""  # value cells: count | signed | amount

    @property
    def scope(self) -> str:
        return "rowgroup" if self.kind == "group" else "row"


@dataclass(frozen=True)
class TableLayout:
    table: Table
    label_columns: int
    header_rows: tuple[tuple[HeaderCell, ...], ...]
    body_rows: tuple[tuple[BodyCell, ...], ...]

    @property
    def width(self) -> int:
        return self.label_columns + len(self.table.columns)

    @property
    def header_cells(self) -> list[HeaderCell]:
        return [c for row in self.header_rows for c in row]

    @property
    def body_cells(self) -> list[BodyCell]:
        return [c for row in self.body_rows for c in row]

    @property
    def value_cells(self) -> list[BodyCell]:
        return [c for c in self.body_cells if c.kind == "value"]


def _group_chain(row: Row, groups: dict[str, Row]) -> list[Row]:
    """The group rows above ``row``, outermost first."""
    chain: list[Row] = []
    label = row.group
    while label:
        group = groups[label]
        if group in chain:  # a cycle in the data; formats._validate cannot see it
            raise ValueError(f"row group cycle at {label!r}")
        chain.insert(0, group)
        label = group.group
    return chain


def _label_columns(table: Table, chains: dict[str, list[Row]]) -> int:
    if not table.corner and not any(r.label for r in table.rows):
        return 0
    return 1 + max((len(chains[r.key]) for r in table.numbered_rows), default=0)


def _header(table: Table, label_columns: int) -> list[list[HeaderCell]]:
    columns = table.columns
    depth = 1 + max((len(c.groups) for c in columns), default=0)
    rows: list[list[HeaderCell]] = []
    if table.title:
        rows.append([HeaderCell(table.title, 0, 0, colspan=label_columns + len(columns),
                                kind="title", scope="colgroup")])
    top = len(rows)
    for _ in range(depth):
        rows.append([])
    if label_columns:
        rows[top].append(HeaderCell(table.corner, top, 0, colspan=label_columns, rowspan=depth,
                                    kind="corner", scope="col"))
    for level in range(depth):
        r = top + level
        i = 0
        while i < len(columns):
            column: Column = columns[i]
            if len(column.groups) == level:  # its label spans down to the last header row
                rows[r].append(HeaderCell(column.label, r, label_columns + i,
                                          rowspan=depth - level, column=column.key))
                i += 1
            elif len(column.groups) > level:
                prefix = column.groups[: level + 1]
                j = i
                while j < len(columns) and columns[j].groups[: level + 1] == prefix:
                    j += 1
                rows[r].append(HeaderCell(prefix[-1], r, label_columns + i, colspan=j - i,
                                          kind="group", scope="colgroup"))
                i = j
            else:  # already covered by a label spanning down from above
                i += 1
    return rows


def _body(table: Table, label_columns: int, chains: dict[str, list[Row]]) -> list[list[BodyCell]]:
    numbered = table.numbered_rows
    # How many numbered rows each group covers, and which one comes first.
    covers: dict[str, int] = {}
    first: dict[str, str] = {}
    for row in numbered:
        for group in chains[row.key]:
            covers[group.key] = covers.get(group.key, 0) + 1
            first.setdefault(group.key, row.key)
    out: list[list[BodyCell]] = []
    for r, row in enumerate(numbered):
        cells: list[BodyCell] = []
        chain = chains[row.key]
        if label_columns:
            for depth, group in enumerate(chain):
                if first[group.key] == row.key:
                    cells.append(BodyCell(r, depth, "group", text=group.label,
                                          rowspan=covers[group.key], row_key=group.key))
            cells.append(BodyCell(r, len(chain), "label", text=row.label,
                                  colspan=label_columns - len(chain), row_key=row.key))
        for i, column in enumerate(table.columns):
            cells.append(BodyCell(
                r, label_columns + i, "value", ref=cell_ref(table.key, row.key, column.key),
                row_key=row.key, column=column.key,
                value_type=table.value_type(row.key, column.key),
            ))
        out.append(cells)
    return out


def table_layout(table: Table) -> TableLayout:
    """The header and body grid of ``table`` with every merged cell (see the module doc)."""
    groups = {r.label: r for r in table.rows if not r.numbers}
    chains = {r.key: _group_chain(r, groups) for r in table.rows}
    label_columns = _label_columns(table, chains)
    return TableLayout(
        table=table,
        label_columns=label_columns,
        header_rows=tuple(tuple(row) for row in _header(table, label_columns)),
        body_rows=tuple(tuple(row) for row in _body(table, label_columns, chains)),
    )
