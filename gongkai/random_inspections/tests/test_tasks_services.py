"""Plans, tasks and draws through their services: the transitions of the one table, the
audit rows, the frozen inputs and their hashes, a re-draw that keeps the old draw visible
and needs a reason, and refusals of impossible inputs. The clock moves between a commit
and its draw (``later``): a draw is refused until its commitment has been public for
``public_values.COMMITMENT_MIN_PUBLIC``."""

import datetime as dt
import gzip

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.core import clock
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.core.tests.factories import DepartmentFactory
from gongkai.random_inspections import draw as draw_module
from gongkai.random_inspections import public_values
from gongkai.random_inspections.models import (
    Draw,
    DrawnInspector,
    DrawnTarget,
    DrawStatus,
    Entity,
    InspectionMatter,
    InspectionTask,
    Inspector,
    InspectorConflict,
    MatterList,
    MatterListStatus,
    Result,
    SeedMode,
    TaskStatus,
)
from gongkai.random_inspections.selectors import tasks as selectors
from gongkai.random_inspections.services import tasks as services
from gongkai.random_inspections.tests.conftest import TODAY, at, make_inspectors

pytestmark = pytest.mark.django_db


# --- helpers shared by the tasks part's tests --------------------------------------------------

def publish_matters(agency, user, names=("食品销售者经营条件检查", "食品标签检查")) -> list[InspectionMatter]:
    now = clock.now()
    matter_list = MatterList.objects.create(agency=agency, title="2026年版", status=MatterListStatus.PUBLISHED,
                                            created_by=user, created_at=now, published_by=user, published_at=now)
    return [InspectionMatter.objects.create(matter_list=matter_list, position=i, name=name, basis="《食品安全法》",
                                            target_kind="企业", methods=["on_site"])
            for i, name in enumerate(names, start=1)]


def make_plan(office, agency, *, publish=True):
    plan = services.plan_create(actor=office, agency=agency, year=TODAY.year, title="2026年度双随机抽查工作计划")
    if publish:
        plan = services.plan_publish(actor=office, plan=plan)
    return plan


def make_task(office, plan, matters, **overrides):
    kwargs = {"number": "001", "title": "食品销售者专项抽查", "matters": matters, "sample_ratio": "10",
              "starts_on": TODAY + dt.timedelta(days=7), "ends_on": TODAY + dt.timedelta(days=60)}
    kwargs.update(overrides)
    return services.task_create(actor=office, plan=plan, **kwargs)


def later(delta: dt.timedelta = public_values.COMMITMENT_MIN_PUBLIC) -> None:
    """Move the frozen clock forward (by default just enough for a commitment draw)."""
    clock.freeze(clock.now() + delta)


def commit_and_draw(office, task) -> Draw:
    """Commit with a commitment seed, wait the minimum time, draw."""
    services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    later()
    return services.task_draw(actor=office, task=task)


def drawn_task(office, bureau, **overrides):
    """A committed and drawn task of the bureau (10 % of its 60 entities, commitment seed)."""
    plan = make_plan(office, bureau)
    task = make_task(office, plan, publish_matters(bureau, office), **overrides)
    commit_and_draw(office, task)
    task.refresh_from_db()
    return task


@pytest.fixture
def matters(today, bureau, office):
    return publish_matters(bureau, office)


@pytest.fixture
def plan(today, bureau, office):
    return make_plan(office, bureau)


@pytest.fixture
def task(plan, matters, office, entities, inspectors):
    return make_task(office, plan, matters)


def actions_of(obj) -> list[str]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
                .order_by("seq").values_list("action", flat=True))


# --- plans and tasks ---------------------------------------------------------------------------

def test_a_plan_is_public_only_once_published_and_each_step_is_audited(today, bureau, office):
    plan = make_plan(office, bureau, publish=False)
    assert plan.published_at is None
    plan = services.plan_publish(actor=office, plan=plan)
    assert plan.published_at == clock.now() and plan.published_by == office
    with pytest.raises(InvalidTransition):
        services.plan_publish(actor=office, plan=plan)
    assert actions_of(plan) == ["random_inspections.plan.create", "random_inspections.plan.publish"]


