"""The year's figures of random inspections (part 6 of issue 18), for the staff page and
the annual report's paragraph: what seed 000 writes as "全年随机联查共抽取901户企业，涉及14个
部门，出动执法人员1610人次，其中现场检查52户…无法取得联系企业505户", computed.

Counted over the tasks carried out of the year (drawn or completed, and those cancelled
after their draw whose results were owed: ``selectors.results.owing_results_q``; not
drafts, nor tasks cancelled before their draw) and the current (not superseded) draw of
each. The tasks of an agency are those of its own plans *and the joint tasks it took part
in as a partner agency*: a joint task counts in full for its lead and for each partner
(its targets, inspections, 人次 and units are the task's, not split between them), so the
figures of two agencies of one joint task each include it; figures over several agencies
(a report summing them) count each task once. ``tasks_as_partner`` says how many of the
tasks were led by another agency.

- ``entities_drawn``: the targets drawn (户);
- ``inspections_done``: the targets with a result entered;
- ``inspector_visits`` (人次): the inspectors who actually inspected the targets with a
  result (``Result.actual_inspectors``; the drawn inspectors for a result entered without
  them), each counted once per target; ``inspectors``: distinct inspectors among them;
- ``departments``: the units taking part — every internal department a task names, every
  partner agency of a joint task, and a lead agency none of whose tasks names a department
  (it is then one unit);
- ``on_site``: results whose finding was made on the premises (``findings.toml``
  ``on_site``) in a task with an on-site matter (实地核查);
- findings by code and the groups of the sentence (problems, not contactable, refused,
  deregistered or revoked);
- ``published_late``: results late by ``rules.is_result_late`` (published after the due date, or unpublished past
  it as of the day asked).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from gongkai.core import clock
from gongkai.core.selectors import get_working_day_calendar
from gongkai.random_inspections import findings, rules
from gongkai.random_inspections.models import (
    DrawnInspector,
    DrawnTarget,
    DrawStatus,
    InspectionMethod,
    InspectionTask,
    Result,
    TaskStatus,
)

CARRIED_OUT = (TaskStatus.DRAWN, TaskStatus.COMPLETED)  # kept for callers; see owing_results_q


@dataclass
class YearFigures:
    year: int
    tasks: int = 0
    joint_tasks: int = 0
    tasks_as_partner: int = 0  # joint tasks led by another agency, taken part in as a partner
    cancelled_after_draw: int = 0  # cancelled once drawn: still counted, their results still owed
    entities_drawn: int = 0
    inspections_done: int = 0
    inspector_visits: int = 0
    inspectors: int = 0
    departments: int = 0
    on_site: int = 0
    by_finding: dict[str, int] = field(default_factory=dict)  # code -> count, in findings.toml order
    problems: int = 0
    not_contactable: int = 0
    refused: int = 0
    gone: int = 0  # deregistered or revoked
    published: int = 0
    published_late: int = 0  # published late, or unpublished past the due date
    tasks_late: int = 0

    @property
    def findings_rows(self) -> list[tuple[str, int]]:
        """(label, count) of every finding in use, in order."""
        return [(f.label, self.by_finding.get(f.code, 0)) for f in findings.findings()]

    @property
    def sentence(self) -> str:
        """The year in the words of seed 000's report ("" without a task)."""
        if not self.tasks:
            return ""
        joint = f"（其中联合抽查{self.joint_tasks}项）" if self.joint_tasks else ""
        text = (f"全年开展“双随机、一公开”抽查任务{self.tasks}项{joint}，共抽取{self.entities_drawn}户市场主体，"
                f"涉及{self.departments}个部门，出动执法人员{self.inspector_visits}人次，"
                f"完成检查{self.inspections_done}户，其中现场检查{self.on_site}户")
        details = []
        if self.problems:
            details.append(f"发现问题{self.problems}户")
        if self.not_contactable:
            details.append(f"通过登记的住所（经营场所）无法联系{self.not_contactable}户")
        if self.refused:
            details.append(f"不配合检查{self.refused}户")
        if self.gone:
            details.append(f"已注销或吊销{self.gone}户")
        if details:
            text += "；" + "，".join(details)
        text += f"。向社会公示抽查结果{self.published}户"
        if self.published_late:
            text += (f"，超过{rules.RESULTS_PUBLICATION_WORKING_DAYS}个工作日公示或逾期未公示"
                     f"{self.published_late}户")
        return text + "。"


