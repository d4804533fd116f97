"""Verification of a published draw (随机抽取的验证): re-run it from its frozen inputs and
its seed alone (``random_inspections.draw``) and compare with what was stored and
published. ``gongkai inspections verify`` and the public check page call this.

What is checked, in order (each check is listed in :attr:`Verification.checks`, in English
for the command line and in Chinese for the page):

1. the draw has been drawn (the seed is revealed);
2. the inputs document's SHA-256 is the one published at the commit;
3. each snapshot's bytes have the SHA-256 stored and published in the document, and the
   row counts agree;
4. the seed: for a commitment, SHA-256(seed) is the commitment published before the draw;
   for a public value, the seed is the value normalised, and its source is the one named;
5. the re-run (with the full exclusion snapshot, which is not published): its quotas are
   the published ones, and its rows are the stored targets (credit code, stratum, rank,
   score), their inspectors (certificates in order) and their skipped certificates — or,
   for :func:`verify_published_list`, the bytes of the list given — and its SHA-256 is the
   published ``result_sha256``; every skipped pair is in the committed exclusion snapshot;
6. the audit trail: the commit (or re-draw) entry and the draw entry of this draw exist,
   each entry's own hash is right and its neighbours' links to it hold, and the values they
   recorded (the inputs' and snapshots' SHA-256, the commitment, the seed, the result's
   SHA-256…) are the stored ones;
7. the names shown with the list: the frozen names' snapshot has its recorded SHA-256, and
   every stored target's and inspector's name (and directory row) is the one frozen at the
   commit.

None of this can detect a consistent rewrite of the platform's own records (inputs,
snapshots, rows, names and audit entries changed together, the chain recomputed): only a
copy of the published hashes kept outside the platform can. The check page says so.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zlib
from collections import Counter
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder

from gongkai.core import audit
from gongkai.core.models import AuditEvent
from gongkai.random_inspections import draw as draw_module
from gongkai.random_inspections.models import (
    Draw,
    DrawnInspector,
    DrawnTarget,
    DrawStatus,
    SeedMode,
)

# How many differing rows a problem message names before it says "and N more".
ROWS_SHOWN = 5

SNAPSHOTS = (
    ("candidates", "检查对象名录快照", "candidate snapshot"),
    ("inspectors", "执法人员名录快照", "inspector snapshot"),
    ("exclusions", "回避快照", "exclusion snapshot"),
)


@dataclass(frozen=True)
class Check:
    """One thing verified: what (English for the command line, Chinese for the page) and
    whether it held."""

    label: str
    label_zh: str
    passed: bool


@dataclass
class Verification:
    """The outcome of re-running a draw. ``matches`` is true only when every check held;
    ``problems`` says, in Chinese, what did not; ``outcome`` is the re-run's result (None
    when the draw could not be re-run)."""

    matches: bool
    problems: list[str]
    outcome: draw_module.DrawOutcome | None
    checks: list[Check] = field(default_factory=list)


class _Checker:
    def __init__(self):
        self.checks: list[Check] = []
        self.problems: list[str] = []

    def check(self, passed: bool, label: str, label_zh: str, problem: str = "") -> bool:
        self.checks.append(Check(label, label_zh, bool(passed)))
        if not passed:
            self.problems.append(problem or f"{label_zh}：不一致")
        return bool(passed)

    def result(self, outcome) -> Verification:
        return Verification(matches=not self.problems and all(c.passed for c in self.checks),
                            problems=self.problems, outcome=outcome, checks=self.checks)


def is_drawn(draw: Draw) -> bool:
    """Drawn, or superseded after it was drawn: its seed and list were published."""
    return bool(draw.seed) and (draw.status == DrawStatus.DRAWN
                                or (draw.status == DrawStatus.SUPERSEDED and draw.drawn_at is not None))


def _rerun(draw: Draw, checker: _Checker) -> tuple[draw_module.DrawOutcome | None, draw_module.DrawInputs | None]:
    """Checks 1–4 and the re-run itself; ``(None, …)`` (with the problems said) when it
    cannot be made."""
    if not checker.check(is_drawn(draw), "the draw has been made and its seed revealed",
                         "已抽取并公布随机种子",
                         "该次抽取尚未抽取，随机种子尚未公布，没有可以验证的抽取结果"):
        return None, None
    doc = draw.inputs or {}
    checker.check(draw_module.inputs_sha256(doc) == draw.inputs_sha256,
                  "inputs document matches its published SHA-256", "抽取条件与公布的摘要一致",
                  "抽取条件（JSON）的SHA-256与公布的摘要不符：抽取条件在公布后被改动")
    checker.check(doc.get("algorithm") == draw.algorithm == draw_module.ALGORITHM
                  and doc.get("reference") == draw.reference,
                  f"algorithm {draw_module.ALGORITHM} and reference {draw.reference}",
                  f"抽取算法（{draw_module.ALGORITHM}）和抽取标识一致",
                  f"抽取算法或抽取标识与抽取条件不符（算法“{draw.algorithm}”，标识“{draw.reference}”）")

    plain: dict[str, bytes] = {}
    snapshots_ok = True
    for key, label_zh, label in SNAPSHOTS:
        try:
            data = draw_module.decompress_snapshot(getattr(draw, key))
        except OSError:
            checker.check(False, f"{label} is readable", f"{label_zh}可以读取", f"{label_zh}已损坏，无法解压")
            snapshots_ok = False
            continue
        actual = draw_module.sha256_hex(data)
        published = (doc.get(key) or {}).get("sha256")
        stored = getattr(draw, f"{key}_sha256")
        snapshots_ok &= checker.check(
            actual == stored == published, f"{label} SHA-256 {stored}", f"{label_zh}的SHA-256一致",
            f"{label_zh}的SHA-256（{actual}）与公布的摘要（{published}）不符：快照在公布后被改动")
        plain[key] = data

    seed = draw.seed
    seed_doc = doc.get("seed") or {}
    if draw.seed_mode == SeedMode.COMMITMENT:
        checker.check(seed_doc.get("mode") == SeedMode.COMMITMENT
                      and draw_module.commitment(seed) == draw.seed_commitment == seed_doc.get("commitment"),
                      "SHA-256 of the revealed seed is the published commitment",
                      "公布的随机种子的SHA-256等于事先公布的承诺值",
                      "公布的随机种子的SHA-256与事先公布的承诺值不符：随机种子不是抽取前承诺的那一个")
    else:
        checker.check(seed_doc.get("mode") == SeedMode.PUBLIC_VALUE
                      and seed_doc.get("public_value_source") == draw.public_value_source
                      and draw_module.normalise_public_value(seed) == seed,
                      f"seed is the public value named in the inputs ({draw.public_value_source})",
                      f"随机种子为抽取条件中写明的公开数值（{draw.public_value_source}）",
                      "随机种子与抽取条件中写明的公开数值来源不符，或不是规范化后的数值")
    if not snapshots_ok:
        checker.problems.append("快照与公布的摘要不符，未重新抽取")
        return None, None
    try:
        inputs = draw_module.inputs_from_document(doc, plain["candidates"], plain["inspectors"],
                                                  plain["exclusions"])
    except (draw_module.SnapshotError, KeyError, TypeError) as exc:
        checker.check(False, "snapshots are canonical and agree with the inputs", "快照格式规范并与抽取条件一致",
                      f"快照不能读取：{exc}")
        return None, None
    strata = dict(Counter(c.stratum for c in inputs.candidates))
    checker.check(strata == doc.get("strata"), "strata sizes as published", "各风险等级的候选对象数与公布的一致",
                  "各风险等级的候选对象数与公布的不一致")
    try:
        outcome = draw_module.run_draw(inputs, seed)
    except draw_module.DrawImpossible as exc:
        checker.check(False, "the draw re-runs", "可以重新抽取", f"重新抽取失败：{exc.message}")
        return None, inputs
    checker.check(outcome.quotas == doc.get("quotas"), "quotas per stratum as published",
                  "各风险等级的抽取户数与公布的一致", "重新计算的各风险等级抽取户数与公布的不一致")
    return outcome, inputs


def _describe(row) -> str:
    code, stratum, rank, *rest = row
    certificates, skipped = rest[-2], rest[-1]
    passed_over = f"，因回避跳过{'、'.join(skipped)}" if skipped else ""
    return f"{code}（{stratum or '无分层'}第{rank}名，执法人员{'、'.join(certificates)}{passed_over}）"


def _compare_rows(expected: list[tuple], actual: list[tuple], what: str) -> list[str]:
    """Chinese lines naming the first differing rows of two lists of row tuples."""
    problems = []
    for number, (want, got) in enumerate(zip(expected, actual, strict=False), start=1):
        if want != got:
            problems.append(f"第{number}行：{what}为{_describe(got)}，重新抽取为{_describe(want)}")
    if len(expected) != len(actual):
        problems.append(f"{what}有{len(actual)}行，重新抽取有{len(expected)}行")
    if len(problems) > ROWS_SHOWN:
        problems = [*problems[:ROWS_SHOWN], f"另有{len(problems) - ROWS_SHOWN}处不一致"]
    return problems


def stored_rows(draw: Draw) -> list[tuple[str, str, int, str, tuple[str, ...], tuple[str, ...]]]:
    """The stored targets as ``(credit_code, stratum, rank, score, certificates, skipped)``,
    in the list's order ((stratum, rank), strata by code point — not the database's
    collation)."""
    certificates: dict[int, list[tuple[int, str]]] = {}
    for target_id, position, certificate in (DrawnInspector.objects.filter(target__draw=draw)
                                             .values_list("target_id", "position", "certificate_number")):
        certificates.setdefault(target_id, []).append((position, certificate))
    rows = [(code, stratum, rank, score, tuple(c for _, c in sorted(certificates.get(pk, []))),
             tuple(skipped.split(";")) if skipped else ())
            for pk, code, stratum, rank, score, skipped in DrawnTarget.objects.filter(draw=draw).values_list(
                "pk", "credit_code", "stratum", "rank", "score", "skipped_certificates")]
    rows.sort(key=lambda row: (row[1], row[2]))
    return rows


# --- the audit trail ----------------------------------------------------------------------

TASK_OBJECT_TYPE = "random_inspections.inspectiontask"
COMMIT_ACTIONS = ("random_inspections.task.commit", "random_inspections.task.redraw")
DRAW_ACTION = "random_inspections.task.draw"
# What the commit (or re-draw) entry and the draw entry record, compared with the stored
# draw when the entry has the key: (key, the stored value's attribute).
COMMIT_KEYS = ("number", "reference", "inputs_sha256", "candidates_sha256", "inspectors_sha256",
               "exclusions_sha256", "frozen_names_sha256", "seed_mode", "seed_commitment", "public_value_source",
               "public_value_kind", "public_value_period", "public_value_due_at")
DRAW_KEYS = ("number", "reference", "seed", "result_sha256")


def _same(recorded, stored) -> bool:
    """Whether an audit entry's value (JSON, as ``audit.record`` wrote it) is the stored one:
    a date-time is compared as an instant, to the millisecond the JSON keeps."""
    if isinstance(stored, dt.datetime):
        try:
            when = dt.datetime.fromisoformat(recorded)
        except (TypeError, ValueError):
            return False
        return when.tzinfo is not None and abs(when - stored) < dt.timedelta(milliseconds=1)
    return recorded == json.loads(json.dumps(stored, cls=DjangoJSONEncoder))


def _event_of(draw: Draw, actions: tuple[str, ...]) -> list[AuditEvent]:
    """The audit entries of ``actions`` on the draw's task whose ``after.draw`` is this draw."""
    events = AuditEvent.objects.filter(object_type=TASK_OBJECT_TYPE, object_id=str(draw.task_id),
                                       action__in=actions).order_by("seq")
    return [event for event in events if isinstance(event.after, dict) and event.after.get("draw") == draw.pk]