@pytest.mark.parametrize("actor", ["officer", "supervisor", "other_office"])
def test_only_the_agencys_office_creates_plans(request, today, bureau, actor):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=request.getfixturevalue(actor), agency=bureau, year=2026, title="计划")


def test_a_task_with_two_departments_or_a_partner_agency_is_joint(plan, matters, office, bureau, other_agency):
    single = make_task(office, plan, matters, departments=[DepartmentFactory(agency=bureau, name="甲科")])
    assert not single.is_joint
    two = make_task(office, plan, matters, number="002", departments=[
        DepartmentFactory(agency=bureau, name="乙科"), DepartmentFactory(agency=bureau, name="丙科")])
    assert two.is_joint
    partner = make_task(office, plan, matters, number="003", partner_agencies=[other_agency])
    assert partner.is_joint and list(partner.partner_agencies.all()) == [other_agency]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"sample_ratio": "0"}, "抽查比例应大于0%且不超过100%"),
    ({"sample_ratio": "100.5"}, "抽查比例应大于0%且不超过100%"),
    ({"sample_ratio": None}, "请填写抽查比例或抽查户数"),
    ({"sample_count": 5}, "请填写抽查比例或抽查户数"),
    ({"inspectors_per_target": 1}, "不得少于2名"),
    ({"ends_on": TODAY}, "结束日期不能早于开始日期"),
    ({"matters": []}, "请选择至少一项抽查事项"),
    ({"risk_weights": {"高": "-1"}}, "权重应大于0"),
    ({"number": "0/1"}, "任务编号不能含有"),
])
def test_task_input_is_checked_in_chinese(plan, matters, office, overrides, message):
    with pytest.raises(DomainError) as caught:
        make_task(office, plan, overrides.pop("matters", matters), **overrides)
    assert message in caught.value.message
    assert not InspectionTask.objects.exists()


def test_a_matter_not_on_the_published_list_is_refused(plan, matters, office, bureau):
    draft = MatterList.objects.create(agency=bureau, title="草稿", created_by=office, created_at=clock.now())
    unpublished = InspectionMatter.objects.create(matter_list=draft, name="未公布的事项", basis="-", target_kind="企业")
    with pytest.raises(DomainError, match="现行公布"):
        make_task(office, plan, [unpublished])


def test_only_a_draft_task_changes(task, office, matters):
    services.task_update(actor=office, task=task, number="001", title="改名", matters=matters, sample_count=5,
                         starts_on=task.starts_on, ends_on=task.ends_on)
    task.refresh_from_db()
    assert (task.title, task.sample_count, task.sample_ratio) == ("改名", 5, None)
    services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    with pytest.raises(InvalidTransition):
        services.task_update(actor=office, task=task, number="001", title="再改", matters=matters, sample_count=6,
                             starts_on=task.starts_on, ends_on=task.ends_on)
    task.refresh_from_db()
    assert task.title == "改名"


# --- commit ------------------------------------------------------------------------------------

def test_commit_freezes_the_inputs_with_their_hashes_and_a_commitment(task, office, bureau):
    draw = services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    task.refresh_from_db()
    assert task.status == TaskStatus.COMMITTED and draw.status == DrawStatus.COMMITTED
    assert draw.reference == f"{bureau.code}/2026/001" and draw.number == 1
    doc = draw.inputs
    assert doc["reference"] == draw.reference and doc["algorithm"] == draw_module.ALGORITHM
    assert doc["strata"] == {"中": 20, "低": 20, "高": 20}
    assert sum(doc["quotas"].values()) == 6  # ceil(60 × 10 %)
    assert doc["candidates"]["count"] == draw.candidate_count == 60
    assert doc["inspectors"]["count"] == draw.inspector_count == 12
    plain = gzip.decompress(bytes(draw.candidates))
    assert draw_module.sha256_hex(plain) == draw.candidates_sha256 == doc["candidates"]["sha256"]
    assert draw.inputs_sha256 == draw_module.inputs_sha256(doc)
    # the secret is kept, only its commitment is published
    assert draw.secret and draw.seed == "" and draw.seed_commitment == draw_module.commitment(draw.secret)
    assert doc["seed"] == {"mode": "commitment", "commitment": draw.seed_commitment, "public_value_source": ""}
    assert draw.secret not in str(AuditEvent.objects.values_list("after", flat=True))
    assert actions_of(task)[-1] == "random_inspections.task.commit"


