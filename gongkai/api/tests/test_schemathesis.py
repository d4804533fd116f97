"""Schemathesis against the API's own OpenAPI document (/api/v1/openapi.json), through
WSGI: generated requests, valid and invalid, for every operation; no answer may be a
server error, and every answer must conform to the document (status code, content type,
body schema).

The number of examples per operation is bounded and derandomised, so the run is the same
on every machine and stays short: ``GONGKAI_SCHEMATHESIS_EXAMPLES`` (default 25). CI runs
it once more with more examples against PostgreSQL (``.ci/run``).

Checks left out, and why: ``positive_data_acceptance`` (the document cannot say what
the forms check beyond shape: an ID number's check digit, an agency code that exists, a
phone number; schema-valid data is rightly refused with 400) and
``negative_data_rejection`` (an invalid value of an optional query parameter the API
ignores or normalises, e.g. ``page`` with spaces, is accepted on purpose).
"""

from __future__ import annotations

import logging
import os

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gongkai.api import openapi
from gongkai.core.models import Agency
from gongkai.core.tests.test_hostile_input import wsgi_in_test_transaction  # noqa: F401 - a fixture
from gongkai.portal.tests.conftest import Publisher, build_site

pytestmark = pytest.mark.usefixtures("wsgi_in_test_transaction")
EXAMPLES = int(os.environ.get("GONGKAI_SCHEMATHESIS_EXAMPLES", "25"))
EXAMPLE_AGENCY = openapi.SUBMISSION_EXAMPLES["natural_person"]["value"]["agency"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _load_schema():
    from gongkai.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


# Loaded at collection, through the WSGI application: the document as served.
schema = _load_schema()


@pytest.fixture(autouse=True)
def _site(bureau, office, officer, reviewer, leader, department, settings, tmp_path):
    """The portal tests' published items, and the agency of the document's examples (so
    that its example submissions are accepted and their 201 answers checked too)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    build_site(Publisher(agency=bureau, office=office, officer=officer, reviewer=reviewer,
                         leader=leader, department=department))
    Agency.objects.filter(pk=bureau.pk).update(code=EXAMPLE_AGENCY)


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_without_a_server_error(case, caplog):
    """One test per operation, ``EXAMPLES`` generated requests each."""
    cache.clear()  # rate limits: every example is a fresh client
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        case.call_and_validate(checks=CHECKS)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


@pytest.mark.parametrize("raw", ["null,null", "-1", "1.5", "９", "9" * 30])
def test_a_malformed_publication_id_is_the_apis_json_404(client, raw):
    """Found by this run: /publications/null,null fell through to the site's HTML 404."""
    response = client.get(f"/api/v1/publications/{raw}")
    assert response.status_code == 404
    assert response.json() == {"error": "该信息不存在或已撤回。"}
