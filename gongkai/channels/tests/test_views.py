"""The channels pages over HTTP: who reads and who writes (varying only the actor), the
flags on the list, the grid, the import, the year's figures with their charts, the desk."""

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.channels import desk, services
from gongkai.channels.models import Account, MonthlyFigure
from gongkai.channels.tests.conftest import TODAY, fig
from gongkai.core import navigation
from gongkai.core import permissions as core_permissions
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db
MAY = dt.date(2025, 5, 1)


def ago(days):
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def seeded(account, bureau, office):
    fresh = account("wechat", "青岚市场监管", "qinglan", last_post_on=ago(14))
    stale = account("douyin", "青岚抖音", "qldy", last_post_on=ago(15), has_interaction=False)
    services.figures_save(actor=office, agency=bureau, month=MAY,
                          rows=[fig(fresh, 40, 18_000, 52_000), fig(stale, 3, 900, 4_000)])
    return {"fresh": fresh, "stale": stale}


def urls(bureau, seeded):
    q = f"?agency={bureau.pk}"
    return {
        "list": reverse("staff:channel-list") + q,
        "grid": reverse("staff:channel-grid") + q + "&month=2025-05",
        "figures": reverse("staff:channel-figures") + q + "&year=2025",
        "account": reverse("staff:channel-account", args=[seeded["fresh"].pk]),
        "stale": reverse("staff:channel-stale") + q,
    }


# --- who reads -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("actor", "status"), [
    ("office", 200), ("supervisor", 200), ("platform_admin", 200),
    ("officer", 404), ("reviewer", 404), ("leader", 404), ("other_office", 404),
])
def test_who_reads_the_bureaus_pages(request, client_for, actor, status, bureau, seeded):
    client = client_for(request.getfixturevalue(actor))
    for name, url in urls(bureau, seeded).items():
        assert client.get(url).status_code == status, name


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 302), ("supervisor", 403), ("platform_admin", 403),
    ("officer", 404), ("reviewer", 404), ("leader", 404), ("other_office", 404),
])
def test_only_the_office_writes(request, client_for, actor, status, bureau, seeded):
    client = client_for(request.getfixturevalue(actor))
    response = client.post(reverse("staff:channel-account-create") + f"?agency={bureau.pk}", {
        "platform": "weibo", "name": "青岚发布", "handle": "qlfb", "has_interaction": "on", "is_active": "on"})
    assert response.status_code == status
    assert Account.objects.filter(handle="qlfb").exists() == (status == 302)
    response = client.post(reverse("staff:channel-settings"), {"agency": bureau.pk, "stale_after_days": 10})
    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(client, bureau, seeded):
    response = client.get(urls(bureau, seeded)["list"])
    assert response.status_code == 302 and "sign-in" in response["Location"]


# --- the list ------------------------------------------------------------------------------------

def test_the_list_flags_the_stale_account_and_the_one_without_interaction(client_for, office, bureau, seeded,
                                                                          django_assert_max_num_queries):
    client = client_for(office)
    with django_assert_max_num_queries(20):
        html = client.get(urls(bureau, seeded)["list"]).content.decode()
    rows = re.findall(r'<tr data-testid="account-row" data-account="(\d+)".*?</tr>', html, re.S)
    assert len(rows) == 2
    flags = dict(re.findall(r'data-account="(\d+)".*?data-testid="account-flags"[^>]*>(.*?)</td>', html, re.S))
    assert "未按时更新" in flags[str(seeded["stale"].pk)] and "无互动功能" in flags[str(seeded["stale"].pk)]
    assert "正常" in flags[str(seeded["fresh"].pk)] and "未按时更新" not in flags[str(seeded["fresh"].pk)]
    assert "1个账号未按时更新" in html and "15天未更新" in html


def test_the_office_sets_a_ten_day_rule_and_the_list_follows(client_for, office, bureau, seeded):
    client = client_for(office)
    response = client.post(reverse("staff:channel-settings"), {"agency": bureau.pk, "stale_after_days": 10})
    assert response.status_code == 302
    html = client.get(urls(bureau, seeded)["list"]).content.decode()
    assert 'data-testid="stale-days">10<' in html and "2个账号未按时更新" in html
    response = client.post(reverse("staff:channel-settings"), {"agency": bureau.pk, "stale_after_days": 15})
    assert response.status_code == 400 and "国办秘函" in response.content.decode()


# --- the grid ------------------------------------------------------------------------------------

