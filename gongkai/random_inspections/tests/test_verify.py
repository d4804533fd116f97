"""Verification of a stored draw (random_inspections/verify.py): a draw built here directly
with draw.py (and audited as the services audit it) re-runs and agrees; any tampering — a
target's row, an inspector's row, a skip, the seed, a snapshot, the inputs, a published
list, a name, an audit entry — makes it disagree, saying what."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from gongkai.core import audit, clock
from gongkai.core.models import AuditEvent
from gongkai.random_inspections import draw as draw_module
from gongkai.random_inspections.models import (
    Draw,
    DrawnInspector,
    DrawnTarget,
    DrawStatus,
    InspectionPlan,
    InspectionTask,
    SeedMode,
)
from gongkai.random_inspections.verify import verify_draw, verify_published_list

pytestmark = pytest.mark.django_db

SECRET = "4d2f8c1e9b7a60352e1f4c8d9a0b7e6f5c3d2a1b0f9e8d7c6b5a493827160504"


def frozen_names(entities, inspectors) -> bytes:
    """The names' snapshot as the commit freezes it (uncompressed)."""
    lines = [f"E,{e.credit_code},{e.pk},{e.name.replace(',', '，')}\n" for e in entities]
    lines += [f"I,{i.certificate_number},{i.pk},{i.name.replace(',', '，')}\n" for i in inspectors]
    return "".join(sorted(lines)).encode("utf-8")


COMMIT_KEYS = ("number", "reference", "inputs_sha256", "candidates_sha256", "inspectors_sha256", "exclusions_sha256",
               "frozen_names_sha256", "seed_mode", "seed_commitment", "public_value_source", "public_value_kind",
               "public_value_period", "public_value_due_at")