def _chain_intact(event: AuditEvent) -> bool:
    """The entry's own hash, and the links of the entries before and after it."""
    if audit.entry_hash(audit.hashed_fields(event)) != event.hash:
        return False
    before = AuditEvent.objects.filter(seq=event.seq - 1).values_list("hash", flat=True).first()
    if event.seq > 1 and before != event.prev_hash:
        return False
    after = AuditEvent.objects.filter(seq=event.seq + 1).values_list("prev_hash", flat=True).first()
    return after is None or after == event.hash


def _check_event(draw: Draw, checker: _Checker, actions: tuple[str, ...], keys: tuple[str, ...],
                 what: str, what_zh: str) -> None:
    found = _event_of(draw, actions)
    if not checker.check(len(found) == 1, f"the audit trail holds the {what} entry of this draw",
                         f"审计日志中有本次抽取的{what_zh}记录",
                         f"审计日志中找不到本次抽取的{what_zh}记录" if not found
                         else f"审计日志中有{len(found)}条本次抽取的{what_zh}记录，应只有一条"):
        return
    (event,) = found
    checker.check(_chain_intact(event), f"the {what} entry (#{event.seq}) is intact and chained",
                  f"{what_zh}记录（第{event.seq}条）未被改动，且与前后记录的哈希链相接",
                  f"审计日志第{event.seq}条（{what_zh}）的哈希不符或哈希链断开：该记录在写入后被改动")
    recorded = event.after
    differing = [key for key in keys if key in recorded and not _same(recorded[key], getattr(draw, key))]
    shown = [key for key in keys if key in recorded]
    checker.check(not differing, f"the {what} entry records the stored {', '.join(shown)}",
                  f"{what_zh}记录中的摘要和数值与保存的一致",
                  f"{what_zh}记录（审计日志第{event.seq}条）中的{'、'.join(differing)}与保存的抽取不符："
                  "抽取在记录之后被改动")


