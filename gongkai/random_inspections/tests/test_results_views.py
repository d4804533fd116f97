"""The results pages: the task's results page and its actions, the record, the export,
the public results, who may see and do what."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.random_inspections.models import Result
from gongkai.random_inspections.services import results as services
from gongkai.random_inspections.tests.conftest import at
from gongkai.random_inspections.tests.test_results_support import PDF, make_task, targets_of

D = dt.date


@pytest.fixture
def task(today, bureau, office, department, entities, inspectors):
    return make_task(bureau, office, entities[:2], inspectors, departments=[department])


def page_url(task):
    return reverse("staff:ri-task-results", kwargs={"pk": task.pk})


def enter_url(task, target):
    return reverse("staff:ri-result-enter", kwargs={"pk": task.pk, "target": target.pk})


def post_result(client, task, target, finding="pending", on="2026-05-12", **extra):
    prefix = f"t{target.pk}-"
    data = {prefix + "finding": finding, prefix + "inspected_on": on, prefix + "summary": "检查情况"}
    data.update({prefix + k: v for k, v in extra.items()})
    return client.post(enter_url(task, target), data)


def test_the_page_shows_targets_inspectors_due_date_and_forms(client_for, task, office):
    html = client_for(office).get(page_url(task)).content.decode()
    target = targets_of(task)[0]
    assert html.count('data-testid="target"') == 2
    assert target.name in html and target.credit_code in html
    assert target.inspectors.first().certificate_number in html
    assert "2026-06-29" in html and "任务结束后20个工作日内" in html
    assert html.count('data-testid="result-form"') == 2
    assert "1380000" not in html  # inspectors' phone numbers are never on the page


def test_an_officer_enters_a_result_with_its_record_through_the_form(client_for, task, officer):
    client = client_for(officer)
    target = targets_of(task)[0]
    record = SimpleUploadedFile("检查记录.pdf", PDF, content_type="application/pdf")
    response = post_result(client, task, target, record=record)
    assert response.status_code == 302
    result = Result.objects.get(target=target)
    assert result.finding == "pending" and result.record_name == "检查记录.pdf"
    html = client.get(page_url(task)).content.decode()
    assert "发现问题待后续处理" in html and 'data-testid="record"' in html
    download = client.get(reverse("staff:ri-result-record", kwargs={"pk": task.pk, "result": result.pk}))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_bad_input_is_explained_and_nothing_is_saved(client_for, task, office):
    client = client_for(office)
    target = targets_of(task)[0]
    response = post_result(client, task, target, on="2026-04-01")
    assert response.status_code == 400
    assert "不在任务的实施期间" in response.content.decode()
    response = post_result(client, task, target, finding="")
    assert response.status_code == 400
    assert not Result.objects.exists()


def test_the_record_is_for_the_office_and_the_person_who_entered_it_only(client_for, task, officer, supervisor,
                                                                          office):
    record = SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf")
    result = services.result_enter(actor=officer, target=targets_of(task)[0], finding="no_problem",
                                   inspected_on=D(2026, 5, 12), record=record)
    url = reverse("staff:ri-result-record", kwargs={"pk": task.pk, "result": result.pk})
    assert client_for(office).get(url).status_code == 200
    supervisor_client = client_for(supervisor)
    assert supervisor_client.get(url).status_code == 404
    assert 'data-testid="record"' not in supervisor_client.get(page_url(task)).content.decode()


@pytest.mark.parametrize(("who", "status"), [("office", 302), ("officer", 403), ("supervisor", 403)])
def test_only_the_office_publishes(client_for, task, office, request, who, status):
    services.result_enter(actor=office, target=targets_of(task)[0], finding="no_problem",
                          inspected_on=D(2026, 5, 12))
    client = client_for(request.getfixturevalue(who))
    response = client.post(reverse("staff:ri-results-publish", kwargs={"pk": task.pk}))
    assert response.status_code == status
    assert Result.objects.filter(published_on__isnull=False).count() == (1 if status == 302 else 0)


def test_another_agency_sees_no_task(client_for, task, other_office):
    assert client_for(other_office).get(page_url(task)).status_code == 404


def test_a_late_task_is_marked_late(client_for, task, office):
    at(D(2026, 6, 30))
    html = client_for(office).get(page_url(task)).content.decode()
    assert 'data-testid="late"' in html


def test_the_export_downloads_the_published_results(client_for, task, office):
    services.result_enter(actor=office, target=targets_of(task)[0], finding="no_problem",
                          inspected_on=D(2026, 5, 12))
    services.results_publish(actor=office, task=task)
    response = client_for(office).get(reverse("staff:ri-results-export", kwargs={"pk": task.pk}))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf") and response.content.decode("utf-8-sig").count("\r\n") == 2


def test_a_case_is_opened_from_the_page(client_for, task, office):
    result = services.result_enter(actor=office, target=targets_of(task)[0], finding="pending",
                                   inspected_on=D(2026, 5, 12))
    client = client_for(office)
    response = client.post(reverse("staff:ri-followup-open", kwargs={"pk": task.pk, "result": result.pk}),
                           {"case_number": "津市监立〔2026〕8号", "opened_on": "2026-05-20", "note": ""})
    assert response.status_code == 302
    assert "津市监立〔2026〕8号" in client.get(page_url(task)).content.decode()


def test_the_public_page_lists_published_results_without_records_or_personal_data(client, task, office, officer,
                                                                                    bureau):
    first, second = targets_of(task)
    record = SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf")
    services.result_enter(actor=officer, target=first, finding="corrected", inspected_on=D(2026, 5, 12),
                          record=record)
    services.results_publish(actor=office, task=task)
    services.result_enter(actor=officer, target=second, finding="no_problem", inspected_on=D(2026, 5, 13))
    response = client.get(reverse("portal:ri-results", kwargs={"code": bureau.code}))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="public-result"') == 1  # the unpublished one is not public
    assert first.name in html and "发现问题已责令改正" in html and second.name not in html
    assert first.inspectors.first().certificate_number in html
    assert "r.pdf" not in html and "record" not in html and "1380000" not in html
    csv_response = client.get(reverse("portal:ri-results-csv", kwargs={"code": bureau.code, "year": 2026}))
    assert first.credit_code in csv_response.content.decode("utf-8-sig")


def test_the_public_page_filters_by_year(client, task, office, bureau):
    services.result_enter(actor=office, target=targets_of(task)[0], finding="no_problem",
                          inspected_on=D(2026, 5, 12))
    services.results_publish(actor=office, task=task)
    html = client.get(reverse("portal:ri-results", kwargs={"code": bureau.code}), {"year": 2025}).content.decode()
    assert 'data-testid="none"' in html
    assert client.get(reverse("portal:ri-results", kwargs={"code": bureau.code}), {"year": "x"}).status_code == 404


def test_the_figures_page_shows_the_year(client_for, task, office):
    services.result_enter(actor=office, target=targets_of(task)[0], finding="no_problem",
                          inspected_on=D(2026, 5, 12))
    html = client_for(office).get(reverse("staff:ri-figures"), {"year": 2026}).content.decode()
    assert "共抽取2户市场主体" in html
    html = client_for(office).get(reverse("staff:ri-figures"), {"year": 2024}).content.decode()
    assert 'data-testid="no-tasks"' in html