def test_commit_before_the_plan_is_published_is_refused(today, bureau, office, matters, entities, inspectors):
    plan = make_plan(office, bureau, publish=False)
    task = make_task(office, plan, matters)
    with pytest.raises(DomainError, match="请先公布抽查工作计划"):
        services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    task.refresh_from_db()
    assert task.status == TaskStatus.DRAFT and not Draw.objects.exists()


def test_commit_without_candidates_is_refused(task, office, matters):
    services.task_update(actor=office, task=task, number="001", title=task.title, matters=matters,
                         sample_ratio="10", target_filter={"industry": ["不存在的行业"]},
                         starts_on=task.starts_on, ends_on=task.ends_on)
    with pytest.raises(DomainError, match="没有符合抽查对象范围的检查对象"):
        services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    assert not Draw.objects.exists()


def test_commit_refuses_a_pool_that_cannot_give_m_inspectors(task, office, matters):
    services.task_update(actor=office, task=task, number="001", title=task.title, matters=matters,
                         sample_ratio="10", inspectors_per_target=13,
                         starts_on=task.starts_on, ends_on=task.ends_on)
    with pytest.raises(DomainError, match="少于每户13名"):
        services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    # avoiding the region leaves 8 of the 12 inspectors for every entity: 9 cannot be had
    services.task_update(actor=office, task=task, number="001", title=task.title, matters=matters,
                         sample_ratio="10", inspectors_per_target=9, avoid_same_region=True,
                         starts_on=task.starts_on, ends_on=task.ends_on)
    with pytest.raises(DomainError, match="有60户检查对象在回避后可抽取的执法人员少于9名"):
        services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    assert not Draw.objects.exists()


def pv_kwargs(kind="fc3d", period="2026170", due=None) -> dict:
    """A public value published a day after now (the tests' clock)."""
    return {"seed_mode": SeedMode.PUBLIC_VALUE, "public_value_kind": kind, "public_value_period": period,
            "public_value_due_at": due or clock.now() + dt.timedelta(days=1)}


def test_public_value_mode_needs_a_listed_kind_a_period_and_a_later_publication(task, office):
    with pytest.raises(DomainError, match="请选择公开数值的种类"):
        services.task_commit(actor=office, task=task, seed_mode=SeedMode.PUBLIC_VALUE)
    with pytest.raises(DomainError, match="请选择公开数值的种类"):
        services.task_commit(actor=office, task=task, **pv_kwargs(kind="快乐8"))
    with pytest.raises(DomainError, match="期号格式不正确"):
        services.task_commit(actor=office, task=task, **pv_kwargs(period="170"))
    with pytest.raises(DomainError, match="期号的前四位应为开奖年份"):
        services.task_commit(actor=office, task=task, **pv_kwargs(period="2025170"))
    # a value already out, or out within the margin, could be known: refused
    with pytest.raises(DomainError, match="至少12小时"):
        services.task_commit(actor=office, task=task, **pv_kwargs(due=clock.now() - dt.timedelta(days=1)))
    with pytest.raises(DomainError, match="至少12小时"):
        services.task_commit(actor=office, task=task,
                             **pv_kwargs(due=clock.now() + public_values.PUBLICATION_MARGIN - dt.timedelta(minutes=1)))
    with pytest.raises(DomainError, match="60日以内"):
        services.task_commit(actor=office, task=task, **pv_kwargs(due=clock.now() + dt.timedelta(days=61)))
    assert not Draw.objects.exists()
    due = clock.now() + public_values.PUBLICATION_MARGIN
    draw = services.task_commit(actor=office, task=task, **pv_kwargs(period="第２０２６１７０期", due=due))
    assert draw.secret == "" and draw.seed_commitment == ""
    assert (draw.public_value_kind, draw.public_value_period, draw.public_value_due_at) == ("fc3d", "2026170", due)
    assert draw.public_value_source == "中国福利彩票3D游戏第2026170期开奖号码（中国福利彩票发行管理中心公布）"
    seed_doc = draw.inputs["seed"]
    assert seed_doc["public_value_source"] == draw.public_value_source
    assert seed_doc["public_value"] == {"kind": "fc3d", "period": "2026170", "due_at": "2026-06-15T22:00:00+08:00",
                                        "format": "^[0-9]{3}$"}
    assert draw.inputs_sha256 == draw_module.inputs_sha256(draw.inputs)


