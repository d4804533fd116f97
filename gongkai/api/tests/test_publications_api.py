"""GET /api/v1/publications (list, search) and /api/v1/publications/{id}: the public
items only, with totals and pages; bad parameters refused in Chinese; withdrawn → 404;
answers match the OpenAPI document."""

import pytest
from django.urls import reverse

from gongkai.api import openapi
from gongkai.api.tests.test_agencies_and_openapi import _check
from gongkai.core.tests.factories import make_agency
from gongkai.portal.tests.conftest import Publisher, build_site
from gongkai.publishing.models import Publication

pytestmark = pytest.mark.django_db

BASE = "https://gongkai.example.gov.cn"
SCHEMAS = openapi.DOCUMENT["components"]["schemas"]


@pytest.fixture
def publisher(bureau, office, officer, reviewer, leader, department):
    return Publisher(agency=bureau, office=office, officer=officer, reviewer=reviewer,
                     leader=leader, department=department)


@pytest.fixture
def site(publisher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGKAI_BASE_URL = BASE
    return build_site(publisher)


def listing(client, **params):
    return client.get(reverse("api:publication-list"), params)


def titles(response) -> list[str]:
    return [r["title"] for r in response.json()["results"]]


# --- the list --------------------------------------------------------------------------------


def test_without_q_the_public_items_come_newest_first_with_the_total(client, site):
    response = listing(client)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3 and body["page"] == 1 and body["num_pages"] == 1
    assert body["per_page"] == 20 and body["q"] == ""
    assert titles(response) == [site[k].title for k in ("news", "recall", "sampling")]
    first = body["results"][0]
    assert first["url"] == BASE + reverse("portal:publication-detail", args=[site["news"].pk])
    assert first["api_url"] == BASE + reverse("api:publication-detail", args=[site["news"].pk])
    assert first["agency"] == {"code": site["news"].agency.code, "name": site["news"].agency.name}
    assert first["snippet_html"] is None
    assert _check(body, SCHEMAS["PublicationList"], openapi.DOCUMENT, "list") == []
    assert set(first) == set(
        SCHEMAS["PublicationList"]["properties"]["results"]["items"]["properties"])


def test_the_list_costs_a_fixed_number_of_queries(client, site, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        listing(client)


def test_pages_of_twenty(client, site):
    base = Publication.objects.get(pk=site["news"].pk)
    clones = []
    for n in range(30):
        clone = Publication.objects.get(pk=base.pk)
        clone.pk, clone.index_number, clone.title = None, f"X/2026-{n:05d}", f"批量信息{n:02d}"
        clones.append(clone)
    Publication.objects.bulk_create(clones)
    first, second = listing(client).json(), listing(client, page=2).json()
    assert first["total"] == second["total"] == 33
    assert first["num_pages"] == 2
    assert len(first["results"]) == 20 and len(second["results"]) == 13
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_agency_filter_takes_the_agency_and_its_subtree(client, site, tree):
    bureau = site["news"].agency
    assert listing(client, agency=bureau.code).json()["total"] == 3
    assert listing(client, agency=tree["city"].code).json()["total"] == 3  # the bureau is below
    sibling = make_agency(parent=tree["city"], name="测试市另一局")
    assert listing(client, agency=sibling.code).json()["total"] == 0


def test_column_filter(client, site):
    column = site["columns"]["抽检计划及结果发布"]
    assert titles(listing(client, column=column.pk)) == [site["sampling"].title]


def test_with_q_it_searches_by_relevance(client, site):
    response = listing(client, q="召回")
    assert response.status_code == 200
    body = response.json()
    assert body["q"] == "召回" and body["total"] == 1
    assert titles(response) == [site["recall"].title]
    assert "<mark>召回</mark>" in body["results"][0]["snippet_html"]
    assert _check(body, SCHEMAS["PublicationList"], openapi.DOCUMENT, "search") == []


def test_a_traditional_query_finds_simplified_text(client, site):
    assert titles(listing(client, q="抽檢")) == [site["sampling"].title]


def test_search_never_finds_withdrawn_items(client, site):
    assert listing(client, q="已撤回的抽检通告").json()["total"] == 0


@pytest.mark.parametrize("params,message", [
    ({"page": "abc"}, "page（页码）应为正整数"),
    ({"page": "0"}, "page（页码）应为正整数"),
    ({"page": "-1"}, "page（页码）应为正整数"),
    ({"page": "５"}, "page（页码）应为正整数"),
    ({"column": "x"}, "column（栏目编号）应为正整数"),
    ({"column": "999999"}, "没有编号为 999999 的栏目"),
    ({"agency": "NOPE"}, "没有机关代码为“NOPE”的机关"),
    ({"q": "食" * 101}, "检索词过长"),
    ({"sort": "date"}, "不支持的参数：sort"),
    ({"page": "9"}, "页码超出范围：共 1 页"),
])
def test_bad_parameters_are_refused_with_a_chinese_message(client, site, params, message):
    response = listing(client, **params)
    assert response.status_code == 400
    body = response.json()
    assert message in body["error"]
    assert _check(body, SCHEMAS["Error"], openapi.DOCUMENT, "400") == []


def test_only_get(client, db):
    response = client.post(reverse("api:publication-list"))
    assert response.status_code == 405
    assert "不支持 POST 方法" in response.json()["error"]


# --- one item -------------------------------------------------------------------------------------


def test_an_item_with_metadata_body_text_and_attachment_download(client, site):
    recall = site["recall"]
    response = client.get(reverse("api:publication-detail", args=[recall.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == recall.pk
    assert body["index_number"] == recall.index_number
    assert body["title"] == recall.title
    assert body["published_on"] == recall.published_on.isoformat()
    assert body["validity"] == "expired" and body["validity_label"] == "失效"
    assert body["disclosure_attribute"] == "proactive"
    assert body["topic"]["name"] == site["food"].name
    assert body["columns"] == [{"id": site["columns"]["产品召回信息"].pk, "name": "产品召回信息"}]
    assert body["body_text"] == "召回部分批次儿童电动自行车。"
    [attachment] = body["attachments"]
    stored = recall.attachments.get()
    assert attachment["name"] == stored.original_name and attachment["kind"] == "PNG"
    assert attachment["download_url"] == BASE + reverse(
        "portal:publication-attachment", args=[recall.pk, stored.pk])
    download = client.get(attachment["download_url"].removeprefix(BASE))
    assert download.status_code == 200
    assert _check(body, SCHEMAS["Publication"], openapi.DOCUMENT, "detail") == []
    assert set(body) == set(SCHEMAS["Publication"]["properties"])


def test_the_body_text_has_no_markup_or_script(client, site):
    body = client.get(reverse("api:publication-detail", args=[site["news"].pk])).json()
    assert body["body_text"] == "近日开展专项行动。"
    assert "<script" not in body["body_html"]


@pytest.mark.parametrize("which", ["withdrawn", "draft"])
def test_withdrawn_and_unpublished_items_are_not_found(client, site, which):
    response = client.get(reverse("api:publication-detail", args=[site[which].pk]))
    assert response.status_code == 404
    assert response.json() == {"error": "该信息不存在或已撤回。"}


def test_an_item_of_an_inactive_agency_is_not_found(client, site):
    agency = site["news"].agency
    agency.is_active = False
    agency.save(update_fields=["is_active"])
    assert client.get(reverse("api:publication-detail", args=[site["news"].pk])).status_code == 404
    assert listing(client).json()["total"] == 0


def test_both_routes_are_in_the_openapi_document():
    paths = openapi.DOCUMENT["paths"]
    assert {"get"} == set(paths["/publications"]) == set(paths["/publications/{id}"])
    names = {p["name"] for p in paths["/publications"]["get"]["parameters"]}
    assert names == {"q", "agency", "column", "topic", "page"}
    assert set(paths["/publications"]["get"]["responses"]) == {"200", "400"}
    assert set(paths["/publications/{id}"]["get"]["responses"]) == {"200", "404"}


def test_body_html_is_sanitised_even_when_the_stored_body_was_not(client, site):
    """A body written around the services (the ORM, an import) still reaches API clients
    clean: the script and the event handler go, the paragraph stays."""
    Publication.objects.filter(pk=site["news"].pk).update(
        body='<p onclick="steal()">正文</p><script>alert(1)</script>')
    body = client.get(reverse("api:publication-detail", args=[site["news"].pk])).json()
    assert "<script" not in body["body_html"] and "alert(1)" not in body["body_html"]
    assert "onclick" not in body["body_html"]
    assert "<p>正文</p>" in body["body_html"]
