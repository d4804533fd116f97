"""The back-office pages: the proposals list (依申请转主动建议), one proposal with its
two decisions, one conversion, the threshold form; the desk queue and the navigation.
The office acts; a supervising office reads; other roles get 403 and another agency 404.
Each permission test varies only the actor."""

import re

import pytest
from django.urls import reverse

from gongkai.conversions import desk, selectors
from gongkai.conversions.models import AgencyConversionSettings, Conversion, Dismissal
from gongkai.core import navigation
from gongkai.core import permissions as core_permissions
from gongkai.publishing.models import Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(bureau, three_alike):
    [cluster] = selectors.proposals_for(bureau)
    return cluster


def list_page(client, agency=None):
    return client.get(reverse("staff:conversion-list"), {"agency": agency.pk} if agency else {})


# --- the list ----------------------------------------------------------------------------------


def test_the_office_sees_the_proposal_without_personal_data(client_for, office, bureau, proposal, three_alike):
    response = list_page(client_for(office))
    assert response.status_code == 200
    html = response.content.decode()
    [row] = re.findall(r'<tr data-testid="proposal-row">.*?</tr>', html, re.S)
    for request in three_alike:
        assert request.tracking_number in row
    assert "抽检不合格产品名单（3件）" in row
    for personal in ("申请人1", "13909990001", "89010119850101001", "applicant1@"):
        assert personal not in html
    assert 'data-testid="settings-form"' in html
    assert f'href="{reverse("staff:conversion-proposal", args=[proposal.key])}"' in html


@pytest.mark.parametrize(("actor", "agency", "status"), [
    ("office", None, 200),
    ("supervisor", "bureau", 200),
    ("platform_admin", "bureau", 200),
    ("officer", None, 403),
    ("reviewer", None, 403),
    ("leader", None, 403),
    ("other_office", "bureau", 404),
])
def test_who_may_open_the_list(request, client_for, tree, proposal, actor, agency, status):
    response = list_page(client_for(request.getfixturevalue(actor)), tree[agency] if agency else None)
    assert response.status_code == status
    if status == 200:
        assert proposal.key in response.content.decode()


def test_a_supervisor_reads_but_is_offered_no_decision(client_for, supervisor, bureau, proposal):
    client = client_for(supervisor)
    html = list_page(client, bureau).content.decode()
    assert 'data-testid="settings-form"' not in html
    page = client.get(reverse("staff:conversion-proposal", args=[proposal.key])).content.decode()
    assert 'data-testid="convert-form"' not in page and 'data-testid="dismiss-form"' not in page


# --- one proposal ------------------------------------------------------------------------------


def test_the_proposal_page_prefills_the_title_and_says_why_requests_are_together(
        client_for, office, proposal, column, three_alike):
    html = client_for(office).get(reverse("staff:conversion-proposal", args=[proposal.key])).content.decode()
    assert 'value="2025年第一季度食品安全监督抽检不合格产品名单"' in html
    assert f"与 {three_alike[0].tracking_number} 公开了相同文件" in html
    assert column.name in html and 'data-testid="dismiss-form"' in html


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 302),
    ("officer", 403),
    ("leader", 403),
    ("supervisor", 403),
    ("other_office", 404),
])
def test_who_may_convert(request, client_for, proposal, column, actor, status):
    response = client_for(request.getfixturevalue(actor)).post(
        reverse("staff:conversion-convert", args=[proposal.key]),
        {"convert-column": column.pk, "convert-title": "2025年第一季度抽检不合格产品名单",
         "convert-written_on": "2025-06-16", "convert-include_files": "on"})
    assert response.status_code == status
    assert Publication.objects.count() == (1 if status == 302 else 0)
    if status == 302:
        conversion = Conversion.objects.get()
        assert response["Location"] == reverse("staff:conversion-proposal", args=[proposal.key])
        assert conversion.publication.title == "2025年第一季度抽检不合格产品名单"