def test_a_commitment_takes_no_public_value(task, office):
    with pytest.raises(DomainError, match="采用承诺随机种子时不填写"):
        services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT, public_value_kind="fc3d")
    assert not Draw.objects.exists()


def test_the_commit_entry_records_what_verify_compares(task, office):
    draw = services.task_commit(actor=office, task=task, **pv_kwargs())
    event = AuditEvent.objects.get(action="random_inspections.task.commit")
    assert set(event.after) >= {
        "draw", "number", "reference", "inputs_sha256", "candidates_sha256", "inspectors_sha256",
        "exclusions_sha256", "frozen_names_sha256", "seed_mode", "seed_commitment", "public_value_source",
        "public_value_kind", "public_value_period", "public_value_due_at"}
    assert event.after["draw"] == draw.pk and event.after["frozen_names_sha256"] == draw.frozen_names_sha256
    assert event.after["public_value_kind"] == "fc3d" and event.after["public_value_period"] == "2026170"
    assert dt.datetime.fromisoformat(event.after["public_value_due_at"]) == draw.public_value_due_at
    later(dt.timedelta(days=1))
    services.task_draw(actor=office, task=task, public_value="581")
    drawn = AuditEvent.objects.get(action="random_inspections.task.draw")
    assert {k: drawn.after[k] for k in ("draw", "number", "reference", "seed", "result_sha256")} == {
        "draw": draw.pk, "number": 1, "reference": draw.reference, "seed": "581",
        "result_sha256": Draw.objects.get().result_sha256}


# --- frozen names (the draw never reads the live directories) ----------------------------------

def frozen_lines(draw) -> list[str]:
    return gzip.decompress(bytes(draw.frozen_names)).decode().splitlines(keepends=True)


def test_the_commit_freezes_every_candidates_and_inspectors_key_and_name(task, office, entities, inspectors):
    Entity.objects.filter(pk=entities[0].pk).update(name="和平,商贸")
    draw = services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    plain = gzip.decompress(bytes(draw.frozen_names))
    assert draw.frozen_names_sha256 == draw_module.sha256_hex(plain)
    lines = frozen_lines(draw)
    assert lines == sorted(lines) and len(lines) == 60 + 12
    assert f"E,{entities[0].credit_code},{entities[0].pk},和平，商贸\n" in lines
    assert f"I,{inspectors[3].certificate_number},{inspectors[3].pk},{inspectors[3].name}\n" in lines


def test_the_draw_names_targets_and_inspectors_as_frozen_at_the_commit(task, office, entities, inspectors):
    committed = services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    # the directories change between commit and draw: renames, a new certificate number
    Entity.objects.update(name="改名后的名称")
    Inspector.objects.update(name="改名后的执法员")
    Inspector.objects.filter(pk=inspectors[0].pk).update(certificate_number="12019999999")
    later()
    draw = services.task_draw(actor=office, task=task)
    frozen = {line.split(",")[1]: line.rstrip("\n").split(",", 3)[2:] for line in frozen_lines(committed)}
    targets = list(DrawnTarget.objects.filter(draw=draw))
    assert targets and all([str(t.entity_id), t.name] == frozen[t.credit_code] for t in targets)
    people = list(DrawnInspector.objects.filter(target__draw=draw))
    assert people and all([str(p.inspector_id), p.name] == frozen[p.certificate_number] for p in people)
    assert not any("改名后" in t.name for t in targets) and not any("改名后" in p.name for p in people)


def test_the_names_are_found_by_search_in_key_order_as_the_full_pass_finds_them(task, office, entities,
                                                                               inspectors):
    committed = services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    plain = gzip.decompress(bytes(committed.frozen_names))
    codes = {e.credit_code for e in entities[::7]} | {entities[-1].credit_code}
    certs = {i.certificate_number for i in inspectors[::3]} | {inspectors[-1].certificate_number}
    found = services._frozen_lookup(plain, "E", codes), services._frozen_lookup(plain, "I", certs)
    assert found == services._frozen_scan(plain, codes, certs)
    assert found[0] == {e.credit_code: (e.pk, e.name) for e in [*entities[::7], entities[-1]]}
    assert services._frozen_lookup(plain, "E", codes | {"91000000000000000X"}) is None  # the full pass decides
    # a key twice (not written by a commit): the last line counts, as in the full pass
    code = entities[0].credit_code
    twice = plain.replace(f"E,{code},".encode(), f"E,{code},1,甲\nE,{code},".encode(), 1)
    assert services._frozen_lookup(twice, "E", {code}) == services._frozen_scan(twice, {code}, set())[0]


