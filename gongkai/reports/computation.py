"""Computing an annual report's tables from the records (政府信息公开工作年度报告, Art. 50).

``compute_report(fmt, agency_ids=..., year=...)`` walks the format's tables (data, not
code: ``data/formats/*.toml``) and fills every numbered cell:

* table 三 (``kind = "foi_requests"``): requests received, carried in, finished by outcome
  row and carried out, by applicant type — see ``_foi_requests``;
* table 四 (``kind = "appeals"``): administrative reviews and lawsuits by kind and outcome
  as at 31 December — see ``_appeals``;
* table 二 (``kind = "figures"``): each row names its ``source``: the normative-document
  register (``publishing.selectors.normative_counts``), the decisions (双公示,
  ``decisions.selectors.decision_counts``) or ``manual`` (typed by hand with a recorded
  source). A column the source cannot give (the 2019 format's 上一年项目数量 / 本年增/减,
  which count licensing *items*, not decisions) is manual too.

Manual cells are ``None`` in ``cells`` and listed in ``manual_refs``. Several agency ids
(a supervising office's subtree) give the cell-wise sum. Every count is a GROUP BY in the
database: the number of queries does not depend on the number of requests or agencies.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, CharField, Count, DateField, F, Q, Value, When

from gongkai.foi.models import Appeal, AppealOutcome, ApplicantType, FoiRequest
from gongkai.foi.outcomes import REPORT_ROW, report_row_for
from gongkai.foi.workflow import RequestStatus
from gongkai.reports.formats import FormatError, ReportFormat, Table, cell_ref

Value_ = int | Decimal | None

# The structural rows of table 三 (the same keys in every format; foi.outcomes.REPORT_ROW
# gives the outcome rows).
RECEIVED, CARRIED_IN, FINISHED_TOTAL, CARRIED_OUT = "一", "二", "三.七", "四"
TOTAL_COLUMN = "total"

_APPLICANT_COLUMNS = frozenset(ApplicantType.values)
_APPEAL_OUTCOMES = frozenset(AppealOutcome.values)


@dataclass
class Computation:
    """The figures of one report: ``cells`` for every numbered cell of ``format``
    (``None`` where staff type the figure), where each came from, and which are manual."""

    format: ReportFormat
    agency_ids: tuple[int, ...]
    year: int
    cells: dict[str, Value_] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    manual_refs: list[str] = field(default_factory=list)


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _scope_text(agency_ids: tuple[int, ...]) -> str:
    return f"（{len(agency_ids)}个机关合计）" if len(agency_ids) > 1 else ""


def compute_report(fmt: ReportFormat, *, agency_ids: Iterable[int], year: int) -> Computation:
    """Every numbered cell of ``fmt`` for the agencies' ``year``, summed over the agencies."""
    ids = tuple(sorted({int(pk) for pk in agency_ids}))
    if not ids:
        raise ValueError("compute_report needs at least one agency id")
    if not fmt.generate:
        raise FormatError(f"{fmt.name}只用于核查已发布的报告，不能据此生成报告")
    comp = Computation(format=fmt, agency_ids=ids, year=year)
    figures: _FigureSources | None = None
    for table in fmt.tables:
        if table.kind == "foi_requests":
            _foi_requests(comp, table)
        elif table.kind == "appeals":
            _appeals(comp, table)
        elif table.kind == "figures":
            figures = figures or _FigureSources(ids, year)
            _figures(comp, table, figures)
        else:
            raise FormatError(f"format {fmt.id}: table {table.key} has unknown kind {table.kind!r}")
    return comp


def _manual(comp: Computation, ref: str, why: str) -> None:
    comp.cells[ref] = None
    comp.provenance[ref] = why
    comp.manual_refs.append(ref)


# --- table 三: requests -------------------------------------------------------------------------


