"""Search never walks the published items (issue 11): every statement of a search — the
page, a filtered page, the API — reads the publications table by primary key only (the
page's own rows), whatever the number of items. Items of an inactive agency stay out,
and the totals stay exact, with and without the kept counts.

The guard reads the database's own query plan of every statement a search runs
(SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN``), so it cannot pass by luck on a
small table. PostgreSQL picks a sequential scan for any table this small, so its plans
are taken with ``enable_seqscan`` off: a scan that remains has no index to use, and an
index other than the primary key still shows.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.core.models import Role
from gongkai.core.tests.factories import DepartmentFactory, UserFactory, make_agency, member
from gongkai.portal import search
from gongkai.portal.search import SearchQuery, documents, search_publications, stats
from gongkai.portal.search import text as t
from gongkai.portal.tests.conftest import Publisher
from gongkai.publishing.models import Column
from gongkai.publishing.services import catalogue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached")]

TABLE = "publishing_publication"
SEARCH = reverse("portal:search")
API = reverse("api:publication-list")


@pytest.fixture
def inactive(tree, site):
    """A county bureau whose items mention the same words as the active bureau's, then
    switched off (as an agency's merger does): its items stay in the index."""
    agency = make_agency(parent=tree["county"], name="测试县原食品药品监督管理局")
    department = DepartmentFactory(agency=agency, name="综合科")
    publisher = Publisher(
        agency=agency, department=department,
        office=member(UserFactory(username="gone_office"), agency, Role.OFFICE),
        officer=member(UserFactory(username="gone_officer"), agency, Role.OFFICER, department),
        reviewer=member(UserFactory(username="gone_reviewer"), agency, Role.REVIEWER),
        leader=member(UserFactory(username="gone_leader"), agency, Role.LEADER),
    )
    catalogue.catalogue_install_default(actor=publisher.office, agency=agency)
    notices = Column.objects.get(agency=agency, name="通知公告")
    items = [
        publisher.publish("食品安全监督抽检结果公告", on=dt.date(2025, 12, 11),
                          columns=[notices], body="<p>抽检食品样品300批次。</p>"),
        publisher.publish("召回信息汇总", on=dt.date(2026, 3, 3),
                          columns=[notices], body="<p>本季度食品安全抽检与召回。</p>"),
    ]
    agency.is_active = False
    agency.save(update_fields=["is_active"])
    return {"agency": agency, "items": items}


@pytest.fixture
def switched_off_empty(tree):
    """An inactive agency that never published anything: nothing of it to exclude."""
    agency = make_agency(parent=tree["county"], name="测试县已撤销的机关")
    agency.is_active = False
    agency.save(update_fields=["is_active"])
    return agency


# --- the query plans ------------------------------------------------------------------------


class Recorder:
    """Every statement with its parameters, as executed (``execute_wrapper``)."""

    def __init__(self):
        self.statements: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, list(params)[0] if many and params else params))
        return execute(sql, params, many, context)


def statements_of(fn) -> list[tuple[str, object]]:
    recorder = Recorder()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(recorder):
        fn()
    assert len(recorder.statements) == len(captured.captured_queries)
    return recorder.statements


def _aliases(sql: str) -> set[str]:
    # Django names a table by itself, or by T<n>/U<n> when it joins it twice.
    return {TABLE} | set(re.findall(rf'"{TABLE}"\s+(?:AS\s+)?"?([A-Z]\d+)"?\b', sql))


