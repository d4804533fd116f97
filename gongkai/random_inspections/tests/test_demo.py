"""The demo's year of random inspections: a published list, the two directories imported
(with refused rows), and the plan's tasks in every state — completed (one joint), re-drawn,
overdue, waiting for a lottery draw — whose published draws all verify."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.demo import load_demo
from gongkai.core.models import Agency, Membership, Role, User
from gongkai.core.tests.twofactor_helpers import verify_session
from gongkai.random_inspections import desk, rules, verify
from gongkai.random_inspections.demo import load_demo_random_inspections
from gongkai.random_inspections.figures import year_figures
from gongkai.random_inspections.models import (
    DirectoryImport,
    Draw,
    DrawStatus,
    Entity,
    FollowUpCase,
    InspectionPlan,
    InspectionTask,
    Inspector,
    InspectorConflict,
    Result,
    SeedMode,
    TaskStatus,
)
from gongkai.random_inspections.selectors import matters as matter_selectors
from gongkai.random_inspections.selectors import results as result_selectors
from gongkai.random_inspections.tests.conftest import at

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 15)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the inspection records' storage
    at(DAY)
    load_demo()
    created = load_demo_random_inspections()
    bureau = Agency.objects.get(name="青岚市市场监督管理局")
    return created, bureau


def tasks_of(bureau) -> dict[str, InspectionTask]:
    return {t.number: t for t in InspectionTask.objects.filter(plan__agency=bureau)}


def test_loading_twice_loads_once(demo):
    created, bureau = demo
    assert created == 5
    draws = Draw.objects.count()

    assert load_demo_random_inspections() == 0

    assert InspectionPlan.objects.filter(agency=bureau).count() == 1
    assert InspectionTask.objects.count() == 5 and Draw.objects.count() == draws


def test_nothing_is_loaded_without_the_demo_province():
    at(DAY)
    assert load_demo_random_inspections() == 0
    assert not InspectionPlan.objects.exists()


def test_the_list_and_directories_are_published_and_imported_with_refusals(demo):
    _, bureau = demo
    assert matter_selectors.published_matters(bureau).count() >= 6
    assert InspectionPlan.objects.get(agency=bureau).published_at is not None
    entities = DirectoryImport.objects.get(agency=bureau, kind=DirectoryImport.Kind.ENTITIES)
    assert entities.created_count == Entity.objects.filter(agency=bureau).count() >= 2000
    assert entities.refused_count == 3
    messages = " ".join(row["message"] for row in entities.refused_rows)
    assert "重复" in messages and "校验" in messages
    assert Inspector.objects.filter(agency=bureau).count() >= 30
    assert Inspector.objects.filter(agency=bureau, is_active=False).count() == 1
    assert Inspector.objects.exclude(agency=bureau).exists()  # the county bureau's, for the joint task
    assert InspectorConflict.objects.filter(inspector__agency=bureau).count() == 1
    # personal data is stored (encrypted by the model) for the masked pages
    assert all(i.phone for i in Inspector.objects.filter(agency=bureau))


def test_the_tasks_are_in_every_state(demo):
    _, bureau = demo
    tasks = tasks_of(bureau)
    food, joint, notice, catering, prices = (tasks[n] for n in "12345")

    assert food.status == TaskStatus.COMPLETED and joint.status == TaskStatus.COMPLETED
    findings = set(Result.objects.filter(target__draw__task__in=[food, joint]).values_list("finding", flat=True))
    assert {"no_problem", "corrected", "not_contactable", "refused"} <= findings
    assert not Result.objects.filter(target__draw__task__in=[food, joint], published_on__isnull=True).exists()
    case = FollowUpCase.objects.get(result__target__draw__task=food)
    assert case.result.finding == "pending"

    assert joint.is_joint and joint.departments.count() == 2 and joint.partner_agencies.exists()
    partner = joint.partner_agencies.get()
    assert Result.objects.filter(target__draw__task=joint, entered_by__memberships__agency=partner).exists()

    assert notice.status == TaskStatus.DRAWN
    old, new = notice.draws.order_by("number")
    assert old.status == DrawStatus.SUPERSEDED and old.targets.exists() and old.superseded_at is not None
    assert new.status == DrawStatus.DRAWN and new.number == 2 and "重新抽取" in new.reason

    assert catering.status == TaskStatus.DRAWN
    assert Result.objects.filter(target__draw__task=catering).exists()
    assert not Result.objects.filter(target__draw__task=catering, published_on__isnull=False).exists()

    assert prices.status == TaskStatus.COMMITTED
    waiting = prices.draws.get()
    assert waiting.seed_mode == SeedMode.PUBLIC_VALUE and "开奖号码" in waiting.public_value_source
    assert not waiting.targets.exists()


def test_the_completed_tasks_published_every_result_on_time(demo):
    _, bureau = demo
    tasks = tasks_of(bureau)
    for task in (tasks["1"], tasks["2"]):
        due = rules.results_due(task.ends_on)
        days = list(Result.objects.filter(target__draw__task=task).values_list("published_on", flat=True))
        assert days and all(day is not None and day <= due for day in days), task.number
    # only the overdue task's targets count as late in the year's figures
    figures = year_figures([bureau.pk], DAY.year)
    assert figures.published == Result.objects.filter(published_on__isnull=False).count() > 0
    assert figures.published_late == tasks["4"].draws.get().targets.count() and figures.tasks_late == 1


def test_every_published_draw_verifies(demo):
    drawn = Draw.objects.filter(status__in=[DrawStatus.DRAWN, DrawStatus.SUPERSEDED])
    assert drawn.count() == 5
    for draw in drawn:
        outcome = verify.verify_draw(draw)
        assert outcome.matches, (draw.task.number, draw.number, outcome.problems)


def test_the_overdue_task_is_on_the_desk_and_in_the_figures(demo):
    _, bureau = demo
    catering = tasks_of(bureau)["4"]
    overdue, _soon = result_selectors.tasks_awaiting_results(agency_ids=[bureau.pk])
    assert [t.pk for t in overdue] == [catering.pk]
    office = Membership.objects.get(user=User.objects.get(username="office"), agency=bureau, role=Role.OFFICE)
    queue = {q.key: q for q in desk.queues(office)}["random_inspections.results_overdue"]
    assert queue.count == 1
    assert year_figures([bureau.pk], DAY.year, as_of=clock.today()).tasks_late == 1
    city = Agency.objects.get(name="青岚市人民政府办公室")  # the oversight column reads the city's subtree
    assert [t.pk for t in result_selectors.late_tasks(path=city.path, year=DAY.year)] == [catering.pk]


def test_the_demo_pages_open_for_the_office_and_the_public(demo, client):
    _, bureau = demo
    tasks = tasks_of(bureau)
    office = User.objects.get(username="office")
    client.force_login(office)
    verify_session(client, office)
    assert client.get(reverse("staff:ri-index") + f"?agency={bureau.pk}").status_code == 200
    for task in tasks.values():
        page = client.get(reverse("staff:ri-task", args=[task.pk]))
        assert page.status_code == 200 and task.title in page.content.decode()
    results = client.get(reverse("staff:ri-task-results", args=[tasks["4"].pk])).content.decode()
    assert "已逾期" in results
    client.logout()
    agency_page = client.get(reverse("portal:ri-agency", args=[bureau.code])).content.decode()
    assert all(tasks[n].title in agency_page for n in "12345")
    public = client.get(reverse("portal:ri-task", args=[bureau.code, tasks["3"].pk])).content.decode()
    assert "重新抽取的理由" in public
    csv_text = client.get(reverse("portal:ri-results-csv", args=[bureau.code, DAY.year])).content.decode("utf-8-sig")
    assert csv_text.count("\r\n") - 1 == Result.objects.filter(published_on__isnull=False).count()


@pytest.mark.parametrize("day", [dt.date(2026, 1, 5), dt.date(2026, 12, 30)])
def test_the_demo_loads_on_any_day_of_the_year(settings, tmp_path, day):
    settings.MEDIA_ROOT = tmp_path / "media"
    at(day)
    load_demo()
    assert load_demo_random_inspections() == 5
    assert InspectionTask.objects.filter(status=TaskStatus.COMPLETED).count() == 2
