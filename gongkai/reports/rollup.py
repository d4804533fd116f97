"""The supervising office's roll-up of its subtree's annual reports (条例 Art. 49–50).

- The summary (汇总) in the national format: the cell-wise sum of the agencies'
  **published** versions, and of nothing else. A report not yet published (in draft,
  submitted, signed off) or a published one being corrected (its working copy) is listed
  apart with its state; the draft figures, where shown, are a separate table that is
  never added to the summary. A published version in another format than the year's is
  listed, not summed. The agencies are the subtree as the tree stands now, with an agency
  deactivated since whose report on the year was published (``selectors.agencies_for_year``).
- Who has not published: no report, a draft, a report waiting for sign-off or
  publication; each with its Art. 49 deadline (``rules.report_deadline``) and the days left
  or overdue, and the last reminder sent (``reminders.remind_from_supervisor``).
- The arithmetic rules (``rules.check_cells``) over every report: the published version's,
  or the working copy's for a report not yet published. The result stored at submission
  or publication is reused when it was checked on the very figures shown
  (``selectors.cells_digest``) and there is no report of last year to read; otherwise the
  rules run in memory (last year's report may have been published or corrected since).
- The cross-year rule (this year's "二、上年结转" = last year's "四、结转下年度继续办理",
  the format's ``cross_year`` rules) per agency, and on the summed tables (this year's
  summary against last year's, over the same subtree).

Every read is a fixed number of queries, whatever the size of the subtree: the agencies,
this year's and last year's reports with their versions and typed figures, and the
reminders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Prefetch
from django.http import Http404

from gongkai.core.models import Agency
from gongkai.reports import permissions
from gongkai.reports.document import SummaryDocument
from gongkai.reports.formats import ReportFormat, format_for_year, get_format
from gongkai.reports.models import (
    AnnualReport,
    Cells,
    ReportFigure,
    ReportReminder,
    ReportState,
)
from gongkai.reports.rules import check_cells, report_deadline
from gongkai.reports.selectors import (
    ViolationLine,
    agencies_for_year,
    cells_digest,
    latest_figures,
    report_cells,
    version_cells,
    violation_lines,
)
from gongkai.reports.services import FIRST_YEAR

# How an agency's report stands in the roll-up.
PUBLISHED = "published"  # published, its published version summed
CORRECTING = "correcting"  # published version summed; a correction in progress, listed apart
DRAFT = "draft"  # not published yet (draft, submitted, signed off): listed apart
NONE = "none"  # no report started
OTHER_FORMAT = "other_format"  # published in another format than the year's: not summed

KIND_LABELS = {
    PUBLISHED: "已发布，计入汇总",
    CORRECTING: "已发布，计入汇总（更正稿未计入）",
    DRAFT: "未发布，未计入汇总",
    NONE: "未创建，未计入汇总",
    OTHER_FORMAT: "已发布，格式与本年度不同，未计入汇总",
}


# --- the subtree, loaded once -----------------------------------------------------------------

def rollup_root(*, user, pk: int) -> Agency:
    """The agency whose subtree the user surveys: the same 404 for one that does not
    exist and one outside the user's supervision."""
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None or not permissions.can_supervise_agency(user, agency):
        raise Http404("机关不存在")
    return agency


def check_year(year: int, today: dt.date) -> int:
    """A report year the roll-up can show: from the first year gongkai holds reports to the
    current one; anything else is a 404."""
    if not FIRST_YEAR <= year <= today.year:
        raise Http404("没有该年度的年度报告")
    return year


def _reports_of(agencies: list[Agency], year: int) -> dict[int, AnnualReport]:
    # the versions' figures and check, not their provenance, prose or typed sources (a
    # province's thousands of versions would bring megabytes the roll-up never reads)
    return {r.agency_id: r for r in AnnualReport.objects.filter(agency__in=agencies, year=year)
            .select_related("published_version")
            .defer("published_version__provenance", "published_version__prose",
                   "published_version__manual_sources", "published_version__preamble",
                   "computed_provenance", "preamble", "overview", "problems", "other_matters")
            .prefetch_related(Prefetch("figures", queryset=ReportFigure.objects.order_by("id")))}


def subtree(root: Agency) -> list[Agency]:
    """The root and every active agency below it, in tree order: those that can still
    publish and be reminded."""
    return list(Agency.objects.filter(path__startswith=root.path, is_active=True).order_by("path"))


def _working_cells(report: AnnualReport) -> Cells | None:
    """A report's working copy (typed figures included), None if never computed."""
    if not report.computed_at:
        return None
    return report_cells(report, latest_figures(report.figures.all()))


