"""Reads of annual reports for the back office, the public pages and the renderers.

The same 404 for a report that does not exist and one the user may not read. A report's
*current cells* are the last computation from the records with the hand-typed figures
filled into its manual cells; a published report is read from its frozen version only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from gongkai.core.models import Agency
from gongkai.reports import permissions
from gongkai.reports.document import ReportDocument, report_title
from gongkai.reports.formats import ReportFormat, format_for_year, get_format
from gongkai.reports.models import (
    AnnualReport,
    Cells,
    ReportFigure,
    ReportState,
    ReportVersion,
    decode_cells,
    encode_cells,
)
from gongkai.reports.rules import CheckResult, check_cells

# --- one report ------------------------------------------------------------------------------


def reports_for_user(*, user, agency: Agency | None = None, year: int | None = None,
                     state: str = "", agency_id: int | None = None) -> QuerySet[AnnualReport]:
    qs = permissions.reports_visible_to(user).select_related("agency", "published_version")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    if state:
        qs = qs.filter(state=state)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("agency__path", "-year")


def report_get_for_user(*, user, pk: int) -> AnnualReport:
    report = (permissions.reports_visible_to(user).select_related("agency", "published_version")
              .filter(pk=pk).first())
    if report is None:
        raise Http404("年度报告不存在")
    return report


def latest_figures(figures) -> dict[str, ReportFigure]:
    """The current entry of each cell among ``figures`` (ordered by id): the newest, unless
    the newest reverts the cell to its computed figure."""
    latest: dict[str, ReportFigure] = {}
    for figure in sorted(figures, key=lambda f: f.id):
        latest[figure.ref] = figure
    return {ref: figure for ref, figure in latest.items() if not figure.reverts}


def current_figures(report: AnnualReport) -> dict[str, ReportFigure]:
    """The current hand-typed figure of each cell: manual cells, and computed cells of
    table 二 replaced by hand (and not reverted since)."""
    return latest_figures(report.figures.select_related("entered_by"))


def figure_history(report: AnnualReport) -> list[ReportFigure]:
    return list(report.figures.select_related("entered_by").order_by("-id"))


def replaceable_refs(report: AnnualReport) -> list[str]:
    """Computed cells the office may replace with a typed figure: those of table 二
    (``figures`` tables: decision counts another system holds, 条例 Art. 20(5)(6)).
    Tables 三 and 四 are always computed from the request and appeal records."""
    manual = set(report.computed_manual_refs)
    return [ref for table in report.format.tables if table.kind == "figures"
            for ref in table.cell_refs() if ref not in manual]


def report_cells(report: AnnualReport, figures: dict[str, ReportFigure] | None = None) -> Cells:
    """The report's current cells: the last computation, with typed figures in the manual
    cells (a manual cell without a figure is None) and in replaced computed cells."""
    fmt = report.format
    cells = decode_cells(fmt, report.computed_cells)
    figures = current_figures(report) if figures is None else figures
    for ref in report.computed_manual_refs:
        figure = figures.get(ref)
        cells[ref] = None if figure is None else _typed(fmt, ref, figure.value)
    for ref, figure in figures.items():
        if (ref not in report.computed_manual_refs and fmt.has_cell(ref)
                and fmt.table(ref.split("/", 1)[0]).kind == "figures"):
            cells[ref] = _typed(fmt, ref, figure.value)
    return cells


def _typed(fmt: ReportFormat, ref: str, value: Decimal) -> int | Decimal:
    if fmt.value_type(ref) == "amount":
        # 1.2500 -> 1.25, 3.0000 -> 3 (never 1E+2: integral values are quantized, not normalised)
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return int(value)


def manual_sources(report: AnnualReport, figures: dict[str, ReportFigure] | None = None
                   ) -> dict[str, str]:
    """ref -> recorded source of every cell whose figure was typed by hand (manual cells
    and replaced computed cells): printed as "人工填报，来源：…"."""
    figures = current_figures(report) if figures is None else figures
    fmt = report.format
    return {ref: figure.source for ref, figure in figures.items()
            if fmt.has_cell(ref) and (ref in report.computed_manual_refs
                                      or fmt.table(ref.split("/", 1)[0]).kind == "figures")}


def missing_manual_refs(report: AnnualReport, figures: dict[str, ReportFigure] | None = None
                        ) -> list[str]:
    figures = current_figures(report) if figures is None else figures
    return [ref for ref in report.computed_manual_refs if ref not in figures]


# --- last year's report (cross-year rule, problems beside improvements) ----------------------

def previous_report(report: AnnualReport) -> AnnualReport | None:
    return (AnnualReport.objects.select_related("published_version")
            .filter(agency_id=report.agency_id, year=report.year - 1).first())


def version_cells(version: ReportVersion) -> Cells:
    """A published version's cells, decoded once per loaded version (a roll-up reads each
    of thousands of versions several times); a fresh dict for each caller."""
    decoded = getattr(version, "_decoded_cells", None)
    if decoded is None:
        decoded = version._decoded_cells = decode_cells(get_format(version.format_id), version.cells)
    return dict(decoded)


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

def version_document(version: ReportVersion, *, internal: bool = False) -> ReportDocument:
    """A published version as printed. Where a hand-typed figure came from ("财务科…台账")
    is the office's own working note: only the back office (``internal``) prints it; the
    public page and the published DOCX and PDF never do."""
    fmt = get_format(version.format_id)
    return ReportDocument(
        format=fmt, agency_name=version.agency_name, year=version.report.year,
        cells=decode_cells(fmt, version.cells), prose=dict(version.prose),
        preamble=version.preamble, published_on=version.published_on,
        manual_sources=dict(version.manual_sources) if internal else {},
    )


def version_title(version: ReportVersion) -> str:
    return report_title(version.agency_name, version.report.year)


def build_document(report: AnnualReport, *, published: bool | None = None) -> ReportDocument:
    """The report as printed: its published version when ``published`` (or, by default,
    when the report is in the published state), else the current working copy, marked
    as a draft (``ReportDocument.draft``)."""
    if published is None:
        published = report.state == ReportState.PUBLISHED
    if published:
        if report.published_version is None:
            raise Http404("该年度报告尚未发布")
        return version_document(report.published_version)
    figures = current_figures(report)
    cells = report_cells(report, figures)
    return ReportDocument(
        format=report.format, agency_name=report.agency.name, year=report.year,
        cells=cells, prose=rendered_prose(report, cells), preamble=report.preamble,
        published_on=None, manual_sources=manual_sources(report, figures), draft=True,
    )


def rendered_prose(report: AnnualReport, cells: Cells | None = None) -> dict[str, str]:
    """The report's prose as printed beside ``cells`` (default: its current cells): the
    parts drafted from the data (``drafting.DRAFT_MARKER``) are written from those very
    cells now, so the prose and the tables always state the same figures."""
    from gongkai.reports.drafting import has_marker, prose_for_cells

    prose = report.prose()
    if not any(has_marker(text) for text in prose.values()):
        return prose
    cells = report_cells(report) if cells is None else cells
    return prose_for_cells(fmt=report.format, agency=report.agency, year=report.year, prose=prose,
                           cells=cells, previous_cells=previous_cells(report))


# --- a draft whose records changed since it was computed -------------------------------------

@dataclass
class MovedCell:
    ref: str
    label: str
    old: object
    new: object


def moved_cells(report: AnnualReport) -> list[MovedCell]:
    """Cells whose figure the records give differently now than at the report's last
    computation (records entered or corrected since): each with its old and new value.
    Empty for a published report (read from its frozen version) or one never computed."""
    from gongkai.reports.computation import compute_report

    if report.state == ReportState.PUBLISHED or not report.computed_at:
        return []
    fmt = report.format
    fresh = encode_cells(compute_report(fmt, agency_ids=[report.agency_id], year=report.year).cells)
    stored = report.computed_cells or {}
    manual = set(report.computed_manual_refs)
    return [MovedCell(ref, fmt.label_of(ref), stored.get(ref), value)
            for ref, value in fresh.items()
            if ref not in manual and fmt.has_cell(ref) and stored.get(ref) != value]


def cells_digest(cells: Cells) -> str:
    """A fingerprint of the figures a check ran on: a recorded "全部N项勾稽关系成立" is
    shown only while the figures on the page are the ones it was checked on."""
    text = json.dumps(encode_cells(cells), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    rule_note: str = ""  # how the table counts, in Chinese (table 四: cases filed in the year)

    @property
    def body(self) -> list[list[tuple]]:
        """The layout's body rows as (layout cell, grid cell or None) pairs, for templates."""
        return [[(c, self.cells.get(c.ref) if c.kind == "value" else None) for c in row]
                for row in self.layout.body_rows]


