"""A tier's count and one page of it from one scan (``count_and_keys``, issue 20): where no
kept count answers, a relevance page took the title tier's count and then its page, two
scans of the same matches on PostgreSQL. On both backends the pair equals ``count`` and
``keys`` — every tier, offset (past the last match too), filter, year and exclusion —
and a filtered relevance search on PostgreSQL reads the title tier in one scan, not two."""

import random

import pytest
from django.db import connection

from gongkai.portal import search
from gongkai.portal.search import SearchQuery, search_publications
from gongkai.portal.search import text as t
from gongkai.portal.tests.test_search_pg_walk import QUERIES, statements_during
from gongkai.portal.tests.test_search_recall import make_item, sample_sentences

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached")]


@pytest.fixture
def corpus(bureau, office):
    rnd = random.Random(21)
    return [make_item(n, sample_sentences(), rnd, office, bureau) for n in range(1, 61)]


def test_count_and_keys_equals_count_and_keys(corpus, tree):
    backend = search._backend()
    compared = 0
    for text in QUERIES:
        for filters in ({}, {"year": 2020}, {"agency_id": tree["city"].pk}):
            spec = search._spec(SearchQuery(text=text, **filters), t.parse_query(text))
            for tier in ("all", "title", "rest"):
                total = backend.count(spec, tier)
                for offset, limit in ((0, 20), (3, 5), (max(total - 2, 0), 20), (total, 20),
                                      (total + 40, 20)):
                    got = backend.count_and_keys(spec, tier, limit=limit, offset=offset)
                    assert got == (total, backend.keys(spec, tier, limit=limit, offset=offset)), (
                        text, filters, tier, offset)
                    compared += bool(got[1])
    assert compared > 50  # the queries match: the pages compared are not empty


def test_a_relevance_page_is_the_same_with_one_scan_for_the_title_tier(corpus, tree, monkeypatch):
    """The title tier's count and page from one scan give the page the two statements gave."""
    backend = search._backend()

    def pages():
        return [
            [(hit.pk, hit.score) for hit in search_publications(SearchQuery(
                text=text, page=page, per_page=7, **filters)).hits]
            for text in QUERIES for filters in ({}, {"agency_id": tree["city"].pk})
            for page in (1, 2, 5)
        ]

    one_scan = pages()

    def two_statements(spec, tier, *, limit, offset):
        total = backend.count(spec, tier)
        return total, backend.keys(spec, tier, limit=limit, offset=offset) if offset < total else []

    monkeypatch.setattr(backend, "count_and_keys", two_statements)
    assert pages() == one_scan
    assert sum(map(len, one_scan)) > 50


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend")
def test_a_filtered_relevance_search_reads_the_title_tier_in_one_scan(corpus, tree):
    """The total, the title tier's count with its page, and (a page larger than the title
    tier) the rest's page: three scans, where the title tier's count and page were two."""
    seen = statements_during(lambda: search_publications(
        SearchQuery(text="信息", agency_id=tree["city"].pk, per_page=200)))
    scans = [sql for sql in seen if "portal_search_pg " in sql and "@@" in sql]
    title_and_rest = 3  # the total; the title tier's count and page; the rest's page
    assert len(scans) == title_and_rest, scans
    assert sum("WITH m AS MATERIALIZED" in sql for sql in scans) == 1
