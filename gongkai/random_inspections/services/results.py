"""Writes of the results part (一公开): entering and correcting a target's result,
publishing a task's results, and follow-up cases (后续处置) with their penalty decision.

Each service checks the actor (PermissionDenied), then the state (InvalidTransition) and
the input (DomainError, in Chinese), writes and appends the audit event in the same
transaction. The audit trail names the task, the target's credit code and the finding,
never the record's content; it names inspectors only by their certificate numbers (public
with the draw), and only when a drawn inspector was replaced.

Locks follow the task services' order: the task row first (``of=("self",)``), then the
draw, then the result; the states are checked on the rows just locked, so that a
concurrent re-draw or cancellation is seen.

国发〔2019〕5号: results public within 20 working days of the inspection's end
(``rules.results_due``); a late publication is allowed and flagged, never refused.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gongkai.core import audit, clock
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.uploads import validate_upload
from gongkai.random_inspections import findings, permissions
from gongkai.random_inspections.models import (
    Draw,
    DrawnTarget,
    DrawStatus,
    FollowUpCase,
    FollowUpStatus,
    InspectionTask,
    Inspector,
    Result,
    TaskStatus,
)
from gongkai.random_inspections.models.tasks import MIN_INSPECTORS_PER_TARGET

log = logging.getLogger(__name__)

RECORD_KINDS = {"PDF", "JPEG", "PNG"}
RECORD_MAX_BYTES = 20 * 1024 * 1024
SUMMARY_MAX_CHARS = 2000
SUBSTITUTION_REASON_MAX_CHARS = 500


def _lock_task_and_draw(task_id: int, draw_id: int) -> tuple[InspectionTask, Draw]:
    """Lock the task (only its own row), then the draw, in the task services' order, and
    return the rows as they are now."""
    task = (InspectionTask.objects.select_for_update(of=("self",)).select_related("plan__agency")
            .get(pk=task_id))
    draw = Draw.objects.select_for_update().get(pk=draw_id)
    return task, draw


def _check_open_for_results(draw: Draw, task: InspectionTask) -> None:
    if draw.status != DrawStatus.DRAWN:
        raise InvalidTransition("该检查对象不属于任务当前有效的抽取结果，不能录入检查结果。")
    if task.status != TaskStatus.DRAWN:
        raise InvalidTransition(f"任务“{task.number}”当前状态为“{task.get_status_display()}”，不能录入检查结果。")


def _drawn_inspectors(target: DrawnTarget) -> list[Inspector]:
    return [d.inspector for d in target.inspectors.select_related("inspector").order_by("position")]


def _resolve_inspector(item, task: InspectionTask, drawn: list[Inspector], pool) -> Inspector:
    """An inspector given as an Inspector or a certificate number: one drawn for the
    target, or an active inspector of the task's pool."""
    by_pk = {i.pk: i for i in drawn}
    if isinstance(item, Inspector):
        if item.pk in by_pk:
            return by_pk[item.pk]
        found = pool.filter(pk=item.pk).first()
        if found is None:
            raise DomainError(f"执法人员“{item.name}（{item.certificate_number}）”不是本任务执法检查人员库中的在岗人员。")
        return found
    certificate = " ".join(str(item or "").split())
    if not certificate:
        raise DomainError("请填写实际检查的执法人员的执法证号。")
    for i in drawn:
        if i.certificate_number == certificate:
            return i
    found = list(pool.filter(certificate_number=certificate)[:2])
    if not found:
        raise DomainError(f"执法证号“{certificate}”不是本任务执法检查人员库中的在岗人员。")
    if len(found) > 1:
        lead = [i for i in found if i.agency_id == task.plan.agency_id]
        if len(lead) != 1:
            raise DomainError(f"执法证号“{certificate}”对应多名执法人员，请联系公开办核对名录。")
        return lead[0]
    return found[0]


