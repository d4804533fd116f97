"""The office's desk: tasks whose results are overdue or due within 5 working days."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.core.models import Membership
from gongkai.random_inspections import desk
from gongkai.random_inspections.services import results as services
from gongkai.random_inspections.tests.conftest import at
from gongkai.random_inspections.tests.test_results_support import make_task, targets_of

D = dt.date


@pytest.fixture
def tasks(today, bureau, office, entities, inspectors):
    late = make_task(bureau, office, entities[:1], inspectors, number="L", ends_on=D(2026, 5, 8))  # due 2026-06-04
    soon = make_task(bureau, office, entities[1:2], inspectors, number="S", plan=late.plan)  # due 2026-06-29
    make_task(bureau, office, entities[2:3], inspectors, number="F", plan=late.plan,
              starts_on=D(2026, 6, 1), ends_on=D(2026, 6, 30))  # due 2026-07-28
    return late, soon


def test_the_queues_count_what_their_lists_show(client_for, tasks, office):
    at(D(2026, 6, 22))  # 5 working days before 29 June
    overdue, soon = desk.queues(Membership.objects.get(user=office))
    assert (overdue.count, soon.count) == (1, 1)
    client = client_for(office)
    html = client.get(overdue.url).content.decode()
    assert html.count('data-testid="due-task"') == 1 and ">L<" in html
    html = client.get(soon.url).content.decode()
    assert html.count('data-testid="due-task"') == 1 and ">S<" in html


def test_a_task_whose_results_are_all_published_leaves_the_queue(tasks, office):
    late, _ = tasks
    services.result_enter(actor=office, target=targets_of(late)[0], finding="no_problem",
                          inspected_on=D(2026, 5, 6))
    services.results_publish(actor=office, task=late)
    overdue, _soon = desk.queues(Membership.objects.get(user=office))
    assert overdue.count == 0


def test_the_officer_has_no_results_queue(tasks, officer):
    assert desk.queues(Membership.objects.get(user=officer)) == []


def test_the_desk_shows_the_queue(client_for, tasks, office):
    html = client_for(office).get(reverse("staff:home")).content.decode()
    assert "抽查结果逾期未公示的任务" in html
