"""GET /api/v1/agencies and the OpenAPI document."""

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from gongkai.api import openapi
from gongkai.api import urls as api_urls
from gongkai.core.tests.factories import make_agency
from gongkai.foi.models import FoiRequest
from gongkai.portal.tests.data import natural_person

pytestmark = pytest.mark.django_db


def test_agencies_lists_those_accepting_requests_in_tree_order_with_parent_codes(
    client, tree, django_assert_num_queries,
):
    closed = make_agency(parent=tree["city"], name="测试市不受理局", accepts_requests=False)
    make_agency(parent=tree["city"], name="测试市已撤销局", is_active=False)
    with django_assert_num_queries(1):
        response = client.get(reverse("api:agency-list"))
    assert response.status_code == 200
    agencies = response.json()["agencies"]
    by_code = {a["code"]: a for a in agencies}
    assert closed.code not in by_code
    assert "测试市已撤销局" not in {a["name"] for a in agencies}
    assert by_code[tree["province"].code] == {
        "code": tree["province"].code, "name": "测试省人民政府", "parent": None}
    assert by_code[tree["bureau"].code]["parent"] == tree["city"].code
    expected = [a.code for a in sorted(tree.values(), key=lambda a: a.path)]
    assert [a["code"] for a in agencies] == expected


# --- OpenAPI ----------------------------------------------------------------------------------

def _documented_path(pattern: URLPattern) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))


def _resolve(schema: dict, document: dict) -> dict:
    ref = schema.get("$ref")
    if not ref:
        return schema
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _check(value, schema: dict, document: dict, where: str) -> list[str]:
    """The subset of JSON Schema the document uses: types (incl. null), required,
    properties, enum, items."""
    schema = _resolve(schema, document)
    problems = []
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types or []
    python = {"string": str, "object": dict, "array": list, "boolean": bool,
              "integer": int, "null": type(None)}
    if types and not any(isinstance(value, python[t]) and not (t == "integer" and isinstance(value, bool))
                         for t in types):
        problems.append(f"{where}: {value!r} is not {types}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in enum")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}: missing required {name}")
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                problems += _check(value[name], sub, document, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += _check(item, schema["items"], document, f"{where}[{i}]")
    return problems


def test_the_document_is_served_as_openapi_3_1(client):
    response = client.get(reverse("api:openapi"))
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert document == openapi.document()
    json.dumps(document)  # plain JSON all the way down


def test_every_route_is_documented_and_every_documented_path_exists():
    routes = {_documented_path(p) for p in api_urls.urlpatterns}
    assert routes == set(openapi.DOCUMENT["paths"])


def test_every_reference_resolves():
    text = json.dumps(openapi.DOCUMENT)
    for ref in re.findall(r'"\$ref": "([^"]+)"', text):
        assert _resolve({"$ref": ref}, openapi.DOCUMENT), ref


def test_the_request_body_examples_satisfy_the_schema():
    content = openapi.DOCUMENT["paths"]["/foi/requests"]["post"]["requestBody"]["content"]
    schema = content["application/json"]["schema"]
    examples = content["application/json"]["examples"]
    assert examples
    for name, example in examples.items():
        assert _check(example["value"], schema, openapi.DOCUMENT, name) == []
    # and the checker does catch a missing required field
    broken = {k: v for k, v in examples["natural_person"]["value"].items() if k != "phone"}
    assert _check(broken, schema, openapi.DOCUMENT, "broken")


@pytest.mark.parametrize("name", list(openapi.SUBMISSION_EXAMPLES))
def test_the_request_body_examples_are_accepted_by_the_api(name, bureau):
    example = {**openapi.SUBMISSION_EXAMPLES[name]["value"], "agency": bureau.code}
    response = Client(enforce_csrf_checks=True).post(
        reverse("api:foi-request-submit"), json.dumps(example), content_type="application/json")
    assert response.status_code == 201, response.content.decode()
    assert _check(response.json(), {"$ref": "#/components/schemas/RequestSubmitted"},
                  openapi.DOCUMENT, "201") == []


def test_answers_carry_exactly_the_documented_properties(client, bureau, tree):
    schemas = openapi.DOCUMENT["components"]["schemas"]
    created = client.post(reverse("api:foi-request-submit"), json.dumps(natural_person(bureau)),
                          content_type="application/json").json()
    assert set(created) == set(schemas["RequestSubmitted"]["properties"])

    url = reverse("api:foi-request-status", args=[created["tracking_number"]])
    status = client.get(url, HTTP_X_TRACKING_SECRET=created["secret"]).json()
    assert set(status) == set(schemas["RequestStatus"]["properties"])
    assert _check(status, schemas["RequestStatus"], openapi.DOCUMENT, "status") == []

    not_found = client.get(url, HTTP_X_TRACKING_SECRET="WRONG").json()
    assert _check(not_found, schemas["Error"], openapi.DOCUMENT, "404") == []

    agencies = client.get(reverse("api:agency-list")).json()
    assert _check(agencies, schemas["AgencyList"], openapi.DOCUMENT, "agencies") == []
    assert set(agencies["agencies"][0]) == set(
        schemas["AgencyList"]["properties"]["agencies"]["items"]["properties"])

    invalid = client.post(reverse("api:foi-request-submit"), "{}", content_type="application/json")
    assert _check(invalid.json(), schemas["Error"], openapi.DOCUMENT, "400") == []
    assert FoiRequest.objects.count() == 1