def test_a_draw_refused_for_its_names_names_nobody(task, office, entities):
    committed = services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    kept = [line for line in frozen_lines(committed) if not line.startswith("E,")]
    plain = "".join(kept).encode()
    Draw.objects.filter(pk=committed.pk).update(frozen_names=gzip.compress(plain),
                                                frozen_names_sha256=draw_module.sha256_hex(plain))
    later()
    with pytest.raises(DomainError) as caught:
        services.task_draw(actor=office, task=task)
    assert "名称快照" in caught.value.message
    assert not any(e.credit_code in caught.value.message for e in entities)
    assert not DrawnTarget.objects.exists() and Draw.objects.get().status == DrawStatus.COMMITTED
    # and a snapshot that no longer hashes to the recorded digest is refused too
    Draw.objects.filter(pk=committed.pk).update(frozen_names=committed.frozen_names)
    with pytest.raises(DomainError, match="摘要不一致"):
        services.task_draw(actor=office, task=task)


@pytest.mark.parametrize("directory", [Entity, Inspector])
def test_a_draw_is_refused_when_a_drawn_row_left_the_directory_after_the_commit(task, office, directory):
    """The drawn rows reference the directories without database constraints: the draw
    itself checks that every drawn entity and inspector is still there."""
    services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    InspectorConflict.objects.all().delete()
    directory.objects.all().delete()  # nothing drawn yet: nothing protects them
    later()
    with pytest.raises(DomainError, match="记录已被删除"):
        services.task_draw(actor=office, task=task)
    assert not DrawnTarget.objects.exists() and not DrawnInspector.objects.exists()
    assert Draw.objects.get().status == DrawStatus.COMMITTED


def test_a_drawn_entity_or_inspector_cannot_be_deleted(task, office):
    """PROTECT, enforced by Django without the database constraint."""
    from django.db.models import ProtectedError

    draw = commit_and_draw(office, task)
    target = DrawnTarget.objects.filter(draw=draw).first()
    person = DrawnInspector.objects.filter(target=target).first()
    with pytest.raises(ProtectedError):
        Entity.objects.filter(pk=target.entity_id).delete()
    with pytest.raises(ProtectedError):
        Inspector.objects.filter(pk=person.inspector_id).delete()
    assert Entity.objects.filter(pk=target.entity_id).exists()


def test_each_target_stores_the_certificates_its_exclusions_passed_over(task, office, entities, inspectors):
    for entity in entities:  # the first inspector declared a conflict with every entity
        InspectorConflict.objects.create(inspector=inspectors[0], credit_code=entity.credit_code, reason="测试",
                                         declared_by=office, declared_at=clock.now())
    services.task_update(actor=office, task=task, number="001", title=task.title, matters=list(task.matters.all()),
                         sample_count=60, starts_on=task.starts_on, ends_on=task.ends_on)
    draw = commit_and_draw(office, task)
    inputs = draw_module.inputs_from_document(draw.inputs, gzip.decompress(bytes(draw.candidates)),
                                              gzip.decompress(bytes(draw.inspectors)),
                                              gzip.decompress(bytes(draw.exclusions)))
    outcome = draw_module.run_draw(inputs, draw.seed)
    stored = dict(DrawnTarget.objects.filter(draw=draw).values_list("credit_code", "skipped_certificates"))
    assert stored == {row.credit_code: ";".join(row.skipped) for row in outcome.rows}
    assert any(stored.values()) and set(";".join(stored.values()).replace(";", " ").split()) == {
        inspectors[0].certificate_number}


# --- the reference is unique ----------------------------------------------------------------------