def test_the_grid_shows_the_month_and_saves_a_correction(client_for, office, bureau, seeded):
    client = client_for(office)
    url = urls(bureau, seeded)["grid"]
    html = client.get(url).content.decode()
    assert html.count('data-testid="grid-row"') == 2 and 'value="52000"' in html
    fresh, stale = seeded["fresh"], seeded["stale"]
    data = {f"posts_{fresh.pk}": 41, f"followers_{fresh.pk}": 18_000, f"reads_{fresh.pk}": 52_000,
            f"last_{fresh.pk}": "2025-06-15",
            f"posts_{stale.pk}": 3, f"followers_{stale.pk}": 900, f"reads_{stale.pk}": 4_000}
    response = client.post(url, data)
    assert response.status_code == 302
    assert MonthlyFigure.objects.get(account=fresh).posts == 41
    fresh.refresh_from_db()
    assert fresh.last_post_on == dt.date(2025, 6, 15)
    assert AuditEvent.objects.filter(action="channels.figure_correct").count() == 1


def test_a_bad_grid_saves_nothing_and_says_why(client_for, office, bureau, seeded):
    fresh, stale = seeded["fresh"], seeded["stale"]
    response = client_for(office).post(urls(bureau, seeded)["grid"], {
        f"posts_{fresh.pk}": 99, f"followers_{fresh.pk}": 1, f"reads_{fresh.pk}": 1,
        f"posts_{stale.pk}": 5, f"followers_{stale.pk}": "", f"reads_{stale.pk}": 1})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="grid-error"' in html and "须同时填写" in html
    assert MonthlyFigure.objects.get(account=fresh).posts == 40


def test_the_supervisor_sees_the_grid_without_inputs(client_for, supervisor, bureau, seeded):
    html = client_for(supervisor).get(urls(bureau, seeded)["grid"]).content.decode()
    assert html.count('data-testid="grid-row"') == 2 and 'value="52000"' not in html and ">52000<" in html
    assert 'data-testid="grid-form"' not in html


# --- the import ----------------------------------------------------------------------------------

def test_the_import_page_lists_the_problems_by_row_and_saves_nothing(client_for, office, bureau, seeded):
    url = reverse("staff:channel-import") + f"?agency={bureau.pk}"
    bad = "平台,账号ID,月份,发布信息数,月末关注用户数,阅读量\n微信公众号,qinglan,2025-04,1,2,3\n微信公众号,nobody,2025-04,1,2,3\n"
    response = client_for(office).post(url, {"file": SimpleUploadedFile("f.csv", bad.encode())})
    assert response.status_code == 400
    html = response.content.decode()
    assert "第3行" in html and "nobody" in html and "未导入任何数据" in html
    assert not MonthlyFigure.objects.filter(month=dt.date(2025, 4, 1)).exists()
    good = bad.splitlines()[:2]
    response = client_for(office).post(url, {"file": SimpleUploadedFile("f.csv", "\n".join(good).encode())})
    assert response.status_code == 302
    assert MonthlyFigure.objects.filter(month=dt.date(2025, 4, 1)).count() == 1


# --- the year's figures --------------------------------------------------------------------------

