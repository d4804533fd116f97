import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongkai.core import clock
from gongkai.core.models import Role
from gongkai.core.tests.factories import DepartmentFactory, UserFactory, member
from gongkai.workplans import services

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 15)  # a Monday


def at(day: dt.date, hour: int = 10) -> None:
    clock.freeze(dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ))


@pytest.fixture
def today():
    at(TODAY)
    return TODAY


@pytest.fixture
def law_department(bureau):
    return DepartmentFactory(agency=bureau, name="政策法规科")


@pytest.fixture
def plan(today, bureau, office):
    return services.plan_create(actor=office, agency=bureau, year=2026)


@pytest.fixture
def task(plan, office, department):
    """Due in 20 days, the food-safety section (``officer``'s) responsible."""
    return services.task_add(actor=office, plan=plan, number="1", text="按季度公开食品安全抽检结果",
                             due_on=TODAY + dt.timedelta(days=20), department=department)


@pytest.fixture
def overdue_task(plan, office, department):
    return services.task_add(actor=office, plan=plan, number="2", text="清理规范性文件并公开清理结果",
                             due_on=TODAY - dt.timedelta(days=3), department=department)


@pytest.fixture
def other_officer(bureau, law_department):
    """An officer of the same agency, another department."""
    return member(UserFactory(username="other_officer"), bureau, Role.OFFICER, law_department)


@pytest.fixture
def city_office(tree):
    return member(UserFactory(username="city_office"), tree["city"], Role.OFFICE)


@pytest.fixture
def assigned(today, tree, supervisor):
    """The city set one task for the bureau and the county office."""
    return services.tasks_assign(actor=supervisor, from_agency=tree["city"], year=2026, number="5",
                                 text="设置政策解读专栏", due_on=TODAY + dt.timedelta(days=30),
                                 agencies=[tree["bureau"], tree["county"]])


def make_publication(agency, user, *, status="published", n=1):
    from gongkai.publishing.models import Publication

    return Publication.objects.create(agency=agency, index_number=f"TEST-{agency.pk}-{n}-{status}", status=status,
                                      title=f"抽检结果公告{n}", issuing_agency=agency.name,
                                      written_on=TODAY, created_by=user)
