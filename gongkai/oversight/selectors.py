"""Reads of the oversight area: the compliance table (rows, marks, sums, filters, sort),
the thresholds in force, and the drill-downs that list the records behind a figure."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from gongkai.core import clock
from gongkai.core.models import Agency, AgencyKind, AgencyLevel
from gongkai.oversight import compliance, permissions, rules
from gongkai.oversight.models import ComplianceThreshold

PAGE_SIZE = 100
NOT_THIS_ROLE = "监督检查仅向主管部门监督员开放。"


# --- scope ------------------------------------------------------------------------------------


def root_for(user, raw: str | None) -> Agency | None:
    """The supervised agency the table is about: ``raw`` (a primary key) among the user's
    supervised agencies, else the first of them; 404 for any other agency."""
    roots = permissions.supervised_roots(user)
    if raw:
        if not raw.isdigit() or len(raw) > 18:
            raise Http404("机关不存在")
        root = roots.filter(pk=int(raw)).first()
        if root is None and permissions.can_oversee(user, Agency(pk=int(raw))):
            root = Agency.objects.filter(pk=int(raw), is_active=True).first()
        if root is None:
            raise Http404("机关不存在")
        return root
    return roots.first()


def agency_for_drilldown(user, pk: int) -> Agency:
    agency = permissions.overseeable_agencies(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("机关不存在")
    return agency


# --- thresholds -------------------------------------------------------------------------------


def thresholds_for(root: Agency) -> dict[str, rules.Threshold]:
    """The defaults of ``data/thresholds.toml``, overridden by the supervising office's own
    rows: the nearest of ``root`` and its ancestors that set the column."""
    result = dict(rules.default_thresholds())
    ancestors = [p for p in root.path.split(".") if p]
    prefixes = [".".join(ancestors[:i]) + "." for i in range(1, len(ancestors) + 1)]
    rows = (ComplianceThreshold.objects.filter(agency__path__in=prefixes)
            .select_related("agency").order_by("agency__depth"))
    for row in rows:  # deeper rows come later and win
        default = rules.default_thresholds()[row.column]
        result[row.column] = rules.Threshold(default.direction, row.amber, row.red)
    return result


def threshold_rows(root: Agency) -> list[dict]:
    own = {t.column: t for t in ComplianceThreshold.objects.filter(agency=root).select_related("updated_by")}
    current = thresholds_for(root)
    defaults = rules.default_thresholds()
    return [{"column": rules.BY_KEY[key], "threshold": current[key], "default": defaults[key],
             "own": own.get(key)} for key in rules.MARKED_KEYS]


# --- the table --------------------------------------------------------------------------------


class _RowContext:
    """What a row's cells need to say their text and link, shared by the row's cells."""

    __slots__ = ("agency_id", "as_of", "figures", "links", "status", "subtree")

    def __init__(self, agency_id, as_of, figures, links, status, subtree):
        self.agency_id, self.as_of, self.figures = agency_id, as_of, figures
        self.links, self.status, self.subtree = links, status, subtree


class Cell:
    """One figure of a row: its value (what sorting and the export use; None: nothing
    measured) and mark, computed for every row; its text and link, made when shown (a
    table has tens of thousands of cells and a page shows a few thousand)."""

    __slots__ = ("_ctx", "key", "mark", "value")

    def __init__(self, key: str, value, mark: rules.Mark, ctx: _RowContext):
        self.key, self.value, self.mark, self._ctx = key, value, mark, ctx

    @property
    def text(self) -> str:
        ctx = self._ctx
        if self.key == "report_missing":
            return _report_text(ctx.figures, ctx.status, ctx.as_of)
        return _fmt(self.value)

    @property
    def url(self) -> str:
        ctx = self._ctx
        return ctx.links.url(self.key, ctx.agency_id, ctx.subtree)


@dataclass
class Row:
    agency: Agency
    kind: str  # "agency", "subtotal" (an agency and everything below it) or "total"
    figures: compliance.Figures
    marks: list[rules.Mark]  # per column, in column order (every row: they decide "red")
    ctx: _RowContext = field(repr=False)
    status: compliance.AgencyStatus | None = None
    _cells: list[Cell] | None = field(default=None, repr=False)

    @property
    def cells(self) -> list[Cell]:
        """The row's cells, made when first asked for (the shown page, the export, a test):
        a table of thousands of rows shows a hundred."""
        if self._cells is None:
            fig, ctx = self.figures, self.ctx
            self._cells = [Cell(key, getattr(fig, key), m, ctx)
                           for key, m in zip(rules.COLUMN_KEYS, self.marks, strict=True)]
        return self._cells

    @property
    def red(self) -> bool:
        return rules.Mark.RED in self.marks

    @property
    def red_count(self) -> int:
        return self.marks.count(rules.Mark.RED)

    @property
    def cells_html(self) -> str:
        """The row's figure cells as HTML, made once per shown row in plain Python (a page
        of 100 rows has 1,200 cells: template tags and lookups per cell cost more than the
        figures). Agency and subtotal rows show their mark; the total row does not."""
        return _cells_html(self.cells, marked=self.kind != "total")


@dataclass
class Table:
    root: Agency
    year: int
    report_year: int
    as_of: dt.date
    rows: list[Row]  # in tree order with subtotals, or filtered/sorted without them
    total: Row  # the root's subtree: equal to the sum of every agency row
    tree: bool  # unfiltered and unsorted: subtotal rows are interleaved
    agency_count: int
    red_agencies: int
    columns: tuple = rules.COLUMNS


def _cells_html(cells: list[Cell], *, marked: bool) -> str:
    parts = []
    for c in cells:
        label = c.mark.label if marked else ""
        css = f' class="num m-{c.mark.value}"' if marked else ' class="num"'
        mark = f' <span class="mk">{label}</span>' if label else ""
        parts.append(f'<td{css} data-col="{c.key}"><a href="{escape(c.url)}">{escape(c.text)}</a>{mark}</td>')
    return mark_safe("".join(parts))  # noqa: S308 (every text and link escaped above)


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def drilldown_url(agency_id: int, key: str, year: int, *, subtree: bool = False) -> str:
    params = {"year": year}
    if subtree:
        params["subtree"] = 1
    return reverse("staff:oversight-drilldown", args=[agency_id, key]) + "?" + urlencode(params)


class _Links:
    """Every figure's link, from URL templates reversed once per table (thousands of cells)."""

    def __init__(self, year: int):
        self.year = year
        self.foi = reverse("staff:foi-list")
        self.drill = reverse("staff:oversight-drilldown", args=[1, "KEY"]).replace("/1/KEY/", "/{pk}/{key}/")

    def url(self, key: str, agency_id: int, subtree: bool) -> str:
        scope = f"under={agency_id}" if subtree else f"agency={agency_id}"
        if key == "requests_open":
            return f"{self.foi}?queue=open&{scope}"
        if key == "requests_overdue":
            return f"{self.foi}?due=overdue&{scope}"
        return self.drill.format(pk=agency_id, key=key) + f"?year={self.year}" + ("&subtree=1" if subtree else "")


