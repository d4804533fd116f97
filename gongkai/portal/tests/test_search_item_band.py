"""A search of the items only (the publications API, ``search_publications``) leaves the
reports, decisions and guides out (issue 14's PostgreSQL follow-up): on PostgreSQL by
their band of document ids, so no tsquery carries a kind term; on SQLite by their
negated kind tokens (its FTS5 rowid is the date key). Either way the totals stay exact,
also when they come from the kept counts less what is excluded, and an items-only search
does not read the decisions' last days (every decision is out by its kind)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.core.services import agencies as agency_services
from gongkai.core.tests.helpers import at
from gongkai.decisions import services as decision_services
from gongkai.decisions.models import DecisionStatus
from gongkai.decisions.tests.conftest import DecisionFactory
from gongkai.portal import search
from gongkai.portal.search import SearchQuery, documents, stats
from gongkai.portal.search import text as t

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached")]

WORDS = ["食品", "食", "品", "抽检", "安全", "食品安全", "公示"]


@pytest.fixture
def every_kind(site, bureau, office, platform_admin):
    """Items, a decision in its period, a decision whose period has ended (not yet
    synced) and a guide, all holding the same words as the items."""
    at(dt.date(2025, 3, 6))
    current = DecisionFactory(agency=bureau, status=DecisionStatus.PENDING, published_on=None,
                              party_name="青岚市宏达食品贸易有限公司", matter="食品安全抽检不合格")
    ended = DecisionFactory(agency=bureau, status=DecisionStatus.PENDING, published_on=None,
                            party_name="青岚市短期公示食品有限公司", matter="食品安全",
                            publication_ends_on=dt.date(2025, 4, 30))
    for decision in (current, ended):
        decision_services.decision_publish(actor=office, decision=decision)
    agency_services.agency_update(actor=platform_admin, agency=bureau, reason="更新",
                                  office_hours="工作日食品安全抽检咨询")
    at(dt.date(2025, 5, 1))  # the second decision's period is over
    return {"current": current, "ended": ended}


def items_of(word: str) -> int:
    """The items among every kind's matches (the search of everything agrees)."""
    facets = search.search(SearchQuery(text=word)).facets
    return sum(facets[k] for k in documents.PUBLICATION_KINDS)


def check_items_only():
    backend = search._backend()
    for word in WORDS:
        spec = search._spec(SearchQuery(text=word), t.parse_query(word))
        for tier in ("all", "title"):
            assert search._count(backend, spec, tier) == backend.count(spec, tier), (word, tier)
        results = search.search_publications(SearchQuery(text=word, per_page=100))
        assert results.total == items_of(word) == len(results.hits), word
        assert {hit.kind for hit in results.hits} <= set(documents.PUBLICATION_KINDS)
        assert all(hit.publication is not None for hit in results.hits)


def test_items_only_totals_are_exact_with_every_kind_in_the_index(every_kind, monkeypatch):
    assert search.search(SearchQuery(text="食品")).facets["decision"] == 1  # the ended one is out
    check_items_only()
    monkeypatch.setattr(stats, "TRACK_AT", 1)  # the kept counts answer one-word totals
    search.rebuild_index()
    assert stats.frequency("食品") is not None
    for word in ("食品", "食", "安全"):
        spec = search._spec(SearchQuery(text=word), t.parse_query(word))
        assert search._known_total(spec, "") is not None, word
    check_items_only()
    assert search.verify_index().ok


def test_no_tsquery_carries_a_kind_term_on_postgresql(every_kind, monkeypatch):
    monkeypatch.setattr(stats, "TRACK_AT", 1)
    search.rebuild_index()
    for word in ("食品", "食品安全"):  # a kept count less the excluded, and a counted total
        with CaptureQueriesContext(connection) as captured:
            total = search.search_publications(SearchQuery(text=word)).total
        assert total == items_of(word)
        statements = [q["sql"] for q in captured.captured_queries]
        # the decisions' last days are not read: every decision is out by its kind
        assert not any(stats.EXPIRY in sql for sql in statements)
        searched = [sql for sql in statements if ("portal_search_pg" in sql or "portal_search_fts" in sql)]
        assert searched
        guide = documents.kind_token("guide")
        if connection.vendor == "postgresql":
            assert not any(guide in sql for sql in searched), searched
            assert all("publication_id" in sql for sql in searched if "@@" in sql)
        else:  # FTS5: the rowid is the date key, the kind stays a negated token
            assert any(guide in sql for sql in searched)


def test_a_search_of_every_kind_still_leaves_the_ended_decision_out(every_kind):
    ended = every_kind["ended"]
    assert search.search(SearchQuery(text="短期公示")).total == 0
    spec = search._spec(SearchQuery(text="短期公示"), t.parse_query("短期公示"), items_only=False)
    assert documents.filter_token("dc", documents.doc_id("decision", ended.pk)) in spec.excluded