def _check_actual_inspectors(target: DrawnTarget, task: InspectionTask, given,
                             reason: str) -> tuple[list[Inspector], str, list[str]]:
    """Who actually inspected: the drawn inspectors when ``given`` is None; otherwise
    each given inspector (an Inspector or a certificate number) is a drawn one or an active
    inspector of the task's pool (``snapshot.pool_queryset``), at least
    ``MIN_INSPECTORS_PER_TARGET`` distinct, and a replacement needs a reason (published
    with the result). Returns (inspectors, reason, replaced drawn certificates)."""
    from gongkai.random_inspections.snapshot import pool_queryset

    drawn = _drawn_inspectors(target)
    reason = " ".join((reason or "").split())
    if given is None:
        return drawn, "", []
    pool = pool_queryset(task)
    chosen: list[Inspector] = []
    for item in given:
        inspector = _resolve_inspector(item, task, drawn, pool)
        if inspector.pk in {i.pk for i in chosen}:
            raise DomainError(f"执法人员“{inspector.name}（{inspector.certificate_number}）”填写了两次。")
        chosen.append(inspector)
    if len(chosen) < MIN_INSPECTORS_PER_TARGET:
        raise DomainError(f"每户检查对象至少由{MIN_INSPECTORS_PER_TARGET}名执法人员实施检查。")
    replaced = [i.certificate_number for i in drawn if i.pk not in {c.pk for c in chosen}]
    added = [c for c in chosen if c.pk not in {i.pk for i in drawn}]
    if not replaced and not added:
        return chosen, "", []
    if not reason:
        raise DomainError("替换抽中的执法人员，请填写替换理由（随检查结果公示）。")
    if len(reason) > SUBSTITUTION_REASON_MAX_CHARS:
        raise DomainError(f"人员替换理由不能超过{SUBSTITUTION_REASON_MAX_CHARS}字。")
    return chosen, reason, replaced


def _check_inspected_on(task: InspectionTask, inspected_on: dt.date, date_reason: str) -> None:
    if not isinstance(inspected_on, dt.date):
        raise DomainError("请填写检查日期。")
    if inspected_on > clock.today():
        raise DomainError("检查日期不能晚于今天。")
    if not task.starts_on <= inspected_on <= task.ends_on and not date_reason.strip():
        raise DomainError(
            f"检查日期{inspected_on:%Y-%m-%d}不在任务的实施期间（{task.starts_on:%Y-%m-%d}至"
            f"{task.ends_on:%Y-%m-%d}）内，请说明原因。")


def _check_summary(summary: str) -> str:
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX_CHARS:
        raise DomainError(f"检查情况不能超过{SUMMARY_MAX_CHARS}字。")
    return summary


def _check_record(record) -> None:
    if record is None:
        return
    try:
        validate_upload(record, allowed=RECORD_KINDS, max_bytes=RECORD_MAX_BYTES)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None


def _store_record(result: Result, record) -> None:
    name = (getattr(record, "name", "") or "检查记录").rsplit("/", 1)[-1][:200]
    record.seek(0)
    result.record.save(name, record, save=False)
    result.record_name = name


def _audit(actor, action: str, result: Result, **kwargs) -> None:
    task = result.target.draw.task
    audit.record(actor=actor, action=action, obj=result, agency=task.plan.agency,
                 object_repr=f"{task.number} {result.target.credit_code}", **kwargs)


@transaction.atomic
def result_enter(*, actor, target: DrawnTarget, finding: str, inspected_on: dt.date, summary: str = "",
                 record=None, date_reason: str = "", actual_inspectors=None,
                 substitution_reason: str = "") -> Result:
    """Enter what the inspection of a drawn target found (谁检查、谁录入): the finding
    (``data/findings.toml``), the day, an internal summary (never published), the signed
    record (kept encrypted, never published) and who actually inspected
    (``actual_inspectors``: Inspectors or certificate numbers; None means the drawn ones;
    a replacement needs ``substitution_reason``, published with the result). A day outside
    the task's dates needs ``date_reason``, which goes to the audit trail.

    国发〔2019〕5号: the results of every drawn target are entered and published."""
    target = DrawnTarget.objects.select_related("draw__task__plan__agency").get(pk=target.pk)
    if not permissions.can_enter_results(actor, target.draw.task):
        raise PermissionDenied("您不能录入该任务的检查结果。")
    task, draw = _lock_task_and_draw(target.draw.task_id, target.draw_id)
    _check_open_for_results(draw, task)
    if Result.objects.filter(target=target).exists():
        raise InvalidTransition(f"“{target.name}”的检查结果已录入，请修改原结果。")
    code = findings.check_code(finding).code
    _check_inspected_on(task, inspected_on, date_reason)
    summary = _check_summary(summary)
    people, sub_reason, replaced = _check_actual_inspectors(target, task, actual_inspectors, substitution_reason)
    _check_record(record)
    result = Result(target=target, finding=code, inspected_on=inspected_on, summary=summary,
                    substitution_reason=sub_reason, entered_by=actor, entered_at=clock.now())
    if record is not None:
        _store_record(result, record)
    result.save()
    result.actual_inspectors.set(people)
    after = {"finding": code, "inspected_on": inspected_on, "record": bool(record)}
    if replaced:
        after |= {"inspectors": [i.certificate_number for i in people], "replaced": replaced,
                  "substitution_reason": sub_reason}
    _audit(actor, "ri.result_enter", result, reason=date_reason.strip(), after=after)
    return result


def _actual_certificates(result: Result) -> list[str]:
    return list(result.actual_inspectors.order_by("certificate_number").values_list("certificate_number",
                                                                                      flat=True))