def report_grid(fmt: ReportFormat, *, cells: Cells, provenance: dict[str, str],
                sources: dict[str, str], manual_refs=()) -> list[GridTable]:
    """Every table of the format with each cell's value and a footnote saying where it
    came from (computed: the provenance; typed: the recorded source)."""
    from gongkai.reports.computation import APPEALS_RULE_ZH
    from gongkai.reports.layout import table_layout
    from gongkai.reports.rendering.values import format_value

    manual = set(manual_refs) | set(sources)
    out = []
    for table in fmt.tables:
        notes: list[str] = []
        grid = {}
        for ref in table.cell_refs():
            if ref in sources:
                text = f"人工填报，来源：{sources[ref]}"
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
        out.append(GridTable(table, table_layout(table), grid, notes,
                             APPEALS_RULE_ZH if table.kind == "appeals" else ""))
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
    # where the agency's figures in the summed tables come from: "published" (its
    # published version), "current" (its working copy, not published yet) or "" (no
    # report, or one in another format: not in the sums)
    figures: str = ""

    @property
    def figures_label(self) -> str:
        return {"published": "已发布数据，计入汇总",
                "current": "未发布，当前数据另列（未计入汇总）"}.get(self.figures, "未计入汇总")


@dataclass
class Supervision:
    root: Agency
    year: int
    format: ReportFormat
    rows: list[SupervisionRow]
    cells: Cells  # the agencies' published reports summed (published versions only)
    provenance: dict[str, str]
    manual_refs: list[str]  # cells no summed report states (blank in every one)
    # the working copies of reports not yet published, summed apart: never in ``cells``
    draft_cells: Cells
    draft_provenance: dict[str, str]
    draft_manual_refs: list[str]
    live_cells: Cells  # computed from the records of the whole subtree now (second view)
    live_provenance: dict[str, str]
    live_manual_refs: list[str]

    @property
    def published_count(self) -> int:
        return sum(1 for r in self.rows if r.published_on)

    @property
    def summed_published(self) -> int:
        return sum(1 for r in self.rows if r.figures == "published")

    @property
    def summed_current(self) -> int:
        return sum(1 for r in self.rows if r.figures == "current")