def year_figures(agency_ids, year: int, *, as_of: dt.date | None = None) -> YearFigures:
    """The figures of ``year`` over the plans of ``agency_ids`` (a report's summed
    agencies); a handful of aggregate queries whatever the number of tasks."""
    as_of = as_of or clock.today()
    ids = list(agency_ids)
    fig = YearFigures(year=year)
    from gongkai.random_inspections.selectors.results import owing_results_q

    tasks = list(InspectionTask.objects.filter(plan__year=year)
                 .filter(Q(plan__agency_id__in=ids) | Q(partner_agencies__in=ids)).filter(owing_results_q())
                 .values_list("pk", "is_joint", "ends_on", "plan__agency_id", "status").distinct())
    if not tasks:
        return fig
    task_ids = [t[0] for t in tasks]
    ends = {t[0]: t[2] for t in tasks}
    fig.tasks = len(tasks)
    fig.joint_tasks = sum(1 for t in tasks if t[1])
    fig.tasks_as_partner = sum(1 for t in tasks if t[3] not in ids)
    fig.cancelled_after_draw = sum(1 for t in tasks if t[4] == TaskStatus.CANCELLED)

    # departments: named internal departments, partner agencies, lead agencies naming none
    dept_through = InspectionTask.departments.through
    named = list(dept_through.objects.filter(inspectiontask_id__in=task_ids)
                 .values_list("inspectiontask_id", "department_id"))
    partner_through = InspectionTask.partner_agencies.through
    partners = set(partner_through.objects.filter(inspectiontask_id__in=task_ids)
                   .values_list("agency_id", flat=True))
    with_department = {task_id for task_id, _ in named}
    leads_naming = {t[3] for t in tasks if t[0] in with_department}
    leads = {t[3] for t in tasks if t[3] not in leads_naming}
    fig.departments = len({d for _, d in named}) + len(partners | leads)

    current = {"draw__task_id__in": task_ids, "draw__status": DrawStatus.DRAWN}
    fig.entities_drawn = DrawnTarget.objects.filter(**current).count()

    on_site_tasks = set(
        InspectionTask.matters.through.objects.filter(inspectiontask_id__in=task_ids,
                                                      inspectionmatter__methods__contains=[InspectionMethod.ON_SITE])
        .values_list("inspectiontask_id", flat=True)
    ) if _json_contains_supported() else _on_site_tasks_in_python(task_ids)

    on_site_codes = set(findings.codes_where(on_site=True))
    results = Result.objects.filter(**{f"target__{k}": v for k, v in current.items()}).values_list(
        "finding", "published_on", "target__draw__task_id")
    counter: Counter = Counter()
    late_tasks: set[int] = set()
    calendar = get_working_day_calendar()
    for code, published_on, task_id in results:
        counter[code] += 1
        fig.inspections_done += 1
        if code in on_site_codes and task_id in on_site_tasks:
            fig.on_site += 1
        if published_on is not None:
            fig.published += 1
        if rules.is_result_late(ends[task_id], published_on, as_of, calendar):
            fig.published_late += 1
            late_tasks.add(task_id)
    # drawn targets without any result, past the due date, are late too
    for task_id, missing in (DrawnTarget.objects.filter(**current, result__isnull=True)
                             .values("draw__task_id").annotate(n=Count("pk")).values_list("draw__task_id", "n")
                             .order_by()):
        if rules.is_result_late(ends[task_id], None, as_of, calendar):
            fig.published_late += missing
            late_tasks.add(task_id)
    fig.tasks_late = len(late_tasks)
    fig.by_finding = {f.code: counter.get(f.code, 0) for f in findings.findings()}
    for f in findings.findings():
        n = counter.get(f.code, 0)
        fig.problems += n if f.problem else 0
        fig.not_contactable += n if f.kind == "not_contactable" else 0
        fig.refused += n if f.kind == "refused" else 0
        fig.gone += n if f.kind == "gone" else 0

    # 人次: who actually inspected; the drawn inspectors of a result that names none
    actual_through = Result.actual_inspectors.through
    actual = actual_through.objects.filter(**{f"result__target__{k}": v for k, v in current.items()})
    drawn = DrawnInspector.objects.filter(**{f"target__{k}": v for k, v in current.items()},
                                          target__result__isnull=False).filter(
        ~Exists(actual_through.objects.filter(result_id=OuterRef("target__result"))))
    people = [pk for (pk,) in actual.values_list("inspector_id").order_by()
              .union(drawn.values_list("inspector_id").order_by(), all=True)]
    fig.inspector_visits, fig.inspectors = len(people), len(set(people))
    return fig


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def _on_site_tasks_in_python(task_ids) -> set[int]:
    rows = InspectionTask.matters.through.objects.filter(inspectiontask_id__in=task_ids).values_list(
        "inspectiontask_id", "inspectionmatter__methods")
    return {task_id for task_id, methods in rows if InspectionMethod.ON_SITE in (methods or [])}