def sqlite_violations(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        details = [row[-1] for row in cursor.fetchall()]
    names = "|".join(re.escape(a) for a in _aliases(sql))
    touching = [d for d in details if re.search(rf"\b(SCAN|SEARCH) ({names})(\s|$)", d)]
    return [d for d in touching if not re.search(r"USING INTEGER PRIMARY KEY", d)]


def _pg_nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from _pg_nodes(child)


def postgres_violations(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # The plans of a real catalogue, not of empty statistics (ANALYZE may run inside
        # the test's transaction).
        cursor.execute(f"ANALYZE {TABLE}")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("RESET enable_seqscan")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    bad = []
    for node in _pg_nodes(plan[0]["Plan"]):
        if node.get("Relation Name") == TABLE:
            if node["Node Type"] in ("Index Scan", "Index Only Scan"):
                if node.get("Index Name") != f"{TABLE}_pkey":
                    bad.append(f"{node['Node Type']} using {node.get('Index Name')}")
            elif node["Node Type"] == "Bitmap Heap Scan":
                indexes = {n.get("Index Name") for n in _pg_nodes(node)} - {None}
                if indexes != {f"{TABLE}_pkey"}:
                    bad.append(f"Bitmap Heap Scan using {sorted(indexes)}")
            else:
                bad.append(node["Node Type"])
    return bad


def assert_publications_read_by_primary_key(statements) -> None:
    violations = []
    for sql, params in statements:
        if not re.match(r"\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b", sql, re.IGNORECASE):
            continue  # SAVEPOINT and the like: nothing to plan
        check = postgres_violations if connection.vendor == "postgresql" else sqlite_violations
        violations += [f"{problem}\n    in: {sql}" for problem in check(sql, params)]
    assert not violations, "\n".join(violations)
    # The guard looks at what it should: the page's rows are read from the table.
    assert any(TABLE in sql for sql, _ in statements)


def get_ok(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response


def test_every_statement_of_a_search_reads_publications_by_primary_key_only(
    client, site, inactive, switched_off_empty, bureau
):
    # Warm-up: per-process caches (content types, the site's settings) are not the search.
    get_ok(client, SEARCH, {"q": "抽检"})
    get_ok(client, API, {"q": "抽检"})
    column = Column.objects.get(agency=bureau, name="抽检计划及结果发布")
    # Statements: the inactive agencies with indexed items (1); per tier (all, title) the
    # kept count when the query is one short word without filters (1) and a count (1,
    # of the excluded agencies' matches when the kept count answers); the page's keys
    # (1); its items, by id (1). The page adds its menus (agencies, topics: 2) and the
    # filters' agency and column (1 each; with an agency, its column menu: 1, no counts); the API
    # adds the filters' agency and column.
    # Issue 14: the page searches every kind and counts the matches per kind; when the index
    # holds kinds other than ordinary items (here the site's register and guides), their
    # counts are one more statement (all kinds in one SELECT, each walking only its kind's
    # documents). The API searches items only: no facets, no more statements.
    searches = {
        "page": (SEARCH, {"q": "抽检"}, 10),
        # one more: the kept counts of its strings say whether its total is estimated
        "page, date order, two words": (SEARCH, {"q": "食品 抽检", "order": "date"}, 8),
        "page, column and year": (SEARCH, {"q": "抽检", "column": column.pk, "year": 2025}, 9),
        "page, agency, column and year": (
            SEARCH, {"q": "抽检", "agency": bureau.code, "column": column.pk, "year": 2025}, 11),
        "api": (API, {"q": "抽检"}, 7),
        "api, agency and column": (API, {"q": "抽检", "agency": bureau.code, "column": column.pk}, 7),
    }
    # On PostgreSQL the title tier's count and page of a relevance search are one statement
    # when no kept count answers (``postgres.count_and_keys``): one fewer.
    one_scan = 1 if connection.vendor == "postgresql" else 0
    counts = {}
    for name, (url, params, _) in searches.items():
        statements = statements_of(lambda url=url, params=params: get_ok(client, url, params))
        assert_publications_read_by_primary_key(statements)
        counts[name] = len(statements)
    assert counts == {
        name: n - (0 if params.get("order") == "date" else one_scan)
        for name, (_, params, n) in searches.items()
    }


def test_the_engine_alone_reads_publications_by_primary_key_only(site, inactive, bureau):
    queries = [
        SearchQuery(text="抽检"),
        SearchQuery(text="食品安全", order="date"),
        SearchQuery(text="抽检", agency_id=bureau.parent_id, year=2025),
    ]
    for query in queries:
        statements = statements_of(lambda query=query: search_publications(query))
        assert_publications_read_by_primary_key(statements)
        # spec (1), counts (all + title: 2), keys (1 or 2), the page's items (1),
        # attachments of the hits matched outside their body (0 or 1)
        assert len(statements) <= 7


# --- results --------------------------------------------------------------------------------


def titles(text, **kwargs) -> tuple[int, list[str]]:
    results = search_publications(SearchQuery(text=text, per_page=100, **kwargs))
    return results.total, sorted(hit.publication.title for hit in results.hits)


EXPECTED = {
    "抽检": ["关于2025年第四季度食品安全监督抽检情况的通告"],
    "食品安全": ["关于2025年第四季度食品安全监督抽检情况的通告"],
    "召回": ["某品牌儿童电动自行车召回信息"],
    "食": ["关于2025年第四季度食品安全监督抽检情况的通告"],
}


def check_results():
    for word, expected in EXPECTED.items():
        total, found = titles(word)
        assert (total, found) == (len(expected), expected), word
        assert titles(word, order="date") == (len(expected), expected)


def test_items_of_an_inactive_agency_are_never_found_and_totals_are_exact(site, inactive):
    assert stats.frequency("抽检") is None  # nothing tracked: every total is counted
    check_results()


def test_totals_stay_exact_when_the_kept_counts_answer_them(site, inactive, monkeypatch):
    monkeypatch.setattr(stats, "TRACK_AT", 1)  # keep the count of every string
    search.rebuild_index()
    assert stats.frequency("抽检") == 3  # two of them in the inactive agency's items
    spec = search._spec(SearchQuery(text="抽检"), t.parse_query("抽检"))
    # the inactive agency's items, and the guides (issue 14: the items' search leaves out
    # the other kinds the index holds, counted within their own documents)
    assert spec.excluded == [documents.filter_token("ow", inactive["agency"].pk),
                             documents.kind_token("guide")]
    backend = search._backend()
    for word in EXPECTED:
        spec = search._spec(SearchQuery(text=word), t.parse_query(word))
        for tier in ("all", "title"):
            mark = documents.HEADLINE if tier == "title" else ""
            # the kept count is used (not given up on because of the exclusion) ...
            assert search._known_total(spec, mark) is not None, (word, tier)
            # ... and it is the counted one
            assert search._count(backend, spec, tier) == backend.count(spec, tier), (word, tier)
    check_results()
    assert search.verify_index().ok


def test_only_inactive_agencies_with_indexed_items_are_excluded(
    site, inactive, switched_off_empty, office
):
    search.rebuild_index()
    gone = inactive["agency"]
    spec = search._spec(SearchQuery(text="抽检"), t.parse_query("抽检"), items_only=False)
    assert spec.excluded == [documents.filter_token("ow", gone.pk)]

    # Its last items leave the index: nothing of it is left to exclude.
    search.remove_publication(inactive["items"][0])
    search.remove_publication(inactive["items"][1])
    assert search._spec(SearchQuery(text="抽检"), t.parse_query("抽检"), items_only=False).excluded == []
    check_results()
    for item in inactive["items"]:
        search.index_publication(item)
    assert search.verify_index().ok

    # Switched on again: found again at once, without reindexing.
    gone.is_active = True
    gone.save(update_fields=["is_active"])
    assert search._spec(SearchQuery(text="抽检"), t.parse_query("抽检"), items_only=False).excluded == []
    assert titles("抽检")[0] == 3
    # ... and off again: left out at once.
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    check_results()


def test_before_the_first_rebuild_every_inactive_agency_is_excluded(
    site, inactive, switched_off_empty
):
    """A database indexed by an older release has no counts per agency until ``search
    rebuild``: meanwhile every inactive agency is excluded (correct, a little slower)."""
    stats.clear()
    spec = search._spec(SearchQuery(text="抽检"), t.parse_query("抽检"))
    assert sorted(spec.excluded) == sorted(
        documents.filter_token("ow", a.pk) for a in (inactive["agency"], switched_off_empty))
    check_results()
    assert search.verify_index().wrong_counts  # verify says the counts need a rebuild
    search.rebuild_index()
    assert search.verify_index().ok


def test_verify_detects_a_wrong_count_of_an_agencys_items_and_rebuild_repairs_it(
    site, inactive
):
    search.rebuild_index()
    owner = documents.filter_token("ow", inactive["agency"].pk)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {stats.TABLE} SET df = df + 5 WHERE gram = %s", [owner])  # noqa: S608
    assert search.verify_index().wrong_counts == [owner]
    search.rebuild_index()
    assert search.verify_index().ok
    assert stats.tracked()[owner] == 2