@transaction.atomic
def result_update(*, actor, result: Result, finding: str | None = None, inspected_on: dt.date | None = None,
                  summary: str | None = None, record=None, date_reason: str = "", reason: str = "",
                  actual_inspectors=None, substitution_reason: str = "") -> Result:
    """Correct an entered result before it is published; a published result is not
    changed (it is what the public and the credit system saw). ``actual_inspectors``
    None leaves who inspected unchanged."""
    found = Result.objects.select_related("target__draw__task__plan__agency").get(pk=result.pk)
    if not permissions.can_enter_results(actor, found.target.draw.task):
        raise PermissionDenied("您不能修改该任务的检查结果。")
    task, draw = _lock_task_and_draw(found.target.draw.task_id, found.target.draw_id)
    result = Result.objects.select_for_update(of=("self",)).select_related("target").get(pk=result.pk)
    result.target.draw = draw
    draw.task = task
    if result.published_on is not None:
        raise InvalidTransition("检查结果已公示，不能修改。")
    _check_open_for_results(draw, task)
    before = {"finding": result.finding, "inspected_on": result.inspected_on, "record": bool(result.record),
              "inspectors": _actual_certificates(result)}
    if finding is not None:
        result.finding = findings.check_code(finding).code
    if inspected_on is not None:
        _check_inspected_on(task, inspected_on, date_reason)
        result.inspected_on = inspected_on
    if summary is not None:
        result.summary = _check_summary(summary)
    people = None
    if actual_inspectors is not None:
        people, result.substitution_reason, _replaced = _check_actual_inspectors(
            result.target, task, actual_inspectors, substitution_reason)
    _check_record(record)
    if record is not None:
        _store_record(result, record)
    result.save()
    if people is not None:
        result.actual_inspectors.set(people)
    after = {"finding": result.finding, "inspected_on": result.inspected_on, "record": bool(result.record),
             "inspectors": _actual_certificates(result)}
    if before["inspectors"] == after["inspectors"]:
        before.pop("inspectors"), after.pop("inspectors")
    else:
        after["substitution_reason"] = result.substitution_reason
    _audit(actor, "ri.result_update", result, reason="；".join(r for r in (reason.strip(), date_reason.strip()) if r),
           before=before, after=after)
    return result


def current_draw(task: InspectionTask) -> Draw | None:
    """The task's draw in force (not superseded), drawn."""
    return task.draws.filter(status=DrawStatus.DRAWN).first()


@transaction.atomic
def results_publish(*, actor, task: InspectionTask, targets=None) -> int:
    """Publish the entered, unpublished results of the task's current draw (all, or those
    of ``targets``): public on the portal and in the exchange file from today. Returns how
    many were published. Once every drawn target's result is public, the task is completed
    (``services.tasks.task_complete``).

    国发〔2019〕5号: results public within 20 working days of the inspection's end."""
    task = InspectionTask.objects.select_for_update(of=("self",)).select_related("plan__agency").get(pk=task.pk)
    if not permissions.can_publish_results(actor, task):
        raise PermissionDenied("只有本机关政务公开办公室可以公示检查结果。")
    if task.status != TaskStatus.DRAWN:
        raise InvalidTransition(f"任务“{task.number}”当前状态为“{task.get_status_display()}”，不能公示检查结果。")
    draw = task.draws.select_for_update().filter(status=DrawStatus.DRAWN).first()
    if draw is None:
        raise InvalidTransition("任务尚无有效的抽取结果。")
    pending = Result.objects.filter(target__draw=draw, published_on__isnull=True)
    if targets is not None:
        ids = [t.pk if hasattr(t, "pk") else int(t) for t in targets]
        pending = pending.filter(target_id__in=ids)
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        raise DomainError("没有已录入、待公示的检查结果。")
    today, now = clock.today(), clock.now()
    Result.objects.filter(pk__in=ids).update(published_by=actor, published_on=today, published_at=now)
    audit.record(actor=actor, action="ri.results_publish", obj=task, agency=task.plan.agency,
                 after={"draw": draw.number, "published": len(ids), "published_on": today})
    total = draw.targets.count()
    published = Result.objects.filter(target__draw=draw, published_on__isnull=False).count()
    if total and published == total:
        _complete(actor, task)
    return len(ids)


def _complete(actor, task: InspectionTask) -> None:
    try:
        from gongkai.random_inspections.services import tasks as task_services
    except ImportError:  # the tasks part not there yet
        log.warning("services.tasks missing: task %s not completed", task.pk)
        return
    complete = getattr(task_services, "task_complete", None)
    if complete is None:
        log.warning("services.tasks.task_complete missing: task %s not completed", task.pk)
        return
    complete(actor=actor, task=task)