def make_draw(agency, user, entities, inspectors, *, seed_mode=SeedMode.COMMITMENT, seed=SECRET,
              conflicts=(), number="2026-007", drawn=True, audited=True) -> Draw:
    """A plan, a task and its draw, committed and (when ``drawn``) drawn, written directly:
    the snapshots from the given rows, the inputs document as the commit publishes it, the
    names frozen, the rows from ``draw.run_draw``, and (when ``audited``) the commit and
    draw entries of the audit trail with the keys the task services record."""
    now = clock.now()
    plan = InspectionPlan.objects.create(agency=agency, year=2026, title="2026年抽查计划", created_by=user,
                                         created_at=now, published_at=now, published_by=user)
    task = InspectionTask.objects.create(
        plan=plan, number=number, title="食品销售者专项抽查", sample_ratio="20", risk_weights={"高": "2"},
        inspectors_per_target=2, avoid_same_region=True, starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30), status="drawn" if drawn else "committed", created_by=user, created_at=now)
    candidates = draw_module.serialise_candidates(
        (e.credit_code, e.risk_grade, e.region, e.grid) for e in entities)
    pool = draw_module.serialise_inspectors((i.certificate_number, i.region, i.grid) for i in inspectors)
    exclusions = draw_module.serialise_exclusions(draw_module.pair_hash(c, e) for c, e in conflicts)
    reference = f"{agency.code}/2026/{number}"
    strata: dict[str, int] = {}
    for e in entities:
        strata[e.risk_grade] = strata.get(e.risk_grade, 0) + 1
    n = draw_module.sample_size(len(entities), ratio="20", count=None)
    public = seed_mode == SeedMode.PUBLIC_VALUE
    source = "中国福利彩票3D游戏2026180期开奖号码" if public else ""
    doc = {
        "algorithm": draw_module.ALGORITHM, "reference": reference,
        "agency": {"code": agency.code, "name": agency.name},
        "task": {"number": number, "title": task.title, "starts_on": "2026-07-01", "ends_on": "2026-09-30"},
        "matters": ["食品销售者经营条件检查"], "filter": {}, "sample_ratio": "20", "sample_count": None,
        "weights": {"高": "2"}, "inspectors_per_target": 2, "avoid_same_region": True, "avoid_same_grid": False,
        "avoid_previous": True, "strata": strata, "quotas": draw_module.quotas(strata, n, {"高": "2"}),
        "candidates": {"count": len(entities), "sha256": draw_module.sha256_hex(candidates)},
        "inspectors": {"count": len(inspectors), "sha256": draw_module.sha256_hex(pool)},
        "exclusions": {"count": exclusions.count(b"\n"), "sha256": draw_module.sha256_hex(exclusions)},
        "seed": {"mode": str(seed_mode), "commitment": "" if public else draw_module.commitment(seed),
                 "public_value_source": source},
    }
    names = frozen_names(entities, inspectors)
    made = Draw.objects.create(
        task=task, number=1, status=DrawStatus.COMMITTED, reference=reference, algorithm=draw_module.ALGORITHM,
        inputs=doc, inputs_sha256=draw_module.inputs_sha256(doc),
        candidates=gzip.compress(candidates), candidates_sha256=doc["candidates"]["sha256"],
        candidate_count=len(entities), inspectors=gzip.compress(pool), inspectors_sha256=doc["inspectors"]["sha256"],
        inspector_count=len(inspectors), exclusions=gzip.compress(exclusions),
        exclusions_sha256=doc["exclusions"]["sha256"], seed_mode=seed_mode,
        seed_commitment=doc["seed"]["commitment"], public_value_source=source,
        secret="" if public else seed, committed_by=user, committed_at=now,
        frozen_names=gzip.compress(names, mtime=0), frozen_names_sha256=draw_module.sha256_hex(names),
        public_value_kind="fc3d" if public else "", public_value_period="2026180" if public else "",
        public_value_due_at=now - dt.timedelta(hours=1) if public else None)
    if audited:
        audit.record(actor=user, action="random_inspections.task.commit", obj=task, agency=agency,
                     after={"status": "committed", "draw": made.pk,
                            **{key: getattr(made, key) for key in COMMIT_KEYS}})
    if not drawn:
        return made
    outcome = draw_module.run_draw(draw_module.inputs_from_document(doc, candidates, pool, exclusions), seed)
    by_code = {e.credit_code: e for e in entities}
    by_cert = {i.certificate_number: i for i in inspectors}
    for row in outcome.rows:
        target = DrawnTarget.objects.create(draw=made, entity=by_code[row.credit_code], credit_code=row.credit_code,
                                            name=by_code[row.credit_code].name, stratum=row.stratum, rank=row.rank,
                                            score=row.score, skipped_certificates=";".join(row.skipped))
        for position, cert in enumerate(row.certificates, start=1):
            DrawnInspector.objects.create(target=target, inspector=by_cert[cert], certificate_number=cert,
                                          name=by_cert[cert].name, position=position)
    made.seed, made.status, made.drawn_by, made.drawn_at = seed, DrawStatus.DRAWN, user, now
    made.result_sha256 = outcome.result_sha256
    made.save()
    if audited:
        audit.record(actor=user, action="random_inspections.task.draw", obj=task, agency=agency,
                     before={"status": "committed"},
                     after={"status": "drawn", "draw": made.pk, "number": made.number, "reference": made.reference,
                            "seed": seed, "targets": len(outcome.rows), "result_sha256": made.result_sha256})
    return made


@pytest.fixture
def made(bureau, office, entities, inspectors):
    # two inspectors of each region in conflict with every entity: every target's pool (the
    # other regions' eight) holds four of them, so skips happen whatever the agency's code
    conflicts = [(i.certificate_number, e.credit_code) for i in inspectors[:6] for e in entities]
    return make_draw(bureau, office, entities, inspectors, conflicts=conflicts)


def fresh(d: Draw) -> Draw:
    return Draw.objects.get(pk=d.pk)


def test_a_stored_draw_re_runs_identically(made):
    result = verify_draw(fresh(made))
    assert result.problems == []
    assert result.matches
    assert len(result.outcome.rows) == made.targets.count() == 12  # 20 % of 60
    assert result.outcome.result_sha256 == made.result_sha256
    assert all(check.passed for check in result.checks) and len(result.checks) >= 8


