"""Estimated totals ("约 N 条", issue 20 part 3): only for a search of the whole site for
several words or a long phrase that could match more than ESTIMATE_ABOVE documents; the
results themselves are always the real matches, and every other total stays exact."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from gongkai.core.tests.helpers import at
from gongkai.portal import search
from gongkai.portal.search import SearchQuery, search_publications, stats
from gongkai.portal.tests.test_search import columns, make_published  # noqa: F401 - fixtures

PHRASE = "食品安全抽检结果"


@pytest.fixture
def site(make_published, monkeypatch):  # noqa: F811
    """16 items hold the phrase (the 8 newest among them), 8 older ones do not; the index
    rebuilt with every string of at least 2 items tracked."""
    for day in range(8):
        make_published(f"关于第{day}批建设项目的公示", on=dt.date(2025, 1, 1) + dt.timedelta(days=day))
    for day in range(16):
        make_published(f"第{day}期{PHRASE}公告", body=f"本期{PHRASE}如下",
                       on=dt.date(2025, 3, 1) + dt.timedelta(days=day))
    at(dt.date(2026, 3, 2))
    monkeypatch.setattr(stats, "TRACK_AT", 2)
    with transaction.atomic():
        search.rebuild_index()
    monkeypatch.setattr(search, "ESTIMATE_ABOVE", 10)
    monkeypatch.setattr(search, "ESTIMATE_SAMPLE", 8)  # the 8 newest documents
    monkeypatch.setattr(search, "ESTIMATE_MIN_MATCHES", 4)
    return make_published


def _indexed() -> int:
    return stats.frequency(stats.OWNERS)


def test_a_long_phrase_of_the_whole_site_gets_an_estimated_total(site):
    results = search_publications(SearchQuery(text=f'"{PHRASE}"', per_page=5))
    # The 8 newest documents all match: scaled, every indexed document (the guide and the
    # older items are in the index too) — but never above the kept counts of the phrase's
    # strings (16 items hold each).
    assert results.estimated
    assert _indexed() > 16 and results.total == 16
    assert len(results.hits) == 5 and all(PHRASE in h.publication.title for h in results.hits)
    # The pages hold the real matches: past the last one, a page is empty, not an error.
    past = search_publications(SearchQuery(text=f'"{PHRASE}"', per_page=5, page=5))
    assert past.estimated and past.hits == []


def test_several_words_too_and_the_date_order_reads_the_real_matches(site):
    results = search_publications(SearchQuery(text="食品 抽检", order="date", per_page=20))
    assert results.estimated
    assert [h.publication.title for h in results.hits] == [
        f"第{day}期{PHRASE}公告" for day in range(15, -1, -1)]


def test_a_filtered_search_or_one_under_the_threshold_is_exact(site, bureau, monkeypatch):
    by_agency = search_publications(SearchQuery(text=f'"{PHRASE}"', agency_id=bureau.pk))
    assert not by_agency.estimated and by_agency.total == 16
    by_year = search_publications(SearchQuery(text=f'"{PHRASE}"', year=2025))
    assert not by_year.estimated and by_year.total == 16
    monkeypatch.setattr(search, "ESTIMATE_ABOVE", 16)  # the phrase's strings are in 16 items
    exact = search_publications(SearchQuery(text=f'"{PHRASE}"'))
    assert not exact.estimated and exact.total == 16


def test_too_few_matches_among_the_newest_are_counted(site, monkeypatch):
    monkeypatch.setattr(search, "ESTIMATE_MIN_MATCHES", 9)  # the sample holds 8
    results = search_publications(SearchQuery(text=f'"{PHRASE}"'))
    assert not results.estimated and results.total == 16


def test_a_kept_count_or_a_rare_string_is_never_estimated(site):
    kept = search_publications(SearchQuery(text="抽检"))  # one short run: its kept count
    assert not kept.estimated and kept.total == 16
    rare = search_publications(SearchQuery(text="食品 第3期"))  # 第3期 is in 1 item: untracked
    assert not rare.estimated and rare.total == 1


def test_the_search_page_and_the_api_say_about(site, client):
    page = client.get(reverse("portal:search"), {"q": f'"{PHRASE}"'})
    assert page.status_code == 200
    assert "找到约16条" in page.content.decode()
    api = client.get("/api/v1/search", {"q": f'"{PHRASE}"'}).json()
    assert api["total_estimated"] is True and api["total"] == 16
    api = client.get("/api/v1/publications", {"q": "抽检"}).json()
    assert api["total_estimated"] is False and api["total"] == 16


def test_an_estimate_is_scaled_and_shown_with_three_significant_digits(site, monkeypatch):
    monkeypatch.setattr(stats, "frequency", lambda gram: 123_456 if gram == stats.OWNERS else None)
    monkeypatch.setattr(search, "_upper_bound", lambda spec: 10**9)
    results = search_publications(SearchQuery(text=f'"{PHRASE}"'))
    assert results.estimated and results.total == 123_000


def test_an_estimate_below_the_real_number_never_hides_a_match(site, monkeypatch):
    """The newest documents may hold fewer matches than the older ones: the paging goes on
    while pages are full, and the relevance order still reads past the titled matches."""
    monkeypatch.setattr(search, "_estimate", lambda backend, spec: 3)
    seen, page = [], 1
    while True:
        results = search_publications(SearchQuery(text=f'"{PHRASE}"', per_page=5, page=page))
        assert results.estimated and results.total >= len(seen) + len(results.hits)
        seen += [h.publication.pk for h in results.hits]
        if page >= results.num_pages:
            break
        page += 1
    assert len(seen) == len(set(seen)) == 16


def test_an_estimate_below_the_other_kinds_counts_is_recounted(site, monkeypatch):
    real_facets = search._facets

    def with_many_decisions(backend, spec, total, context):
        facets = real_facets(backend, spec, total, context)
        facets["decision"] = 10**6  # more than any estimate: the items' share would be < 0
        facets["publication"] = total - sum(n for k, n in facets.items() if k != "publication")
        return facets

    monkeypatch.setattr(search, "_facets", with_many_decisions)
    results = search.search(SearchQuery(text=f'"{PHRASE}"'))
    assert not results.estimated and results.total == 16


def test_the_newest_key_is_read_from_the_backends_own_index(site):
    from gongkai.portal.search import _backend
    from gongkai.portal.search.query import indexed

    keys = sorted(indexed().values(), reverse=True)
    backend = _backend()
    assert backend.newest_key(0) == keys[0]
    assert backend.newest_key(len(keys) - 1) == keys[-1]
    assert backend.newest_key(len(keys)) is None


def test_the_sample_is_found_once_and_again_when_an_item_is_published(site, monkeypatch):
    """The sample's oldest key is found by walking ESTIMATE_SAMPLE index entries: once
    for as long as the index holds the same documents, again after a publication."""
    from gongkai.portal.search import _backend

    backend = _backend()
    walks = []
    real = backend.newest_key

    def counted(offset):
        if offset:
            walks.append(offset)
        return real(offset)

    monkeypatch.setattr(backend, "newest_key", counted)
    first = search.search_publications(SearchQuery(text="食品 抽检"))
    again = search.search_publications(SearchQuery(text=f'"{PHRASE}"'))
    assert first.estimated and again.estimated and walks == [7]
    # Eight newer items without the words: the sample (the 8 newest) now holds no match,
    # which a stale sample start would not see.
    for day in range(8):
        site(f"关于第{day}批道路工程的公示", on=dt.date(2025, 6, 1) + dt.timedelta(days=day))
    after = search.search_publications(SearchQuery(text="食品 抽检"))
    assert walks == [7, 7] and not after.estimated and after.total == 16
