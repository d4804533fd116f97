"""Drafting the annual report's factual paragraphs from its figures, for staff to edit.

``draft_prose`` writes 一、总体情况 (the year's work plan and how far it got; proactive
disclosure, the register, decisions, public participation in consultations on drafts
(公众参与: drafts put out for comment, comments, opinions and their adoption, when there
were any); the new-media accounts (政务新媒体); the year's random inspections (双随机、一公开,
when there were any); requests received, handled and carried
over, appeals; year-over-year change when last year's cells are given) and 六、其他需要报告的事项 (the information processing fees collected under the
Fee measures, which reports from 2021 on must state). Everything it says comes from the
report's cells or a selector; the wording follows the format's own labels, so a new format
needs no new code here. Numbers are Arabic digits, amounts in 元 with two decimals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from gongkai.reports.computation import (
    CARRIED_IN,
    CARRIED_OUT,
    FINISHED_TOTAL,
    RECEIVED,
    TOTAL_COLUMN,
)
from gongkai.reports.formats import ReportFormat, Table

Cells = dict[str, int | Decimal | None]
CENT = Decimal("0.01")
# The Fee measures (国办函〔2020〕109号) apply from 1 January 2021; the 2021 format asks
# every report from that year on to state the fees collected under them.
FEE_MEASURES_FIRST_YEAR = 2021
NO_FEES = "本年度未收取信息处理费。"


# --- fees ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeSummary:
    """Information processing fees (Art. 42) of a year: fee notices sent in the year and
    the amounts paid in the year (a notice sent in December may be paid in January)."""

    notices: int
    amount_noticed: Decimal  # yuan, of the notices sent in the year
    paid: int  # payments recorded in the year
    amount_collected: Decimal  # yuan, paid in the year


def fee_summary(agency_ids: Iterable[int], year: int) -> FeeSummary:
    """The agencies' fee notices sent and fees paid in ``year`` (one query)."""
    from gongkai.foi.models import FeeNotice

    sent = Q(sent_on__year=year)
    paid = Q(paid_on__year=year, amount_paid__isnull=False)
    totals = FeeNotice.objects.filter(request__agency_id__in=list(agency_ids)).aggregate(
        notices=Count("id", filter=sent), amount_noticed=Sum("amount", filter=sent),
        paid=Count("id", filter=paid), amount_collected=Sum("amount_paid", filter=paid),
    )
    return FeeSummary(
        notices=totals["notices"],
        amount_noticed=Decimal(totals["amount_noticed"] or 0).quantize(CENT),
        paid=totals["paid"],
        amount_collected=Decimal(totals["amount_collected"] or 0).quantize(CENT),
    )


def fee_text(summary: FeeSummary) -> str:
    if not summary.notices and not summary.amount_collected:
        return NO_FEES
    from gongkai.foi.fees import load_fee_schedule

    source = load_fee_schedule().source
    return (f"本年度依据《{source.title}》（{source.document_number}）发出信息处理费收费通知"
            f"{summary.notices}件，收取信息处理费{yuan(summary.amount_collected)}元。")


# --- wording helpers --------------------------------------------------------------------------------


def yuan(amount: Decimal) -> str:
    return f"{Decimal(amount).quantize(CENT, ROUND_HALF_UP)}"