def check_audit_trail(draw: Draw, checker: _Checker) -> None:
    """Check 6: the commit (or re-draw) entry and the draw entry of ``draw``."""
    _check_event(draw, checker, COMMIT_ACTIONS, COMMIT_KEYS, "commit", "公布抽取条件")
    _check_event(draw, checker, (DRAW_ACTION,), DRAW_KEYS, "draw", "抽取")


# --- the names ---------------------------------------------------------------------------


def frozen_name(name: str) -> str:
    """A name as the frozen names' snapshot holds it (a "," would break the line)."""
    return name.replace(",", "，")


def check_names(draw: Draw, checker: _Checker) -> None:
    """Check 7: the frozen names' snapshot, and every stored name against it."""
    data = bytes(draw.frozen_names or b"")
    if not checker.check(bool(data) and bool(draw.frozen_names_sha256), "the names were frozen at the commit",
                         "名称在公布抽取条件时已固定",
                         "本次抽取没有名称快照，公布的检查对象名称和执法人员姓名无法核对"):
        return
    try:
        plain = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        text = plain.decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        checker.check(False, "the names' snapshot is readable", "名称快照可以读取", "名称快照已损坏，无法读取")
        return
    if not checker.check(draw_module.sha256_hex(plain) == draw.frozen_names_sha256,
                         f"names' snapshot SHA-256 {draw.frozen_names_sha256}", "名称快照的SHA-256一致",
                         "名称快照的SHA-256与记录的摘要不符：名称快照在公布抽取条件后被改动"):
        return
    frozen: dict[tuple[str, str], tuple[str, str]] = {}
    for line in text.splitlines():
        fields = line.split(",", 3)
        if len(fields) == 4:
            frozen[(fields[0], fields[1])] = (fields[2], fields[3])
    differing = []
    for code, entity_id, name in DrawnTarget.objects.filter(draw=draw).values_list("credit_code", "entity_id", "name"):
        if frozen.get(("E", code)) != (str(entity_id), frozen_name(name)):
            differing.append(f"检查对象{code}的名称“{name}”")
    for cert, inspector_id, name in DrawnInspector.objects.filter(target__draw=draw).values_list(
            "certificate_number", "inspector_id", "name"):
        if frozen.get(("I", cert)) != (str(inspector_id), frozen_name(name)):
            differing.append(f"执法人员{cert}的姓名“{name}”")
    shown = "、".join(sorted(set(differing))[:ROWS_SHOWN]) + (f"等{len(set(differing))}处" if len(set(differing)) > ROWS_SHOWN else "")
    checker.check(not differing, "every stored name is the one frozen at the commit",
                  "公布的检查对象名称和执法人员姓名与公布抽取条件时固定的一致",
                  f"{shown}与公布抽取条件时固定的名称不符")