def test_a_task_number_is_unique_within_the_agencys_year_across_plans(plan, matters, office, bureau):
    make_task(office, plan, matters)
    second = make_plan(office, bureau)
    with pytest.raises(DomainError, match="其他抽查计划已有编号为“001”的任务"):
        make_task(office, second, matters)
    other = make_task(office, second, matters, number="002")
    with pytest.raises(DomainError, match="其他抽查计划已有编号为“001”的任务"):
        services.task_update(actor=office, task=other, number="001", title=other.title, matters=matters,
                             sample_ratio="10", starts_on=other.starts_on, ends_on=other.ends_on)


def test_a_commit_whose_reference_is_taken_is_refused(task, plan, matters, office, bureau):
    services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    second = make_task(office, make_plan(office, bureau), matters, number="009")
    InspectionTask.objects.filter(pk=second.pk).update(number="001")  # as data from before the rule
    second.refresh_from_db()
    with pytest.raises(DomainError, match="抽取标识“.*/2026/001”已被使用"):
        services.task_commit(actor=office, task=second, seed_mode=SeedMode.COMMITMENT)
    second.refresh_from_db()
    assert second.status == TaskStatus.DRAFT and Draw.objects.count() == 1


# --- draw --------------------------------------------------------------------------------------

def test_the_draw_reveals_the_seed_and_stores_targets_and_inspectors(task, office):
    committed = services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    at(TODAY, hour=15)
    draw = services.task_draw(actor=office, task=task)
    task.refresh_from_db()
    assert task.status == TaskStatus.DRAWN and draw.status == DrawStatus.DRAWN
    assert draw.seed == committed.secret and draw_module.commitment(draw.seed) == draw.seed_commitment
    targets = list(DrawnTarget.objects.filter(draw=draw).order_by("stratum", "rank"))
    assert len(targets) == 6 and {t.stratum for t in targets} == {"高", "中", "低"}
    assert all(t.inspectors.count() == 2 for t in targets)
    # the stored rows are what the algorithm gives on the frozen inputs and the seed
    inputs = draw_module.inputs_from_document(draw.inputs, gzip.decompress(bytes(draw.candidates)),
                                              gzip.decompress(bytes(draw.inspectors)),
                                              gzip.decompress(bytes(draw.exclusions)))
    outcome = draw_module.run_draw(inputs, draw.seed)
    assert [(r.credit_code, r.rank, r.certificates) for r in outcome.rows] == [
        (t.credit_code, t.rank, tuple(t.inspectors.order_by("position").values_list("certificate_number", flat=True)))
        for t in sorted(targets, key=lambda t: (t.stratum, t.rank))]
    assert draw.result_sha256 == outcome.result_sha256
    assert actions_of(task)[-1] == "random_inspections.task.draw"
    with pytest.raises(InvalidTransition):
        services.task_draw(actor=office, task=task)


def test_a_public_value_draw_waits_for_the_publication_and_takes_one_spelling(task, office):
    due = clock.now() + dt.timedelta(hours=20)
    services.task_commit(actor=office, task=task, **pv_kwargs(due=due))
    later(dt.timedelta(hours=19, minutes=59))
    with pytest.raises(DomainError, match="开奖结果尚未公布"):
        services.task_draw(actor=office, task=task, public_value="358")
    later(dt.timedelta(minutes=1))
    with pytest.raises(DomainError, match="请填写已公布的福彩3D开奖号码"):
        services.task_draw(actor=office, task=task, public_value="  ")
    for wrong in ("3588", "35", "3五8", "3.5e8x"):
        with pytest.raises(DomainError, match="应为3位数字"):
            services.task_draw(actor=office, task=task, public_value=wrong)
    assert Draw.objects.get().status == DrawStatus.COMMITTED
    draw = services.task_draw(actor=office, task=task, public_value=" ３ ５  ８ ")
    assert draw.seed == "358"


@pytest.mark.parametrize("typed", ["358", "3 5 8", "3,5,8", "3-5-8", "３５８", "3，5，8"])
def test_every_spelling_of_a_result_is_the_same_seed(typed):
    assert public_values.canonical_value(public_values.get_kind("fc3d"), typed) == "358"


