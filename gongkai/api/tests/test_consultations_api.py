"""GET /api/v1/consultations: the public consultations, open first, filtered by agency and
status, paged, with the portal's 400 answers for bad parameters."""

import datetime as dt

import pytest

from gongkai.api import openapi
from gongkai.consultations import services
from gongkai.consultations.tests.conftest import DRAFT, START, at

pytestmark = pytest.mark.django_db
URL = "/api/v1/consultations"


def _consultation(agency, office, leader, title, opens_in, days=30):
    c = services.consultation_create(
        actor=office, agency=agency, kind="normative", title=title, draft_body=DRAFT, explanation="说明",
        opens_on=START + dt.timedelta(days=opens_in), closes_on=START + dt.timedelta(days=opens_in + days))
    services.consultation_submit(actor=office, consultation=c)
    return services.consultation_approve(actor=leader, consultation=c)


@pytest.fixture
def three(bureau, office, leader):
    at(START)
    early = _consultation(bureau, office, leader, "早的", 1)
    late = _consultation(bureau, office, leader, "晚的", 10)
    draft = services.consultation_create(
        actor=office, agency=bureau, kind="other", title="草稿", draft_body=DRAFT, explanation="说明",
        opens_on=START + dt.timedelta(days=1), closes_on=START + dt.timedelta(days=40))
    at(START + dt.timedelta(days=35))  # early closed, late open
    return early, late, draft


def test_open_first_with_the_documented_fields(client, three, bureau):
    early, late, _ = three
    services.comment_accept(actor=early.created_by, comment=services.comment_submit(
        consultation=late, body="意见"))
    body = client.get(URL).json()
    assert (body["total"], body["page"], body["num_pages"]) == (2, 1, 1)
    first, second = body["consultations"]
    assert (first["title"], first["status"], first["comments"]) == ("晚的", "open", 1)
    assert (second["title"], second["status"], second["comments"]) == ("早的", "closed", 0)
    assert first["agency"] == {"code": bureau.code, "name": bureau.name}
    assert first["url"].endswith(f"/consultations/{late.pk}/")
    schema = openapi.DOCUMENT["components"]["schemas"]["ConsultationSummary"]
    assert set(first) == set(schema["properties"])


def test_filters_by_status_and_agency(client, three, bureau, other_agency):
    assert [c["title"] for c in client.get(URL, {"status": "open"}).json()["consultations"]] == ["晚的"]
    assert [c["title"] for c in client.get(URL, {"status": "closed"}).json()["consultations"]] == ["早的"]
    assert client.get(URL, {"agency": other_agency.code}).json()["total"] == 0
    assert client.get(URL, {"agency": bureau.code}).json()["total"] == 2


@pytest.mark.parametrize(("query", "message"), [
    ({"status": "draft"}, "status"),
    ({"agency": "NOPE"}, "没有机关代码"),
    ({"page": "abc"}, "页码"),
    ({"page": "3"}, "页码超出范围"),
    ({"sort": "x"}, "不支持的参数"),
])
def test_bad_parameters_are_400_in_chinese(client, three, query, message):
    response = client.get(URL, query)
    assert response.status_code == 400 and message in response.json()["error"]


def test_only_get(client, db):
    assert client.post(URL).status_code == 405


def test_a_nul_byte_in_a_parameter_is_400_not_500(client, db):
    client.raise_request_exception = False
    response = client.get(URL + "?agency=a%00b")
    assert response.status_code == 400 and "无效字符" in response.json()["error"]