def check_skips_are_exclusions(draw: Draw, inputs: draw_module.DrawInputs, checker: _Checker) -> None:
    """Every skipped pair stored with the list is in the committed exclusion snapshot."""
    excluded = inputs.excluded_pair_hashes
    pairs = [(cert, code) for code, skipped in DrawnTarget.objects.filter(draw=draw).exclude(
        skipped_certificates="").values_list("credit_code", "skipped_certificates") for cert in skipped.split(";")]
    strays = [f"{cert}/{code}" for cert, code in pairs if draw_module.pair_hash(cert, code) not in excluded]
    checker.check(not strays, f"all {len(pairs)} skipped pairs are in the committed exclusion snapshot",
                  f"因回避跳过的{len(pairs)}组执法人员与检查对象均在事先固定的回避快照中",
                  f"因回避跳过的{'、'.join(strays[:ROWS_SHOWN])}不在事先固定的回避快照中")


# --- the two verifications ---------------------------------------------------------------


def verify_draw(draw: Draw) -> Verification:
    """Re-run ``draw`` and compare with its stored targets, inspectors and skips; check the
    audit trail's entries of the draw and the names shown with it."""
    checker = _Checker()
    outcome, inputs = _rerun(draw, checker)
    if is_drawn(draw):
        check_audit_trail(draw, checker)
        check_names(draw, checker)
    if outcome is None:
        return checker.result(None)
    expected = [(r.credit_code, r.stratum, r.rank, r.score, r.certificates, r.skipped) for r in outcome.rows]
    differences = _compare_rows(expected, stored_rows(draw), "保存的抽取结果")
    checker.check(not differences, f"{len(expected)} stored targets and their inspectors equal the re-run",
                  f"保存的{len(expected)}户检查对象及其执法人员与重新抽取的结果一致")
    checker.problems.extend(differences)
    check_skips_are_exclusions(draw, inputs, checker)
    checker.check(outcome.result_sha256 == draw.result_sha256,
                  f"result SHA-256 {outcome.result_sha256} is the published one",
                  "抽取结果的SHA-256与公布的一致",
                  f"重新抽取的结果SHA-256（{outcome.result_sha256}）与公布的（{draw.result_sha256}）不符")
    return checker.result(outcome)


