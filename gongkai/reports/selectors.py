"""Reads of annual reports for the back office, the public pages and the renderers.

The same 404 for a report that does not exist and one the user may not read. A report's
*current cells* are the last computation from the records with the hand-typed figures
filled into its manual cells; a published report is read from its frozen version only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from gongkai.core.models import Agency
from gongkai.reports import permissions
from gongkai.reports.document import ReportDocument
from gongkai.reports.formats import ReportFormat, format_for_year, get_format
from gongkai.reports.models import (
    AnnualReport,
    Cells,
    ReportFigure,
    ReportState,
    ReportVersion,
    decode_cells,
)
from gongkai.reports.rules import CheckResult, check_cells

# --- one report ------------------------------------------------------------------------------


def reports_for_user(*, user, agency: Agency | None = None, year: int | None = None
                     ) -> QuerySet[AnnualReport]:
    qs = permissions.reports_visible_to(user).select_related("agency", "published_version")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("agency__path", "-year")


def report_get_for_user(*, user, pk: int) -> AnnualReport:
    report = (permissions.reports_visible_to(user).select_related("agency", "published_version")
              .filter(pk=pk).first())
    if report is None:
        raise Http404("年度报告不存在")
    return report


def current_figures(report: AnnualReport) -> dict[str, ReportFigure]:
    """The newest hand-typed figure of each manual cell."""
    latest: dict[str, ReportFigure] = {}
    for figure in report.figures.select_related("entered_by").order_by("ref", "id"):
        latest[figure.ref] = figure
    return latest


def figure_history(report: AnnualReport) -> list[ReportFigure]:
    return list(report.figures.select_related("entered_by").order_by("-id"))


def report_cells(report: AnnualReport, figures: dict[str, ReportFigure] | None = None) -> Cells:
    """The report's current cells: the last computation, with typed figures in the manual
    cells (a manual cell without a figure is None)."""
    fmt = report.format
    cells = decode_cells(fmt, report.computed_cells)
    figures = current_figures(report) if figures is None else figures
    for ref in report.computed_manual_refs:
        figure = figures.get(ref)
        cells[ref] = None if figure is None else _typed(fmt, ref, figure.value)
    return cells


def _typed(fmt: ReportFormat, ref: str, value: Decimal) -> int | Decimal:
    if fmt.value_type(ref) == "amount":
        # 1.2500 -> 1.25, 3.0000 -> 3 (never 1E+2: integral values are quantized, not normalised)
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return int(value)


def manual_sources(report: AnnualReport, figures: dict[str, ReportFigure] | None = None
                   ) -> dict[str, str]:
    figures = current_figures(report) if figures is None else figures
    return {ref: figures[ref].source for ref in report.computed_manual_refs if ref in figures}


def missing_manual_refs(report: AnnualReport, figures: dict[str, ReportFigure] | None = None
                        ) -> list[str]:
    figures = current_figures(report) if figures is None else figures
    return [ref for ref in report.computed_manual_refs if ref not in figures]


# --- last year's report (cross-year rule, problems beside improvements) ----------------------

def previous_report(report: AnnualReport) -> AnnualReport | None:
    return (AnnualReport.objects.select_related("published_version")
            .filter(agency_id=report.agency_id, year=report.year - 1).first())


def version_cells(version: ReportVersion) -> Cells:
    return decode_cells(get_format(version.format_id), version.cells)


def previous_cells(report: AnnualReport, previous: AnnualReport | None = None) -> Cells | None:
    """Last year's cells of the same agency, if gongkai holds that report: its published
    version, or else its current cells. None when there is none (the cross-year rule is
    then not checked)."""
    previous = previous_report(report) if previous is None else previous
    if previous is None:
        return None
    if previous.published_version is not None:
        return version_cells(previous.published_version)
    if not previous.computed_at:
        return None
    return report_cells(previous)


def previous_problems(report: AnnualReport) -> str:
    """Last year's "五、存在的主要问题及改进情况", shown beside this year's while editing."""
    previous = previous_report(report)
    if previous is None:
        return ""
    if previous.published_version is not None:
        return previous.published_version.prose.get("problems", "")
    return previous.problems


def report_check(report: AnnualReport) -> tuple[CheckResult, bool]:
    """Every rule on the current cells, with the cross-year rule when last year's report is
    held; returns the result and whether the cross-year rule could be checked."""
    previous = previous_cells(report)
    return check_cells(report.format, report_cells(report), previous=previous), previous is not None


@dataclass
class ViolationLine:
    text: str  # the rule in Chinese with expected and found
    cells: list[str]  # the labels of the cells it reads


def violation_lines(fmt: ReportFormat, violations: list[dict]) -> list[ViolationLine]:
    """Recorded violations (``Violation.as_dict()``) for people: the rule, where, what
    was expected and found, and the cells by their printed labels."""
    out = []
    for v in violations or []:
        where = f"（{v['label']}）" if v.get("label") else ""
        text = f"{v['text']}{where}：应为 {v['expected']}，实为 {v['found']}"
        out.append(ViolationLine(text, [fmt.label_of(ref) if fmt.has_cell(ref) else ref
                                        for ref in v.get("cells", [])]))
    return out


# --- the document the renderers print --------------------------------------------------------

def version_document(version: ReportVersion) -> ReportDocument:
    fmt = get_format(version.format_id)
    return ReportDocument(
        format=fmt, agency_name=version.agency_name, year=version.report.year,
        cells=decode_cells(fmt, version.cells), prose=dict(version.prose),
        preamble=version.preamble, published_on=version.published_on,
        manual_sources=dict(version.manual_sources),
    )


def build_document(report: AnnualReport, *, published: bool | None = None) -> ReportDocument:
    """The report as printed: its published version when ``published`` (or, by default,
    when the report is in the published state), else the current draft."""
    if published is None:
        published = report.state == ReportState.PUBLISHED
    if published:
        if report.published_version is None:
            raise Http404("该年度报告尚未发布")
        return version_document(report.published_version)
    figures = current_figures(report)
    return ReportDocument(
        format=report.format, agency_name=report.agency.name, year=report.year,
        cells=report_cells(report, figures), prose=report.prose(), preamble=report.preamble,
        published_on=None, manual_sources=manual_sources(report, figures),
    )


# --- the grid shown in the back office, with provenance ---------------------------------------

@dataclass
class GridCell:
    ref: str
    value: int | Decimal | None
    manual: bool = False
    source: str = ""  # manual cells: the typed figure's source
    note: int | None = None  # footnote number of the provenance
    text: str = ""  # the value as printed


@dataclass
class GridTable:
    table: object  # formats.Table
    layout: object  # layout.TableLayout
    cells: dict[str, GridCell]
    notes: list[str] = field(default_factory=list)  # provenance texts, numbered from 1

    @property
    def body(self) -> list[list[tuple]]:
        """The layout's body rows as (layout cell, grid cell or None) pairs, for templates."""
        return [[(c, self.cells.get(c.ref) if c.kind == "value" else None) for c in row]
                for row in self.layout.body_rows]


