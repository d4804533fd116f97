"""Results after the review: who actually inspected (replacements with a published reason),
the penalty decision of the target only, joint tasks on each partner's pages, the
internal summary, tasks cancelled after their draw kept in oversight, and the lock order
against a concurrent re-draw (PostgreSQL)."""

import csv
import datetime as dt
import io
import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from gongkai.core import audit
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.random_inspections import exchange, figures
from gongkai.random_inspections.forms.results import ResultForm
from gongkai.random_inspections.models import Draw, DrawStatus, InspectionTask, Result, TaskStatus
from gongkai.random_inspections.selectors import results as selectors
from gongkai.random_inspections.services import results as services
from gongkai.random_inspections.tests.conftest import at, make_inspectors, uscc
from gongkai.random_inspections.tests.test_results_services import _decision
from gongkai.random_inspections.tests.test_results_support import make_task, targets_of

D = dt.date
ON = D(2026, 5, 12)


@pytest.fixture
def task(today, bureau, office, department, entities, inspectors):
    return make_task(bureau, office, entities[:3], inspectors, departments=[department])


def drawn_of(target):
    return [d.inspector for d in target.inspectors.order_by("position")]


def certs(people):
    return [i.certificate_number for i in people]


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- who actually inspected (M6) ----------------------------------------------------------------

def test_a_result_records_the_drawn_inspectors_by_default(task, office):
    target = targets_of(task)[0]
    result = services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON)
    assert set(result.actual_inspectors.all()) == set(drawn_of(target))
    assert result.substitution_reason == ""
    assert "inspectors" not in AuditEvent.objects.get(action="ri.result_enter").after


def test_a_drawn_inspector_is_replaced_from_the_pool_with_a_published_reason(task, office, inspectors):
    target = targets_of(task)[0]
    first, second = drawn_of(target)
    substitute = next(i for i in inspectors if i not in (first, second))
    with pytest.raises(DomainError, match="请填写替换理由"):
        services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON,
                              actual_inspectors=[first.certificate_number, substitute.certificate_number])
    assert not Result.objects.exists()
    result = services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON,
                                   actual_inspectors=[first.certificate_number, substitute.certificate_number],
                                   substitution_reason="抽中人员因公出差，按规定从人员库中替换")
    assert set(result.actual_inspectors.all()) == {first, substitute}
    event = AuditEvent.objects.get(action="ri.result_enter")
    assert event.after["replaced"] == [second.certificate_number]
    assert sorted(event.after["inspectors"]) == sorted([first.certificate_number, substitute.certificate_number])
    assert event.after["substitution_reason"] == "抽中人员因公出差，按规定从人员库中替换"


def test_a_substitute_outside_the_pool_or_inactive_is_refused(task, office, bureau, inspectors):
    target = targets_of(task)[0]
    first, _ = drawn_of(target)
    outsider = make_inspectors(bureau, 1, start=500)[0]  # no department: not in this task's pool
    inactive = next(i for i in inspectors if i not in drawn_of(target))
    inactive.is_active = False
    inactive.save()
    for person in (outsider, inactive):
        with pytest.raises(DomainError, match="不是本任务执法检查人员库中的在岗人员"):
            services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON,
                                  actual_inspectors=[first, person], substitution_reason="替换")
    with pytest.raises(DomainError, match="不是本任务执法检查人员库中的在岗人员"):
        services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON,
                              actual_inspectors=[first.certificate_number, "99999999999"], substitution_reason="替换")
    assert not Result.objects.exists()


def test_fewer_than_two_or_a_repeated_inspector_is_refused(task, office):
    target = targets_of(task)[0]
    first, _ = drawn_of(target)
    with pytest.raises(DomainError, match="至少由2名"):
        services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON,
                              actual_inspectors=[first], substitution_reason="只去了一人")
    with pytest.raises(DomainError, match="填写了两次"):
        services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON,
                              actual_inspectors=[first, first.certificate_number], substitution_reason="x")
    assert not Result.objects.exists()


