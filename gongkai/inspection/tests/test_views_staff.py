"""The staff pages: the office reads its agency's latest result, deductions and trend and
runs the check; the supervisor reads the subtree; others get 403/404; the monthly DOCX;
the error reports' list, page, reply and close; the desk's queue."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document

from gongkai.core import desk
from gongkai.core.models import Membership
from gongkai.core.tests.helpers import at
from gongkai.inspection import checks, services
from gongkai.inspection.models import SiteCheck
from gongkai.inspection.tests.conftest import TODAY
from gongkai.inspection.workflow import SiteErrorStatus

pytestmark = pytest.mark.django_db
INDEX = reverse("staff:inspection-index")


@pytest.fixture
def history(bureau, column, publish, today):
    """Three days of results for the bureau, the last one with a blank column."""
    news = column("新闻动态")
    publish(news, "新闻", days_ago=2)
    for days_ago in (2, 1):
        at(TODAY - dt.timedelta(days=days_ago))
        services.site_check_store(result=checks.inspect(bureau))
    at(TODAY)
    column("空白栏目", "static")
    services.site_check_store(result=checks.inspect(bureau))
    return SiteCheck.objects.filter(agency=bureau)


def test_the_office_sees_the_latest_result_its_findings_and_the_trend(client_for, office, history):
    response = client_for(office).get(INDEX)
    html = response.content.decode()
    assert response.status_code == 200
    latest = history.get(checked_on=TODAY)
    assert f">{latest.score}<" in html
    assert "栏目“空白栏目”为空白栏目" in html
    assert "“我为政府网站找错”入口" not in html  # the portal's footer links the entry
    assert html.count('<td class="date">2025-06-1') == 3  # the trend's three days
    assert "立即检查" in html


def test_the_supervisor_sees_the_subtree_and_may_not_run_it(client_for, supervisor, bureau, tree, history):
    response = client_for(supervisor).get(INDEX + f"?agency={bureau.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert tree["other"].name in html and bureau.name in html  # the subtree's table
    assert "立即检查" not in html
    run = client_for(supervisor).post(reverse("staff:inspection-run"), {"agency": bureau.pk})
    assert run.status_code == 403


def test_an_office_of_another_agency_gets_404(client_for, other_office, bureau, history):
    assert client_for(other_office).get(INDEX + f"?agency={bureau.pk}").status_code == 404


def test_an_officer_does_not_see_the_area(client_for, officer, history):
    assert client_for(officer).get(INDEX).status_code == 403


def test_the_office_runs_the_check_now(client_for, office, bureau, column, publish, today):
    publish(column("新闻动态"), "新闻")
    response = client_for(office).post(reverse("staff:inspection-run"), {"agency": bureau.pk})
    assert response.status_code == 302
    assert SiteCheck.objects.get(agency=bureau).checked_on == TODAY


def test_the_monthly_report_is_a_docx_with_the_months_results(client_for, office, bureau, history):
    services.site_error_submit(agency=bureau, page_url="/a/", description="链接打不开了")
    response = client_for(office).get(reverse("staff:inspection-report-docx"),
                                      {"agency": bureau.pk, "month": "2025-06"})
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    tables = "\n".join(c.text for t in Document(io.BytesIO(response.content)).tables
                       for r in t.rows for c in r.cells)
    assert "网站自查月报（2025年6月）" in text and "本月共自查3次" in text
    assert "2025-06-16" in tables and "空白栏目" in tables and "链接打不开了" in tables


def test_a_control_character_in_a_report_does_not_break_the_docx(client_for, office, bureau, history):
    # A vertical tab typed or pasted into the public form: XML cannot hold it.
    services.site_error_submit(agency=bureau, page_url="/a/\x0b", description="错别字\x0b市场监官")
    response = client_for(office).get(reverse("staff:inspection-report-docx"),
                                      {"agency": bureau.pk, "month": "2025-06"})
    assert response.status_code == 200
    tables = "\n".join(c.text for t in Document(io.BytesIO(response.content)).tables
                       for r in t.rows for c in r.cells)
    assert "错别字市场监官" in tables


@pytest.mark.parametrize("month", ["2025-13", "0000-01", "9999-12", "2025-1"])
def test_a_bad_month_is_refused(client_for, office, bureau, history, month):
    response = client_for(office).get(reverse("staff:inspection-report-docx"),
                                      {"agency": bureau.pk, "month": month})
    assert response.status_code == 400


def test_the_office_handles_an_error_report_from_its_list(client_for, office, bureau, today):
    report = services.site_error_submit(agency=bureau, page_url="/a/", description="错别字：市场监官",
                                        contact="13800138000")
    client = client_for(office)
    listing = client.get(reverse("staff:site-error-list") + f"?agency={bureau.pk}&status=received")
    assert report.tracking_number in listing.content.decode()
    page = client.get(reverse("staff:site-error-detail", args=[report.pk]))
    assert "13800138000" in page.content.decode()  # the office may contact the reporter
    refused = client.post(reverse("staff:site-error-reply", args=[report.pk]), {"reply-reply": ""})
    assert refused.status_code == 400
    done = client.post(reverse("staff:site-error-reply", args=[report.pk]), {"reply-reply": "已改正。"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.status == SiteErrorStatus.REPLIED


def test_the_supervisor_reads_a_report_with_the_contact_masked(client_for, supervisor, bureau, today):
    phone = services.site_error_submit(agency=bureau, page_url="/a/", description="错别字：市场监官",
                                       contact="13800138000")
    mail = services.site_error_submit(agency=bureau, page_url="/a/", description="附件打不开了",
                                      contact="zhangsan@example.com")
    client = client_for(supervisor)
    page = client.get(reverse("staff:site-error-detail", args=[phone.pk])).content.decode()
    assert "13800138000" not in page and "138****8000" in page
    page = client.get(reverse("staff:site-error-detail", args=[mail.pk])).content.decode()
    assert "zhangsan@" not in page and "@example.com" in page
    assert "处理并答复" not in page  # read-only


def test_another_agencys_report_is_404(client_for, other_office, bureau, today):
    report = services.site_error_submit(agency=bureau, page_url="/a/", description="错别字：市场监官")
    client = client_for(other_office)
    assert client.get(reverse("staff:site-error-detail", args=[report.pk])).status_code == 404
    assert client.post(reverse("staff:site-error-close", args=[report.pk]),
                       {"close-reason": "x"}).status_code == 404


def test_the_desk_counts_what_the_list_lists(client_for, office, bureau, today):
    for i in range(2):
        services.site_error_submit(agency=bureau, page_url="/a/", description=f"错误描述{i}号")
    membership = Membership.objects.get(user=office)
    [queue] = [q for q in desk.queues_for(membership) if q.key == "inspection.site_errors"]
    assert queue.count == 2
    listing = client_for(office).get(queue.url)
    assert listing.content.decode().count('<td class="id">') == 2


def test_the_subtrees_latest_results_take_two_queries_however_many_agencies(
        supervisor, tree, today, django_assert_num_queries):
    from gongkai.core import permissions as core_permissions
    from gongkai.inspection import selectors

    core_permissions.memberships_of(supervisor)  # cached on the user, as in a request
    services.site_check_store(result=checks.inspect(tree["bureau"]))
    with django_assert_num_queries(2):
        one = selectors.latest_by_agency(user=supervisor)
    services.site_checks_daily(agencies=list(tree.values()))
    with django_assert_num_queries(2):
        rows = selectors.latest_by_agency(user=supervisor)
    assert len(one) == len(rows) == 4  # the city and its subtree
    assert all(r.latest is not None for r in rows)