def report_grid(fmt: ReportFormat, *, cells: Cells, provenance: dict[str, str],
                sources: dict[str, str], manual_refs=()) -> list[GridTable]:
    """Every table of the format with each cell's value and a footnote saying where it
    came from (computed: the provenance; typed: the recorded source)."""
    from gongkai.reports.layout import table_layout
    from gongkai.reports.rendering.values import format_value

    manual = set(manual_refs) | set(sources)
    out = []
    for table in fmt.tables:
        notes: list[str] = []
        grid = {}
        for ref in table.cell_refs():
            if ref in sources:
                text = f"手填，来源：{sources[ref]}"
            elif ref in manual:
                text = "手填（尚未录入）"
            else:
                text = provenance.get(ref, "")
            note = None
            if text:
                if text not in notes:
                    notes.append(text)
                note = notes.index(text) + 1
            grid[ref] = GridCell(ref, cells.get(ref), ref in manual, sources.get(ref, ""), note,
                                 format_value(cells.get(ref), fmt.value_type(ref)))
        out.append(GridTable(table, table_layout(table), grid, notes))
    return out


# --- the public site -----------------------------------------------------------------------

def published_reports(agency: Agency) -> list[AnnualReport]:
    """An agency's published reports, newest year first."""
    return list(AnnualReport.objects.filter(agency=agency, published_version__isnull=False)
                .select_related("published_version").order_by("-year"))


def published_report_get(*, agency: Agency, year: int) -> AnnualReport:
    report = (AnnualReport.objects.select_related("agency", "published_version")
              .filter(agency=agency, year=year, published_version__isnull=False).first())
    if report is None:
        raise Http404("该年度报告尚未发布")
    return report


def report_versions(report: AnnualReport) -> list[ReportVersion]:
    return list(report.versions.order_by("number"))


def version_get(report: AnnualReport, number: int) -> ReportVersion:
    version = report.versions.filter(number=number).first()
    if version is None:
        raise Http404("该版本不存在")
    return version


# --- the supervising office's view ------------------------------------------------------------

@dataclass
class SupervisionRow:
    agency: Agency
    report: AnnualReport | None
    state_label: str
    published_on: dt.date | None
    violations: int | None  # None: not checked yet


@dataclass
class Supervision:
    root: Agency
    year: int
    format: ReportFormat
    rows: list[SupervisionRow]
    cells: Cells  # the tables summed over the subtree
    provenance: dict[str, str]
    manual_refs: list[str]

    @property
    def published_count(self) -> int:
        return sum(1 for r in self.rows if r.published_on)


def _violations_of(report: AnnualReport) -> int | None:
    if report.published_version is not None and report.state == ReportState.PUBLISHED:
        result = report.published_version.check_result
    else:
        result = report.check_result
    return None if result is None else len(result.get("violations", []))


def supervision(*, user, root: Agency, year: int) -> Supervision:
    """For a supervising office: every agency of its subtree with its report's state,
    publication date and number of broken rules, and the tables summed over the subtree
    (computed from the records of all of them)."""
    if not permissions.agencies_supervised_by(user).filter(pk=root.pk).exists():
        raise Http404("机关不存在")
    from gongkai.reports.computation import compute_report

    fmt = format_for_year(year)
    agencies = list(Agency.objects.filter(path__startswith=root.path, is_active=True).order_by("path"))
    reports = {r.agency_id: r for r in AnnualReport.objects.filter(
        agency__in=agencies, year=year).select_related("published_version")}
    rows = []
    for agency in agencies:
        report = reports.get(agency.pk)
        if report is None:
            rows.append(SupervisionRow(agency, None, "未创建", None, None))
            continue
        label = report.get_state_display()
        if report.published_version is not None and report.state != ReportState.PUBLISHED:
            label = f"已发布，更正中（{label}）"
        rows.append(SupervisionRow(agency, report, label, report.published_on, _violations_of(report)))
    comp = compute_report(fmt, agency_ids=[a.pk for a in agencies], year=year)
    return Supervision(root, year, fmt, rows, dict(comp.cells), dict(comp.provenance),
                       list(comp.manual_refs))


def reports_prefetched(qs: QuerySet[AnnualReport]) -> QuerySet[AnnualReport]:
    return qs.prefetch_related(Prefetch("versions", queryset=ReportVersion.objects.order_by("number")))