def _published_cells(report: AnnualReport) -> Cells | None:
    version = report.published_version
    if version is None:
        return None
    return version_cells(version)


def _kind(report: AnnualReport | None, fmt: ReportFormat) -> str:
    if report is None:
        return NONE
    version = report.published_version
    if version is None:
        return DRAFT
    if version.format_id != fmt.id:
        return OTHER_FORMAT
    return PUBLISHED if report.state == ReportState.PUBLISHED else CORRECTING


def state_label(report: AnnualReport | None) -> str:
    if report is None:
        return "未创建"
    label = report.get_state_display()
    if report.published_version is not None and report.state != ReportState.PUBLISHED:
        return f"已发布第{report.published_version.number}版，更正中（{label}）"
    return label


# --- summing ------------------------------------------------------------------------------------

@dataclass
class SummedTables:
    cells: Cells
    provenance: dict[str, str]  # ref -> how the cell was summed
    blank_refs: list[str]  # cells no summed report states
    count: int  # reports summed


def sum_cells(fmt: ReportFormat, sources: list[Cells], *, basis: str) -> SummedTables:
    """Cell-wise sum of ``sources``: a cell blank in some of them is the sum of the
    others, its note saying how many left it blank; blank in all of them, it stays blank."""
    cells: Cells = {}
    provenance: dict[str, str] = {}
    blank = []
    for ref in fmt.cell_refs():
        known = [c[ref] for c in sources if c.get(ref) is not None]
        if not known:
            cells[ref] = None
            blank.append(ref)
            provenance[ref] = "各机关报告均未填报" if sources else "没有可汇总的报告"
            continue
        total = sum(known[1:], known[0])
        cells[ref] = total if isinstance(total, Decimal) else int(total)
        blanks = len(sources) - len(known)
        provenance[ref] = basis + (f"（其中{blanks}个机关未填报，未计入）" if blanks else "")
    return SummedTables(cells, provenance, blank, len(sources))


# --- the summary --------------------------------------------------------------------------------

@dataclass
class RollupRow:
    agency: Agency
    report: AnnualReport | None
    kind: str
    state_label: str
    published_on: dt.date | None = None
    version_number: int | None = None  # the published version summed

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def summed(self) -> bool:
        return self.kind in (PUBLISHED, CORRECTING)

    @property
    def apart(self) -> bool:
        """Listed with the reports still in draft: not published, or being corrected."""
        return self.kind in (DRAFT, CORRECTING)


@dataclass
class Rollup:
    root: Agency
    year: int
    format: ReportFormat
    rows: list[RollupRow]
    summary: SummedTables  # published versions only
    drafts: SummedTables  # working copies of reports never published: NOT in the summary
    draft_agencies: list[Agency] = field(default_factory=list)  # those summed in ``drafts``

    @property
    def title(self) -> str:
        return SummaryDocument(format=self.format, agency_name=self.root.name, year=self.year,
                               cells={}).title

    @property
    def summed_rows(self) -> list[RollupRow]:
        return [r for r in self.rows if r.summed]

    @property
    def apart_rows(self) -> list[RollupRow]:
        return [r for r in self.rows if r.apart]

    @property
    def left_out_rows(self) -> list[RollupRow]:
        return [r for r in self.rows if not r.summed]

    @property
    def listed_apart(self) -> list[RollupRow]:
        """Shown apart from the summed agencies: everything not summed, and the reports
        being corrected (their working copies are not summed)."""
        return [r for r in self.rows if not r.summed or r.apart]


def _rollup(root: Agency, year: int, agencies: list[Agency], reports: dict[int, AnnualReport]) -> Rollup:
    fmt = format_for_year(year)
    rows, published, drafts, draft_agencies = [], [], [], []
    for agency in agencies:
        report = reports.get(agency.pk)
        kind = _kind(report, fmt)
        row = RollupRow(agency, report, kind, state_label(report))
        if report is not None and report.published_version is not None:
            row.published_on = report.published_on
            row.version_number = report.published_version.number
        if row.summed:
            published.append(_published_cells(report))
        elif kind == DRAFT and report.format_id == fmt.id:
            working = _working_cells(report)
            if working is not None:
                drafts.append(working)
                draft_agencies.append(agency)
        rows.append(row)
    summary = sum_cells(fmt, published, basis=f"{len(published)}个机关已发布的年度报告之和")
    draft_sum = sum_cells(fmt, drafts, basis=f"{len(drafts)}个机关尚未发布的报告当前数据之和（未计入汇总）")
    return Rollup(root, year, fmt, rows, summary, draft_sum, draft_agencies)