def test_a_partner_agencys_inspector_may_replace_one_in_a_joint_task(today, bureau, office, entities, inspectors,
                                                                     other_agency):
    task = make_task(bureau, office, entities[:1], inspectors, joint=True, partners=[other_agency])
    partner = make_inspectors(other_agency, 1, start=700)[0]
    target = targets_of(task)[0]
    result = services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON,
                                   actual_inspectors=[drawn_of(target)[0], partner], substitution_reason="联合检查")
    assert partner in result.actual_inspectors.all()


def test_correcting_who_inspected_is_audited_and_leaving_it_out_keeps_it(task, office, inspectors):
    target = targets_of(task)[0]
    first, second = drawn_of(target)
    result = services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON)
    services.result_update(actor=office, result=result, finding="corrected")
    assert set(result.actual_inspectors.all()) == {first, second}
    substitute = next(i for i in inspectors if i not in (first, second))
    services.result_update(actor=office, result=result, actual_inspectors=[substitute, second],
                           substitution_reason="原抽中人员病假")
    result.refresh_from_db()
    assert set(result.actual_inspectors.all()) == {substitute, second}
    assert result.substitution_reason == "原抽中人员病假"
    event = AuditEvent.objects.filter(action="ri.result_update").latest("seq")
    assert substitute.certificate_number in event.after["inspectors"]
    assert first.certificate_number in event.before["inspectors"]


def test_the_figures_count_the_inspectors_who_actually_went(task, office, inspectors):
    a, b, _c = targets_of(task)
    first, second = drawn_of(a)
    spare = [i for i in inspectors if i not in drawn_of(a) + drawn_of(b)]
    services.result_enter(actor=office, target=a, finding="no_problem", inspected_on=ON,
                          actual_inspectors=[first, second, spare[0]], substitution_reason="增派一名执法人员")
    legacy = services.result_enter(actor=office, target=b, finding="no_problem", inspected_on=ON)
    legacy.actual_inspectors.clear()  # a result entered before actual inspectors were recorded
    f = figures.year_figures([task.plan.agency_id], 2026)
    assert f.inspector_visits == 3 + 2
    assert f.inspectors == len({first.pk, second.pk, spare[0].pk, *(i.pk for i in drawn_of(b))})


def test_the_public_page_and_the_csv_show_who_inspected_and_why_but_not_the_summary(task, office, bureau,
                                                                                    inspectors, client):
    target = targets_of(task)[0]
    first, second = drawn_of(target)
    substitute = next(i for i in inspectors if i not in (first, second))
    services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON,
                          summary="内部：负责人张某某配合", actual_inspectors=[first, substitute],
                          substitution_reason="抽中人员回避")
    services.results_publish(actor=office, task=task)
    html = client.get(reverse("portal:ri-results", kwargs={"code": bureau.code})).content.decode()
    assert f"{substitute.name}（执法证号{substitute.certificate_number}）" in html
    assert f"执法证号{second.certificate_number}" not in html
    assert "抽中人员回避" in html and "负责人张某某" not in html
    data = client.get(reverse("portal:ri-results-csv", kwargs={"code": bureau.code, "year": 2026})).content
    row = read_csv(data)[0]
    assert row["执法检查人员"] == f"{first.name}（{first.certificate_number}）；{substitute.name}（{substitute.certificate_number}）"
    assert row["人员替换理由"] == "抽中人员回避"
    assert "负责人张某某" not in data.decode("utf-8-sig")