def test_a_public_value_draw_re_runs_identically(bureau, office, entities, inspectors):
    made = make_draw(bureau, office, entities, inspectors, seed_mode=SeedMode.PUBLIC_VALUE, seed="5 8 1")
    assert verify_draw(fresh(made)).matches


def test_a_public_value_seed_that_is_not_normalised_is_a_problem(bureau, office, entities, inspectors):
    made = make_draw(bureau, office, entities, inspectors, seed_mode=SeedMode.PUBLIC_VALUE, seed="5  8 1")
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("公开数值" in p for p in result.problems)


def test_a_changed_target_row_is_found(made):
    target = made.targets.order_by("stratum", "rank").first()
    target.rank = 99
    target.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any(target.credit_code in p and "第99名" in p for p in result.problems)


def test_a_swapped_target_is_found(made, entities):
    target = made.targets.order_by("stratum", "rank").first()
    drawn = set(made.targets.values_list("credit_code", flat=True))
    other = next(e for e in entities if e.credit_code not in drawn)
    target.credit_code, target.entity = other.credit_code, other
    target.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any(other.credit_code in p for p in result.problems)


def test_a_changed_score_is_found(made):
    target = made.targets.first()
    target.score = "0" * 64
    target.save()
    assert not verify_draw(fresh(made)).matches


def test_a_changed_or_reordered_inspector_is_found(made, inspectors):
    first = DrawnInspector.objects.filter(target__draw=made).order_by("target_id", "position")[0]
    second = DrawnInspector.objects.get(target=first.target, position=2)
    # swapped order: the same two inspectors, in the other order
    first.position, second.position = 3, 1
    first.save()
    second.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    first.position = 2
    first.save()
    assert not verify_draw(fresh(made)).matches
    # in the right order again: agrees; then another inspector in the slot
    first.position, second.position = 1, 2
    second.save()
    first.save()
    assert verify_draw(fresh(made)).matches
    replacement = next(i for i in inspectors if i.certificate_number not in
                       set(first.target.inspectors.values_list("certificate_number", flat=True)))
    first.certificate_number = replacement.certificate_number
    first.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any(replacement.certificate_number in p for p in result.problems)


def test_a_missing_target_is_found(made):
    made.targets.order_by("-stratum", "-rank").first().delete()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("11行" in p for p in result.problems)


def test_a_seed_other_than_the_committed_one_is_found(made):
    made.seed = SECRET[::-1]
    made.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("承诺值" in p for p in result.problems)
    assert not next(c for c in result.checks if "commitment" in c.label).passed


def test_a_changed_snapshot_is_found_and_nothing_is_re_run(made):
    data = gzip.decompress(made.candidates).replace(b"\xe4\xbd\x8e", b"\xe9\xab\x98", 1)  # one 低 → 高
    made.candidates = gzip.compress(data)
    made.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert result.outcome is None
    assert any("检查对象名录快照的SHA-256" in p for p in result.problems)


def test_a_snapshot_and_its_stored_digest_changed_together_still_disagree_with_the_inputs(made):
    data = gzip.decompress(made.inspectors)
    data = data[: data.index(b"\n") + 1]
    made.inspectors = gzip.compress(data)
    made.inspectors_sha256 = draw_module.sha256_hex(data)
    made.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("执法人员名录快照" in p for p in result.problems)


def test_changed_inputs_are_found(made):
    made.inputs = {**made.inputs, "inspectors_per_target": 3}
    made.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("抽取条件" in p for p in result.problems)


def test_a_changed_result_digest_is_found(made):
    made.result_sha256 = "f" * 64
    made.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("SHA-256" in p for p in result.problems)


def test_a_draw_not_yet_drawn_cannot_be_verified(bureau, office, entities, inspectors):
    committed = make_draw(bureau, office, entities, inspectors, drawn=False)
    result = verify_draw(fresh(committed))
    assert not result.matches and result.outcome is None
    assert result.problems == ["该次抽取尚未抽取，随机种子尚未公布，没有可以验证的抽取结果"]