def verify_published_list(draw: Draw, data: bytes) -> Verification:
    """Re-run ``draw`` and compare with a published list's bytes (a download, or a copy
    someone kept): identical bytes, and the SHA-256 published with the draw; and the audit
    trail's entries of the draw."""
    checker = _Checker()
    outcome, _inputs = _rerun(draw, checker)
    if is_drawn(draw):
        check_audit_trail(draw, checker)
    if outcome is None:
        return checker.result(None)
    data = bytes(data)
    given = draw_module.sha256_hex(data)
    if data != outcome.result_text:
        try:
            rows = draw_module.parse_result(data)
        except draw_module.SnapshotError as exc:
            checker.check(False, "the list is in the published format", "名单格式正确", f"名单格式不对：{exc}")
        else:
            expected = [(r.credit_code, r.stratum, r.rank, r.certificates, r.skipped) for r in outcome.rows]
            differences = _compare_rows(expected, list(rows), "名单")
            checker.check(False, "the list's rows equal the re-run", "名单与重新抽取的结果一致",
                          "名单与重新抽取的结果不一致" + ("" if differences else "（行内容相同，字节不同）"))
            checker.problems.extend(differences)
    else:
        checker.check(True, f"the list's {len(outcome.rows)} rows equal the re-run byte for byte",
                      f"名单{len(outcome.rows)}行与重新抽取的结果逐字节一致")
    checker.check(given == draw.result_sha256 == outcome.result_sha256,
                  f"the list's SHA-256 {given} is the published one", "名单的SHA-256与公布的一致",
                  f"名单的SHA-256（{given}）与公布的（{draw.result_sha256}）不符")
    return checker.result(outcome)