def rollup(*, user, root: Agency, year: int) -> Rollup:
    """The supervising office's roll-up of ``root``'s subtree for ``year`` (see the module
    docstring): 404 outside the user's supervision."""
    if not permissions.can_supervise_agency(user, root):
        raise Http404("机关不存在")
    agencies = agencies_for_year(root, year)  # a deactivated agency's published report counts
    return _rollup(root, year, agencies, _reports_of(agencies, year))


def summary_document(view: Rollup) -> SummaryDocument:
    """The summary as the renderers print it (DOCX, PDF): the national format's tables
    summed from the published reports, with a preamble saying what was summed and what
    was not."""
    left_out = len(view.left_out_rows)
    preamble = (f"本表由{view.root.name}汇总本机关及下级机关已发布的{view.year}年度政府信息公开工作年度报告："
                f"共{len(view.rows)}个机关，计入{view.summary.count}个机关的已发布报告。")
    if left_out:
        preamble += f"{left_out}个机关的报告尚未发布或格式不同，未计入本表。"
    corrections = sum(1 for r in view.rows if r.kind == CORRECTING)
    if corrections:
        preamble += f"{corrections}个机关的报告正在更正，按其现行发布版本计入。"
    return SummaryDocument(format=view.format, agency_name=view.root.name, year=view.year,
                           cells=dict(view.summary.cells), preamble=preamble)


# --- who has not published ----------------------------------------------------------------------

@dataclass
class OutstandingRow:
    agency: Agency
    report: AnnualReport | None
    state_label: str
    deadline: dt.date
    days_left: int  # negative: overdue by that many days
    last_reminder: ReportReminder | None = None
    reminded_today: bool = False

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def due_text(self) -> str:
        if self.days_left < 0:
            return f"已逾期{-self.days_left}天"
        if self.days_left == 0:
            return "今天到期"
        return f"还有{self.days_left}天"


def outstanding(*, user, root: Agency, year: int, today: dt.date) -> list[OutstandingRow]:
    """Every agency of the subtree without a published report on ``year`` (none, in
    draft, submitted or signed off), most overdue first, with its Art. 49 deadline, the
    days left and the last reminder sent to it about that year."""
    if not permissions.can_supervise_agency(user, root):
        raise Http404("机关不存在")
    agencies = subtree(root)
    reports = {r.agency_id: r for r in AnnualReport.objects.filter(agency__in=agencies, year=year)
               .select_related("published_version")}
    # the last reminder of each agency only: a daily sweep leaves some sixty per agency a year
    latest = (ReportReminder.objects.filter(agency__path__startswith=root.path, report_year=year)
              .values("agency_id").annotate(last=Max("id")).values("last"))
    last = {r.agency_id: r for r in ReportReminder.objects.filter(pk__in=latest).select_related("sent_by")}
    rows = []
    for agency in agencies:
        report = reports.get(agency.pk)
        if report is not None and report.published_version_id is not None:
            continue
        deadline = report_deadline(year, agency)
        reminder = last.get(agency.pk)
        rows.append(OutstandingRow(agency, report, state_label(report), deadline, (deadline - today).days,
                                   reminder, reminder is not None and reminder.sent_on == today))
    rows.sort(key=lambda r: (r.days_left, r.agency.path))
    return rows


# --- the rules over every report ----------------------------------------------------------------

@dataclass
class AgencyFindings:
    agency: Agency
    report: AnnualReport
    checked: str  # which figures: "已发布第N版" or "工作稿（状态）"
    lines: list[ViolationLine]
    unchecked: int  # rules that could not be checked (blank cells)
    stored: bool  # a check was recorded on these very figures (at submission or publication)

    @property
    def count(self) -> int:
        return len(self.lines)


@dataclass
class CrossYear:
    agency: Agency
    lines: list[ViolationLine]


@dataclass
class Findings:
    root: Agency
    year: int
    format: ReportFormat
    agencies: list[AgencyFindings]  # every agency with a report, in tree order
    without_report: list[Agency]
    cross_year_broken: list[CrossYear]  # agencies whose report breaks the cross-year rule
    cross_year_holds: list[Agency]
    cross_year_unchecked: list[Agency]  # a report this year, none held last year
    summary_cross_year: list[ViolationLine] | None  # None: no published report last year
    summary_count: int  # published reports summed this year
    previous_summary_count: int  # and last year
    # agencies summed in one year's summary and not in the other's: where a difference
    # between the two summaries may come from rather than from a broken report
    summed_this_year_only: list[Agency] = field(default_factory=list)
    summed_last_year_only: list[Agency] = field(default_factory=list)

    @property
    def with_findings(self) -> list[AgencyFindings]:
        return [a for a in self.agencies if a.count]

    @property
    def total(self) -> int:
        return sum(a.count for a in self.agencies)


