"""Work-plan tasks on the back office's desk (``core.desk``; registered from
``WorkplansConfig.ready``):

- office: its agency's open tasks due within the reminder window, and overdue;
- officer: the open tasks of its department;
- supervisor: overdue tasks across the subtree.

Each count is the task queue's (``staff:workplan-tasks``), the same queryset, counted."""

from __future__ import annotations

from gongkai.core.desk import Queue, Urgency
from gongkai.core.models import Membership, Role
from gongkai.workplans import selectors
from gongkai.workplans.views import tasks_url

AREA = "工作要点"


def queues(membership: Membership) -> list[Queue]:
    agency, user = membership.agency, membership.user

    def count(queue: str, subtree: bool = False) -> int:
        return selectors.queue_tasks(user=user, queue=queue, agency=agency, membership=membership,
                                     subtree=subtree).count()

    if membership.role == Role.OFFICE:
        window = selectors.window_for(agency)
        return [
            Queue(key="workplans.overdue", area=AREA, label="逾期未完成的任务", count=count("overdue"),
                  url=tasks_url(queue="overdue", agency=agency.pk), urgency=Urgency.OVERDUE),
            Queue(key="workplans.due_soon", area=AREA, label=f"{window}天内到期的任务", count=count("due_soon"),
                  url=tasks_url(queue="due_soon", agency=agency.pk), urgency=Urgency.SOON),
        ]
    if membership.role == Role.OFFICER and membership.department_id:
        return [Queue(key="workplans.mine", area=AREA, label="本部门负责的任务", count=count("mine"),
                      url=tasks_url(queue="mine", agency=agency.pk))]
    if membership.role == Role.SUPERVISOR:
        return [Queue(key="workplans.subtree_overdue", area=AREA, label="本地区逾期未完成的任务",
                      count=count("overdue", subtree=True),
                      url=tasks_url(queue="overdue", agency=agency.pk, subtree=1), urgency=Urgency.OVERDUE)]
    return []
