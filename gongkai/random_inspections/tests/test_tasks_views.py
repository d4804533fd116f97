"""The back-office pages of plans, tasks and draws: who reads and who acts (each
permission test varies only the actor), the task form with its Chinese errors, and the
commit, draw, re-draw and cancel steps as POSTs."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.core.models import Role
from gongkai.core.tests.factories import UserFactory, member
from gongkai.random_inspections.models import (
    Draw,
    DrawStatus,
    InspectionPlan,
    InspectionTask,
    SeedMode,
    TaskStatus,
)
from gongkai.random_inspections.services import tasks as services
from gongkai.random_inspections.tests.test_tasks_services import (
    commit_and_draw,
    later,
    make_plan,
    make_task,
    publish_matters,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def matters(today, bureau, office):
    return publish_matters(bureau, office)


@pytest.fixture
def plan(today, bureau, office):
    return make_plan(office, bureau)


@pytest.fixture
def task(plan, matters, office, entities, inspectors):
    return make_task(office, plan, matters)


@pytest.fixture
def partner_office(other_agency):
    return member(UserFactory(username="partner_office"), other_agency, Role.OFFICE)


READERS = [("office", 200), ("officer", 200), ("supervisor", 200), ("other_office", 404)]


@pytest.mark.parametrize(("actor", "status"), READERS)
def test_who_reads_the_plan(request, client_for, plan, task, actor, status):
    response = client_for(request.getfixturevalue(actor)).get(reverse("staff:ri-plan", args=[plan.pk]))
    assert response.status_code == status
    if status == 200:
        assert "食品销售者专项抽查" in response.content.decode()


@pytest.mark.parametrize(("actor", "status"), READERS)
def test_who_reads_the_task(request, client_for, task, actor, status):
    response = client_for(request.getfixturevalue(actor)).get(reverse("staff:ri-task", args=[task.pk]))
    assert response.status_code == status


def test_a_partner_agencys_office_reads_the_joint_task(client_for, plan, matters, office, other_agency,
                                                       partner_office, entities, inspectors):
    task = make_task(office, plan, matters, partner_agencies=[other_agency])
    page = client_for(partner_office).get(reverse("staff:ri-task", args=[task.pk]))
    assert page.status_code == 200 and "联合抽查" in page.content.decode()
    assert 'data-testid="commit-form"' not in page.content.decode()
    refused = client_for(partner_office).post(reverse("staff:ri-task-commit", args=[task.pk]),
                                              {"commit-seed_mode": SeedMode.COMMITMENT})
    assert refused.status_code == 403


def test_the_landing_page_lists_the_years_plans_and_tasks(client_for, office, task):
    page = client_for(office).get(reverse("staff:ri-index")).content.decode()
    assert "2026年度 · 2026年度双随机抽查工作计划" in page and "食品销售者专项抽查" in page
    assert reverse("staff:ri-matters") in page and 'data-testid="plan-form"' in page


@pytest.mark.parametrize(("actor", "status"), [("office", 302), ("officer", 403), ("supervisor", 403),
                                               ("other_office", 404)])
def test_who_commits(request, client_for, task, actor, status):
    response = client_for(request.getfixturevalue(actor)).post(
        reverse("staff:ri-task-commit", args=[task.pk]), {"commit-seed_mode": SeedMode.COMMITMENT})
    assert response.status_code == status
    assert Draw.objects.exists() == (status == 302)


@pytest.mark.parametrize(("actor", "status"), [("office", 302), ("officer", 403), ("supervisor", 403),
                                               ("other_office", 404)])
def test_who_creates_plans(request, client_for, bureau, today, actor, status):
    response = client_for(request.getfixturevalue(actor)).post(
        reverse("staff:ri-plan-create") + f"?agency={bureau.pk}", {"year": "2026", "title": "2026年度计划"})
    assert response.status_code == status
    assert InspectionPlan.objects.exists() == (status == 302)


def test_the_task_form_creates_a_task_and_explains_errors(client_for, office, plan, matters, entities):
    client = client_for(office)
    url = reverse("staff:ri-task-new", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "食品标签检查" in page and "和平区" in page and "“高”风险等级的权重" in page
    data = {"number": "007", "title": "标签专项", "matters": [matters[1].pk], "region": ["和平区"],
            "sample_ratio": "", "sample_count": "", "inspectors_per_target": "2", "avoid_previous": "on",
            "starts_on": "2026-07-01", "ends_on": "2026-06-01"}
    refused = client.post(url, data)
    body = refused.content.decode()
    assert refused.status_code == 400 and "请填写抽查比例或抽查户数" in body and "结束日期不能早于开始日期" in body
    assert not InspectionTask.objects.exists()
    data.update(sample_count="5", ends_on="2026-09-30", weight_0="3")
    done = client.post(url, data)
    task = InspectionTask.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("staff:ri-task", args=[task.pk])
    assert task.target_filter == {"region": ["和平区"]} and task.sample_count == 5
    assert task.risk_weights == {"中": "3"}  # weight_0 is the first grade offered, in code point order


def test_commit_draw_redraw_and_cancel_through_the_pages(client_for, office, task):
    client = client_for(office)
    assert client.post(reverse("staff:ri-task-commit", args=[task.pk]),
                       {"commit-seed_mode": SeedMode.COMMITMENT}).status_code == 302
    page = client.get(reverse("staff:ri-task", args=[task.pk])).content.decode()
    draw = Draw.objects.get()
    assert draw.seed_commitment in page and draw.secret not in page
    assert "2026-06-15 11:00之后才能抽取" in page
    too_soon = client.post(reverse("staff:ri-task-draw", args=[task.pk]), {})
    assert too_soon.status_code == 400 and "承诺值公布未满60分钟" in too_soon.content.decode()
    later()
    assert client.post(reverse("staff:ri-task-draw", args=[task.pk]), {}).status_code == 302
    page = client.get(reverse("staff:ri-task", args=[task.pk])).content.decode()
    assert page.count('data-testid="drawn-target"') == 6 and "执法员" in page
    refused = client.post(reverse("staff:ri-task-redraw", args=[task.pk]),
                          {"redraw-reason": "", "redraw-seed_mode": SeedMode.COMMITMENT})
    assert refused.status_code == 400 and "请填写重新抽取的理由" in refused.content.decode()
    assert client.post(reverse("staff:ri-task-redraw", args=[task.pk]),
                       {"redraw-reason": "名录更新", "redraw-seed_mode": SeedMode.COMMITMENT}).status_code == 302
    page = client.get(reverse("staff:ri-task", args=[task.pk])).content.decode()
    assert "名录更新" in page and page.count('data-testid="draw"') == 2
    assert Draw.objects.filter(status=DrawStatus.SUPERSEDED).count() == 1
    assert client.post(reverse("staff:ri-task-cancel", args=[task.pk]),
                       {"cancel-reason": "合并开展"}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED


def test_a_refused_commit_rerenders_the_task_with_the_reason(client_for, office, bureau, matters, entities,
                                                             inspectors):
    plan = make_plan(office, bureau, publish=False)
    task = make_task(office, plan, matters)
    response = client_for(office).post(reverse("staff:ri-task-commit", args=[task.pk]),
                                       {"commit-seed_mode": SeedMode.COMMITMENT})
    assert response.status_code == 400 and "请先公布抽查工作计划" in response.content.decode()


def test_the_inspectors_phone_numbers_are_never_on_the_task_page(client_for, office, task, inspectors):
    commit_and_draw(office, task)
    page = client_for(office).get(reverse("staff:ri-task", args=[task.pk])).content.decode()
    assert not any(i.phone in page for i in inspectors)


PUBLIC_VALUE = {"commit-seed_mode": SeedMode.PUBLIC_VALUE, "commit-public_value_kind": "fc3d",
                "commit-public_value_period": "2026170", "commit-public_value_due_at": "2026-06-16T21:15"}


def test_a_public_value_draw_through_the_pages(client_for, office, task):
    client = client_for(office)
    url = reverse("staff:ri-task-commit", args=[task.pk])
    page = client.get(reverse("staff:ri-task", args=[task.pk])).content.decode()
    assert "福彩3D" in page and "至少12小时" in page  # the accepted kinds and the margin are explained
    missing = client.post(url, {"commit-seed_mode": SeedMode.PUBLIC_VALUE})
    assert missing.status_code == 400 and "请选择公开数值种类" in missing.content.decode()
    too_soon = client.post(url, {**PUBLIC_VALUE, "commit-public_value_due_at": "2026-06-15T21:15"})
    assert too_soon.status_code == 400 and "至少12小时" in too_soon.content.decode()
    assert not Draw.objects.exists()
    assert client.post(url, PUBLIC_VALUE).status_code == 302
    page = client.get(reverse("staff:ri-task", args=[task.pk])).content.decode()
    assert "中国福利彩票3D游戏第2026170期开奖号码" in page and "2026-06-16 21:15之后才能抽取（开奖结果尚未公布）" in page
    draw_url = reverse("staff:ri-task-draw", args=[task.pk])
    early = client.post(draw_url, {"draw-public_value": "358"})
    assert early.status_code == 400 and "开奖结果尚未公布" in early.content.decode()
    later(dt.timedelta(days=1, hours=12))
    wrong = client.post(draw_url, {"draw-public_value": "3588"})
    assert wrong.status_code == 400 and "应为3位数字" in wrong.content.decode()
    assert client.post(draw_url, {"draw-public_value": "3, 5, 8"}).status_code == 302
    assert Draw.objects.get().seed == "358"


def test_the_cancel_panel_says_what_cancelling_a_committed_draw_does(client_for, office, task):
    services.task_commit(actor=office, task=task, seed_mode=SeedMode.COMMITMENT)
    page = client_for(office).get(reverse("staff:ri-task", args=[task.pk])).content.decode()
    assert "取消后将公开本次抽取保密的随机种子" in page
    assert 'data-testid="redraw-form"' not in page  # no re-draw before the draw
