"""GET /api/v1/search (issue 14): every kind, paged like /publications, the kind and
agency filters, errors in Chinese; and the topic filter of GET /api/v1/publications."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.api import openapi
from gongkai.core.tests.helpers import at
from gongkai.decisions.models import DecisionStatus
from gongkai.decisions.tests.conftest import DecisionFactory
from gongkai.portal import search
from gongkai.portal.search import sources
from gongkai.portal.tests import conftest as portal_tests

publisher = portal_tests.publisher  # the portal's fixture: items through the real workflow

pytestmark = [pytest.mark.django_db]

SEARCH = reverse("api:search")
PUBLICATIONS = reverse("api:publication-list")


@pytest.fixture
def site(publisher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return portal_tests.build_site(publisher)


@pytest.fixture
def many_decisions(bureau):
    """25 public decisions about 食品 (two pages), indexed as an import does."""
    at(dt.date(2025, 3, 6))
    made = [DecisionFactory(agency=bureau, status=DecisionStatus.PUBLISHED,
                            published_on=dt.date(2025, 3, 5), matter=f"销售过期食品第{n}批")
            for n in range(25)]
    search.index_objects(sources.DECISION, [d.pk for d in made])
    return made


def get(client, url, **params):
    response = client.get(url, params)
    return response.status_code, response.json()


def test_the_answer_has_the_documented_shape_and_pages_like_publications(client, site, many_decisions, bureau):
    status, body = get(client, SEARCH, q="食品")
    assert status == 200
    assert body["total"] == 26 and body["num_pages"] == 2 and body["page"] == 1
    assert len(body["results"]) == 20
    assert body["facets"]["decision"] == 25 and body["facets"]["publication"] == 1
    first = body["results"][0]
    assert set(first) >= {"kind", "title", "url", "agency", "date"}
    assert first["agency"] == {"code": bureau.code, "name": bureau.name}
    assert first["url"].startswith("http")
    kinds = {r["kind"] for r in body["results"]}
    assert kinds <= {"decision", "publication"}
    status, second = get(client, SEARCH, q="食品", page=2)
    assert status == 200 and len(second["results"]) == 6
    both = body["results"] + second["results"]
    assert sum(1 for r in both if r["kind"] == "publication") == 1
    assert len({(r["kind"], r["title"], r["snippet_html"]) for r in both}) == 26  # no repeats
    required = openapi.DOCUMENT["paths"]["/search"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]["required"]
    assert set(required) <= set(body)


def test_kind_and_agency_filters(client, site, many_decisions, bureau, other_agency):
    status, body = get(client, SEARCH, q="食品", kind="publication")
    assert status == 200 and body["total"] == 1
    assert body["results"][0]["title"] == site["sampling"].title
    assert body["results"][0]["date"] == "2025-12-10"
    status, body = get(client, SEARCH, q="食品", kind="decision", page=2)
    assert status == 200 and body["total"] == 25 and len(body["results"]) == 5
    assert {r["kind"] for r in body["results"]} == {"decision"}
    status, body = get(client, SEARCH, q="食品", agency=other_agency.code)
    assert status == 200 and body["total"] == 0 and body["results"] == [] and body["num_pages"] == 0
    status, body = get(client, SEARCH, q="食品", agency=bureau.code, kind="report")
    assert status == 200 and body["total"] == 0


@pytest.mark.parametrize("params, message", [
    ({}, "请提供检索词 q"),
    ({"q": "  "}, "请提供检索词 q"),
    ({"q": "食品", "kind": "news"}, "未知的信息类别“news”"),
    ({"q": "食品", "page": "0"}, "参数 page（页码）应为正整数"),
    ({"q": "食品", "page": "abc"}, "参数 page（页码）应为正整数"),
    ({"q": "食品", "page": "9"}, "页码超出范围"),
    ({"q": "食品", "agency": "NOPE"}, "没有机关代码为“NOPE”的机关"),
    ({"q": "食品", "column": "3"}, "不支持的参数：column"),
    ({"q": "食" * 101}, "检索词过长"),
])
def test_bad_input_is_a_400_in_chinese(client, site, params, message):
    status, body = get(client, SEARCH, **params)
    assert status == 400 and message in body["error"]


def test_only_get(client, db):
    response = client.post(SEARCH, {"q": "食品"})
    assert response.status_code == 405 and "不支持 POST 方法" in response.json()["error"]


def test_publications_can_be_filtered_by_topic_id_or_code(client, site):
    food, other = site["food"], site["other_topic"]
    expected = {site["sampling"].title, site["recall"].title}
    for value in (str(food.pk), food.code):
        status, body = get(client, PUBLICATIONS, topic=value)
        assert status == 200 and {r["title"] for r in body["results"]} == expected
        assert body["total"] == 2
    status, body = get(client, PUBLICATIONS, topic=other.code, q="专项行动")
    assert status == 200 and [r["title"] for r in body["results"]] == [site["news"].title]
    status, body = get(client, PUBLICATIONS, topic=food.code, q="专项行动")
    assert status == 200 and body["total"] == 0
    status, body = get(client, PUBLICATIONS, topic="99x")
    assert status == 400 and "没有编号或代码为“99x”的主题分类" in body["error"]