def place_outcome_row(row_key: str, numbered: set[str] | frozenset[str]) -> str | None:
    """The row of a format that counts an outcome whose 2021 row is ``row_key``: the row
    itself, else its nearest ancestor (the 2019 format's 三.六 takes 三.六.1–3)."""
    key = row_key
    while key:
        if key in numbered:
            return key
        key = key.rpartition(".")[0]
    return None


def finished_on_expression():
    """The day a request counts as finished: its ``closed_on``, but never before its
    receipt (a withdrawal recorded with an earlier date counts on the receipt day), so
    that received = finished + open holds for every request."""
    return Case(
        When(closed_on__lt=F("received_on"), then=F("received_on")),
        default=F("closed_on"),
        output_field=DateField(),
    )


def counted_requests(agency_ids: Iterable[int]):
    """Requests the report counts: received (``received_on`` set). A voided submission
    and an online request withdrawn before staff confirmed it were never received
    (``foi.selectors.report_row`` returns None for them) and are not counted."""
    return FoiRequest.objects.filter(agency_id__in=list(agency_ids), received_on__isnull=False).exclude(
        status=RequestStatus.VOIDED
    )


def request_counts(agency_ids: Iterable[int], year: int) -> list[dict]:
    """One GROUP BY (applicant type, outcome) over the requests that belong to ``year``'s
    table 三, with four conditional counts:

    * ``received`` — 一、本年新收: received (Art. 31 receipt date) in the year;
    * ``carried_in`` — 二、上年结转: received before 1 January and not finished before it;
    * ``finished`` — 三、本年度办理结果: finished in the year (reply date, or closing date
      of a withdrawal, no correction or unpaid fee), counted in its outcome's row;
    * ``carried_out`` — 四、结转下年度: received by 31 December and not finished by then.

    The rows are exactly the requests received by 31 December and not finished before 1
    January, so ``received + carried_in = finished + carried_out`` for every group: rule 2
    of the format holds by construction, and next year's 二 is this year's 四.
    """
    first, last = _year_range(year)
    return list(
        counted_requests(agency_ids)
        .filter(received_on__lte=last)
        .annotate(finished_on=finished_on_expression())
        .filter(Q(finished_on__isnull=True) | Q(finished_on__gte=first))
        .values("applicant_type", "outcome")
        .annotate(
            received=Count("id", filter=Q(received_on__gte=first)),
            carried_in=Count("id", filter=Q(received_on__lt=first)),
            finished=Count("id", filter=Q(finished_on__lte=last)),
            carried_out=Count("id", filter=Q(finished_on__isnull=True) | Q(finished_on__gt=last)),
        )
        .order_by()
    )


def _foi_requests(comp: Computation, table: Table) -> None:
    numbered = {r.key for r in table.numbered_rows}
    counts: dict[tuple[str, str], int] = defaultdict(int)  # (row, applicant type) -> n
    for group in request_counts(comp.agency_ids, comp.year):
        kind = group["applicant_type"]
        counts[(RECEIVED, kind)] += group["received"]
        counts[(CARRIED_IN, kind)] += group["carried_in"]
        counts[(CARRIED_OUT, kind)] += group["carried_out"]
        if group["finished"]:
            row = place_outcome_row(report_row_for(group["outcome"]), numbered)
            if row is None:
                raise FormatError(
                    f"format {comp.format.id}: table {table.key} has no row for outcome {group['outcome']!r}")
            counts[(row, kind)] += group["finished"]
            counts[(FINISHED_TOTAL, kind)] += group["finished"]

    outcome_rows = {place_outcome_row(r, numbered) for r in REPORT_ROW.values()}
    year, scope = comp.year, _scope_text(comp.agency_ids)
    structural = {
        RECEIVED: f"收到申请日期在{year}年内的申请{scope}（不含作废及确认收到前撤回的）",
        CARRIED_IN: f"{year}年1月1日前收到、当日尚未办结的申请{scope}",
        FINISHED_TOTAL: f"{year}年内办结的申请{scope}，各办理结果之和",
        CARRIED_OUT: f"{year}年12月31日前收到、当日尚未办结的申请{scope}",
    }
    for row in table.numbered_rows:
        if row.key in structural:
            where = structural[row.key]
        elif row.key in outcome_rows:
            where = f"{year}年内办结、办理结果为“{row.label}”的申请{scope}"
        else:
            for column in table.columns:
                _manual(comp, cell_ref(table.key, row.key, column.key), "申请记录中无对应项，需手工填写并注明来源")
            continue
        types = [c.key for c in table.columns if c.key in _APPLICANT_COLUMNS]
        for column in table.columns:
            ref = cell_ref(table.key, row.key, column.key)
            if column.key in _APPLICANT_COLUMNS:
                comp.cells[ref] = counts[(row.key, column.key)]
                comp.provenance[ref] = f"{where}，申请人类型为“{column.label}”"
            elif column.key == TOTAL_COLUMN:
                comp.cells[ref] = sum(counts[(row.key, t)] for t in types)
                comp.provenance[ref] = f"{where}，各类申请人合计"
            else:
                _manual(comp, ref, "申请记录中无对应的申请人类型，需手工填写并注明来源")


