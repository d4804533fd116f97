"""Demo work plans on the fictional province (``core.demo``), after every other loader:
the market regulation bureau's plan of this year with a task done (with a published item
as evidence), one in progress, one overdue under 督办, and one task the city set for its
agencies."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongkai.core import clock
from gongkai.core.models import Agency, Department, User
from gongkai.publishing.models import Publication, PublicationStatus
from gongkai.workplans import services
from gongkai.workplans.models import Task, WorkPlan
from gongkai.workplans.rules import TaskState


@transaction.atomic
def load_demo_workplans() -> int:
    """Returns the number of tasks created (0 when the demo plan exists already, or the
    demo province is not loaded)."""
    bureau = Agency.objects.filter(name="青岚市市场监督管理局").first()
    city = Agency.objects.filter(name="青岚市人民政府办公室").first()
    office = User.objects.filter(username="office").first()
    officer = User.objects.filter(username="officer").first()
    supervisor = User.objects.filter(username="supervisor").first()
    if None in (bureau, city, office, officer, supervisor):
        return 0
    today = clock.today()
    year = today.year
    if WorkPlan.objects.filter(agency=bureau, year=year).exists():
        return 0
    food = Department.objects.get(agency=bureau, name="食品安全科")
    law = Department.objects.filter(agency=bureau, name="政策法规科").first()
    days = dt.timedelta
    plan = services.plan_create(actor=office, agency=bureau, year=year,
                                source_url="/publications/")
    done = services.task_add(actor=office, plan=plan, number="1", department=food,
                             cooperating=[law] if law else [], due_on=today - days(20),
                             text="按季度公开食品安全监督抽检结果，做到应公开尽公开。")
    services.note_add(actor=officer, task=done, text="第一季度抽检结果已在“食品安全”栏目公开。",
                      on=today - days(30))
    item = (Publication.objects.filter(agency=bureau, status=PublicationStatus.PUBLISHED)
            .order_by("-published_on", "-id").first())
    if item is not None:
        services.evidence_add(actor=officer, task=done, kind="publication", publication=item)
    else:
        services.evidence_add(actor=officer, task=done, kind="url", url="/publications/", label="公开目录")
    services.task_set_state(actor=officer, task=done, state=TaskState.DONE, note="已按期完成。")

    ongoing = services.task_add(actor=office, plan=plan, number="2", department=food, due_on=today + days(40),
                                text="完善政府信息公开指南和目录，更新机构职能、办事流程等信息。")
    services.note_add(actor=officer, task=ongoing, text="已完成机构职能信息的核对，正在修订公开指南。")

    late = services.task_add(actor=office, plan=plan, number="3", department=law, due_on=today - days(10),
                             text="对本机关现行有效的规范性文件进行集中清理，并公开清理结果。")
    services.supervision_issue(actor=office, task=late, reply_by=today + days(7),
                               note="该任务已超过完成时限，请责任部门说明进展和原因，并于反馈期限前完成。")

    subordinates = list(Agency.objects.filter(path__startswith=city.path, is_active=True)
                        .exclude(pk=city.pk).order_by("path"))
    parent = services.tasks_assign(actor=supervisor, from_agency=city, year=year, number="4",
                                   due_on=today + days(60), agencies=subordinates,
                                   text="在门户网站设置“政策解读”专栏，重要政策文件与解读材料同步公开。")
    return Task.objects.filter(plan=plan).exclude(parent=parent).count() + 1 + len(subordinates)