def _report_text(fig: compliance.Figures, status: compliance.AgencyStatus | None, as_of: dt.date) -> str:
    if status is None:  # a sum over several agencies
        late = fig.report_missing
        return f"已发布{fig.reports_published}/{fig.reports}" + (f"，{late}个逾期" if late else "")
    text = status.report_state_label
    if status.report_published_on:
        on_time = status.report_published_on <= status.report_deadline
        return f"{text}（{status.report_published_on:%m-%d}，{'按时' if on_time else '逾期'}）"
    if as_of > status.report_deadline:
        return f"{text}（已过{status.report_deadline:%m月%d日}）"
    return f"{text}（{status.report_deadline:%m月%d日}前）"


_NO_MARKS = [rules.Mark.NONE] * len(rules.COLUMNS)


def _row(agency: Agency, kind: str, fig, status, *, links: _Links, as_of, thresholds, subtree: bool,
         marked: bool) -> Row:
    ctx = _RowContext(agency.pk, as_of, fig, links, status, subtree)
    if marked:
        none, mark = rules.Mark.NONE, rules.mark
        marks = [mark(getattr(fig, key), threshold) if threshold else none for key, threshold in thresholds]
    else:
        marks = _NO_MARKS
    return Row(agency, kind, fig, marks, ctx, status)


def _column_thresholds(thresholds: dict[str, rules.Threshold]) -> list[tuple[str, rules.Threshold | None]]:
    """(key, threshold or None when the column is not marked) in column order, once per table."""
    return [(col.key, thresholds[col.key] if col.marked else None) for col in rules.COLUMNS]


