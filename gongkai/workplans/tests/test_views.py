"""The back-office pages: who reads and who acts (each permission test varies only the
actor), the forms with their Chinese errors, the roll-up, the desk queues and the menu."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.core import navigation
from gongkai.core.models import AuditEvent, Membership
from gongkai.workplans import desk, services
from gongkai.workplans.models import ProgressNote, Supervision, Task, WorkPlan
from gongkai.workplans.tests.conftest import TODAY

pytestmark = pytest.mark.django_db

READERS = [("office", 200), ("officer", 200), ("leader", 200), ("supervisor", 200), ("platform_admin", 200),
           ("reviewer", 404), ("other_office", 404)]


@pytest.mark.parametrize(("actor", "status"), READERS)
def test_who_reads_the_plan(request, client_for, plan, task, actor, status):
    response = client_for(request.getfixturevalue(actor)).get(reverse("staff:workplan-detail", args=[plan.pk]))
    assert response.status_code == status
    if status == 200:
        assert "按季度公开食品安全抽检结果" in response.content.decode()


@pytest.mark.parametrize(("actor", "status"), READERS)
def test_who_reads_the_task(request, client_for, task, actor, status):
    response = client_for(request.getfixturevalue(actor)).get(reverse("staff:workplan-task", args=[task.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 302), ("officer", 302), ("other_officer", 403), ("leader", 403), ("supervisor", 403),
    ("platform_admin", 403), ("reviewer", 404), ("other_office", 404),
])
def test_who_reports_progress(request, client_for, task, actor, status):
    response = client_for(request.getfixturevalue(actor)).post(
        reverse("staff:workplan-task-note", args=[task.pk]), {"note-text": "已开始", "note-on": TODAY.isoformat()})
    assert response.status_code == status
    assert ProgressNote.objects.exists() == (status == 302)


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 302), ("officer", 403), ("leader", 403), ("supervisor", 403), ("reviewer", 404),
    ("other_office", 404),
])
def test_who_adds_tasks(request, client_for, plan, actor, status):
    response = client_for(request.getfixturevalue(actor)).post(
        reverse("staff:workplan-task-add", args=[plan.pk]),
        {"task-number": "1", "task-text": "新任务", "task-due_on": "2026-09-30"})
    assert response.status_code == status
    assert Task.objects.exists() == (status == 302)


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 302), ("supervisor", 302), ("city_office", 302), ("officer", 403), ("leader", 403),
    ("reviewer", 404), ("other_office", 404),
])
def test_who_supervises_a_task_the_city_set(request, client_for, assigned, tree, actor, status):
    from gongkai.workplans.tests.conftest import at

    child = assigned.children.get(plan__agency=tree["bureau"])
    at(child.due_on + dt.timedelta(days=2))
    response = client_for(request.getfixturevalue(actor)).post(
        reverse("staff:workplan-task-supervise", args=[child.pk]),
        {"supervise-note": "请加快", "supervise-reply_by": (child.due_on + dt.timedelta(days=9)).isoformat()})
    assert response.status_code == status
    assert Supervision.objects.exists() == (status == 302)


def test_the_office_creates_a_plan_and_a_task_from_the_pages(client_for, today, office, department):
    client = client_for(office)
    response = client.post(reverse("staff:workplan-create"), {"year": "2026", "title": "", "source_url": ""})
    plan = WorkPlan.objects.get()
    assert response.status_code == 302 and plan.title == "2026年政务公开工作要点"
    response = client.post(reverse("staff:workplan-task-add", args=[plan.pk]), {
        "task-number": "1", "task-text": "公开抽检结果", "task-due_on": "2026-09-30",
        "task-department": department.pk})
    assert response.status_code == 302
    assert Task.objects.get().department == department


def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(client_for, plan, office):
    client = client_for(office)
    response = client.post(reverse("staff:workplan-task-add", args=[plan.pk]),
                           {"task-number": "1", "task-text": "", "task-due_on": "明天"})
    html = response.content.decode()
    assert response.status_code == 400 and "请填写任务内容" in html and "完成时限格式不正确" in html
    assert not Task.objects.exists()
    response = client.post(reverse("staff:workplan-create"), {"year": "2026"})
    assert response.status_code == 400 and "已经建立" in response.content.decode()


def test_a_refused_supervision_explains_why(client_for, task, office):
    response = client_for(office).post(reverse("staff:workplan-task-supervise", args=[task.pk]),
                                       {"supervise-note": "x", "supervise-reply_by": "2026-07-01"})
    assert response.status_code == 400
    assert "只能督办已逾期未完成的任务" in response.content.decode()


def test_supervision_and_reply_show_on_the_task(client_for, overdue_task, office, officer):
    s = services.supervision_issue(actor=office, task=overdue_task, note="请说明原因",
                                   reply_by=TODAY + dt.timedelta(days=5))
    client = client_for(officer)
    html = client.get(reverse("staff:workplan-task", args=[overdue_task.pk])).content.decode()
    assert "请说明原因" in html and 'data-testid="reply-form"' in html and "逾期" in html
    response = client.post(reverse("staff:workplan-task-reply", args=[overdue_task.pk]),
                           {"reply-supervision": s.pk, "reply-reply": "已完成清理"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.reply == "已完成清理" and s.replied_by == officer
    assert AuditEvent.objects.filter(action="workplans.supervision.reply").exists()


def test_evidence_of_a_draft_item_is_refused_on_the_page(client_for, task, officer, office):
    from gongkai.workplans.tests.conftest import make_publication

    draft = make_publication(task.plan.agency, office, status="draft")
    response = client_for(officer).post(reverse("staff:workplan-task-evidence", args=[task.pk]),
                                        {"evidence-kind": "publication", "evidence-publication": draft.pk})
    assert response.status_code == 400 and "请选择本机关已发布的政府信息" in response.content.decode()
    published = make_publication(task.plan.agency, office, n=2)
    page = client_for(officer).get(reverse("staff:workplan-task", args=[task.pk])).content.decode()
    assert published.title in page and draft.title not in page.split('data-testid="evidence-form"')[1]
    response = client_for(officer).post(reverse("staff:workplan-task-evidence", args=[task.pk]),
                                        {"evidence-kind": "publication", "evidence-publication": published.pk})
    assert response.status_code == 302
    assert task.evidence.get().publication == published


def test_the_supervisor_sets_tasks_and_sees_the_roll_up(client_for, today, tree, supervisor):
    client = client_for(supervisor)
    assert client.get(reverse("staff:workplan-assign")).status_code == 200
    response = client.post(reverse("staff:workplan-assign"), {
        "from_agency": tree["city"].pk, "year": "2026", "number": "3", "text": "设置政策解读专栏",
        "due_on": "2026-06-10", "agencies": [tree["bureau"].pk, tree["county"].pk, tree["other"].pk]})
    assert response.status_code == 302
    parent = Task.objects.get(is_assignment=True)
    assert parent.children.count() == 3
    html = client.get(reverse("staff:workplan-assignments"), {"agency": tree["city"].pk}).content.decode()
    assert 'data-testid="overdue">3<' in html and 'data-testid="done">0<' in html
    detail = client.get(reverse("staff:workplan-task", args=[parent.pk])).content.decode()
    assert detail.count('data-testid="rollup-row"') == 3 and tree["other"].name in detail


def test_an_officer_may_not_set_tasks_for_others(client_for, today, officer):
    assert client_for(officer).get(reverse("staff:workplan-assign")).status_code == 403


def test_desk_queues_count_what_the_queue_lists(client_for, task, overdue_task, office, officer, supervisor):
    [overdue, due_soon] = desk.queues(Membership.objects.get(user=office))
    assert (overdue.count, due_soon.count) == (1, 0)
    html = client_for(office).get(overdue.url).content.decode()
    assert html.count('data-testid="task-row"') == 1 and "清理规范性文件" in html
    [mine] = desk.queues(Membership.objects.get(user=officer))
    assert mine.count == 2
    [subtree] = desk.queues(Membership.objects.get(user=supervisor))
    assert subtree.count == 1


def test_the_menu_shows_the_area_to_readers_only(office, reviewer):
    assert any(i["label"] == "工作要点" for i in navigation.items_for(office, "/"))
    assert not any(i["label"] == "工作要点" for i in navigation.items_for(reviewer, "/"))


def test_the_list_shows_the_agencys_plans_and_the_office_its_form(client_for, plan, office, supervisor, tree):
    html = client_for(office).get(reverse("staff:workplan-list")).content.decode()
    assert html.count('data-testid="plan-row"') == 1 and 'data-testid="plan-form"' in html
    html = client_for(supervisor).get(reverse("staff:workplan-list")).content.decode()
    assert plan.title in html and 'data-testid="plan-form"' not in html and "向下级机关部署任务" in html


def test_the_desk_shows_the_queues(client_for, overdue_task, office):
    html = client_for(office).get(reverse("staff:home")).content.decode()
    assert "逾期未完成的任务" in html


def test_the_plan_page_costs_the_same_queries_whatever_the_number_of_tasks(
        client_for, plan, office, department, law_department, django_assert_max_num_queries):
    client = client_for(office)
    url = reverse("staff:workplan-detail", args=[plan.pk])

    def add(n):
        for i in range(n):
            services.task_add(actor=office, plan=plan, number=str(i), text=f"任务{i}", due_on=TODAY,
                              department=department, cooperating=[law_department])

    add(2)
    client.get(url)  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count('data-testid="task-row"') == 12


@pytest.mark.parametrize(("actor", "status"), [("office", 302), ("officer", 403), ("other_office", 404)])
def test_who_removes_evidence(request, client_for, task, officer, actor, status):
    e = services.evidence_add(actor=officer, task=task, kind="url", url="https://example.invalid/a", label="链接")
    response = client_for(request.getfixturevalue(actor)).post(
        reverse("staff:workplan-task-evidence-remove", args=[task.pk]),
        {"remove-evidence": e.pk, "remove-reason": "链接有误"})
    assert response.status_code == status
    assert task.evidence.exists() == (status != 302)


# --- review fixes ----------------------------------------------------------------------------------


def test_the_supervisor_corrects_the_task_it_set_from_its_page(client_for, assigned, supervisor):
    client = client_for(supervisor)
    page = client.get(reverse("staff:workplan-task", args=[assigned.pk])).content.decode()
    form = page.split('data-testid="edit-form"')[1].split("</form>")[0]
    assert "edit-due_on" in form and "edit-department" not in form  # each agency names its own
    response = client.post(reverse("staff:workplan-task-edit", args=[assigned.pk]), {
        "edit-number": "5", "edit-text": "设置政策解读专栏", "edit-due_on": "2026-08-31"})
    assert response.status_code == 302
    assert set(assigned.children.values_list("due_on", flat=True)) == {dt.date(2026, 8, 31)}


def test_another_agencys_item_posted_as_evidence_is_refused(client_for, task, officer, other_agency,
                                                           other_office):
    from gongkai.workplans.tests.conftest import make_publication

    foreign = make_publication(other_agency, other_office, n=7)
    response = client_for(officer).post(reverse("staff:workplan-task-evidence", args=[task.pk]),
                                        {"evidence-kind": "publication", "evidence-publication": foreign.pk})
    assert response.status_code == 400 and "请选择本机关已发布的政府信息" in response.content.decode()
    assert not task.evidence.exists()


def test_the_subtree_queue_costs_the_same_queries_whatever_the_number_of_tasks(
        client_for, today, tree, supervisor, office, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(supervisor)
    url = reverse("staff:workplan-tasks") + f"?queue=overdue&agency={tree['city'].pk}&subtree=1"

    def assign(n):  # tasks set by the city, overdue at every agency below
        for i in range(n):
            services.tasks_assign(actor=supervisor, from_agency=tree["city"], year=2026, number=str(i),
                                  text=f"部署任务{i}", due_on=TODAY - dt.timedelta(days=1),
                                  agencies=[tree["bureau"], tree["county"], tree["other"]])

    assign(1)
    child = Task.objects.filter(plan__agency=tree["bureau"]).get()
    services.supervision_issue(actor=office, task=child, note="请加快", reply_by=TODAY)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    assert html.count('data-testid="task-row"') == 3 and html.count("督办中") == 1
    assert f"（{tree['city'].name}部署）" in html
    assign(4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count('data-testid="task-row"') == 15


def test_an_earlier_item_is_linked_by_its_index_number_and_only_the_agencys_own(
        client_for, task, officer, office, other_agency, other_office, monkeypatch):
    from gongkai.workplans import selectors
    from gongkai.workplans.tests.conftest import make_publication

    monkeypatch.setattr(selectors, "EVIDENCE_CHOICES", 1)  # the list shows the latest item only
    old = make_publication(task.plan.agency, office, n=1)
    make_publication(task.plan.agency, office, n=2)
    foreign = make_publication(other_agency, other_office, n=3)
    client = client_for(officer)
    url = reverse("staff:workplan-task-evidence", args=[task.pk])
    response = client.post(url, {"evidence-kind": "publication", "evidence-publication_index": foreign.index_number})
    assert response.status_code == 400 and "本机关没有索引号为" in response.content.decode()
    response = client.post(url, {"evidence-kind": "publication", "evidence-publication_index": old.index_number})
    assert response.status_code == 302
    assert task.evidence.get().publication == old