def test_a_superseded_draw_that_was_drawn_still_verifies(made, office):
    made.status, made.superseded_by, made.superseded_at = DrawStatus.SUPERSEDED, office, clock.now()
    made.reason = "名录有误"
    made.save()
    assert verify_draw(fresh(made)).matches


def test_the_published_list_verifies_and_a_tampered_one_does_not(made):
    published = verify_draw(fresh(made)).outcome.result_text
    assert verify_published_list(fresh(made), published).matches
    lines = published.decode().splitlines(keepends=True)
    code, stratum, rank, certs, skipped = lines[0].rstrip("\n").split(",")
    certs = ";".join(reversed(certs.split(";")))
    tampered = "".join([f"{code},{stratum},{rank},{certs},{skipped}\n", *lines[1:]]).encode()
    result = verify_published_list(fresh(made), tampered)
    assert not result.matches
    assert any(p.startswith("第1行") for p in result.problems)
    assert not verify_published_list(fresh(made), b"not a list").matches
    assert not verify_published_list(fresh(made), published[:-1]).matches


def tamper(event: AuditEvent, **values) -> None:
    """Rewrite an audit entry in the database, as someone lifting its guard would."""
    import json

    from gongkai.core.tests import audit_attacks

    columns = ", ".join(f"{name} = %s" for name in values)
    params = [json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for v in values.values()]
    audit_attacks.raw(f"UPDATE {AuditEvent._meta.db_table} SET {columns} WHERE id = %s",  # noqa: S608
                      [*params, event.pk])


def failed(result) -> list[str]:
    return [check.label for check in result.checks if not check.passed]


def test_the_fixture_draw_passes_over_some_excluded_inspector(made):
    """So that the tests on skips below test something."""
    assert made.targets.exclude(skipped_certificates="").exists()


# --- skips (the exclusions are not published; the skips that mattered are) --------------------


def test_a_skip_removed_from_a_stored_target_is_found(made):
    target = made.targets.exclude(skipped_certificates="").first()
    target.skipped_certificates = ""
    target.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any(target.credit_code in p and "因回避跳过" in p for p in result.problems)


def test_a_skipped_pair_that_is_not_in_the_committed_exclusions_is_found(made, inspectors):
    target = made.targets.first()
    drawn = set(target.inspectors.values_list("certificate_number", flat=True))
    stranger = next(i.certificate_number for i in inspectors[6:] if i.certificate_number not in drawn)
    target.skipped_certificates = ";".join(filter(None, [target.skipped_certificates, stranger]))
    target.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any(f"{stranger}/{target.credit_code}" in p and "回避快照" in p for p in result.problems)
    assert any("skipped pairs are in the committed exclusion snapshot" in label for label in failed(result))


# --- the audit trail ----------------------------------------------------------------------------


def test_the_audit_checks_are_listed_and_hold(made):
    labels = [check.label for check in verify_draw(fresh(made)).checks]
    for expected in ("the audit trail holds the commit entry of this draw", "the audit trail holds the draw entry",
                     "the commit entry (#", "the draw entry (#", "the commit entry records the stored",
                     "the draw entry records the stored", "every stored name is the one frozen at the commit"):
        assert any(label.startswith(expected) for label in labels), expected


def test_a_draw_without_its_audit_entries_fails(bureau, office, entities, inspectors):
    made = make_draw(bureau, office, entities, inspectors, audited=False)
    result = verify_draw(fresh(made))
    assert not result.matches
    assert "审计日志中找不到本次抽取的公布抽取条件记录" in result.problems
    assert "审计日志中找不到本次抽取的抽取记录" in result.problems


def test_a_consistent_rewrite_of_the_draw_row_is_caught_by_the_commit_entry(made):
    """The review's probe: the inputs changed and their digest recomputed, the stored row
    agrees with itself — but not with what the audit trail recorded at the commit."""
    made.inputs = {**made.inputs, "filter": {"industry": ["餐饮"]}}
    made.inputs_sha256 = draw_module.inputs_sha256(made.inputs)
    made.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("公布抽取条件记录" in p and "inputs_sha256" in p for p in result.problems)
    assert failed(result) == [next(label for label in failed(result) if label.startswith("the commit entry records"))]


