"""Every change to plans, tasks and draws of random inspections (双随机, 国发〔2019〕5号).

Each service checks the actor (PermissionDenied), then the state against
``models.tasks.TRANSITIONS`` (InvalidTransition) and the input (DomainError, in Chinese),
writes, and appends the audit entry in the same transaction.

A draw is public in two steps so that nobody can choose who is inspected: ``task_commit``
freezes and publishes the inputs (the directory snapshots' SHA-256 and a commitment to the
seed, or the kind, period and publication time of a public future value) before anyone can
know the seed; ``task_draw`` then reveals the seed (or takes the public value once it is
out, in its one canonical form) and computes the draw with ``draw.run_draw`` from the frozen
inputs alone, naming targets and inspectors from the names frozen at the commit.

No silent re-draw: a committed draw cannot be re-drawn, only drawn (and so published) first;
cancelling a committed draw reveals its secret (commitment mode) so that anyone can compute
what it would have drawn, and is refused once its public value is out (public-value mode).
The timing rules (when a draw may be made) are in ``public_values``."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongkai.core import audit, clock, listeners
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Agency, Department
from gongkai.random_inspections import draw as draw_module
from gongkai.random_inspections import permissions, public_values, snapshot
from gongkai.random_inspections.models import (
    MIN_INSPECTORS_PER_TARGET,
    TRANSITIONS,
    Draw,
    DrawnInspector,
    DrawnTarget,
    DrawStatus,
    Entity,
    InspectionMatter,
    InspectionPlan,
    InspectionTask,
    Inspector,
    SeedMode,
    TaskStatus,
)
from gongkai.random_inspections.selectors import tasks as selectors

LEAST_YEAR, MOST_YEAR = 2015, 2100  # 国办发〔2015〕58号 introduced 双随机、一公开
NOT_OFFICE = "只有本机关的政府信息公开工作机构（公开办）可以管理抽查计划和抽查任务。"
ACTION_LABELS = {"commit": "公布抽取条件", "draw": "抽取", "redraw": "重新抽取", "complete": "办结",
                 "cancel": "取消"}
FILTER_KEYS = ("kind", "industry", "region", "risk_grade")
CHUNK = 5_000


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_manage(actor, agency):
        raise PermissionDenied(NOT_OFFICE)


def _text(value: str, message: str, *, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    if len(value) > limit:
        raise DomainError(f"内容过长（不超过{limit}字）")
    return value


def next_status(task: InspectionTask, action: str) -> str:
    """The status ``action`` leads to from the task's, or InvalidTransition."""
    row = TRANSITIONS[action]
    if task.status not in row:
        raise InvalidTransition(
            f"抽查任务当前状态为“{task.get_status_display()}”，不能{ACTION_LABELS[action]}。")
    return row[task.status]


def allowed_actions(task: InspectionTask) -> list[str]:
    return [action for action, row in TRANSITIONS.items() if task.status in row]


# --- plans ----------------------------------------------------------------------------------------

def _plan_snapshot(plan: InspectionPlan) -> dict:
    return {"year": plan.year, "title": plan.title, "note": plan.note}


@transaction.atomic
def plan_create(*, actor, agency: Agency, year: int, title: str, note: str = "") -> InspectionPlan:
    """The agency's annual plan of random inspections (年度抽查工作计划)."""
    _require_office(actor, agency)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("年度应为数字") from None
    if not LEAST_YEAR <= year <= MOST_YEAR:
        raise DomainError(f"年度应在{LEAST_YEAR}至{MOST_YEAR}之间")
    title = _text(title, "请填写计划名称", limit=200)
    plan = InspectionPlan.objects.create(agency=agency, year=year, title=title, note=(note or "").strip(),
                                         created_by=actor, created_at=clock.now())
    audit.record(actor=actor, action="random_inspections.plan.create", obj=plan, agency=agency,
                 after=_plan_snapshot(plan))
    return plan


def _locked_plan(plan: InspectionPlan) -> InspectionPlan:
    return InspectionPlan.objects.select_for_update(of=("self",)).select_related("agency").get(pk=plan.pk)


@transaction.atomic
def plan_update(*, actor, plan: InspectionPlan, title: str, note: str = "") -> InspectionPlan:
    """Change the plan's title and note (a published plan too: its tasks are what is frozen)."""
    _require_office(actor, plan.agency)
    plan = _locked_plan(plan)
    before = _plan_snapshot(plan)
    plan.title = _text(title, "请填写计划名称", limit=200)
    plan.note = (note or "").strip()
    plan.save(update_fields=["title", "note"])
    audit.record(actor=actor, action="random_inspections.plan.update", obj=plan, agency=plan.agency,
                 before=before, after=_plan_snapshot(plan))
    listeners.emit(listeners.CONTENT_CHANGED)  # the portal's pages show it
    return plan


