"""The search page over HTTP, on the real index (kept by publish and withdraw)."""

import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached")]

SEARCH = reverse("portal:search")


def html_of(client, **params) -> str:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response.content.decode()


def result_ids(html: str) -> list[int]:
    if 'id="search-results"' not in html:
        return []
    listing = html[html.index('id="search-results"'):html.index("</ol>", html.index('id="search-results"'))]
    return [int(pk) for pk in re.findall(r'<h3><a href="/publications/(\d+)/">', listing)]


def test_an_empty_query_gets_help_not_an_error(site, client):
    html = html_of(client)
    assert 'id="search-help"' in html and "请输入要查找的词语" in html
    assert result_ids(html) == []
    html = html_of(client, q="   ")
    assert 'id="search-help"' in html


def test_a_two_character_word_finds_published_items_with_highlights_and_a_total(site, client):
    html = html_of(client, q="抽检")
    assert result_ids(html) == [site["sampling"].pk]  # not the withdrawn one
    assert "找到1条与“抽检”相关的信息" in html
    assert "<mark>抽检</mark>" in html
    assert site["withdrawn"].title not in html


def test_no_results_says_what_to_try(site, client, bureau):
    html = html_of(client, q="无此词语", agency=bureau.code)
    assert 'id="no-results"' in html and "没有找到与“无此词语”相关的信息" in html
    assert f'href="/apply/?agency={bureau.code}"' in html


def test_the_query_text_is_escaped_and_only_the_engines_marks_are_html(site, client):
    html = html_of(client, q='<script>alert("x")</script>')
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_filters_narrow_by_topic_year_and_agency(site, client, bureau, other_agency):
    assert set(result_ids(html_of(client, q="召回"))) == {site["recall"].pk}
    assert result_ids(html_of(client, q="召回", topic=site["other_topic"].pk)) == []
    assert result_ids(html_of(client, q="抽检", year=2025)) == [site["sampling"].pk]
    assert result_ids(html_of(client, q="抽检", year=2026)) == []
    assert result_ids(html_of(client, q="抽检", agency=bureau.code)) == [site["sampling"].pk]
    assert result_ids(html_of(client, q="抽检", agency=other_agency.code)) == []
    # The agency's parent includes its subtree.
    assert result_ids(html_of(client, q="抽检", agency=bureau.parent.code)) == [site["sampling"].pk]


def test_the_column_filter_is_offered_once_an_agency_is_chosen(site, client, bureau):
    recalls = site["columns"]["产品召回信息"]
    html = html_of(client, q="召回", agency=bureau.code)
    assert f'<option value="{recalls.pk}">' in html
    html = html_of(client, q="召回", agency=bureau.code, column=recalls.pk)
    assert result_ids(html) == [site["recall"].pk]
    assert f'<option value="{recalls.pk}" selected>' in html
    news = site["columns"]["新闻动态"]
    assert result_ids(html_of(client, q="召回", column=news.pk)) == []


def test_wrong_filters_are_explained_in_chinese_and_ignored(site, client):
    html = html_of(client, q="抽检", year="20x5", agency="NOPE", order="random", column="abc")
    for message in ("年份应为1990至2100之间的四位数字。", "没有该发布机关。",
                    "排序方式只能是相关度或发布日期。", "栏目参数无效。"):
        assert message in html
    assert result_ids(html) == [site["sampling"].pk]


def test_date_order_and_relevance_order(site, client, publisher):
    # "食品" is in the sampling item's title; a newer item has it only in its body.
    newer = publisher.publish("市场监管工作简报", columns=[site["columns"]["新闻动态"]],
                              body="<p>本期简报介绍食品经营许可办理情况。</p>")
    by_relevance = result_ids(html_of(client, q="食品"))
    by_date = result_ids(html_of(client, q="食品", order="date"))
    assert set(by_relevance) == set(by_date) == {site["sampling"].pk, newer.pk}
    assert by_relevance[0] == site["sampling"].pk  # a title match first
    assert by_date[0] == newer.pk  # the newest first
    assert "按发布日期排列" in html_of(client, q="食品", order="date")


def test_results_are_paginated_with_the_filters_kept(site, client, publisher, monkeypatch):
    monkeypatch.setattr("gongkai.portal.views._common.PER_PAGE", 2)
    for n in range(3):
        publisher.publish(f"第{n}批产品召回信息", columns=[site["columns"]["产品召回信息"]])
    first = html_of(client, q="召回", order="date")
    assert "找到4条" in first and "第1/2页" in first
    assert len(result_ids(first)) == 2
    assert 'href="?q=%E5%8F%AC%E5%9B%9E&amp;order=date&amp;page=2" rel="next"' in first
    second = html_of(client, q="召回", order="date", page=2)
    assert len(result_ids(second)) == 2
    assert set(result_ids(first)).isdisjoint(result_ids(second))
    assert 'start="3"' in second
    beyond = html_of(client, q="召回", page=7)
    assert result_ids(beyond) == [] and "没有第7页的结果" in beyond


def test_a_withdrawn_item_leaves_the_results_at_once(site, client, publisher):
    assert result_ids(html_of(client, q="守护消费")) == [site["news"].pk]
    publisher.withdraw(site["news"])
    assert result_ids(html_of(client, q="守护消费")) == []


def test_a_traditional_query_finds_simplified_text(site, client):
    assert result_ids(html_of(client, q="抽檢")) == [site["sampling"].pk]