def test_after_converting_the_proposal_page_links_the_draft(client_for, office, proposal, column):
    client = client_for(office)
    client.post(reverse("staff:conversion-convert", args=[proposal.key]),
                {"convert-column": column.pk, "convert-title": "抽检不合格产品名单",
                 "convert-written_on": "2025-06-16"})
    conversion = Conversion.objects.get()
    html = client.get(reverse("staff:conversion-proposal", args=[proposal.key])).content.decode()
    assert "已转为主动公开" in html and conversion.publication.index_number in html
    assert 'data-testid="convert-form"' not in html
    detail = client.get(reverse("staff:conversion-detail", args=[conversion.pk]))
    assert detail.status_code == 200 and "草稿" in detail.content.decode()


def test_a_refused_step_shows_the_page_with_the_error_and_saves_nothing(client_for, office, proposal, column):
    client = client_for(office)
    response = client.post(reverse("staff:conversion-dismiss", args=[proposal.key]), {"dismiss-reason": "  "})
    assert response.status_code == 400
    assert "请填写不予转为主动公开的理由" in response.content.decode()
    response = client.post(reverse("staff:conversion-convert", args=[proposal.key]),
                           {"convert-column": column.pk, "convert-title": "名单", "convert-written_on": "2099-01-01"})
    assert response.status_code == 400 and "成文日期不能晚于今天" in response.content.decode()
    assert not Dismissal.objects.exists() and not Publication.objects.exists()


def test_dismissing_with_a_reason(client_for, office, bureau, proposal):
    response = client_for(office).post(reverse("staff:conversion-dismiss", args=[proposal.key]),
                                       {"dismiss-reason": "已在季度通告中公开。"})
    assert response.status_code == 302
    assert Dismissal.objects.get().reason == "已在季度通告中公开。"
    assert selectors.proposals_for(bureau) == []


@pytest.mark.parametrize("key", ["nonsense", "99999-" + "0" * 20])
def test_an_unknown_proposal_is_404(client_for, office, proposal, key):
    assert client_for(office).get(reverse("staff:conversion-proposal", args=[key])).status_code == 404


@pytest.mark.parametrize(("actor", "status"), [("office", 302), ("officer", 403), ("supervisor", 403),
                                                ("other_office", 404)])
def test_who_may_set_the_threshold(request, client_for, bureau, actor, status):
    response = client_for(request.getfixturevalue(actor)).post(
        reverse("staff:conversion-settings"), {"agency": bureau.pk, "min_applicants": 5})
    assert response.status_code == status
    assert AgencyConversionSettings.objects.filter(agency=bureau, min_applicants=5).exists() == (status == 302)


def test_a_threshold_below_two_is_refused_in_chinese(client_for, office, bureau):
    response = client_for(office).post(reverse("staff:conversion-settings"),
                                       {"agency": bureau.pk, "min_applicants": 1})
    assert response.status_code == 400 and "多个申请人" in response.content.decode()
    assert not AgencyConversionSettings.objects.exists()


# --- desk and navigation -----------------------------------------------------------------------


def test_the_office_desk_counts_the_proposals_the_list_shows(client_for, office, bureau, proposal):
    membership = core_permissions.memberships_of(office)[0]
    [queue] = desk.queues(membership)
    assert queue.count == 1 and queue.url == f"{reverse('staff:conversion-list')}?agency={bureau.pk}"
    html = client_for(office).get(queue.url).content.decode()
    assert html.count('data-testid="proposal-row"') == queue.count
    home = client_for(office).get(reverse("staff:home")).content.decode()
    assert "待处理的转主动公开建议" in home


def test_other_roles_have_no_queue(officer, leader):
    for user in (officer, leader):
        assert desk.queues(core_permissions.memberships_of(user)[0]) == []


@pytest.mark.parametrize(("actor", "shown"), [("office", True), ("supervisor", True), ("officer", False),
                                              ("reviewer", False)])
def test_the_navigation_entry(request, actor, shown):
    labels = [i["label"] for i in navigation.items_for(request.getfixturevalue(actor), "/")]
    assert ("依申请转主动" in labels) == shown