# --- table 四: appeals --------------------------------------------------------------------------

# The counting rule of table 四 (see ``appeal_counts``), shown beside the table in the back office.
APPEALS_RULE_ZH = (
    "表四统计本年度内（1月1日至12月31日）立案（申请）的行政复议、行政诉讼案件，结果按本年12月31日的状态填列："
    "当日已作出决定或判决的，按结果计入“结果维持”“结果纠正”“其他结果”；当日尚未审结的（包括次年才作出决定的），"
    "计入“尚未审结”。以前年度立案的案件不再重复统计，次年作出的决定也不改变本年度报告。"
)


def appeal_counts(agency_ids: Iterable[int], year: int) -> dict[tuple[str, str], int]:
    """Table 四's counts as {(kind, outcome): n}, one GROUP BY.

    A year's report counts the administrative reviews and lawsuits **filed in the year**
    (``filed_on`` from 1 January to 31 December) against the agencies' handling of
    requests, each with its outcome **as at 31 December**: decided by then → 结果维持 /
    结果纠正 / 其他结果; decided later or not at all → 尚未审结. A case filed in an earlier
    year is not counted again (it was in that year's report, as 尚未审结 if it was still
    open); the report is a snapshot on 31 December, so a later decision never changes it.

    The same rule in Chinese, as the back office shows it beside table 四
    (``APPEALS_RULE_ZH``): 表四统计本年度内（1月1日至12月31日）立案（申请）的行政复议、行政诉讼
    案件，结果按本年12月31日的状态填列：当日已作出决定或判决的，按结果计入“结果维持”“结果纠正”
    “其他结果”；当日尚未审结的（包括次年才作出决定的），计入“尚未审结”。以前年度立案的案件不再
    重复统计，次年作出的决定也不改变本年度报告。
    """
    first, last = _year_range(year)
    rows = (
        Appeal.objects.filter(request__agency_id__in=list(agency_ids), filed_on__gte=first, filed_on__lte=last)
        .annotate(as_at_year_end=Case(
            When(decided_on__lte=last, then=F("outcome")),
            default=Value(AppealOutcome.PENDING.value),
            output_field=CharField(),
        ))
        .values("kind", "as_at_year_end")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["kind"], r["as_at_year_end"]): r["n"] for r in rows}