def _matches(agency: Agency, *, level: str, kind: str, q: str) -> bool:
    if level and agency.level != level:
        return False
    if kind and agency.kind != kind:
        return False
    return not q or q in agency.name or q in (agency.short_name or "") or q == agency.code


_INDEX = {key: i for i, key in enumerate(rules.COLUMN_KEYS)}


def _sort_key(row: Row, key: str):
    if key == "name":
        return (0, row.agency.name)
    if key == "report_missing":  # by the defect, then the state
        return (0, row.figures.report_missing)
    value = getattr(row.figures, key) if key in _INDEX else None  # the cell's value, without making the cells
    return (1, 0) if value is None else (0, value)


def compliance_table(*, user, root: Agency, year: int | None = None, level: str = "", kind: str = "",
                     only_red: bool = False, q: str = "", sort: str = "", desc: bool = False,
                     as_of: dt.date | None = None) -> Table:
    """The table of ``root``'s subtree (the caller checked the user may oversee it).

    Unfiltered and in tree order, each agency with agencies below it is followed by a
    subtotal row of its whole subtree; filtered or sorted, the rows are the matching
    agencies and the total row sums exactly them."""
    with collector_paused():
        return _compliance_table(root=root, year=year, level=level, kind=kind, only_red=only_red, q=q, sort=sort,
                                 desc=desc, as_of=as_of)


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector paused while the table is built: it makes some 100,000
    short-lived objects (rows, cells, figures, query rows), and each collection it triggers
    walks every object of the process (the whole of Django) — a quarter of the table's time
    in the benchmark. Nothing built here is kept in a cycle; collection resumes after.
    The switch is process-wide: with threads, a concurrent request's collection waits at
    most as long as the table takes, and whoever found it on turns it back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _compliance_table(*, root, year, level, kind, only_red, q, sort, desc, as_of) -> Table:
    c = compliance.compliance_for(root, year=year, as_of=as_of or clock.today())
    thresholds = _column_thresholds(thresholds_for(root))
    links = _Links(c.year)
    totals = c.subtree_totals()
    has_children = {a.parent_id for a in c.agencies}
    q = (q or "").strip()
    filtered = bool(level or kind or only_red or q)
    rows: list[Row] = []
    agency_rows: list[Row] = []
    for a in c.agencies:
        fig, status = c.figures[a.pk], c.status[a.pk]
        agency_rows.append(_row(a, "agency", fig, status, links=links, as_of=c.as_of, thresholds=thresholds,
                                subtree=False, marked=True))
    red_agencies = sum(r.red for r in agency_rows)
    if filtered:
        agency_rows = [r for r in agency_rows if _matches(r.agency, level=level, kind=kind, q=q)
                       and (not only_red or r.red)]
    tree = not filtered and not sort
    for row in agency_rows:
        rows.append(row)
        if tree and row.agency.pk in has_children:
            sub = totals[row.agency.pk]
            rows.append(_row(row.agency, "subtotal", sub, None, links=links, as_of=c.as_of, thresholds=thresholds,
                             subtree=True, marked=False))
    if sort:
        rows.sort(key=lambda r: _sort_key(r, sort), reverse=desc)
        if desc:  # nothing measured stays last either way
            rows.sort(key=lambda r: _sort_key(r, sort)[0])
    if filtered:
        total_fig = compliance.Figures()
        for r in agency_rows:
            total_fig.add(r.figures)
    else:
        total_fig = totals[root.pk]
    total = _row(root, "total", total_fig, None, links=links, as_of=c.as_of, thresholds=thresholds, subtree=True,
                 marked=False)
    return Table(root=root, year=c.year, report_year=c.report_year, as_of=c.as_of, rows=rows, total=total,
                 tree=tree, agency_count=len(c.agencies), red_agencies=red_agencies)


LEVEL_CHOICES = [("", "全部层级"), *AgencyLevel.choices]
KIND_CHOICES = [("", "全部类型"), *AgencyKind.choices]
SORT_CHOICES = [("", "按机构层级"), ("name", "机关名称"), *[(c.key, c.label) for c in rules.COLUMNS]]


def red_agencies(root: Agency, *, as_of: dt.date | None = None) -> list[Row]:
    """The agencies of the subtree with a red mark, most red columns first (the desk)."""
    table = compliance_table(user=None, root=root, only_red=True, as_of=as_of)
    return sorted(table.rows, key=lambda r: (-r.red_count, r.agency.path))
