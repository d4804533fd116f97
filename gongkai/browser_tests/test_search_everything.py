"""Search finds every kind of public object (issue 14, "Why"), in Chromium through the
search box: a topic's name finds every item filed under the topic; an annual report is
found by its agency and year, a decision by its party; and the 类型 facet narrows the
results to one kind and back."""

import datetime as dt

import pytest
from django.core.cache import cache

from gongkai.core.tests.helpers import at
from gongkai.reports.tests import test_services as report_fixtures

pytestmark = pytest.mark.browser

records = report_fixtures.records  # a year (2025) of the bureau's requests
report = report_fixtures.report  # its annual report, started

TODAY = dt.date(2026, 3, 10)
PARTY = "青岚市宏达食品贸易有限公司"


@pytest.fixture
def searchable_site(portal_site, report, bureau, office, leader):
    """The portal's items, the bureau's 2025 annual report published and a penalty
    decision published after being held back at import, each indexed as it was made
    public (the index is rebuilt only to drop rows an earlier test's flush left)."""
    from gongkai.decisions import services as decision_services
    from gongkai.decisions.models import DecisionStatus
    from gongkai.decisions.tests.conftest import DecisionFactory
    from gongkai.portal.search import SearchQuery, rebuild_index, search
    from gongkai.reports.tests.test_public_views import publish

    publish(report, office, leader)
    at(TODAY)
    decision = DecisionFactory(agency=bureau, status=DecisionStatus.PENDING, published_on=None,
                               party_name=PARTY, matter="销售过期食品",
                               decision_date=TODAY - dt.timedelta(days=5))
    assert search(SearchQuery(text="宏达食品")).total == 0  # held back: not public yet
    decision_services.decision_publish(actor=office, decision=decision)
    rebuild_index()
    cache.clear()
    return {**portal_site, "report": report, "decision": decision}


def search_for(page, text: str) -> None:
    page.goto("/search/")
    page.get_by_label("搜索关键词").fill(text)
    page.locator("form[role=search]").get_by_role("button", name="搜索").click()
    page.wait_for_url("**/search/?q=*")


def result_titles(page) -> list[str]:
    return page.locator("#search-results h3 a").all_inner_texts()


def result_kinds(page) -> set[str]:
    return set(page.locator("#search-results > li").evaluate_all(
        "items => items.map(li => li.dataset.kind)"))


def test_a_topics_name_finds_every_item_filed_under_it(page, searchable_site):
    topic = searchable_site["food"]  # 市场监管、安全生产监管
    under = {searchable_site["sampling"].title, searchable_site["recall"].title}
    # The withdrawn item is filed under the topic too, and is not public.
    assert searchable_site["withdrawn"].topic_id == topic.pk

    search_for(page, "安全生产监管")
    assert set(result_titles(page)) == under
    assert page.locator("#search-total").inner_text().startswith("找到2条")

    search_for(page, topic.name)
    assert set(result_titles(page)) >= under
    assert searchable_site["withdrawn"].title not in result_titles(page)

    # "市场监管": the topic's items and the item listed in the column 消费市场监管.
    search_for(page, "市场监管")
    assert set(result_titles(page)) == under | {searchable_site["news"].title}

    # Opening a result reaches the item.
    page.locator("#search-results").get_by_role(
        "link", name=searchable_site["recall"].title).click()
    page.wait_for_url(f"**/publications/{searchable_site['recall'].pk}/")


def test_an_annual_report_is_found_by_its_agency_and_year(page, searchable_site, bureau):
    title = f"{bureau.name}2025年政府信息公开工作年度报告"
    search_for(page, "2025年政府信息公开工作年度报告")
    first = page.locator("#search-results > li").first
    assert first.get_attribute("data-kind") == "report"
    assert first.locator("h3").inner_text() == title
    first.locator("h3 a").click()
    page.wait_for_url(f"**/annual-reports/{bureau.code}/2025/")
    assert page.locator(".report-table").count() > 0

    # The agency and the year, as words (the engine matches each word as a phrase).
    search_for(page, f"{bureau.name} 2025年 年度报告")
    assert result_titles(page) == [title]


def test_a_decision_is_found_by_its_party(page, searchable_site):
    search_for(page, "宏达食品")
    assert result_kinds(page) == {"decision"}
    assert len(result_titles(page)) == 1
    result = page.locator("#search-results > li").first
    assert "宏达食品" in result.inner_text()
    result.locator("h3 a").click()
    page.wait_for_load_state()
    assert PARTY in page.locator("main").inner_text()


def test_the_kind_facet_narrows_the_results_and_back(page, searchable_site):
    search_for(page, "食品")
    everything = page.locator("#search-total").inner_text()
    kinds = result_kinds(page)
    assert {"decision", "publication"} <= kinds, kinds
    facets = page.get_by_role("navigation", name="按信息类别筛选")
    assert facets.get_by_text("全部类别").get_attribute("aria-current") == "true"

    facets.get_by_role("link", name="许可和处罚决定（1）").click()
    page.wait_for_url("**kind=decision*")
    assert result_kinds(page) == {"decision"}
    assert page.locator("#search-total").inner_text().startswith("找到1条与“食品”相关的许可和处罚决定")
    assert facets.locator('[aria-current="true"]').inner_text() == "许可和处罚决定（1）"
    # The other kinds' counts stay shown, so one can switch to them.
    publications = facets.locator('li[data-kind="publication"] a')
    assert publications.count() == 1
    publications.click()
    page.wait_for_url("**kind=publication*")
    assert result_kinds(page) == {"publication"}
    assert searchable_site["sampling"].title in result_titles(page)

    facets.get_by_role("link", name="全部类别").click()
    page.wait_for_url(lambda url: "kind=" not in url)
    assert page.locator("#search-total").inner_text() == everything
    assert result_kinds(page) == kinds