# --- follow-up cases (后续处置) -------------------------------------------------------------------


def _case_audit(actor, action: str, case: FollowUpCase, **kwargs) -> None:
    task = case.result.target.draw.task
    audit.record(actor=actor, action=action, obj=case, agency=task.plan.agency,
                 object_repr=f"{task.number} {case.result.target.credit_code} {case.case_number}", **kwargs)


@transaction.atomic
def followup_open(*, actor, result: Result, case_number: str, opened_on: dt.date, note: str = "") -> FollowUpCase:
    """Open a case (立案查处, 移送) on a finding that calls for follow-up."""
    result = Result.objects.select_related("target__draw__task__plan__agency").get(pk=result.pk)
    task = result.target.draw.task
    if not permissions.can_publish_results(actor, task):
        raise PermissionDenied("只有本机关政务公开办公室可以登记后续处置。")
    finding = findings.check_code(result.finding)
    if not (finding.follow_up or finding.problem):
        raise DomainError(f"检查结果为“{finding.label}”，无需后续处置。")
    case_number = (case_number or "").strip()
    if not case_number:
        raise DomainError("请填写案件编号。")
    if len(case_number) > 100:
        raise DomainError("案件编号不能超过100个字符。")
    if not isinstance(opened_on, dt.date):
        raise DomainError("请填写立案日期。")
    if opened_on > clock.today():
        raise DomainError("立案日期不能晚于今天。")
    if opened_on < result.inspected_on:
        raise DomainError("立案日期不能早于检查日期。")
    if FollowUpCase.objects.filter(result=result, case_number=case_number).exists():
        raise DomainError(f"案件“{case_number}”已登记。")
    case = FollowUpCase.objects.create(result=result, case_number=case_number, opened_on=opened_on,
                                       note=(note or "").strip(), created_by=actor, created_at=clock.now())
    _case_audit(actor, "ri.followup_open", case, after={"opened_on": opened_on, "finding": result.finding})
    return case


@transaction.atomic
def followup_close(*, actor, case: FollowUpCase, closed_on: dt.date, note: str = "") -> FollowUpCase:
    """Close a case (办结)."""
    case = (FollowUpCase.objects.select_for_update(of=("self",))
            .select_related("result__target__draw__task__plan__agency").get(pk=case.pk))
    if not permissions.can_publish_results(actor, case.result.target.draw.task):
        raise PermissionDenied("只有本机关政务公开办公室可以办结后续处置。")
    if case.status != FollowUpStatus.OPEN:
        raise InvalidTransition("该案件已办结。")
    if not isinstance(closed_on, dt.date):
        raise DomainError("请填写办结日期。")
    if closed_on > clock.today():
        raise DomainError("办结日期不能晚于今天。")
    if closed_on < case.opened_on:
        raise DomainError("办结日期不能早于立案日期。")
    case.status, case.closed_on = FollowUpStatus.CLOSED, closed_on
    if note and note.strip():
        case.note = f"{case.note}\n{note.strip()}".strip()
    case.save(update_fields=["status", "closed_on", "note"])
    _case_audit(actor, "ri.followup_close", case, before={"status": FollowUpStatus.OPEN},
                after={"status": FollowUpStatus.CLOSED, "closed_on": closed_on})
    return case


@transaction.atomic
def followup_link_decision(*, actor, case: FollowUpCase, decision) -> FollowUpCase:
    """Link a case to the penalty decision (行政处罚决定) it led to, once published: a
    decision of the task's agency, of kind penalty, whose party is the inspected target
    (``party_uscc`` equal to the target's credit code)."""
    from gongkai.decisions.models import DecisionKind, DecisionStatus

    case = (FollowUpCase.objects.select_for_update(of=("self",))
            .select_related("result__target__draw__task__plan__agency").get(pk=case.pk))
    task = case.result.target.draw.task
    if not permissions.can_publish_results(actor, task):
        raise PermissionDenied("只有本机关政务公开办公室可以关联处罚决定。")
    if decision.agency_id != task.plan.agency_id:
        raise DomainError("只能关联本机关作出的行政处罚决定。")
    if decision.kind != DecisionKind.PENALTY:
        raise DomainError("只能关联行政处罚决定。")
    if decision.status != DecisionStatus.PUBLISHED:
        raise DomainError("该行政处罚决定尚未公示，公示后再关联。")
    if (decision.party_uscc or "").strip().upper() != case.result.target.credit_code.upper():
        raise DomainError("该处罚决定的当事人不是本检查对象。")
    before = {"decision": case.decision_id}
    case.decision = decision
    case.save(update_fields=["decision"])
    _case_audit(actor, "ri.followup_link_decision", case, before=before, after={"decision": decision.pk})
    return case
