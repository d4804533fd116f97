"""POST /api/v1/messages: a message through the API, with the form's checks, the rate
limit and Idempotency-Key, and its OpenAPI description."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.api import messages as api_messages
from gongkai.api import openapi
from gongkai.api.tests.test_agencies_and_openapi import _check
from gongkai.interaction.forms import SUBMIT_RATE
from gongkai.interaction.models import Message

pytestmark = pytest.mark.django_db
URL = "/api/v1/messages"


def body(bureau, **extra) -> dict:
    return {**api_messages.MESSAGE_EXAMPLE, "agency": bureau.code, **extra}


def post(client, payload, **headers):
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


def test_the_route_is_the_named_one():
    assert reverse("api:message-submit") == URL


def test_a_message_is_submitted_and_answered_with_exactly_number_and_secret(bureau):
    response = post(Client(enforce_csrf_checks=True), body(bureau))
    assert response.status_code == 201, response.content.decode()
    answer = response.json()
    schema = openapi.DOCUMENT["components"]["schemas"]["MessageSubmitted"]
    assert set(answer) == set(schema["properties"])
    assert _check(answer, {"$ref": "#/components/schemas/MessageSubmitted"}, openapi.DOCUMENT, "201") == []
    message = Message.objects.get()
    assert message.tracking_number == answer["tracking_number"]
    assert message.kind == "complaint" and message.publish_consent is True
    assert message.name == "张三"


def test_the_documented_example_satisfies_the_schema_and_is_accepted(bureau):
    content = openapi.DOCUMENT["paths"]["/messages"]["post"]["requestBody"]["content"]["application/json"]
    for name, example in content["examples"].items():
        assert _check(example["value"], content["schema"], openapi.DOCUMENT, name) == []
        assert post(Client(), {**example["value"], "agency": bureau.code}).status_code == 201


@pytest.mark.parametrize("change, field, message", [
    ({"kind": "praise"}, "kind", "留言类型不正确。"),
    ({"subject": ""}, "subject", "请填写标题。"),
    ({"content": "太差"}, "content", "请具体写明留言内容（至少5个字）。"),
    ({"phone": "123"}, "phone", "请填写有效的手机号码或固定电话。"),
    ({"agency": "NOPE"}, "agency", "该机关不存在或不接收留言。"),
])
def test_bad_input_is_400_with_the_forms_chinese_message_and_nothing_saved(bureau, change, field, message):
    response = post(Client(), body(bureau, **change))
    assert response.status_code == 400
    answer = response.json()
    assert answer["errors"][field] == [message]
    assert _check(answer, {"$ref": "#/components/schemas/Error"}, openapi.DOCUMENT, "400") == []
    assert not Message.objects.exists()


def test_wrong_json_types_are_400(bureau):
    response = post(Client(), body(bureau, subject=5, publish_consent="maybe"))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"subject", "publish_consent"}
    assert post(Client(), [1, 2]).status_code == 400
    assert Client().post(URL, "x", content_type="text/plain").status_code == 415


def test_publish_consent_defaults_to_no(bureau):
    payload = body(bureau)
    del payload["publish_consent"]
    assert post(Client(), payload).status_code == 201
    assert Message.objects.get().publish_consent is False


def test_the_rate_limit_is_429_with_retry_after(bureau):
    client = Client()
    for _ in range(SUBMIT_RATE.limit):
        assert post(client, body(bureau, phone="")).status_code == 201
    refused = post(client, body(bureau))
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(SUBMIT_RATE.window_seconds)
    assert Message.objects.count() == SUBMIT_RATE.limit


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(bureau):
    client = Client()
    first = post(client, body(bureau), HTTP_IDEMPOTENCY_KEY="key-1")
    again = post(client, body(bureau), HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Message.objects.count() == 1
    other = post(client, body(bureau, subject="另一条留言"), HTTP_IDEMPOTENCY_KEY="key-1")
    assert other.status_code == 409
    assert post(client, body(bureau), HTTP_IDEMPOTENCY_KEY="").status_code == 400


def test_other_methods_are_405_in_json():
    response = Client().get(URL)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "error" in response.json()
