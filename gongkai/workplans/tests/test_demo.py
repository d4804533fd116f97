"""The demo: the bureau's plan with a task done (with evidence), one in progress, one
overdue under 督办, and one the city set for its agencies."""

import pytest

from gongkai.consultations.demo import load_demo_consultations
from gongkai.conversions.demo import load_demo_conversions
from gongkai.core.demo import load_demo
from gongkai.core.models import Agency
from gongkai.foi.demo import load_demo_requests
from gongkai.publishing.demo import load_demo_publications
from gongkai.workplans import selectors
from gongkai.workplans.demo import load_demo_workplans
from gongkai.workplans.models import Evidence, Supervision, Task
from gongkai.workplans.rules import Phase

pytestmark = pytest.mark.django_db


def test_the_demo_plan():
    load_demo()
    load_demo_requests()
    load_demo_publications()
    load_demo_consultations()
    load_demo_conversions()
    created = load_demo_workplans()
    bureau = Agency.objects.get(name="青岚市市场监督管理局")
    city = Agency.objects.get(name="青岚市人民政府办公室")
    assert created == Task.objects.count()
    rows = {r.task.number: r for r in selectors.task_rows(selectors.plan_tasks(bureau.work_plans.get()))}
    assert rows["1"].phase == Phase.DONE and Evidence.objects.filter(task=rows["1"].task).exists()
    assert Evidence.objects.get(task=rows["1"].task).kind == "publication"
    assert rows["2"].phase == Phase.IN_PROGRESS
    assert rows["3"].phase == Phase.OVERDUE and Supervision.objects.filter(task=rows["3"].task).exists()
    assert rows["4"].task.parent.plan.agency == city
    [parent] = selectors.assignments_for(agency=city)
    assert parent.children.count() == Agency.objects.filter(path__startswith=city.path).count() - 1
    assert selectors.year_summary(agency=bureau, year=rows["1"].task.plan.year).sentence
    assert load_demo_workplans() == 0  # a second run adds nothing