def test_the_form_replaces_an_inspector_by_certificate_number(task, office, inspectors, client_for):
    target = targets_of(task)[0]
    first, second = drawn_of(target)
    substitute = next(i for i in inspectors if i not in (first, second))
    client = client_for(office)
    page = client.get(reverse("staff:ri-task-results", kwargs={"pk": task.pk})).content.decode()
    assert f'name="t{target.pk}-inspector_2"' in page and f'value="{second.certificate_number}"' in page
    url = reverse("staff:ri-result-enter", kwargs={"pk": task.pk, "target": target.pk})
    data = {f"t{target.pk}-finding": "no_problem", f"t{target.pk}-inspected_on": "2026-05-12",
            f"t{target.pk}-inspector_1": first.certificate_number,
            f"t{target.pk}-inspector_2": substitute.certificate_number}
    response = client.post(url, data)
    assert response.status_code == 400 and "请填写替换理由" in response.content.decode()
    assert not Result.objects.exists()
    response = client.post(url, data | {f"t{target.pk}-substitution_reason": "抽中人员休假"})
    assert response.status_code == 302
    result = Result.objects.get()
    assert set(result.actual_inspectors.all()) == {first, substitute}
    page = client.get(reverse("staff:ri-task-results", kwargs={"pk": task.pk})).content.decode()
    assert 'data-testid="substitution-reason">抽中人员休假' in page


# --- the summary is internal (L2) ---------------------------------------------------------------

def test_the_summary_is_labelled_internal():
    form = ResultForm()
    assert "内部" in form.fields["summary"].label and "不公开" in form.fields["summary"].label
    assert "公开，不得" not in form.fields["summary"].label


# --- the penalty decision of the target only (M7) ------------------------------------------------

def test_a_decision_about_another_party_is_refused_and_not_offered(task, office, bureau, client_for):
    target = targets_of(task)[0]
    result = services.result_enter(actor=office, target=target, finding="pending", inspected_on=ON)
    case = services.followup_open(actor=office, result=result, case_number="案1", opened_on=D(2026, 5, 20))
    theirs = _decision(bureau, number="津市监罚〔2026〕2号", party_uscc=uscc(42))
    ours = _decision(bureau, number="津市监罚〔2026〕3号", party_uscc=target.credit_code)
    with pytest.raises(DomainError, match="该处罚决定的当事人不是本检查对象"):
        services.followup_link_decision(actor=office, case=case, decision=theirs)
    case.refresh_from_db()
    assert case.decision is None
    page = client_for(office).get(reverse("staff:ri-task-results", kwargs={"pk": task.pk})).content.decode()
    assert "津市监罚〔2026〕3号" in page and "津市监罚〔2026〕2号" not in page
    response = client_for(office).post(reverse("staff:ri-followup-link", kwargs={"pk": task.pk, "case": case.pk}),
                                       {"decision": theirs.pk})
    assert response.status_code == 400 and "当事人不是本检查对象" in response.content.decode()
    services.followup_link_decision(actor=office, case=case, decision=ours)
    case.refresh_from_db()
    assert case.decision == ours


# --- joint tasks on the partner's pages (M5) ----------------------------------------------------

@pytest.fixture
def joint(today, bureau, office, entities, inspectors, other_agency):
    task = make_task(bureau, office, entities[:2], inspectors, number="J-01", joint=True, partners=[other_agency])
    services.result_enter(actor=office, target=targets_of(task)[0], finding="no_problem", inspected_on=ON)
    services.results_publish(actor=office, task=task)
    return task


def test_a_joint_task_is_on_the_partners_public_results_page_marked_and_naming_the_lead(joint, other_agency,
                                                                                           bureau, client):
    html = client.get(reverse("portal:ri-results", kwargs={"code": other_agency.code})).content.decode()
    assert "J-01" in html and 'data-testid="joint-partner"' in html
    assert f"由{bureau.name}牵头" in html
    lead_html = client.get(reverse("portal:ri-results", kwargs={"code": bureau.code})).content.decode()
    assert "J-01" in lead_html and 'data-testid="joint-partner"' not in lead_html
    assert selectors.public_years(other_agency) == [2026]


def test_a_joint_tasks_rows_name_every_agency_and_are_in_the_partners_year_file(joint, other_agency, bureau):
    partner_rows = read_csv(exchange.agency_year_csv([other_agency.pk], 2026))
    lead_rows = read_csv(exchange.agency_year_csv([bureau.pk], 2026))
    assert len(partner_rows) == len(lead_rows) == 1
    assert partner_rows[0]["检查实施机关"] == f"{bureau.name}、{other_agency.name}"
    assert partner_rows[0]["牵头机关"] == bureau.name and partner_rows[0]["联合抽查"] == "是"
    both = read_csv(exchange.agency_year_csv([bureau.pk, other_agency.pk], 2026))
    assert len(both) == 1  # counted once over both agencies