def _appeals(comp: Computation, table: Table) -> None:
    counts = appeal_counts(comp.agency_ids, comp.year)
    year, scope = comp.year, _scope_text(comp.agency_ids)
    for row in table.numbered_rows:
        for column in table.columns:
            ref = cell_ref(table.key, row.key, column.key)
            kind, _, outcome = column.key.partition(".")
            block = " / ".join(column.groups) or kind
            filed = f"{year}年内立案（申请）的{block}案件{scope}"
            if outcome in _APPEAL_OUTCOMES:
                comp.cells[ref] = counts.get((kind, outcome), 0)
                comp.provenance[ref] = f"{filed}，截至{year}年12月31日结果为“{column.label}”"
            elif outcome == TOTAL_COLUMN:
                comp.cells[ref] = sum(n for (k, _), n in counts.items() if k == kind)
                comp.provenance[ref] = f"{filed}，合计"
            else:
                _manual(comp, ref, "复议诉讼记录中无对应项，需手工填写并注明来源")


# --- table 二: figures --------------------------------------------------------------------------

# The register's three counts under the column keys of each format. The 2019 format's
# 本年新制作数量 and 本年新公开数量 are both the documents issued in the year (a rule or
# normative document is published when issued, Art. 20(1), and the register holds issued
# documents); 对外公开总数量 is the documents in force and public on 31 December.
_NORMATIVE_COLUMNS = {
    "issued": ("issued", "{year}年内发布的{row}（规章和规范性文件登记）"),
    "repealed": ("repealed", "{year}年内废止或失效的{row}（规章和规范性文件登记）"),
    "in_force": ("in_force", "{year}年12月31日现行有效的{row}（规章和规范性文件登记）"),
    "made": ("issued", "{year}年内发布的{row}（规章和规范性文件登记）"),
    "published": ("issued", "{year}年内发布并公开的{row}（规章和规范性文件登记，发布即公开）"),
    "total_published": ("in_force", "{year}年12月31日现行有效、对外公开的{row}（规章和规范性文件登记）"),
}
_NORMATIVE_KINDS = {"rules": "rule", "normative": "normative_document"}
_DECISION_KINDS = {"licensing": "licence", "penalty": "penalty", "enforcement": "enforcement"}


class _FigureSources:
    """The register and decision counts, each read once (one query) when first needed."""

    def __init__(self, agency_ids: tuple[int, ...], year: int):
        self.agency_ids, self.year = agency_ids, year
        self._normative: dict | None = None
        self._decisions: dict | None = None

    def normative(self) -> dict[str, dict[str, int]]:
        if self._normative is None:
            from gongkai.publishing.selectors.normative import normative_counts

            self._normative = normative_counts(self.agency_ids, self.year)
        return self._normative

    def decisions(self) -> dict[str, int]:
        if self._decisions is None:
            from gongkai.decisions.selectors import decision_counts

            self._decisions = decision_counts(self.agency_ids, self.year)
        return self._decisions

    def value(self, source: str, column_key: str, row_label: str) -> tuple[int, str] | None:
        """(value, provenance) of a computed cell, or None when it must be typed."""
        area, _, what = source.partition(".")
        year = self.year
        if area == "normative" and what in _NORMATIVE_KINDS and column_key in _NORMATIVE_COLUMNS:
            count, text = _NORMATIVE_COLUMNS[column_key]
            return self.normative()[_NORMATIVE_KINDS[what]][count], text.format(year=year, row=row_label)
        if area == "decisions" and what in _DECISION_KINDS and column_key == "decisions":
            return (self.decisions()[_DECISION_KINDS[what]],
                    f"{year}年内作出的{row_label}决定（按决定日期，双公示记录）")
        return None


def _figures(comp: Computation, table: Table, sources: _FigureSources) -> None:
    scope = _scope_text(comp.agency_ids)
    for row in table.numbered_rows:
        for column in table.columns:
            ref = cell_ref(table.key, row.key, column.key)
            found = None if row.source in ("", "manual") else sources.value(row.source, column.key, row.label)
            if found is None:
                why = ("本项数据不在平台记录中，需手工填写并注明来源" if row.source in ("", "manual")
                       else "平台记录无法提供本栏数据，需手工填写并注明来源")
                _manual(comp, ref, why)
            else:
                comp.cells[ref], comp.provenance[ref] = found[0], found[1] + scope