@pytest.mark.parametrize(("typed", "canonical"), [
    ("01 05 12 18 23 31 + 09", "01 05 12 18 23 31 + 09"),
    ("31,23,18,12,5,1+9", "01 05 12 18 23 31 + 09"),
    ("１ ５ １２ １８ ２３ ３１ ＋ ９", "01 05 12 18 23 31 + 09"),
    ("1 5 12 18 23 31 9", "01 05 12 18 23 31 + 09"),
])
def test_a_two_colour_ball_result_has_one_canonical_form(typed, canonical):
    kind = public_values.get_kind("ssq")
    assert public_values.canonical_value(kind, typed) == canonical
    assert public_values.is_canonical(kind, canonical)


@pytest.mark.parametrize(("typed", "message"), [
    ("01 05 12 18 23 34 + 09", "红球号码应在01至33之间"),
    ("01 05 12 18 23 31 + 17", "蓝球号码应在01至16之间"),
    ("01 01 12 18 23 31 + 09", "重复"),
    ("01 05 12 18 23 + 09", "红球6个、蓝球1个"),
    ("010512182331+09", "两位以内数字"),
])
def test_a_malformed_two_colour_ball_result_is_refused(typed, message):
    with pytest.raises(DomainError, match=message):
        public_values.canonical_value(public_values.get_kind("ssq"), typed)


def test_a_commitment_draw_waits_until_the_commitment_has_been_public_a_while(task, office):
    services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    later(public_values.COMMITMENT_MIN_PUBLIC - dt.timedelta(seconds=1))
    with pytest.raises(DomainError, match="承诺值公布未满60分钟，2026-06-15 11:00之后才能抽取"):
        services.task_draw(actor=office, task=task)
    assert Draw.objects.get().status == DrawStatus.COMMITTED
    later(dt.timedelta(seconds=1))
    assert services.task_draw(actor=office, task=task).status == DrawStatus.DRAWN


def test_the_draw_cannot_come_before_the_commit(task, office):
    with pytest.raises(InvalidTransition, match="草稿"):
        services.task_draw(actor=office, task=task)


# --- redraw, cancel, complete ------------------------------------------------------------------

def test_a_redraw_needs_a_reason_and_keeps_the_old_draw_visible(task, office, bureau):
    first = commit_and_draw(office, task)
    with pytest.raises(DomainError, match="请填写重新抽取的理由"):
        services.task_redraw(actor=office, task=task, reason=" ", seed_mode=SeedMode.COMMITMENT)
    second = services.task_redraw(actor=office, task=task, reason="名录库更新后部分对象已注销",
                                  seed_mode=SeedMode.COMMITMENT)
    first.refresh_from_db()
    task.refresh_from_db()
    assert first.status == DrawStatus.SUPERSEDED and first.superseded_by == office and first.superseded_at
    assert first.targets.count() == 6  # still there, still published
    assert second.number == 2 and second.reference == f"{bureau.code}/2026/001#2"
    assert second.reason == "名录库更新后部分对象已注销" and task.status == TaskStatus.COMMITTED
    assert AuditEvent.objects.filter(action="random_inspections.task.redraw",
                                     reason="名录库更新后部分对象已注销").exists()
    later()
    services.task_draw(actor=office, task=task)
    assert Draw.objects.filter(task=task, status=DrawStatus.DRAWN).count() == 1


def test_no_redraw_once_a_result_is_entered(task, office):
    draw = commit_and_draw(office, task)
    Result.objects.create(target=draw.targets.first(), finding="no_problem", inspected_on=TODAY,
                          entered_by=office, entered_at=clock.now())
    with pytest.raises(InvalidTransition, match="已有检查对象录入了检查结果"):
        services.task_redraw(actor=office, task=task, reason="理由", seed_mode=SeedMode.COMMITMENT)
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN


def test_a_committed_draw_cannot_be_redrawn_before_it_is_drawn(task, office):
    committed = services.task_commit(actor=office, task=task, **pv_kwargs())
    with pytest.raises(InvalidTransition, match="已公布抽取条件"):
        services.task_redraw(actor=office, task=task, reason="换一期", **pv_kwargs(period="2026171"))
    committed.refresh_from_db()
    assert committed.status == DrawStatus.COMMITTED and Draw.objects.count() == 1