def test_a_joint_task_counts_in_the_partners_figures(joint, other_agency, bureau):
    partner = figures.year_figures([other_agency.pk], 2026)
    lead = figures.year_figures([bureau.pk], 2026)
    assert (partner.tasks, partner.tasks_as_partner, partner.entities_drawn, partner.inspections_done) == (1, 1, 2, 1)
    assert (lead.tasks, lead.tasks_as_partner) == (1, 0)
    assert figures.year_figures([bureau.pk, other_agency.pk], 2026).tasks == 1


# --- a task cancelled after its draw stays owed (M1) -----------------------------------------------

def _cancel(task, user, day):
    at(day)
    InspectionTask.objects.filter(pk=task.pk).update(status=TaskStatus.CANCELLED, cancel_reason="机构调整")
    audit.record(actor=user, action="random_inspections.task.cancel", obj=task, agency=task.plan.agency,
                 reason="机构调整", before={"status": "drawn"}, after={"status": "cancelled"})


def test_a_task_cancelled_after_its_end_stays_late_in_oversight_desk_and_figures(task, office, bureau):
    services.result_enter(actor=office, target=targets_of(task)[0], finding="no_problem", inspected_on=ON)
    _cancel(task, office, D(2026, 6, 10))  # after its end (29 May); results due 29 June
    at(D(2026, 7, 1))
    late = selectors.late_tasks(path=bureau.path, year=2026)
    assert [t.pk for t in late] == [task.pk] and late[0].cancelled
    overdue, _soon = selectors.tasks_awaiting_results(agency_ids=[bureau.pk])
    assert [t.pk for t in overdue] == [task.pk]
    f = figures.year_figures([bureau.pk], 2026)
    assert (f.tasks, f.cancelled_after_draw, f.entities_drawn, f.published_late) == (1, 1, 3, 3)


def test_a_task_cancelled_before_its_end_or_before_its_draw_is_not_owed(today, task, office, bureau, entities,
                                                                        inspectors):
    undrawn = make_task(bureau, office, entities[10:12], inspectors, number="U", plan=task.plan)
    undrawn.draws.update(status=DrawStatus.COMMITTED)
    _cancel(task, office, D(2026, 5, 20))  # called off during the inspections
    _cancel(undrawn, office, D(2026, 6, 10))
    at(D(2026, 7, 1))
    assert selectors.late_tasks(path=bureau.path, year=2026) == []
    assert selectors.tasks_awaiting_results(agency_ids=[bureau.pk]) == ([], [])
    assert figures.year_figures([bureau.pk], 2026).tasks == 0


# --- lock order against a concurrent re-draw (H5) -------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_result_waits_for_a_concurrent_redraw_and_is_then_refused(today, bureau, office, department, entities,
                                                                     inspectors):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    task = make_task(bureau, office, entities[:1], inspectors, departments=[department])
    target = targets_of(task)[0]
    locked, done = threading.Event(), threading.Event()

    def redraw():
        from django.db import connection as thread_connection
        try:
            with transaction.atomic():
                InspectionTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
                Draw.objects.select_for_update().get(task=task)
                locked.set()
                done.wait(0.5)  # the result's transaction is now waiting on the task's lock
                Draw.objects.filter(task=task).update(status=DrawStatus.SUPERSEDED)
                InspectionTask.objects.filter(pk=task.pk).update(status=TaskStatus.COMMITTED)
        finally:
            thread_connection.close()

    worker = threading.Thread(target=redraw)
    worker.start()
    assert locked.wait(5)
    try:
        with pytest.raises(InvalidTransition):
            services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=ON)
    finally:
        done.set()
        worker.join(10)
    assert not Result.objects.exists()
