"""The year's task summary for the annual report's overview paragraph."""

import datetime as dt

import pytest

from gongkai.workplans import selectors, services
from gongkai.workplans.rules import TaskState
from gongkai.workplans.tests.conftest import TODAY, at

pytestmark = pytest.mark.django_db


def add(plan, office, n, due, department=None):
    return services.task_add(actor=office, plan=plan, number=str(n), text=f"任务{n}", due_on=due,
                             department=department)


def test_no_plan_gives_an_empty_sentence(today, bureau):
    summary = selectors.year_summary(agency=bureau, year=2026)
    assert not summary.has_plan and summary.sentence == "" and summary.total == 0


def test_counts_and_sentence(plan, office, officer, department):
    done = [add(plan, office, n, TODAY, department) for n in range(1, 4)]
    for t in done:
        services.task_set_state(actor=officer, task=t, state=TaskState.DONE, note="完成")
    ongoing = add(plan, office, 4, TODAY + dt.timedelta(days=30), department)
    services.note_add(actor=officer, task=ongoing, text="推进中")
    add(plan, office, 5, TODAY + dt.timedelta(days=30))
    add(plan, office, 6, TODAY - dt.timedelta(days=1))
    s = selectors.year_summary(agency=plan.agency, year=2026)
    assert (s.total, s.done, s.in_progress, s.not_started, s.overdue) == (6, 3, 1, 1, 1)
    assert s.sentence == "本年度政务公开工作要点共部署任务6项，已完成3项，正在推进1项，尚未启动1项，逾期未完成1项。"


def test_only_tasks_in_progress_read_like_the_issue(plan, office, officer, department):
    for n in range(1, 11):
        services.task_set_state(actor=officer, task=add(plan, office, n, TODAY, department),
                                state=TaskState.DONE, note="完成")
    for n in (11, 12):
        services.note_add(actor=officer, task=add(plan, office, n, dt.date(2026, 12, 31), department), text="x")
    assert (selectors.year_summary(agency=plan.agency, year=2026).sentence
            == "本年度政务公开工作要点共部署任务12项，已完成10项，正在推进2项。")


def test_after_the_year_the_summary_is_as_of_31_december(plan, office, officer, department):
    t = add(plan, office, 1, dt.date(2026, 12, 31), department)
    at(dt.date(2027, 1, 10))
    services.task_set_state(actor=officer, task=t, state=TaskState.DONE, note="1月完成")
    s = selectors.year_summary(agency=plan.agency, year=2026)
    assert s.as_of == dt.date(2026, 12, 31)
    # unfinished when 31 December was over: late at the year's end, though done since
    assert (s.done, s.in_progress, s.overdue) == (0, 0, 1)
    assert s.sentence == "本年度政务公开工作要点共部署任务1项，已完成0项，逾期未完成1项。"


def test_during_the_due_date_itself_a_task_is_still_in_time(plan, office, department):
    at(dt.date(2026, 12, 31))
    add(plan, office, 1, dt.date(2026, 12, 31), department)
    assert selectors.year_summary(agency=plan.agency, year=2026).not_started == 1


def test_a_task_set_for_agencies_counts_once_by_its_roll_up(assigned, tree, office, department, officer):
    city = selectors.year_summary(agency=tree["city"], year=2026)
    assert (city.total, city.not_started) == (1, 1)
    child = assigned.children.get(plan__agency=tree["bureau"])
    services.task_update(actor=office, task=child, number=child.number, text=child.text, due_on=child.due_on,
                         department=department)
    services.task_set_state(actor=officer, task=child, state=TaskState.DONE, note="已设置")
    city = selectors.year_summary(agency=tree["city"], year=2026)
    assert (city.total, city.done, city.in_progress) == (1, 0, 1)  # one of two agencies done
    assert selectors.year_summary(agency=tree["bureau"], year=2026).done == 1