def test_the_figures_page_has_the_sentence_charts_and_tables(client_for, supervisor, bureau, seeded):
    html = client_for(supervisor).get(urls(bureau, seeded)["figures"]).content.decode()
    assert "政务微信公众号发布信息40条，阅读量5.2万次，年末关注用户1.8万人；政务抖音号发布信息3条" in html
    charts = json.loads(re.search(r'<script id="channels-charts" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    assert [c["id"] for c in charts] == ["posts", "reads", "followers", "website"]
    posts = charts[0]
    assert [d["label"] for d in posts["datasets"]] == ["微信公众号", "抖音"]
    assert posts["datasets"][0]["data"][4] == 40  # May
    followers = charts[2]["datasets"][0]["data"]
    assert followers[4] == 18_000 and followers[0] is None  # no figure in January: a gap, not 0
    assert html.count('<canvas id="chart-') == 4 and html.count('class="chart-table"') == 4
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in html
    assert "<script>" not in html  # no inline script (CSP: script-src 'self')


def test_a_year_without_figures_says_so(client_for, office, bureau, seeded):
    html = client_for(office).get(reverse("staff:channel-figures") + f"?agency={bureau.pk}&year=2020").content.decode()
    assert "本年度尚无数据" in html and html.count('<canvas id="chart-') == 1  # the website's only
    assert reverse("staff:channel-import") in html  # the office's own link to the import


# --- desk and navigation -------------------------------------------------------------------------

def test_the_office_desk_counts_what_the_list_flags(client_for, office, bureau, seeded):
    [queue] = desk.queues(core_permissions.memberships_of(office)[0])
    assert queue.count == 1 and queue.url == f"{reverse('staff:channel-list')}?agency={bureau.pk}"
    home = client_for(office).get(reverse("staff:home")).content.decode()
    assert "未按时更新的政务新媒体账号" in home


def test_the_supervisor_desk_counts_what_its_link_lists(client_for, supervisor, bureau, seeded, account,
                                                         other_agency, other_office, tree):
    account("weibo", "县局微博", agency=other_agency, actor=other_office, last_post_on=None)
    account("toutiao", "县局头条", agency=other_agency, actor=other_office, last_post_on=ago(30))
    account("wechat", "县局公众号", agency=other_agency, actor=other_office, last_post_on=ago(1))
    [queue] = desk.queues(core_permissions.memberships_of(supervisor)[0])
    assert queue.count == 3
    assert [(line.label, line.count) for line in queue.lines] == [(other_agency.name, 2), (bureau.name, 1)]
    assert queue.url == f"{reverse('staff:channel-stale')}?agency={tree['city'].pk}"
    html = client_for(supervisor).get(queue.url).content.decode()
    assert html.count('data-testid="stale-row"') == queue.count
    assert "县局头条" in html and "县局公众号" not in html


def test_other_roles_have_no_queue(officer, leader, reviewer):
    for user in (officer, leader, reviewer):
        assert desk.queues(core_permissions.memberships_of(user)[0]) == []


@pytest.mark.parametrize(("actor", "shown"), [("office", True), ("supervisor", True), ("officer", False),
                                              ("leader", False)])
def test_the_navigation_entry(request, actor, shown):
    labels = [i["label"] for i in navigation.items_for(request.getfixturevalue(actor), "/")]
    assert ("政务新媒体" in labels) == shown


# --- the account form ----------------------------------------------------------------------------

def test_the_office_edits_an_account_and_the_change_is_audited(client_for, office, bureau, seeded, department):
    client = client_for(office)
    account = seeded["stale"]
    url = reverse("staff:channel-account-edit", args=[account.pk])
    assert 'value="qldy"' in client.get(url).content.decode()
    response = client.post(url, {"platform": "douyin", "name": "青岚抖音", "handle": "qldy",
                                 "department": department.pk, "last_post_on": "2025-06-16",
                                 "has_interaction": "on", "is_active": "on"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.has_interaction and account.last_post_on == TODAY and account.department == department
    event = AuditEvent.objects.get(action="channels.account_update")
    assert event.before["has_interaction"] is False and event.after["has_interaction"] is True
    html = client.get(urls(bureau, seeded)["list"]).content.decode()
    assert 'data-testid="flags"' not in html  # nothing flagged any more


def test_a_bad_account_form_says_why_and_saves_nothing(client_for, office, bureau, seeded):
    response = client_for(office).post(reverse("staff:channel-account-create") + f"?agency={bureau.pk}", {
        "platform": "wechat", "name": "重复", "handle": "qinglan", "last_post_on": "2025-06-17"})
    assert response.status_code == 400
    assert "晚于今天" in response.content.decode()
    response = client_for(office).post(reverse("staff:channel-account-create") + f"?agency={bureau.pk}", {
        "platform": "wechat", "name": "重复", "handle": "qinglan"})
    assert response.status_code == 400 and "已登记" in response.content.decode()
    assert Account.objects.count() == 2


def test_the_account_page_lists_its_months(client_for, supervisor, bureau, seeded):
    html = client_for(supervisor).get(urls(bureau, seeded)["account"]).content.decode()
    assert "2025年5月" in html and ">52000<" in html and "修改账号信息" not in html


def test_a_grid_figure_too_large_is_a_form_error_not_a_server_error(client_for, office, bureau, seeded):
    fresh = seeded["fresh"]
    response = client_for(office).post(urls(bureau, seeded)["grid"], {
        f"posts_{fresh.pk}": 40, f"followers_{fresh.pk}": 99_999_999_999, f"reads_{fresh.pk}": 52_000})
    assert response.status_code == 400
    assert "数值过大" in response.content.decode()
    assert MonthlyFigure.objects.get(account=fresh).followers == 18_000


def test_an_upload_over_the_size_limit_is_refused_on_the_page(client_for, office, bureau, seeded):
    from gongkai.channels.importer import MAX_FILE_BYTES

    url = reverse("staff:channel-import") + f"?agency={bureau.pk}"
    big = SimpleUploadedFile("big.csv", b"a," * (MAX_FILE_BYTES // 2 + 1))
    response = client_for(office).post(url, {"file": big})
    assert response.status_code == 400 and "大小上限" in response.content.decode()
    assert MonthlyFigure.objects.count() == 2