def _violations_of(report: AnnualReport) -> int | None:
    if report.published_version is not None and report.state == ReportState.PUBLISHED:
        result = report.published_version.check_result
    else:
        result = report.check_result
    return None if result is None else len(result.get("violations", []))


def _report_sum(fmt: ReportFormat, sources: list[tuple[str, Cells]], basis: str
                ) -> tuple[Cells, dict[str, str], list[str]]:
    """Cell-wise sum of the agencies' report cells; a cell blank in some reports is the sum
    of the others, with a note saying how many left it blank."""
    cells: Cells = {}
    provenance: dict[str, str] = {}
    blank_everywhere = []
    for ref in fmt.cell_refs():
        values = [c.get(ref) for _, c in sources]
        known = [v for v in values if v is not None]
        if not known:
            cells[ref] = None
            blank_everywhere.append(ref)
            provenance[ref] = "各机关报告均未填报"
            continue
        cells[ref] = sum(known[1:], known[0])
        blanks = len(values) - len(known)
        provenance[ref] = basis + (f"（其中{blanks}个机关未填报，未计入）" if blanks else "")
    return cells, provenance, blank_everywhere


def agencies_for_year(root: Agency, year: int) -> list[Agency]:
    """The agencies whose reports on ``year`` a supervising office of ``root`` sums, in
    tree order: ``root`` and every active agency below it (as the tree stands now: an agency
    moved to another subtree is summed there), and an agency deactivated since (merged,
    abolished) whose report on ``year`` was published, since its published figures are part
    of that year's work. A deactivated agency that never published is not listed: nobody
    is left to publish or to remind."""
    published = AnnualReport.objects.filter(agency=OuterRef("pk"), year=year, published_version__isnull=False)
    return list(Agency.objects.filter(path__startswith=root.path)
                .filter(Q(is_active=True) | Exists(published)).order_by("path"))


def supervision(*, user, root: Agency, year: int, live: bool = True) -> Supervision:
    """For a supervising office: every agency of its subtree with its report's state,
    publication date, number of broken rules and whether its figures are published; the
    tables summed over the agencies' published reports (published versions only: a
    report not yet published is never summed with them); the working copies of reports
    not yet published, typed figures included, summed apart; and, as a third view, the tables computed now from the records of the whole subtree
    (``live``), which may differ from what the agencies published."""
    if not permissions.agencies_supervised_by(user).filter(pk=root.pk).exists():
        raise Http404("机关不存在")
    from gongkai.reports.computation import compute_report

    fmt = format_for_year(year)
    agencies = agencies_for_year(root, year)
    reports = {r.agency_id: r for r in AnnualReport.objects.filter(agency__in=agencies, year=year)
               .select_related("published_version")
               .prefetch_related(Prefetch("figures", queryset=ReportFigure.objects.order_by("id")))}
    rows, sources = [], []
    for agency in agencies:
        report = reports.get(agency.pk)
        if report is None:
            rows.append(SupervisionRow(agency, None, "未创建", None, None))
            continue
        label = report.get_state_display()
        if report.published_version is not None and report.state != ReportState.PUBLISHED:
            label = f"已发布，更正中（{label}）"
        row = SupervisionRow(agency, report, label, report.published_on, _violations_of(report))
        if report.published_version is not None and report.published_version.format_id == fmt.id:
            row.figures = "published"
            sources.append(("published", version_cells(report.published_version)))
        elif report.format_id == fmt.id and report.computed_at:
            row.figures = "current"
            sources.append(("current", report_cells(report, latest_figures(report.figures.all()))))
        rows.append(row)
    published = [s for s in sources if s[0] == "published"]
    drafts = [s for s in sources if s[0] == "current"]
    cells, provenance, blank = _report_sum(fmt, published, f"{len(published)}个机关已发布的报告之和")
    draft_cells, draft_provenance, draft_blank = _report_sum(
        fmt, drafts, f"{len(drafts)}个机关尚未发布报告的当前数据之和（未计入汇总）")
    live_cells, live_provenance, live_manual = {}, {}, []
    if live:
        comp = compute_report(fmt, agency_ids=[a.pk for a in agencies], year=year)
        live_cells, live_provenance, live_manual = dict(comp.cells), dict(comp.provenance), list(comp.manual_refs)
    return Supervision(root, year, fmt, rows, cells, provenance, blank,
                       draft_cells, draft_provenance, draft_blank, live_cells, live_provenance, live_manual)