def test_a_seed_and_list_replaced_together_are_caught_by_the_draw_entry(bureau, office, entities, inspectors):
    """A public-value draw re-made with another value: the list re-runs, the draw entry says otherwise."""
    made = make_draw(bureau, office, entities, inspectors, seed_mode=SeedMode.PUBLIC_VALUE, seed="5 8 1")
    doc = made.inputs
    inputs = draw_module.inputs_from_document(doc, made.candidates, made.inspectors, made.exclusions)
    outcome = draw_module.run_draw(inputs, "5 8 2")
    made.targets.all().delete()
    by_code = {e.credit_code: e for e in entities}
    by_cert = {i.certificate_number: i for i in inspectors}
    for row in outcome.rows:
        target = DrawnTarget.objects.create(draw=made, entity=by_code[row.credit_code], credit_code=row.credit_code,
                                            name=by_code[row.credit_code].name, stratum=row.stratum, rank=row.rank,
                                            score=row.score, skipped_certificates=";".join(row.skipped))
        for position, cert in enumerate(row.certificates, start=1):
            DrawnInspector.objects.create(target=target, inspector=by_cert[cert], certificate_number=cert,
                                          name=by_cert[cert].name, position=position)
    made.seed, made.result_sha256 = "5 8 2", outcome.result_sha256
    made.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("抽取记录" in p and "seed" in p and "result_sha256" in p for p in result.problems)


def test_an_audit_entry_changed_after_it_was_written_breaks_its_hash(made):
    event = AuditEvent.objects.get(action="random_inspections.task.commit", object_id=str(made.task_id))
    tamper(event, after={**event.after, "inputs_sha256": "0" * 64})
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any(f"审计日志第{event.seq}条" in p and "哈希" in p for p in result.problems)


def test_an_audit_entry_rewritten_with_its_own_hash_recomputed_breaks_the_next_link(made):
    event = AuditEvent.objects.get(action="random_inspections.task.commit", object_id=str(made.task_id))
    event.after = {**event.after, "seed_commitment": "0" * 64}
    tamper(event, after=event.after, hash=audit.entry_hash(audit.hashed_fields(event)))
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any(label.startswith("the commit entry (#") for label in failed(result))


# --- names ---------------------------------------------------------------------------------------


def test_a_renamed_target_or_inspector_is_found(made):
    target = made.targets.first()
    target.name = "某某无关公司"
    target.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any(target.credit_code in p and "某某无关公司" in p for p in result.problems)
    assert failed(result) == ["every stored name is the one frozen at the commit"]
    target.name = target.entity.name
    target.save()
    assert verify_draw(fresh(made)).matches
    person = DrawnInspector.objects.filter(target__draw=made).first()
    person.name = "张冒名"
    person.save()
    result = verify_draw(fresh(made))
    assert any(person.certificate_number in p and "张冒名" in p for p in result.problems)


def test_names_rewritten_together_with_the_frozen_snapshot_are_caught_by_the_commit_entry(made):
    target = made.targets.first()
    data = gzip.decompress(made.frozen_names).replace(target.name.encode(), "某某无关公司".encode())
    made.frozen_names, made.frozen_names_sha256 = gzip.compress(data), draw_module.sha256_hex(data)
    made.save()
    DrawnTarget.objects.filter(pk=target.pk).update(name="某某无关公司")
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("frozen_names_sha256" in p for p in result.problems)


def test_a_frozen_names_snapshot_that_does_not_hash_to_its_digest_is_found(made):
    made.frozen_names = gzip.compress(gzip.decompress(made.frozen_names) + b"E,X,1,Y\n")
    made.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("名称快照的SHA-256" in p for p in result.problems)


def test_a_draw_without_frozen_names_cannot_have_its_names_verified(made):
    made.frozen_names, made.frozen_names_sha256 = b"", ""
    made.save()
    result = verify_draw(fresh(made))
    assert not result.matches
    assert any("没有名称快照" in p for p in result.problems)