def test_cancelling_a_committed_commitment_draw_reveals_its_secret(task, office):
    committed = services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    view = selectors.draw_view(committed)
    assert view.opens_at == committed.committed_at + public_values.COMMITMENT_MIN_PUBLIC
    assert not view.revealed_on_cancel
    services.task_cancel(actor=office, task=task, reason="上级部署合并开展")
    committed.refresh_from_db()
    view = selectors.draw_view(committed)
    assert view.revealed_on_cancel and view.opens_at is None
    assert committed.seed == committed.secret and draw_module.commitment(committed.seed) == committed.seed_commitment
    event = AuditEvent.objects.get(action="random_inspections.task.cancel")
    assert event.after == {"status": TaskStatus.CANCELLED, "draw": committed.pk, "seed": committed.seed}


def test_a_committed_public_value_draw_is_cancelled_only_before_the_value_is_out(task, office, plan, matters):
    services.task_commit(actor=office, task=task, **pv_kwargs())
    later(dt.timedelta(days=1))
    with pytest.raises(InvalidTransition, match="开奖结果已公布，须先完成抽取"):
        services.task_cancel(actor=office, task=task, reason="不想要这一期")
    task.refresh_from_db()
    assert task.status == TaskStatus.COMMITTED
    other = make_task(office, plan, matters, number="002")
    services.task_commit(actor=office, task=other, **pv_kwargs(period="2026172"))
    later(dt.timedelta(hours=12))
    services.task_cancel(actor=office, task=other, reason="合并开展")
    other.refresh_from_db()
    assert other.status == TaskStatus.CANCELLED and Draw.objects.get(task=other).seed == ""


def test_a_drawn_task_is_cancelled_only_until_a_result_is_entered(task, plan, matters, office):
    draw = commit_and_draw(office, task)
    Result.objects.create(target=draw.targets.first(), finding="no_problem", inspected_on=TODAY,
                          entered_by=office, entered_at=clock.now())
    with pytest.raises(InvalidTransition, match="已有检查对象录入了检查结果，不能取消"):
        services.task_cancel(actor=office, task=task, reason="不查了")
    task.refresh_from_db()
    assert task.status == TaskStatus.DRAWN
    other = make_task(office, plan, matters, number="002")
    commit_and_draw(office, other)
    services.task_cancel(actor=office, task=other, reason="合并开展")
    other.refresh_from_db()
    assert other.status == TaskStatus.CANCELLED


def test_cancel_needs_a_reason_and_ends_the_task(task, office):
    with pytest.raises(DomainError, match="请填写取消的理由"):
        services.task_cancel(actor=office, task=task, reason="")
    services.task_cancel(actor=office, task=task, reason="上级部署合并开展")
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and task.cancel_reason == "上级部署合并开展"
    with pytest.raises(InvalidTransition):
        services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)


def test_complete_only_when_every_result_is_published(task, office):
    draw = commit_and_draw(office, task)
    results = [Result.objects.create(target=t, finding="no_problem", inspected_on=TODAY, entered_by=office,
                                     entered_at=clock.now()) for t in draw.targets.all()]
    with pytest.raises(DomainError, match="还有6户"):
        services.task_complete(actor=office, task=task)
    Result.objects.filter(pk__in=[r.pk for r in results[:-1]]).update(published_on=TODAY)
    with pytest.raises(DomainError, match="还有1户"):
        services.task_complete(actor=office, task=task)
    Result.objects.filter(pk=results[-1].pk).update(published_on=TODAY)
    services.task_complete(actor=office, task=task)
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert actions_of(task)[-1] == "random_inspections.task.complete"


@pytest.mark.parametrize("actor", ["officer", "supervisor", "other_office"])
def test_only_the_office_commits_and_draws(request, task, actor):
    user = request.getfixturevalue(actor)
    with pytest.raises(PermissionDenied):
        services.task_commit(actor=user, task=task, seed_mode=SeedMode.COMMITMENT)
    assert not Draw.objects.exists()


def test_a_partner_agencys_inspectors_are_drawn_with_the_leads(plan, matters, office, bureau, other_agency,
                                                               entities):
    make_inspectors(bureau, 2)
    make_inspectors(other_agency, 3, start=100)
    task = make_task(office, plan, matters, partner_agencies=[other_agency], inspectors_per_target=4)
    draw = commit_and_draw(office, task)
    assert draw.inspector_count == 5
    agencies = set(DrawnInspector.objects.filter(target__draw=draw).values_list("inspector__agency", flat=True))
    assert agencies == {bureau.pk, other_agency.pk}