@transaction.atomic
def plan_publish(*, actor, plan: InspectionPlan) -> InspectionPlan:
    """Make the plan public (公布); its committed tasks are public from then on."""
    _require_office(actor, plan.agency)
    plan = _locked_plan(plan)
    if plan.published_at is not None:
        raise InvalidTransition("该抽查工作计划已经公布。")
    plan.published_at, plan.published_by = clock.now(), actor
    plan.save(update_fields=["published_at", "published_by"])
    audit.record(actor=actor, action="random_inspections.plan.publish", obj=plan, agency=plan.agency,
                 after={"published_at": plan.published_at})
    listeners.emit(listeners.CONTENT_CHANGED)  # the portal's pages show it
    return plan


# --- tasks ----------------------------------------------------------------------------------------

def clean_ratio(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        ratio = Decimal(str(value))
    except InvalidOperation:
        raise DomainError("抽查比例应为数字") from None
    if not ratio.is_finite() or ratio <= 0 or ratio > 100:
        raise DomainError("抽查比例应大于0%且不超过100%")
    if ratio != ratio.quantize(Decimal("0.001")):
        raise DomainError("抽查比例最多保留三位小数")
    return ratio


def clean_weights(weights: dict | None) -> dict[str, str]:
    """{risk grade: weight} with positive decimal weights, as decimal strings."""
    out = {}
    for grade, weight in (weights or {}).items():
        grade = str(grade).strip()
        if weight in (None, ""):
            continue
        try:
            value = Decimal(str(weight))
        except InvalidOperation:
            raise DomainError(f"风险等级“{grade}”的权重应为数字") from None
        if not value.is_finite() or value <= 0 or value > 1000:
            raise DomainError(f"风险等级“{grade}”的权重应大于0且不超过1000")
        out[grade] = decimal_text(value)
    return dict(sorted(out.items()))


def decimal_text(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: Decimal("5.000") → "5"."""
    text = format(value.normalize(), "f")
    return text


def _clean_filter(target_filter: dict | None) -> dict[str, list[str]]:
    out = {}
    for key, values in (target_filter or {}).items():
        if key not in FILTER_KEYS:
            raise DomainError("抽查对象范围的条件不正确")
        cleaned = sorted({str(v).strip() for v in values or () if str(v).strip()})
        if cleaned:
            out[key] = cleaned
    return out


def _check_task(plan: InspectionPlan, *, number, title, matters, departments, partner_agencies, sample_ratio,
                sample_count, inspectors_per_target, starts_on, ends_on):
    number = _text(number, "请填写任务编号", limit=40)
    if any(c in number for c in "/#,\n\x1f"):
        raise DomainError("任务编号不能含有“/”“#”或逗号")
    title = _text(title, "请填写任务名称", limit=200)
    matters = list(dict.fromkeys(matters or ()))
    if not matters:
        raise DomainError("请选择至少一项抽查事项")
    published = set(selectors.published_matters(plan.agency).values_list("pk", flat=True))
    if any(m.pk not in published for m in matters):
        raise DomainError("抽查事项应从本机关现行公布的随机抽查事项清单中选择")
    departments = list(dict.fromkeys(departments or ()))
    if any(d.agency_id != plan.agency_id or not d.is_active for d in departments):
        raise DomainError("参与部门应为本机关的内设机构")
    partner_agencies = list(dict.fromkeys(partner_agencies or ()))
    if any(a.pk == plan.agency_id or not a.is_active for a in partner_agencies):
        raise DomainError("联合抽查的其他机关不能是本机关")
    ratio = clean_ratio(sample_ratio)
    count = None if sample_count in (None, "") else int(sample_count)
    if (ratio is None) == (count is None):
        raise DomainError("请填写抽查比例或抽查户数（二者选一）")
    if count is not None and count < 1:
        raise DomainError("抽查户数应至少为1户")
    try:
        m = int(inspectors_per_target)
    except (TypeError, ValueError):
        raise DomainError("每户执法人员数应为数字") from None
    if m < MIN_INSPECTORS_PER_TARGET:
        raise DomainError(f"每户执法人员数不得少于{MIN_INSPECTORS_PER_TARGET}名")
    if m > 20:
        raise DomainError("每户执法人员数过多（不超过20名）")
    if starts_on is None or ends_on is None:
        raise DomainError("请填写开始日期和结束日期")
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期")
    if not (plan.year - 1 <= starts_on.year <= plan.year + 1):
        raise DomainError(f"任务日期应在计划年度（{plan.year}年）内")
    return number, title, matters, departments, partner_agencies, ratio, count, m


def _task_snapshot(task: InspectionTask) -> dict:
    return {
        "number": task.number, "title": task.title, "is_joint": task.is_joint,
        "matters": sorted(task.matters.values_list("pk", flat=True)),
        "departments": sorted(task.departments.values_list("pk", flat=True)),
        "partner_agencies": sorted(task.partner_agencies.values_list("pk", flat=True)),
        "target_filter": task.target_filter,
        "sample_ratio": decimal_text(task.sample_ratio) if task.sample_ratio is not None else None,
        "sample_count": task.sample_count, "risk_weights": task.risk_weights,
        "inspectors_per_target": task.inspectors_per_target, "avoid_same_region": task.avoid_same_region,
        "avoid_same_grid": task.avoid_same_grid, "avoid_previous": task.avoid_previous,
        "starts_on": task.starts_on, "ends_on": task.ends_on,
    }


def _write_task(task: InspectionTask, *, plan, number, title, matters, departments, partner_agencies,
                target_filter, sample_ratio, sample_count, risk_weights, inspectors_per_target, avoid_same_region,
                avoid_same_grid, avoid_previous, starts_on, ends_on) -> InspectionTask:
    number, title, matters, departments, partner_agencies, ratio, count, m = _check_task(
        plan, number=number, title=title, matters=matters, departments=departments,
        partner_agencies=partner_agencies, sample_ratio=sample_ratio, sample_count=sample_count,
        inspectors_per_target=inspectors_per_target, starts_on=starts_on, ends_on=ends_on)
    task.number, task.title = number, title
    task.is_joint = len(departments) > 1 or bool(partner_agencies)
    task.target_filter = _clean_filter(target_filter)
    task.sample_ratio, task.sample_count = ratio, count
    task.risk_weights = clean_weights(risk_weights)
    task.inspectors_per_target = m
    task.avoid_same_region, task.avoid_same_grid = bool(avoid_same_region), bool(avoid_same_grid)
    task.avoid_previous = bool(avoid_previous)
    task.starts_on, task.ends_on = starts_on, ends_on
    if InspectionTask.objects.filter(plan=plan, number=number).exclude(pk=task.pk).exists():
        raise DomainError(f"本计划已有编号为“{number}”的任务")
    # The number makes the draw's public reference with the agency's code and the year:
    # unique within an agency and year, whatever the plan.
    if (InspectionTask.objects.filter(plan__agency_id=plan.agency_id, plan__year=plan.year, number=number)
            .exclude(pk=task.pk).exists()):
        raise DomainError(f"本机关{plan.year}年度的其他抽查计划已有编号为“{number}”的任务，请换一个编号")
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        raise DomainError(f"本计划已有编号为“{number}”的任务") from None
    task.matters.set(matters)
    task.departments.set(departments)
    task.partner_agencies.set(partner_agencies)
    return task


@transaction.atomic
def task_create(*, actor, plan: InspectionPlan, number: str, title: str, matters: Iterable[InspectionMatter],
                departments: Iterable[Department] = (), partner_agencies: Iterable[Agency] = (),
                target_filter: dict | None = None, sample_ratio=None, sample_count: int | None = None,
                risk_weights: dict | None = None, inspectors_per_target: int = MIN_INSPECTORS_PER_TARGET,
                avoid_same_region: bool = False, avoid_same_grid: bool = False, avoid_previous: bool = True,
                starts_on: dt.date, ends_on: dt.date) -> InspectionTask:
    """A task of the plan (单部门 or 联合: joint when more than one department or any partner
    agency takes part), as a draft."""
    _require_office(actor, plan.agency)
    task = InspectionTask(plan=plan, created_by=actor, created_at=clock.now(), status=TaskStatus.DRAFT)
    task = _write_task(task, plan=plan, number=number, title=title, matters=matters, departments=departments,
                       partner_agencies=partner_agencies, target_filter=target_filter, sample_ratio=sample_ratio,
                       sample_count=sample_count, risk_weights=risk_weights,
                       inspectors_per_target=inspectors_per_target, avoid_same_region=avoid_same_region,
                       avoid_same_grid=avoid_same_grid, avoid_previous=avoid_previous, starts_on=starts_on,
                       ends_on=ends_on)
    audit.record(actor=actor, action="random_inspections.task.create", obj=task, agency=plan.agency,
                 after=_task_snapshot(task))
    return task


def _locked_task(task: InspectionTask) -> InspectionTask:
    return InspectionTask.objects.select_for_update(of=("self",)).select_related("plan__agency").get(pk=task.pk)


@transaction.atomic
def task_update(*, actor, task: InspectionTask, number: str, title: str, matters: Iterable[InspectionMatter],
                departments: Iterable[Department] = (), partner_agencies: Iterable[Agency] = (),
                target_filter: dict | None = None, sample_ratio=None, sample_count: int | None = None,
                risk_weights: dict | None = None, inspectors_per_target: int = MIN_INSPECTORS_PER_TARGET,
                avoid_same_region: bool = False, avoid_same_grid: bool = False, avoid_previous: bool = True,
                starts_on: dt.date, ends_on: dt.date) -> InspectionTask:
    """Change a draft task; once its inputs are committed they are frozen."""
    _require_office(actor, task.plan.agency)
    task = _locked_task(task)
    if task.status != TaskStatus.DRAFT:
        raise InvalidTransition(f"抽查任务当前状态为“{task.get_status_display()}”，抽取条件已公布，不能修改。")
    before = _task_snapshot(task)
    task = _write_task(task, plan=task.plan, number=number, title=title, matters=matters, departments=departments,
                       partner_agencies=partner_agencies, target_filter=target_filter, sample_ratio=sample_ratio,
                       sample_count=sample_count, risk_weights=risk_weights,
                       inspectors_per_target=inspectors_per_target, avoid_same_region=avoid_same_region,
                       avoid_same_grid=avoid_same_grid, avoid_previous=avoid_previous, starts_on=starts_on,
                       ends_on=ends_on)
    audit.record(actor=actor, action="random_inspections.task.update", obj=task, agency=task.plan.agency,
                 before=before, after=_task_snapshot(task))
    return task


# --- commit ---------------------------------------------------------------------------------------

def task_reference(task: InspectionTask, number: int = 1) -> str:
    """The task's public identifier, the start of every HMAC message of its draw; a re-draw
    adds "#n" so that its scores differ from the earlier draw's."""
    plan = task.plan
    base = f"{plan.agency.code}/{plan.year}/{task.number}"
    return base if number == 1 else f"{base}#{number}"


def _gzip(data: bytes) -> bytes:
    # Level 1: a million-candidate snapshot in a third of level 6's time, for about a
    # third more bytes; the published SHA-256 is of the uncompressed bytes either way.
    return gzip.compress(data, compresslevel=1, mtime=0)


def ungzip(data) -> bytes:
    return gzip.decompress(bytes(data))


@dataclass(frozen=True)
class SeedChoice:
    """The seed's mode as committed; for a public value its kind, period, publication
    time and the source rendered from them."""

    mode: str
    kind: str = ""
    period: str = ""
    due_at: dt.datetime | None = None
    source: str = ""
    pattern: str = ""


def _clean_seed(seed_mode: str, *, kind: str, period: str, due_at: dt.datetime | None,
                now: dt.datetime) -> SeedChoice:
    if seed_mode not in SeedMode.values:
        raise DomainError("请选择随机种子的产生方式")
    if seed_mode == SeedMode.COMMITMENT:
        if (kind or "").strip() or (period or "").strip() or due_at is not None:
            raise DomainError("采用承诺随机种子时不填写公开数值的种类、期号和开奖时间")
        return SeedChoice(mode=SeedMode.COMMITMENT)
    found = public_values.get_kind(kind)
    period = public_values.clean_period(found, period)
    due_at = public_values.check_due_at(found, period, due_at, now)
    return SeedChoice(mode=SeedMode.PUBLIC_VALUE, kind=found.code, period=period, due_at=due_at,
                      source=public_values.render_source(found, period), pattern=found.pattern)


def inputs_document(task: InspectionTask, *, reference: str, snap: snapshot.Snapshot, seed_mode: str,
                    seed_commitment: str, public_value_source: str, seed: SeedChoice | None = None) -> dict:
    """The frozen inputs, published before the seed is known (draw.md §1). For a public
    value, ``seed.public_value`` adds its kind, period, publication time and canonical
    format, so that they are under the published SHA-256 too."""
    ratio = decimal_text(task.sample_ratio) if task.sample_ratio is not None else None
    weights = dict(task.risk_weights or {})
    n = draw_module.sample_size(snap.candidate_count, ratio=ratio, count=task.sample_count)
    agency = task.plan.agency
    return {
        "algorithm": draw_module.ALGORITHM,
        "reference": reference,
        "agency": {"code": agency.code, "name": agency.name},
        "task": {"number": task.number, "title": task.title, "starts_on": task.starts_on.isoformat(),
                 "ends_on": task.ends_on.isoformat()},
        "matters": list(task.matters.order_by("position", "id").values_list("name", flat=True)),
        "filter": dict(task.target_filter or {}),
        "sample_ratio": ratio,
        "sample_count": task.sample_count,
        "weights": weights,
        "inspectors_per_target": task.inspectors_per_target,
        "avoid_same_region": task.avoid_same_region,
        "avoid_same_grid": task.avoid_same_grid,
        "avoid_previous": task.avoid_previous,
        "strata": snap.strata,
        "quotas": draw_module.quotas(snap.strata, n, weights or None),
        "candidates": {"count": snap.candidate_count, "sha256": draw_module.sha256_hex(snap.candidates)},
        "inspectors": {"count": snap.inspector_count, "sha256": draw_module.sha256_hex(snap.inspectors)},
        "exclusions": {"count": snap.exclusion_count, "sha256": draw_module.sha256_hex(snap.exclusions)},
        "seed": {"mode": str(seed_mode), "commitment": seed_commitment, "public_value_source": public_value_source,
                 **({"public_value": {"kind": seed.kind, "period": seed.period,
                                      "due_at": timezone.localtime(seed.due_at).isoformat(),
                                      "format": seed.pattern}}
                    if seed is not None and seed.mode == SeedMode.PUBLIC_VALUE else {})},
    }


def _commit(*, actor, task: InspectionTask, number: int, reason: str, seed: SeedChoice) -> Draw:
    if task.plan.published_at is None:
        raise DomainError("请先公布抽查工作计划，再公布任务的抽取条件")
    reference = task_reference(task, number)
    if Draw.objects.filter(reference=reference).exists():
        raise DomainError(f"抽取标识“{reference}”已被使用（本机关同一年度另有编号相同的任务），请先修改任务编号")
    try:
        snap = snapshot.take(task)
    except draw_module.SnapshotError as exc:
        raise DomainError(f"名录数据不能生成快照：{exc}") from None
    except ValueError as exc:
        raise DomainError(f"名录数据不能生成快照（字段中不得含有逗号或换行）：{exc}") from None
    if snap.problems:
        raise DomainError("不能公布抽取条件：" + "；".join(snap.problems) + "。")
    secret = draw_module.new_secret() if seed.mode == SeedMode.COMMITMENT else ""
    seed_commitment = draw_module.commitment(secret) if secret else ""
    try:
        document = inputs_document(task, reference=reference, snap=snap, seed_mode=seed.mode,
                                   seed_commitment=seed_commitment, public_value_source=seed.source, seed=seed)
    except draw_module.DrawImpossible as exc:
        raise DomainError(f"不能公布抽取条件：{exc.message}") from None
    try:
        with transaction.atomic():
            new = Draw.objects.create(
                task=task, number=number, status=DrawStatus.COMMITTED, reason=reason, reference=reference,
                algorithm=draw_module.ALGORITHM, inputs=document, inputs_sha256=draw_module.inputs_sha256(document),
                candidates=_gzip(snap.candidates), candidates_sha256=document["candidates"]["sha256"],
                candidate_count=snap.candidate_count,
                inspectors=_gzip(snap.inspectors), inspectors_sha256=document["inspectors"]["sha256"],
                inspector_count=snap.inspector_count,
                exclusions=_gzip(snap.exclusions), exclusions_sha256=document["exclusions"]["sha256"],
                frozen_names=_gzip(snap.names), frozen_names_sha256=hashlib.sha256(snap.names).hexdigest(),
                seed_mode=seed.mode, seed_commitment=seed_commitment, public_value_source=seed.source,
                public_value_kind=seed.kind, public_value_period=seed.period, public_value_due_at=seed.due_at,
                secret=secret, committed_by=actor, committed_at=clock.now())
    except IntegrityError:
        raise DomainError(f"抽取标识“{reference}”已被使用，请先修改任务编号") from None
    return new


def _draw_summary(d: Draw) -> dict:
    """What the commit (or re-draw) entry records of the draw: ``verify`` compares each with
    the stored draw."""
    return {"draw": d.pk, "number": d.number, "reference": d.reference, "inputs_sha256": d.inputs_sha256,
            "candidates_sha256": d.candidates_sha256, "inspectors_sha256": d.inspectors_sha256,
            "exclusions_sha256": d.exclusions_sha256, "frozen_names_sha256": d.frozen_names_sha256,
            "seed_mode": d.seed_mode, "seed_commitment": d.seed_commitment,
            "public_value_source": d.public_value_source, "public_value_kind": d.public_value_kind,
            "public_value_period": d.public_value_period, "public_value_due_at": d.public_value_due_at}


@transaction.atomic
def task_commit(*, actor, task: InspectionTask, seed_mode: str, public_value_kind: str = "",
                public_value_period: str = "", public_value_due_at: dt.datetime | None = None) -> Draw:
    """Freeze the task's inputs and publish them with the seed's commitment, or with the
    public future value's kind (``data/public_values.toml``), period (期号) and publication
    time, which must be at least ``public_values.PUBLICATION_MARGIN`` after now: the first
    draw of the task."""
    _require_office(actor, task.plan.agency)
    task = _locked_task(task)
    to_status = next_status(task, "commit")
    seed = _clean_seed(seed_mode, kind=public_value_kind, period=public_value_period, due_at=public_value_due_at,
                       now=clock.now())
    draw = _commit(actor=actor, task=task, number=1, reason="", seed=seed)
    before = task.status
    task.status = to_status
    task.save(update_fields=["status"])
    audit.record(actor=actor, action="random_inspections.task.commit", obj=task, agency=task.plan.agency,
                 before={"status": before}, after={"status": task.status, **_draw_summary(draw)})
    listeners.emit(listeners.CONTENT_CHANGED)  # the portal's pages show it
    return draw


def _current(task: InspectionTask, *, lock: bool = True) -> Draw | None:
    qs = Draw.objects.filter(task=task).exclude(status=DrawStatus.SUPERSEDED)
    if lock:
        qs = qs.select_for_update()
    return qs.order_by("-number").first()


def _frozen_names(current: Draw, outcome) -> tuple[dict, dict]:
    """The drawn entities' and inspectors' primary keys and names as frozen at the commit
    (``Draw.frozen_names``), never the live directories: ``(code → (pk, name),
    certificate → (pk, name))``. DomainError, naming nobody, when the frozen names do not
    hash to the recorded SHA-256 or lack a drawn code or certificate (the seed is not yet
    public when this is refused: a message naming drawn codes would reveal part of the
    draw)."""
    plain = ungzip(current.frozen_names) if current.frozen_names else b""
    if not plain or hashlib.sha256(plain).hexdigest() != current.frozen_names_sha256:
        raise DomainError("保存的名称快照与公布抽取条件时记录的摘要不一致，不能抽取，请联系平台管理员")
    codes = {row.credit_code for row in outcome.rows}
    certs = {c for row in outcome.rows for c in row.certificates}
    # The commit writes the lines sorted (``snapshot.frozen_names``; these are its bytes, by
    # the SHA-256 just checked): each drawn code's and certificate's line is found by one
    # forward search through the bytes, in key order, instead of decoding and splitting a
    # million lines. Should a key not be found that way (a missing name, or lines out of
    # order), the full pass decides, as before.
    entities = _frozen_lookup(plain, "E", codes)
    people = _frozen_lookup(plain, "I", certs)
    if entities is None or people is None:
        entities, people = _frozen_scan(plain, codes, certs)
    if len(entities) != len(codes) or len(people) != len(certs):
        raise DomainError("名称快照中缺少抽中的检查对象或执法人员，不能保存抽取结果，请联系平台管理员")
    return entities, people


def _frozen_lookup(plain: bytes, kind: str, keys: set[str]) -> dict[str, tuple[int, str]] | None:
    """``key → (pk, name)`` from the sorted lines of ``plain`` for each of ``keys`` (the
    last line of a key, as the full pass takes it); None when a key is not found, for the
    full pass to decide (a missing key, or lines not in order)."""
    found: dict[str, tuple[int, str]] = {}
    text = b"\n" + plain  # every line starts after a "\n"
    at = 0
    for key in sorted(keys):  # code point order is UTF-8 byte order: the lines' order
        prefix = f"\n{kind},{key},".encode()
        at = text.find(prefix, at)
        if at < 0:
            return None
        while text.startswith(prefix, end := text.find(b"\n", at + 1)):
            at = end  # the same key again on the next line: the last one counts
        line = text[at + 1:end] if end >= 0 else text[at + 1:]
        _kind, _key, pk, name = line.decode("utf-8").split(",", 3)
        found[key] = (int(pk), name)
    return found


def _frozen_scan(plain: bytes, codes: set[str], certs: set[str]) -> tuple[dict, dict]:
    entities: dict[str, tuple[int, str]] = {}
    people: dict[str, tuple[int, str]] = {}
    for line in plain.decode("utf-8").split("\n"):
        if not line:
            continue
        kind, key, pk, name = line.split(",", 3)
        if kind == "E" and key in codes:
            entities[key] = (int(pk), name)
        elif kind == "I" and key in certs:
            people[key] = (int(pk), name)
    return entities, people


def _missing(model, pks: set[int]) -> bool:
    """Whether any of ``pks`` is not a row of ``model``: one query on PostgreSQL (the keys
    as one array parameter), chunks of ``IN`` elsewhere."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
                           f"WHERE {quote(model._meta.pk.column)} = ANY(%s)", [sorted(pks)])
            (found,) = cursor.fetchone()
        return found != len(pks)
    keys = sorted(pks)
    found = sum(model.objects.filter(pk__in=keys[start:start + CHUNK]).count() for start in range(0, len(keys), CHUNK))
    return found != len(pks)


def _store_rows(current: Draw, outcome, entities: dict, people: dict) -> int:
    """Store the drawn targets and their inspectors; the number of targets. On PostgreSQL
    by COPY (a draw of a city's directory is tens of thousands of targets), the targets'
    keys taken from their sequence first; elsewhere by ``bulk_create``."""
    rows = outcome.rows
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        targets = DrawnTarget.objects.bulk_create([
            DrawnTarget(draw=current, entity_id=entities[row.credit_code][0], credit_code=row.credit_code,
                        name=entities[row.credit_code][1], stratum=row.stratum, rank=row.rank, score=row.score,
                        skipped_certificates=";".join(getattr(row, "skipped", ())))
            for row in rows], batch_size=CHUNK)
        by_code = {t.credit_code: t.pk for t in targets}
        if any(pk is None for pk in by_code.values()):  # a backend that does not return keys
            by_code = dict(DrawnTarget.objects.filter(draw=current).values_list("credit_code", "pk"))
        DrawnInspector.objects.bulk_create([
            DrawnInspector(target_id=by_code[row.credit_code], inspector_id=people[cert][0],
                           certificate_number=cert, name=people[cert][1], position=position)
            for row in rows for position, cert in enumerate(row.certificates, start=1)], batch_size=CHUNK)
        return len(targets)

    quote = connection.ops.quote_name

    def copy_sql(model, names: tuple[str, ...]) -> str:
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
        return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [DrawnTarget._meta.db_table, DrawnTarget._meta.pk.column, len(rows)])
        keys = [pk for (pk,) in cursor.fetchall()]
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(copy_sql(DrawnTarget, ("id", "draw", "entity", "credit_code", "name", "stratum", "rank",
                                             "score", "skipped_certificates"))) as copy:
            for pk, row in zip(keys, rows, strict=True):
                entity_id, name = entities[row.credit_code]
                copy.write_row((pk, current.pk, entity_id, row.credit_code, name, row.stratum, row.rank, row.score,
                                ";".join(getattr(row, "skipped", ()))))
        with raw.copy(copy_sql(DrawnInspector, ("target", "inspector", "certificate_number", "name",
                                                "position"))) as copy:
            for pk, row in zip(keys, rows, strict=True):
                for position, cert in enumerate(row.certificates, start=1):
                    inspector_id, name = people[cert]
                    copy.write_row((pk, inspector_id, cert, name, position))
    return len(rows)


def _draw_refused_before(current: Draw, now: dt.datetime) -> None:
    """DomainError while the draw may not be made yet (``public_values.draw_opens_at``)."""
    opens = public_values.draw_opens_at(current)
    if opens is None or now >= opens:
        return
    when = timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")
    if current.seed_mode == SeedMode.PUBLIC_VALUE:
        raise DomainError(f"开奖结果尚未公布，{when}之后才能抽取")
    minutes = int(public_values.COMMITMENT_MIN_PUBLIC.total_seconds() // 60)
    raise DomainError(f"随机种子的承诺值公布未满{minutes}分钟，{when}之后才能抽取")


@transaction.atomic
def task_draw(*, actor, task: InspectionTask, public_value: str = "") -> Draw:
    """Reveal the seed (the committed secret, or the public value once it is out, reduced
    to its kind's canonical form) and draw the targets and their inspectors from the frozen
    inputs; the list is stored, named from the names frozen at the commit, and published
    with its SHA-256. Refused before ``public_values.draw_opens_at``: the publication time
    of a public value, or ``COMMITMENT_MIN_PUBLIC`` after a commitment."""
    _require_office(actor, task.plan.agency)
    task = _locked_task(task)
    to_status = next_status(task, "draw")
    current = _current(task)
    if current is None or current.status != DrawStatus.COMMITTED:
        raise InvalidTransition("该任务没有已公布、尚未抽取的抽取条件。")
    _draw_refused_before(current, clock.now())
    if current.seed_mode == SeedMode.COMMITMENT:
        if (public_value or "").strip():
            raise DomainError("该次抽取采用承诺随机种子，不需要填写公开数值")
        seed = current.secret
        if not seed or draw_module.commitment(seed) != current.seed_commitment:
            raise DomainError("保存的随机种子与已公布的承诺值不一致，不能抽取，请联系平台管理员")
    else:
        kind = public_values.kind_or_none(current.public_value_kind)
        if kind is None:
            raise DomainError("该次抽取未写明平台列明的公开数值种类，不能抽取")
        seed = public_values.canonical_value(kind, public_value)
    try:
        inputs = draw_module.inputs_from_document(current.inputs, ungzip(current.candidates),
                                                  ungzip(current.inspectors), ungzip(current.exclusions))
        outcome = draw_module.run_draw(inputs, seed)
    except draw_module.DrawImpossible as exc:
        raise DomainError(f"不能抽取：{exc.message}") from None
    except draw_module.SnapshotError as exc:
        raise DomainError(f"保存的快照与已公布的摘要不一致，不能抽取：{exc}") from None

    agency = task.plan.agency
    with snapshot.cyclic_gc_paused():  # tens of thousands of rows built, none with cycles
        entities, people = _frozen_names(current, outcome)
        # The drawn rows reference the directories without database constraints (whose
        # check of 150,000 references at COMMIT cost about a second, see models.tasks):
        # whether every drawn entity and inspector is still there is asked here instead.
        if (_missing(Entity, {pk for pk, _name in entities.values()})
                or _missing(Inspector, {pk for pk, _name in people.values()})):
            raise DomainError("名录中有抽中的检查对象或执法人员的记录已被删除，不能保存抽取结果，"
                              "请联系平台管理员")
        stored = _store_rows(current, outcome, entities, people)

    current.seed = seed
    current.status = DrawStatus.DRAWN
    current.drawn_by, current.drawn_at = actor, clock.now()
    current.result_sha256 = outcome.result_sha256
    current.save(update_fields=["seed", "status", "drawn_by", "drawn_at", "result_sha256"])
    before = task.status
    task.status = to_status
    task.save(update_fields=["status"])
    audit.record(actor=actor, action="random_inspections.task.draw", obj=task, agency=agency,
                 before={"status": before},
                 after={"status": task.status, "draw": current.pk, "number": current.number,
                        "reference": current.reference, "seed": seed, "targets": stored,
                        "result_sha256": current.result_sha256})
    listeners.emit(listeners.CONTENT_CHANGED)  # the portal's pages show it
    return current


@transaction.atomic
def task_redraw(*, actor, task: InspectionTask, reason: str, seed_mode: str, public_value_kind: str = "",
                public_value_period: str = "", public_value_due_at: dt.datetime | None = None) -> Draw:
    """Supersede the current, drawn draw (it stays published, with this reason) and commit
    new inputs from the directories as they stand now (the seed as in ``task_commit``).

    Only a drawn draw is re-drawn (``TRANSITIONS``): a committed one must be drawn, and so
    published, first. Otherwise an office could wait for a public value (or whoever can
    read the secret for the seed), compute the outcome offline and drop a draw it dislikes
    without anyone seeing what it would have drawn. Not once a result was entered."""
    _require_office(actor, task.plan.agency)
    task = _locked_task(task)
    to_status = next_status(task, "redraw")
    reason = _text(reason, "请填写重新抽取的理由", limit=1000)
    current = _current(task)
    if current is None:
        raise InvalidTransition("该任务还没有抽取，不需要重新抽取。")
    if current.status != DrawStatus.DRAWN:
        raise InvalidTransition("已公布的抽取条件须先完成抽取（结果公开）后才能重新抽取。")
    if selectors.draw_has_results(current):
        raise InvalidTransition("本次抽取已有检查对象录入了检查结果，不能重新抽取。")
    now = clock.now()
    seed = _clean_seed(seed_mode, kind=public_value_kind, period=public_value_period, due_at=public_value_due_at,
                       now=now)
    current.status = DrawStatus.SUPERSEDED
    current.superseded_by, current.superseded_at = actor, now
    current.save(update_fields=["status", "superseded_by", "superseded_at"])
    new = _commit(actor=actor, task=task, number=current.number + 1, reason=reason, seed=seed)
    before = task.status
    task.status = to_status
    task.save(update_fields=["status"])
    audit.record(actor=actor, action="random_inspections.task.redraw", obj=task, agency=task.plan.agency,
                 reason=reason, before={"status": before, "superseded_draw": current.pk,
                                        "superseded_number": current.number},
                 after={"status": task.status, **_draw_summary(new)})
    listeners.emit(listeners.CONTENT_CHANGED)  # the portal's pages show it
    return new


@transaction.atomic
def task_cancel(*, actor, task: InspectionTask, reason: str) -> InspectionTask:
    """Withdraw the task with the reason (its published draws stay visible).

    - A committed draw in commitment mode: its secret is revealed (stored as ``Draw.seed``,
      recorded in the audit entry), so that anyone can compute what it would have drawn;
      cancelling cannot hide an outcome.
    - A committed draw in public-value mode: refused once the value's publication time has
      passed — the value then decides the outcome, which must be drawn and published
      (``task_draw``) first.
    - Refused once any result was entered for the current draw: a task under inspection
      ends by its results, not by a cancellation that would take it off the oversight."""
    _require_office(actor, task.plan.agency)
    task = _locked_task(task)
    to_status = next_status(task, "cancel")
    reason = _text(reason, "请填写取消的理由", limit=1000)
    current = _current(task)
    revealed = ""
    if current is not None and selectors.draw_has_results(current):
        raise InvalidTransition("本次抽取已有检查对象录入了检查结果，不能取消。")
    if current is not None and current.status == DrawStatus.COMMITTED:
        if current.seed_mode == SeedMode.PUBLIC_VALUE:
            due = current.public_value_due_at
            if due is None or clock.now() >= due:
                raise InvalidTransition("开奖结果已公布，须先完成抽取，不能取消。")
        elif current.secret:
            revealed = current.seed = current.secret
            current.save(update_fields=["seed"])
    before = task.status
    task.status, task.cancel_reason = to_status, reason
    task.save(update_fields=["status", "cancel_reason"])
    after = {"status": task.status}
    if current is not None:
        after["draw"] = current.pk
    if revealed:
        after["seed"] = revealed  # harmless once nothing will be drawn with it
    audit.record(actor=actor, action="random_inspections.task.cancel", obj=task, agency=task.plan.agency,
                 reason=reason, before={"status": before}, after=after)
    listeners.emit(listeners.CONTENT_CHANGED)  # the portal's pages show it
    return task


def _may_complete(actor, task: InspectionTask) -> bool:
    agencies = [task.plan.agency, *task.partner_agencies.all()]
    return any(permissions.can_manage(actor, a) for a in agencies)


@transaction.atomic
def task_complete(*, actor, task: InspectionTask) -> InspectionTask:
    """DRAWN → COMPLETED once every target of the current draw has a published result (the
    results part calls this when it publishes the last one). The office of the lead or of a
    partner agency."""
    if not _may_complete(actor, task):
        raise PermissionDenied(NOT_OFFICE)
    task = _locked_task(task)
    to_status = next_status(task, "complete")
    current = _current(task, lock=False)
    if current is None or current.status != DrawStatus.DRAWN:
        raise InvalidTransition("该任务没有已抽取的检查对象。")
    pending = DrawnTarget.objects.filter(draw=current).exclude(result__published_on__isnull=False).count()
    if pending:
        raise DomainError(f"还有{pending}户检查对象的检查结果未公示，不能办结。")
    before = task.status
    task.status = to_status
    task.save(update_fields=["status"])
    audit.record(actor=actor, action="random_inspections.task.complete", obj=task, agency=task.plan.agency,
                 before={"status": before}, after={"status": task.status, "draw": current.pk})
    listeners.emit(listeners.CONTENT_CHANGED)  # the portal's pages show it
    return task