def change_text(this: int | Decimal | None, last: int | Decimal | None, unit: str = "件") -> str:
    """Year-over-year change in brackets: （上年8件，同比增长25.0%）; no percentage when
    last year had none; "" when either figure is unknown."""
    if this is None or last is None:
        return ""
    if this == last:
        return f"（上年{last}{unit}，同比持平）"
    if not last:
        return f"（上年{last}{unit}）"
    pct = (Decimal(abs(this - last)) * 100 / Decimal(last)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    word = "增长" if this > last else "下降"
    return f"（上年{last}{unit}，同比{word}{pct}%）"


_NUMBERING = re.compile(r"^[(（][一二三四五六七八九十]+[)）]|^[一二三四五六七八九十]+、|^\d+[.．、]")


def short_label(label: str) -> str:
    """A row label without its numbering and bracketed note: "(二)部分公开(区分处理的,…)"
    → "部分公开"."""
    return re.split(r"[(（]", _NUMBERING.sub("", label.strip()), maxsplit=1)[0].strip()


def _join(parts: list[str]) -> str:
    return "、".join(p for p in parts if p)


# --- 一、总体情况 -----------------------------------------------------------------------------------

# How each register column reads in a sentence ({} is "规章1件、行政规范性文件3件").
_REGISTER_PHRASES = {
    "issued": "本年制发{}",
    "repealed": "废止{}",
    "in_force": "截至{year}年12月31日现行有效{}",
    "made": "本年新制作{}",
    "published": "新公开{}",
    "total_published": "对外公开总数{}",
}


def _figure_tables(fmt: ReportFormat, area: str) -> list[Table]:
    return [t for t in fmt.tables if t.kind == "figures"
            and any(r.source.startswith(f"{area}.") for r in t.numbered_rows)]


def _register_sentence(fmt: ReportFormat, year: int, cells: Cells) -> str:
    clauses = []
    for table in _figure_tables(fmt, "normative"):
        rows = [r for r in table.numbered_rows if r.source.startswith("normative.")]
        for column in table.columns:
            counts = [(r.label, cells.get(f"{table.key}/{r.key}/{column.key}")) for r in rows]
            counts = [(label, n) for label, n in counts if n is not None]
            if not counts:
                continue
            things = _join([f"{label}{n}件" for label, n in counts])
            phrase = _REGISTER_PHRASES.get(column.key, column.label + "：{}")
            clauses.append(phrase.format(things, year=year))
    return "，".join(clauses) + "。" if clauses else ""


def _decision_sentence(fmt: ReportFormat, cells: Cells, previous: Cells | None) -> str:
    parts, total, last_total = [], 0, 0
    for table in _figure_tables(fmt, "decisions"):
        for row in table.numbered_rows:
            ref = f"{table.key}/{row.key}/decisions"
            if not row.source.startswith("decisions.") or cells.get(ref) is None:
                continue
            parts.append(f"{row.label}决定{cells[ref]}件")
            total += cells[ref]
            last = (previous or {}).get(ref)
            last_total = None if last is None or last_total is None else last_total + last
    if not parts:
        return ""
    change = change_text(total, last_total) if previous is not None else ""
    return f"本年作出{_join(parts)}，合计{total}件{change}。"


def _publication_counts(agency, agency_ids: list[int], year: int) -> tuple[int, int]:
    """Items published in the year and the year before (still public)."""
    if agency_ids == [agency.pk]:
        from gongkai.publishing.selectors.statistics import publication_statistics

        items = publication_statistics(agency=agency, year=year).items
        return items.this_year, items.last_year
    from gongkai.publishing.models import Publication, PublicationStatus

    totals = Publication.objects.filter(agency_id__in=agency_ids, status=PublicationStatus.PUBLISHED).aggregate(
        this=Count("id", filter=Q(published_on__year=year)),
        last=Count("id", filter=Q(published_on__year=year - 1)),
    )
    return totals["this"], totals["last"]


def participation_text(agency_ids: Iterable[int], year: int) -> str:
    """公众参与: the consultations on drafts whose comment period closed in the year
    (``consultations.selectors.consultation_statistics``); "" when there were none."""
    from gongkai.consultations.selectors import consultation_statistics

    s = consultation_statistics(list(agency_ids), year)
    if not s.consultations:
        return ""
    text = f"本年就{s.consultations}件草案公开征求意见（决策预公开），收到公众意见{s.comments}条"
    if s.opinions:
        text += (f"，归纳为{s.opinions}条意见，其中采纳{s.adopted}条、部分采纳{s.partly_adopted}条、"
                 f"未采纳{s.not_adopted}条，采纳率{s.adoption_rate}%")
    return text + "。"


def workplan_text(agency, year: int) -> str:
    """The year's work plan (年度工作要点) in one sentence: tasks set, done, under way
    (``workplans.selectors.year_summary``); "" when the agency kept no plan that year. A
    government's summed report states its own plan, which is the region's."""
    from gongkai.workplans.selectors import year_summary

    return year_summary(agency=agency, year=year).sentence


def channels_text(agency, agency_ids: list[int], year: int) -> str:
    """平台建设: the agency's new-media accounts (政务新媒体) over the year, posts, reads and
    followers by platform (``channels.selectors.annual_totals``); "" for an agency without
    accounts, and for a summed report (the accounts are each agency's own)."""
    if agency_ids != [agency.pk]:
        return ""
    from gongkai.channels.selectors import annual_totals

    return annual_totals(agency=agency, year=year).accounts_sentence


def random_inspections_text(agency, agency_ids: list[int], year: int) -> str:
    """双随机、一公开: the year's random inspections of the report's agencies — tasks, entities
    drawn, departments, inspector-visits, on-site inspections, findings, results published and
    those late as of today (``random_inspections.figures.year_figures``); "" when the agencies
    carried out no task."""
    from gongkai.random_inspections.figures import year_figures

    return year_figures(agency_ids, year).sentence


def _disclosure_paragraph(fmt, agency, agency_ids, year, cells, previous) -> str:
    this, last = _publication_counts(agency, agency_ids, year)
    who = agency.name if len(agency_ids) == 1 else f"{agency.name}及所属机关"
    text = f"{year}年，{who}主动公开政府信息{this}条{change_text(this, last, '条')}。"
    return (text + _register_sentence(fmt, year, cells) + _decision_sentence(fmt, cells, previous)
            + participation_text(agency_ids, year))


def _outcome_groups(table: Table, cells: Cells) -> list[tuple[str, int]]:
    """(short label, count) of each top-level outcome group of table 三, in order: a
    group row sums its sub-rows."""
    top = table.row("三").label if any(r.key == "三" for r in table.rows) else None
    groups = []
    for row in table.rows:
        if row.group != top or row.key == FINISHED_TOTAL:
            continue
        if row.numbers:
            refs = [f"{table.key}/{row.key}/{TOTAL_COLUMN}"]
        else:
            refs = [f"{table.key}/{r.key}/{TOTAL_COLUMN}" for r in table.rows if r.group == row.label and r.numbers]
        values = [cells.get(ref) for ref in refs]
        if refs and None not in values:
            groups.append((short_label(row.label), sum(values)))
    return groups


def _request_paragraph(fmt: ReportFormat, cells: Cells, previous: Cells | None) -> str:
    tables = [t for t in fmt.tables if t.kind == "foi_requests"]
    if not tables:
        return ""
    table = tables[0]

    def cell(row, column=TOTAL_COLUMN, of=cells):
        return (of or {}).get(f"{table.key}/{row}/{column}")

    def change(row):
        return change_text(cell(row), cell(row, of=previous)) if previous is not None else ""

    received, carried_in = cell(RECEIVED), cell(CARRIED_IN)
    finished, carried_out = cell(FINISHED_TOTAL), cell(CARRIED_OUT)
    if None in (received, carried_in, finished, carried_out):
        return ""
    if not received and not carried_in:
        return f"本年未收到政府信息公开申请{change(RECEIVED)}，也无上年结转的申请。"
    people = cell(RECEIVED, "natural_person")
    text = f"本年新收政府信息公开申请{received}件{change(RECEIVED)}"
    if received and people is not None:
        text += f"，其中自然人申请{people}件、法人或其他组织申请{received - people}件"
    text += f"；上年结转{carried_in}件。本年度办结{finished}件{change(FINISHED_TOTAL)}"
    handled = _join([f"{label}{n}件" for label, n in _outcome_groups(table, cells) if n])
    if handled:
        text += f"，其中{handled}"
    return text + f"；结转下年度继续办理{carried_out}件。"


def _appeal_paragraph(fmt: ReportFormat, cells: Cells) -> str:
    parts = []
    for table in (t for t in fmt.tables if t.kind == "appeals"):
        for row in table.numbered_rows:
            for total in (c for c in table.columns if c.key.endswith(f".{TOTAL_COLUMN}")):
                kind = total.key.rpartition(".")[0]
                n = cells.get(f"{table.key}/{row.key}/{total.key}")
                if not n:
                    continue
                head, *rest = total.groups or (kind,)
                name = head + (f"（{'，'.join(rest)}）" if rest else "")
                details = _join([
                    f"{c.label}{cells[ref]}件" for c in table.columns
                    if c.key.startswith(f"{kind}.") and c.key != total.key
                    and cells.get(ref := f"{table.key}/{row.key}/{c.key}")
                ])
                parts.append(f"{name}{n}件（{details}）")
    if not parts:
        return "本年未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
    return f"本年因政府信息公开工作引发{_join(parts)}。"


def draft_prose(*, fmt: ReportFormat, agency, year: int, cells: Cells, previous_cells: Cells | None = None,
                agency_ids: Iterable[int] | None = None) -> dict[str, str]:
    """Factual paragraphs for 一、总体情况 (``overview``) and 六、其他需要报告的事项
    (``other_matters``), one paragraph a line. ``cells`` are the report's (computed and
    typed) figures, ``previous_cells`` last year's, for the year-over-year change;
    ``agency_ids`` (default: the agency alone) are the agencies summed in the report, for
    the publication and fee figures the cells do not hold."""
    ids = sorted({int(pk) for pk in agency_ids}) if agency_ids is not None else [agency.pk]
    overview = [
        workplan_text(agency, year),
        _disclosure_paragraph(fmt, agency, ids, year, cells, previous_cells),
        channels_text(agency, ids, year),
        random_inspections_text(agency, ids, year),
        _request_paragraph(fmt, cells, previous_cells),
        _appeal_paragraph(fmt, cells),
    ]
    other = [fee_text(fee_summary(ids, year))] if year >= FEE_MEASURES_FIRST_YEAR else []
    return {
        "overview": "\n".join(p for p in overview if p),
        "other_matters": "\n".join(other),
    }


# --- prose that follows the tables ------------------------------------------------------------------

# A line of a prose part that stands for the paragraphs ``draft_prose`` writes. It is
# expanded whenever the report is shown, downloaded or published, from the very cells
# the tables print (``ReportDocument.cells``), so the prose and the tables cannot
# disagree; publication freezes the expanded text with the version's cells.
DRAFT_MARKER = "〔按表格数据自动生成〕"


def has_marker(text: str) -> bool:
    return any(line.strip() == DRAFT_MARKER for line in (text or "").splitlines())


def expand_prose(prose: dict[str, str], drafted: dict[str, str]) -> dict[str, str]:
    """``prose`` with each marker line replaced by the drafted paragraphs of its part."""
    out = {}
    for key, text in prose.items():
        if not has_marker(text):
            out[key] = text
            continue
        lines = []
        for line in text.splitlines():
            if line.strip() == DRAFT_MARKER:
                lines.extend(p for p in (drafted.get(key) or "").splitlines() if p.strip())
            else:
                lines.append(line)
        out[key] = "\n".join(lines)
    return out


def prose_for_cells(*, fmt: ReportFormat, agency, year: int, prose: dict[str, str], cells: Cells,
                    previous_cells: Cells | None = None) -> dict[str, str]:
    """The prose as printed beside tables holding ``cells``: marker lines expanded from
    those same cells (the records are read only when a part holds a marker)."""
    if not any(has_marker(text) for text in prose.values()):
        return dict(prose)
    drafted = draft_prose(fmt=fmt, agency=agency, year=year, cells=cells,
                          previous_cells=previous_cells)
    return expand_prose(prose, drafted)