def _cross_year_ids(fmt: ReportFormat) -> set[str]:
    return {r.id for r in fmt.rules if r.kind == "cross_year"}


def _previous_cells(report: AnnualReport | None) -> Cells | None:
    """Last year's figures as ``selectors.previous_cells`` takes them: the published
    version, else the working copy when computed."""
    if report is None:
        return None
    published = _published_cells(report)
    return published if published is not None else _working_cells(report)


def _checked_cells(report: AnnualReport) -> tuple[Cells | None, ReportFormat, str, dict | None]:
    """The figures the rules run on (the published version's, or the working copy's for a
    report never published), their format, what they are, and the check stored with them."""
    version = report.published_version
    if version is not None:
        fmt = get_format(version.format_id)
        return version_cells(version), fmt, f"已发布第{version.number}版", version.check_result
    return (_working_cells(report), report.format, f"工作稿（{report.get_state_display()}）",
            report.check_result)


def findings(*, user, root: Agency, year: int) -> Findings:
    """The arithmetic rules over every report of the subtree, listed per agency; the
    cross-year rule per agency and over the summed tables (see the module docstring)."""
    if not permissions.can_supervise_agency(user, root):
        raise Http404("机关不存在")
    agencies = agencies_for_year(root, year)
    has_last_year = year - 1 >= FIRST_YEAR
    last_year_agencies = agencies_for_year(root, year - 1) if has_last_year else []
    listed = {a.pk for a in agencies}
    reports = _reports_of(agencies, year)
    previous = _reports_of(agencies + [a for a in last_year_agencies if a.pk not in listed], year - 1)
    fmt = format_for_year(year)
    cross_ids = _cross_year_ids(fmt)

    out, without, broken, holds, unchecked_cross = [], [], [], [], []
    for agency in agencies:
        report = reports.get(agency.pk)
        if report is None:
            without.append(agency)
            continue
        cells, cells_fmt, what, stored = _checked_cells(report)
        if cells is None:  # started but never computed: nothing to check
            out.append(AgencyFindings(agency, report, what, [], 0, False))
            continue
        prev = _previous_cells(previous.get(agency.pk))
        recorded = stored is not None and stored.get("cells_digest") == cells_digest(cells)
        if recorded and prev is None:
            # the check recorded on these very figures, with no cross-year rule to redo
            violations, n_unchecked = stored.get("violations", []), len(stored.get("unchecked", []))
        else:
            # in memory: last year's report may have been published or corrected since the
            # check was recorded, and the cross-year rule reads it as it stands now
            result = check_cells(cells_fmt, cells, previous=prev)
            violations = [v.as_dict() for v in result.violations]
            n_unchecked = len(result.unchecked)
        out.append(AgencyFindings(agency, report, what, violation_lines(cells_fmt, violations),
                                  n_unchecked, recorded))
        if prev is None:
            unchecked_cross.append(agency)
            continue
        agency_cross_ids = _cross_year_ids(cells_fmt)
        cross = [v for v in violations if v.get("rule") in agency_cross_ids]
        if cross:
            broken.append(CrossYear(agency, violation_lines(cells_fmt, cross)))
        else:
            holds.append(agency)

    this_year = _rollup(root, year, agencies, reports)
    last_year = _rollup(root, year - 1, last_year_agencies, previous) if has_last_year else None
    summary_cross = None
    if last_year is not None and last_year.summary.count:
        result = check_cells(fmt, this_year.summary.cells, previous=last_year.summary.cells)
        summary_cross = violation_lines(fmt, [v.as_dict() for v in result.violations if v.rule in cross_ids])
    view = Findings(root, year, fmt, out, without, broken, holds, unchecked_cross, summary_cross,
                    this_year.summary.count, last_year.summary.count if last_year else 0)
    if last_year is not None:
        now = {r.agency.pk: r.agency for r in this_year.summed_rows}
        before = {r.agency.pk: r.agency for r in last_year.summed_rows}
        view.summed_this_year_only = [a for pk, a in now.items() if pk not in before]
        view.summed_last_year_only = [a for pk, a in before.items() if pk not in now]
    return view
