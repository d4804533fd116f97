"""Random inspections' results on the back office's desk (``core.desk``; registered from
``RandomInspectionsConfig.ready``): the office's tasks whose results are overdue, and those
due within ``rules.DUE_SOON_WORKING_DAYS`` working days (国发〔2019〕5号: public within 20
working days of the task's end). Each count is exactly the list its link shows
(``staff:ri-results-due``, the same selector)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from gongkai.core.desk import Queue, Urgency
from gongkai.core.models import Membership, Role
from gongkai.random_inspections import rules
from gongkai.random_inspections.selectors import results as selectors

AREA = "双随机抽查"


def due_url(*, queue: str, agency: int) -> str:
    return reverse("staff:ri-results-due") + "?" + urlencode({"queue": queue, "agency": agency})


def queues(membership: Membership) -> list[Queue]:
    if membership.role != Role.OFFICE:
        return []
    agency = membership.agency
    overdue, soon = selectors.tasks_awaiting_results(agency_ids=[agency.pk])
    return [
        Queue(key="random_inspections.results_overdue", area=AREA, label="抽查结果逾期未公示的任务",
              count=len(overdue), url=due_url(queue="overdue", agency=agency.pk), urgency=Urgency.OVERDUE),
        Queue(key="random_inspections.results_due_soon", area=AREA,
              label=f"{rules.DUE_SOON_WORKING_DAYS}个工作日内应公示结果的任务",
              count=len(soon), url=due_url(queue="due_soon", agency=agency.pk), urgency=Urgency.SOON),
    ]
