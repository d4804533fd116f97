"""GET /api/v1/answers: at most three answers from what is published, best first, an
empty list when nothing fits; parameters checked like the other lists."""

import pytest
from django.urls import reverse

from gongkai.answers import services
from gongkai.api import openapi
from gongkai.api.tests.test_agencies_and_openapi import _check
from gongkai.portal.feeds import absolute

pytestmark = pytest.mark.django_db
URL = "/api/v1/answers"


@pytest.fixture
def published(bureau, officer, leader):
    def publish(question, answer, **fields):
        faq = services.faq_create(actor=officer, agency=bureau, question=question, answer=answer, **fields)
        services.faq_submit(actor=officer, faq=faq)
        return services.faq_approve(actor=leader, faq=faq)

    return {
        "fee": publish("申请政府信息公开收费吗？", "依申请提供政府信息，原则上不收取费用。", keywords="要钱吗"),
        "phone": publish("消费投诉举报电话是多少？", "请拨打12315热线。"),
    }


def test_the_route_is_the_documented_one():
    assert reverse("api:answer-list") == URL
    assert "/answers" in openapi.DOCUMENT["paths"]


def test_answers_best_first_with_absolute_source_links(client, published, bureau):
    response = client.get(URL, {"q": "申请公开要钱吗", "agency": bureau.code})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answers"}
    first = body["answers"][0]
    assert set(first) == {"text", "sources"}
    assert first["text"] == "依申请提供政府信息，原则上不收取费用。"
    assert first["sources"] == [{"title": "申请政府信息公开收费吗？",
                                 "url": absolute(published["fee"].get_absolute_url())}]
    assert len(body["answers"]) <= 3
    assert _check(body, {"$ref": "#/components/schemas/AnswerList"}, openapi.DOCUMENT, "200") == []


def test_traditional_characters_are_answered_alike(client, published):
    body = client.get(URL, {"q": "投訴電話是多少"}).json()
    assert body["answers"][0]["sources"][0]["title"] == "消费投诉举报电话是多少？"


def test_nothing_fits_is_an_empty_list(client, published, bureau):
    response = client.get(URL, {"q": "护照怎么办理", "agency": bureau.code})
    assert response.status_code == 200
    assert response.json() == {"answers": []}


@pytest.mark.parametrize("query, message", [
    ({}, "请提供问题 q。"),
    ({"q": "  "}, "请提供问题 q。"),
    ({"q": "问" * 201}, "问题过长，最多 200 个字符。"),
    ({"q": "收费", "agency": "NOPE"}, "没有机关代码为“NOPE”的机关（见 GET /agencies）。"),
    ({"q": "收费", "page": "2"}, "不支持的参数：page。可用参数为 q、agency。"),
])
def test_bad_parameters_are_a_json_400(client, query, message):
    response = client.get(URL, query)
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert _check(response.json(), {"$ref": "#/components/schemas/Error"}, openapi.DOCUMENT, "400") == []


def test_only_get(client):
    response = client.post(URL, {"q": "收费"})
    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_the_documented_example_is_accepted(client, published):
    example = openapi.DOCUMENT["paths"]["/answers"]["get"]["parameters"][0]["examples"]["fees"]["value"]
    response = client.get(URL, {"q": example})
    assert response.status_code == 200
    assert response.json()["answers"][0]["sources"][0]["title"] == "申请政府信息公开收费吗？"
