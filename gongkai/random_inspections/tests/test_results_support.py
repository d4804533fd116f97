"""Rows for the results tests, written directly with the ORM: a plan, a drawn task, its
current draw with targets and inspectors (the draw's own fields are placeholders — these
tests are about results, not draws)."""

from __future__ import annotations

import datetime as dt

from gongkai.core import clock
from gongkai.random_inspections.models import (
    Draw,
    DrawnInspector,
    DrawnTarget,
    DrawStatus,
    InspectionMatter,
    InspectionMethod,
    InspectionPlan,
    InspectionTask,
    MatterList,
    MatterListStatus,
    SeedMode,
    TaskStatus,
)

PDF = b"%PDF-1.4\n% record\n"


def make_matter(agency, user, *, name="食品经营者落实主体责任情况检查", methods=(InspectionMethod.ON_SITE,)):
    matter_list = MatterList.objects.create(agency=agency, title="2026年版", status=MatterListStatus.PUBLISHED,
                                            created_by=user, created_at=clock.now(), published_by=user,
                                            published_at=clock.now())
    return InspectionMatter.objects.create(matter_list=matter_list, position=1, name=name, basis="《食品安全法》",
                                           target_kind="企业", methods=list(methods))


def make_task(agency, user, entities, inspectors, *, number="2026-001", year=2026,
              starts_on=dt.date(2026, 5, 4), ends_on=dt.date(2026, 5, 29), joint=False, departments=(),
              partners=(), matters=None, per_target=2, status=TaskStatus.DRAWN, plan=None) -> InspectionTask:
    now = clock.now()
    plan = plan or InspectionPlan.objects.create(agency=agency, year=year, title=f"{year}年抽查工作计划",
                                                 created_by=user, created_at=now)
    task = InspectionTask.objects.create(plan=plan, number=number, title=f"任务{number}", is_joint=joint,
                                         sample_count=len(entities), starts_on=starts_on, ends_on=ends_on,
                                         status=status, created_by=user, created_at=now)
    task.departments.set(departments)
    task.partner_agencies.set(partners)
    task.matters.set(matters if matters is not None else [make_matter(agency, user)])
    draw = Draw.objects.create(
        task=task, number=1, status=DrawStatus.DRAWN, reference=f"{agency.pk}/{number}", algorithm="test",
        inputs={}, inputs_sha256="0" * 64, candidates=b"x", candidates_sha256="0" * 64,
        candidate_count=len(entities), inspectors=b"x", inspectors_sha256="0" * 64,
        inspector_count=len(inspectors), exclusions=b"", exclusions_sha256="0" * 64,
        seed_mode=SeedMode.COMMITMENT, seed_commitment="0" * 64, seed="s", committed_by=user, committed_at=now,
        drawn_by=user, drawn_at=now)
    for rank, entity in enumerate(entities, start=1):
        target = DrawnTarget.objects.create(draw=draw, entity=entity, credit_code=entity.credit_code,
                                            name=entity.name, stratum=entity.risk_grade, rank=rank, score=f"{rank:064d}")
        for position in range(per_target):
            inspector = inspectors[(rank + position) % len(inspectors)]
            DrawnInspector.objects.create(target=target, inspector=inspector,
                                          certificate_number=inspector.certificate_number, name=inspector.name,
                                          position=position + 1)
    return task


def targets_of(task) -> list[DrawnTarget]:
    return list(DrawnTarget.objects.filter(draw__task=task, draw__status=DrawStatus.DRAWN).order_by("rank"))
