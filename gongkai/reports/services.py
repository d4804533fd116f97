"""Every change to an annual report (条例 Art. 49–50): start, recompute, typed figures,
prose, check and submit, override, leader sign-off, return, publication, correction.

Each service checks the actor, then the state (``workflow``), validates, writes, and
appends a ``ReportEvent`` and an audit entry in the same transaction. Publication freezes
a ``ReportVersion``; nothing afterwards changes what was published.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction

from gongkai.core import audit, clock, listeners
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.reports import permissions, selectors
from gongkai.reports.formats import format_for_year
from gongkai.reports.models import (
    AnnualReport,
    ReportEvent,
    ReportFigure,
    ReportOverride,
    ReportState,
    ReportVersion,
    encode_cells,
)
from gongkai.reports.rules import check_cells, report_deadline
from gongkai.reports.workflow import Action, next_status
from gongkai.tasks.models import OutboxState
from gongkai.tasks.outbox import enqueue
from gongkai.tasks.registry import handler

PROSE_FIELDS = ("preamble", "overview", "problems", "other_matters")
DRAFTED_FIELDS = ("overview", "other_matters")  # what drafting.draft_prose writes
FIRST_YEAR = 2019  # the first year of the current regulation's national formats
MAX_SOURCE = 300
# A typed amount is in 万元 (ten thousand yuan): up to four decimal places is to the yuan.
AMOUNT_PLACES = 4


def default_preamble(year: int) -> str:
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定编制。"
        f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    )


def _deny(message: str):
    raise PermissionDenied(message)


def _require_office(actor, report: AnnualReport | None = None, agency: Agency | None = None):
    agency = agency or report.agency
    if not permissions.can_compile(actor, agency):
        _deny("只有本机关的政府信息公开工作机构（公开办）可以办理年度报告。")


def _locked(report: AnnualReport, action: Action) -> AnnualReport:
    # Lock the report row only (the published version is an outer join PostgreSQL cannot lock).
    report = (AnnualReport.objects.select_for_update(of=("self",))
              .select_related("agency", "published_version").get(pk=report.pk))
    next_status(report.state, action)
    return report


def _event(report: AnnualReport, *, action: Action, actor, from_status: str, reason: str = "",
           data: dict | None = None, audit_after: dict | None = None) -> ReportEvent:
    event = ReportEvent.objects.create(
        report=report, action=action, from_status=from_status, to_status=report.state,
        actor=actor, at=clock.now(), reason=reason, data=data or {},
    )
    audit.record(
        actor=actor, action=f"reports.{action}", obj=report, agency=report.agency, reason=reason,
        before={"state": from_status} if from_status else None,
        after={"state": report.state, "version": report.version, **(audit_after or {})},
    )
    return event


def _compute(report: AnnualReport) -> dict:
    """Recompute the report's tables from the records; returns the refs whose value
    changed (old, new)."""
    from gongkai.reports.computation import compute_report

    comp = compute_report(report.format, agency_ids=[report.agency_id], year=report.year)
    new = encode_cells(comp.cells)
    old = report.computed_cells or {}
    changed = {ref: [old.get(ref), value] for ref, value in new.items()
               if report.computed_at and old.get(ref) != value}
    report.computed_cells = new
    report.computed_provenance = dict(comp.provenance)
    report.computed_manual_refs = list(comp.manual_refs)
    report.computed_at = clock.now()
    return changed


# --- start and compile ------------------------------------------------------------------------

@transaction.atomic
def report_start(*, actor, agency: Agency, year: int) -> AnnualReport:
    """Open the agency's report on ``year`` in the format that applies to the year, with
    its tables computed from the records."""
    _require_office(actor, agency=agency)
    today = clock.today()
    if year < FIRST_YEAR:
        raise DomainError(f"本平台只编制{FIRST_YEAR}年及以后年度的报告（此前的旧格式报告只能核对，不能生成）。")
    if year > today.year:
        raise DomainError(f"{year}年尚未开始，不能编制该年度的报告。")
    try:
        fmt = format_for_year(year)
    except KeyError:
        raise DomainError(f"没有适用于{year}年度的报告格式。") from None
    if not fmt.generate:
        raise DomainError(f"{year}年度的报告格式只能核对，不能生成。")
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one start at a time
    if AnnualReport.objects.filter(agency=agency, year=year).exists():
        raise DomainError(f"{agency.name}{year}年度报告已经存在。")
    report = AnnualReport(agency=agency, year=year, format_id=fmt.id, state=ReportState.DRAFT,
                          preamble=default_preamble(year))
    _compute(report)
    report.save()
    _event(report, action=Action.START, actor=actor, from_status="",
           data={"format": fmt.id}, audit_after={"year": year, "format": fmt.id})
    return report


@transaction.atomic
def report_recompute(*, actor, report: AnnualReport) -> dict:
    """Recompute the tables from the records as they are now; returns the changed cells."""
    _require_office(actor, report)
    report = _locked(report, Action.RECOMPUTE)
    changed = _compute(report)
    report.save()
    _event(report, action=Action.RECOMPUTE, actor=actor, from_status=report.state,
           data={"changed": changed}, audit_after={"changed_cells": len(changed)})
    return changed


def _parse_figure(report: AnnualReport, ref: str, value) -> Decimal:
    fmt = report.format
    label = fmt.label_of(ref)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(f"{label}：请填写数字。") from None
    if not number.is_finite():
        raise DomainError(f"{label}：请填写数字。")
    kind = fmt.value_type(ref)
    if kind in ("count", "signed") and number != number.to_integral_value():
        raise DomainError(f"{label}：应为整数。")
    if kind in ("count", "amount") and number < 0:
        raise DomainError(f"{label}：不能为负数。")
    if kind == "amount" and -number.as_tuple().exponent > AMOUNT_PLACES:
        raise DomainError(f"{label}：单位为万元，最多保留{AMOUNT_PLACES}位小数。")
    if abs(number) >= Decimal(10) ** 13:
        raise DomainError(f"{label}：数值过大。")
    return number


def _source(report: AnnualReport, ref: str, source: str) -> str:
    source = (source or "").strip()
    if not source:
        raise DomainError(f"{report.format.label_of(ref)}：请注明数据来源（如“财务科{report.year}年收费台账”）。")
    if len(source) > MAX_SOURCE:
        raise DomainError(f"数据来源不能超过{MAX_SOURCE}个字。")
    return source


@transaction.atomic
def report_figure_set(*, actor, report: AnnualReport, ref: str, value, source: str) -> ReportFigure:
    """Type in a figure with where it comes from: for a manual cell (one the records cannot
    supply, e.g. fees kept by the finance section), or in place of a computed cell of table
    二 where another system holds the decisions ("from an import or a figure entered by
    hand with its source recorded"). Tables 三 and 四 stay computed. Earlier entries are
    kept; the figure is printed with "人工填报，来源：…"."""
    _require_office(actor, report)
    report = _locked(report, Action.SET_FIGURE)
    replaces = ref in selectors.replaceable_refs(report)
    if ref not in report.computed_manual_refs and not replaces:
        raise DomainError("该单元格由系统根据办理记录计算，不能手工填写。")
    source = _source(report, ref, source)
    number = _parse_figure(report, ref, value)
    previous = selectors.current_figures(report).get(ref)
    figure = ReportFigure.objects.create(report=report, ref=ref, value=number, source=source,
                                         entered_by=actor, entered_at=clock.now())
    report.save(update_fields=["updated_at"])
    data = {"ref": ref, "value": str(number), "source": source,
            "replaces_computed": report.computed_cells.get(ref) if replaces else None,
            "previous": None if previous is None else {"value": str(previous.value),
                                                       "source": previous.source}}
    _event(report, action=Action.SET_FIGURE, actor=actor, from_status=report.state, data=data,
           audit_after={"ref": ref, "value": str(number), "source": source, "replaces_computed": replaces})
    return figure


@transaction.atomic
def report_figure_revert(*, actor, report: AnnualReport, ref: str, reason: str = "") -> ReportFigure:
    """Put the computed figure back into a table 二 cell that was replaced by hand. The
    typed figure stays in the history; the revert is an entry of its own."""
    _require_office(actor, report)
    report = _locked(report, Action.REVERT_FIGURE)
    current = selectors.current_figures(report).get(ref)
    if ref not in selectors.replaceable_refs(report) or current is None:
        raise DomainError("该单元格没有替换计算值的手填数据，无需恢复。")
    reason = (reason or "").strip()[:MAX_SOURCE] or "恢复按记录计算的数值"
    figure = ReportFigure.objects.create(report=report, ref=ref, value=None, source=reason,
                                         entered_by=actor, entered_at=clock.now())
    report.save(update_fields=["updated_at"])
    computed = report.computed_cells.get(ref)
    _event(report, action=Action.REVERT_FIGURE, actor=actor, from_status=report.state, reason=reason,
           data={"ref": ref, "computed": computed,
                 "previous": {"value": str(current.value), "source": current.source}},
           audit_after={"ref": ref, "computed": computed})
    return figure


@transaction.atomic
def report_prose_update(*, actor, report: AnnualReport, **texts: str) -> list[str]:
    """Save the prose parts given (preamble, overview, problems, other_matters); returns
    the ones that changed. The previous text of each is kept in the report's history."""
    unknown = set(texts) - set(PROSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown prose fields: {sorted(unknown)}")
    _require_office(actor, report)
    report = _locked(report, Action.EDIT_PROSE)
    changed, previous = [], {}
    for name, text in texts.items():
        text = (text or "").replace("\r\n", "\n").strip()
        if text != getattr(report, name):
            previous[name] = getattr(report, name)
            setattr(report, name, text)
            changed.append(name)
    if not changed:
        return []
    report.save(update_fields=[*changed, "updated_at"])
    _event(report, action=Action.EDIT_PROSE, actor=actor, from_status=report.state,
           data={"fields": changed, "previous": previous},
           audit_after={"fields": changed})
    return changed


@transaction.atomic
def report_draft_prose(*, actor, report: AnnualReport, replace: bool = False) -> list[str]:
    """Fill 一、总体情况 and 六、其他需要报告的事项 with factual paragraphs drafted from the
    data: only into empty parts, unless ``replace`` is asked for (the replaced text is kept
    in the history). Returns the parts filled.

    What is stored is the marker line (``drafting.DRAFT_MARKER``), not the numbers: the
    paragraphs are written from the same cells as the tables each time the report is shown,
    downloaded or published, so a figure typed or recomputed later cannot leave the prose
    stating another number than the table. Staff add their own paragraphs around it."""
    from gongkai.reports.drafting import DRAFT_MARKER, draft_prose

    _require_office(actor, report)
    report = _locked(report, Action.DRAFT_PROSE)
    texts = draft_prose(fmt=report.format, agency=report.agency, year=report.year,
                        cells=selectors.report_cells(report),
                        previous_cells=selectors.previous_cells(report))
    filled, replaced = [], {}
    for name in DRAFTED_FIELDS:
        text = DRAFT_MARKER if (texts.get(name) or "").strip() else ""
        current = getattr(report, name)
        if not text or text == current.strip() or (current.strip() and not replace):
            continue
        if current.strip():
            replaced[name] = current
        setattr(report, name, text)
        filled.append(name)
    if not filled:
        return []
    report.save(update_fields=[*filled, "updated_at"])
    _event(report, action=Action.DRAFT_PROSE, actor=actor, from_status=report.state,
           reason="按数据生成初稿，替换原有文字" if replaced else "",
           data={"fields": filled, "replaced": replaced},
           audit_after={"fields": filled, "replaced": sorted(replaced)})
    return filled


# --- check, submit, override, sign off, return --------------------------------------------------

def _check_payload(report: AnnualReport, cells, previous) -> dict:
    result = check_cells(report.format, cells, previous=previous)
    return {
        "violations": [v.as_dict() for v in result.violations],
        "described": [v.describe() for v in result.violations],
        "unchecked": list(result.unchecked),
        "checked": result.checked,
        "cross_year": previous is not None,
        # which figures the rules held for (the page shows "全部N项成立" only for them)
        "cells_digest": selectors.cells_digest(cells),
        "at": clock.now().isoformat(),
    }


def _prose_problems(report: AnnualReport) -> list[str]:
    """What stops submission in the prose: an empty part 一, 五 or 六, and a term the
    format requires a part to state (the 2021 format's 六: the information processing
    fees collected under the Fee measures)."""
    problems, empty = [], []
    prose = selectors.rendered_prose(report)  # drafted parts as they will be published
    for section in report.format.sections:
        if section.kind != "prose" or not section.key:
            continue
        text = prose.get(section.key, getattr(report, section.key, "")).strip()
        if not text:
            empty.append(section.title)
            continue
        missing = [term for term in section.must_mention if term not in text]
        if missing:
            terms = "、".join(f"“{term}”" for term in missing)
            problems.append(f"{section.title}须说明{terms}的情况（依《政府信息公开信息处理费管理办法》"
                            f"收取信息处理费的收费通知件数和金额，未收取的写明未收取）")
    if empty:
        problems.insert(0, f"以下部分尚未填写：{'、'.join(empty)}")
    return problems


@transaction.atomic
def report_submit(*, actor, report: AnnualReport) -> dict:
    """Once the year has ended: recompute from the records, require every manual cell's
    figure and the prose parts 一, 五 and 六 (六 stating the information processing fees
    where the format asks), run every rule of the format (and the cross-year rule when
    last year's report is held), record the result and send the report to the leader.
    Broken rules do not stop submission; they stop publication until an override is
    recorded (Art. 49–50)."""
    _require_office(actor, report)
    report = _locked(report, Action.SUBMIT)
    if clock.today().year <= report.year:
        raise DomainError(f"{report.year}年度尚未结束，年度报告须在年度结束后（{report.year + 1}年1月1日起）"
                          f"才能提交签发；编制中的报告可以继续修改。")
    prose = _prose_problems(report)
    if prose:
        raise DomainError("正文不完整，不能提交：" + "；".join(prose) + "。")
    changed = _compute(report)
    figures = selectors.current_figures(report)
    missing = [ref for ref in report.computed_manual_refs if ref not in figures]
    if missing:
        labels = "；".join(report.format.label_of(ref) for ref in missing)
        raise DomainError(f"以下单元格须手工填写并注明来源后才能提交：{labels}。")
    cells = selectors.report_cells(report, figures)
    result = _check_payload(report, cells, selectors.previous_cells(report))
    previous_state = report.state
    report.check_result = result
    report.checked_at = clock.now()
    report.state = next_status(report.state, Action.SUBMIT)
    report.save()
    _event(report, action=Action.SUBMIT, actor=actor, from_status=previous_state,
           data={"violations": result["violations"], "cross_year": result["cross_year"],
                 "recomputed_changes": changed},
           audit_after={"violations": len(result["violations"]), "cross_year": result["cross_year"]})
    return result


def _fingerprint(violation: dict) -> str:
    return json.dumps({k: violation.get(k) for k in ("rule", "label", "cells", "expected", "found")},
                      sort_keys=True, ensure_ascii=False)


def uncovered(override: ReportOverride | None, violations: list[dict]) -> list[dict]:
    """The violations an override does not cover (all of them without an override)."""
    covered = {_fingerprint(v) for v in override.violations} if override is not None else set()
    return [v for v in violations if _fingerprint(v) not in covered]


def override_covers(override: ReportOverride | None, violations: list[dict]) -> bool:
    return not uncovered(override, violations)


def current_override(report: AnnualReport) -> ReportOverride | None:
    return report.overrides.filter(version=report.version).order_by("-id").first()


def _current_check(report: AnnualReport) -> dict:
    figures = selectors.current_figures(report)
    return _check_payload(report, selectors.report_cells(report, figures), selectors.previous_cells(report))


@transaction.atomic
def report_override(*, actor, report: AnnualReport, reason: str) -> ReportOverride:
    """Record that the office publishes despite broken rules: exactly which ones, and why
    (e.g. a request carried over from a system that did not keep its applicant type).

    Only while the report waits for sign-off, so that the leader signs off having seen
    the override. The rules are checked again now (last year's report may have changed
    since submission, which changes the cross-year rule), and the override records what
    this check finds; the check becomes the report's recorded one."""
    _require_office(actor, report)
    report = _locked(report, Action.OVERRIDE)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请说明带问题发布的理由。")
    result = _current_check(report)
    violations = result["violations"]
    if not violations:
        raise DomainError("重新核对未发现不符合勾稽关系的问题，无需确认。")
    report.check_result, report.checked_at = result, clock.now()
    report.save(update_fields=["check_result", "checked_at", "updated_at"])
    override = ReportOverride.objects.create(report=report, version=report.version,
                                             violations=violations, reason=reason, actor=actor,
                                             at=clock.now())
    _event(report, action=Action.OVERRIDE, actor=actor, from_status=report.state, reason=reason,
           data={"override": override.pk, "violations": violations},
           audit_after={"override": override.pk, "violations": len(violations)})
    return override


@transaction.atomic
def report_sign_off(*, actor, report: AnnualReport, reason: str = "") -> AnnualReport:
    """The agency's leader approves the submitted report for publication."""
    if not permissions.can_sign_off(actor, report.agency):
        _deny("只有本机关领导可以签发年度报告。")
    report = _locked(report, Action.SIGN_OFF)
    previous = report.state
    report.state = next_status(report.state, Action.SIGN_OFF)
    report.save(update_fields=["state", "updated_at"])
    _event(report, action=Action.SIGN_OFF, actor=actor, from_status=previous, reason=reason.strip())
    return report


@transaction.atomic
def report_return(*, actor, report: AnnualReport, reason: str) -> AnnualReport:
    """Send a submitted or signed-off report back to the office for changes."""
    if not permissions.can_return(actor, report.agency):
        _deny("只有本机关领导或公开办可以退回年度报告。")
    report = _locked(report, Action.RETURN)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回理由。")
    previous = report.state
    report.state = next_status(report.state, Action.RETURN)
    report.save(update_fields=["state", "updated_at"])
    _event(report, action=Action.RETURN, actor=actor, from_status=previous, reason=reason)
    return report


# --- publication and correction ----------------------------------------------------------------

def _violation_text(report: AnnualReport, violations: list[dict]) -> str:
    listed = "；".join(line.text for line in selectors.violation_lines(report.format, violations[:5]))
    return listed + (f"等{len(violations)}处" if len(violations) > 5 else "")


RENDER_VERSION = "reports.render_version"


def render_version_later(version: ReportVersion, *, files_lost: bool = False) -> None:
    """Have a worker render the version's DOCX and PDF (``render_version_files``) after
    the caller's commit: WeasyPrint takes seconds, which no request waits for and no row
    lock is held over. Once per version, however often asked; with ``files_lost``, once
    more after a render that is done (its files were since lost: a restored backup)."""
    key = f"{RENDER_VERSION}:{version.pk}"
    task = enqueue(RENDER_VERSION, args={"version": version.pk}, key=key)
    if files_lost and task.state == OutboxState.DONE:
        enqueue(RENDER_VERSION, args={"version": version.pk}, key=f"{key}:after:{task.updated_at:%Y%m%d%H%M%S}")


@handler(RENDER_VERSION)
def render_version_files(*, version: int) -> None:
    """Render a published version's DOCX and PDF and store them with it (a task). Both are
    rendered before either is stored, outside any lock; then, under the version's row lock
    for a moment, stored unless another run stored them first. Files are named by a random
    token; a PDF refused for want of a CJK font (``MissingCJKFont``) stores nothing, and the
    task is retried, then listed as failed for the administrator."""
    from gongkai.reports.rendering import render_docx, render_pdf

    found = ReportVersion.objects.select_related("report__agency").filter(pk=version).first()
    if found is None or (found.docx and found.pdf):
        return
    doc = selectors.version_document(found)  # the public document: no internal notes
    docx, pdf = render_docx(doc), render_pdf(doc)
    with transaction.atomic():
        locked = ReportVersion.objects.select_for_update().get(pk=found.pk)
        if locked.docx and locked.pdf:
            return
        token = uuid.uuid4().hex
        locked.docx.save(f"{token}.docx", ContentFile(docx), save=False)
        locked.pdf.save(f"{token}.pdf", ContentFile(pdf), save=False)
        locked.save(update_fields=["docx", "pdf"])


def _require_printable() -> None:
    """Refuse to publish on a machine that would print the report's PDF in boxes (no CJK
    font): the check renders one line, the report itself is rendered by a worker."""
    from gongkai.reports.rendering.pdf import cjk_font_problem

    problem = cjk_font_problem()
    if problem is not None:
        raise problem


@transaction.atomic
def report_publish(*, actor, report: AnnualReport) -> ReportVersion:
    """Publish the signed-off report on the portal (Art. 49): only when every rule holds or
    the override recorded before sign-off covers every current violation. Freezes the
    cells, prose, format and sources as a new ``ReportVersion``; its DOCX and PDF are
    rendered once by a worker after the commit (``render_version_later``) and never change
    afterwards. Refused on a machine without a CJK font (the PDF would print boxes)."""
    _require_office(actor, report)
    _require_printable()
    report = _locked(report, Action.PUBLISH)
    today = clock.today()
    if today.year <= report.year:
        deadline = report_deadline(report.year, report.agency)
        raise DomainError(
            f"{report.year}年度尚未结束，年度报告应在{deadline.year}年"
            f"{deadline.month}月{deadline.day}日前发布。"
        )
    figures = selectors.current_figures(report)
    cells = selectors.report_cells(report, figures)
    result = _check_payload(report, cells, selectors.previous_cells(report))
    violations = result["violations"]
    override = current_override(report) if violations else None
    new = uncovered(override, violations)
    if new and override is None:
        raise DomainError(f"本报告有{len(violations)}处不符合勾稽关系（{_violation_text(report, violations)}），"
                          f"须退回后重新提交，在领导签发前记录带问题发布的理由，才能发布。")
    if new:
        raise DomainError(f"已记录的带问题发布确认不涵盖以下{len(new)}处新出现的问题："
                          f"{_violation_text(report, new)}。须退回后重新提交并记录理由，经领导签发后才能发布。")
    correction = ""
    if report.version > 1:
        last = report.events.filter(action=Action.CORRECT).order_by("-id").first()
        correction = last.reason if last else ""
    version = ReportVersion.objects.create(
        report=report, number=report.version, format_id=report.format_id,
        agency_name=report.agency.name, cells=encode_cells(cells),
        provenance=dict(report.computed_provenance),
        manual_sources=selectors.manual_sources(report, figures),
        prose=selectors.rendered_prose(report, cells), preamble=report.preamble, check_result=result,
        override=override, correction_reason=correction, published_on=today,
        published_at=clock.now(), published_by=actor,
    )
    render_version_later(version)
    previous = report.state
    report.state = next_status(report.state, Action.PUBLISH)
    report.published_version = version
    report.published_on = today
    report.check_result = result
    report.save()
    _event(report, action=Action.PUBLISH, actor=actor, from_status=previous,
           data={"version": version.number, "override": override.pk if override else None},
           audit_after={"published_version": version.number,
                        "violations": len(violations), "override": override.pk if override else None})
    # A published report is a public page; the page cache waits for the commit itself (a
    # rolled-back publication drops nothing).
    listeners.emit(listeners.CONTENT_CHANGED)
    listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, report, True)  # the search index
    return version


def report_version_files_ensure(*, version: ReportVersion) -> ReportVersion:
    """Ask for the files of a version that has none yet (just published, or published
    before files were stored: migration 0002): rendered by a worker, once. Returns the
    version as stored now (in local mode, without a broker, the task has run already)."""
    if not (version.docx and version.pdf):
        render_version_later(version, files_lost=True)
    return ReportVersion.objects.select_related("report").get(pk=version.pk)


@transaction.atomic
def report_correct(*, actor, report: AnnualReport, reason: str) -> AnnualReport:
    """Reopen a published report as a new version, with a reason. The published version
    stays on the portal (and downloadable) until the corrected one is published."""
    _require_office(actor, report)
    report = _locked(report, Action.CORRECT)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请说明更正的理由。")
    previous = report.state
    report.state = next_status(report.state, Action.CORRECT)
    report.version += 1
    report.check_result = None
    report.checked_at = None
    report.save(update_fields=["state", "version", "check_result", "checked_at", "updated_at"])
    _event(report, action=Action.CORRECT, actor=actor, from_status=previous, reason=reason,
           data={"published_version": report.published_version.number if report.published_version else None})
    return report
