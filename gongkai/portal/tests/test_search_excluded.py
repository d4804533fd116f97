"""The inactive agencies' documents, left out of the exact totals kept as counts (issue 20):
a string's kept count less its matches within the inactive agencies, themselves kept
(``stats.EXCLUDED``) while they were made for exactly the agencies inactive now. The
totals are those counted within the index, however the agencies were switched and
whether or not their counts have caught up; ``verify`` recounts them."""

import random

import pytest
from django.db import connection

from gongkai.core.models import Agency
from gongkai.core.services import agencies
from gongkai.portal import search
from gongkai.portal.search import SearchQuery, search_publications, stats
from gongkai.portal.search import text as t
from gongkai.portal.tests.test_search_recall import make_item, sample_sentences

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached")]

# One run of at most MAX_GRAM characters each: the strings whose counts are kept.
QUERIES = ["信息", "公开", "政府", "的", "申请", "信息公开", "政府信息"]


@pytest.fixture
def corpus(tree, office, monkeypatch):
    monkeypatch.setattr(stats, "TRACK_AT", 1)  # every string's count kept
    rnd = random.Random(22)
    sentences = sample_sentences()
    items = [make_item(n, sentences, rnd, office, tree["bureau"] if n % 3 else tree["other"])
             for n in range(1, 61)]
    search.rebuild_index()
    return items


def counted(text: str, tier: str = "all") -> int:
    """The matches counted within the index, the inactive agencies left out in the query
    itself (no kept count)."""
    spec = search._spec(SearchQuery(text=text), t.parse_query(text))
    return search._backend().count(spec, tier)


def totals() -> list[tuple[str, int, int]]:
    """(text, the search's total, its title tier's kept count) of every query."""
    backend = search._backend()
    out = []
    for text in QUERIES:
        spec = search._spec(SearchQuery(text=text), t.parse_query(text))
        out.append((text, search_publications(SearchQuery(text=text)).total,
                    search._count(backend, spec, "title")))
    return out


def expected() -> list[tuple[str, int, int]]:
    return [(text, counted(text), counted(text, "title")) for text in QUERIES]


def kept_answers(monkeypatch) -> list:
    """What ``stats.excluded_frequency`` answers during the searches after this call."""
    answers: list = []
    real = stats.excluded_frequency

    def spy(gram, agencies):
        answers.append(real(gram, agencies))
        return answers[-1]

    monkeypatch.setattr(stats, "excluded_frequency", spy)
    return answers


def test_the_totals_leave_an_agency_switched_off_out(corpus, tree, platform_admin,
                                                     django_capture_on_commit_callbacks,
                                                     monkeypatch):
    before = totals()
    assert before == expected()
    with django_capture_on_commit_callbacks(execute=True):  # local mode: tasks after commit
        agencies.agency_update(actor=platform_admin, agency=tree["other"], is_active=False,
                               reason="机构改革撤销")
    answers = kept_answers(monkeypatch)
    after = totals()
    assert after == expected()
    # The other agency's items held the words: every total fell.
    assert all(a[1] < b[1] for a, b in zip(after, before, strict=True))
    assert answers and None not in answers  # kept, made by the task
    assert sum(answers) > 0
    assert search.verify_index().ok


def test_a_search_of_every_kind_takes_its_total_from_the_kept_counts_alone(
        corpus, tree, platform_admin, django_capture_on_commit_callbacks, monkeypatch):
    """``search`` (every kind) leaves out only the inactive agencies here (no decision has
    ended): its total is the kept count less theirs, with nothing counted in the index."""
    with django_capture_on_commit_callbacks(execute=True):
        agencies.agency_update(actor=platform_admin, agency=tree["other"], is_active=False,
                               reason="机构改革撤销")
    backend = search._backend()
    answers = kept_answers(monkeypatch)
    counts = []
    real_count = backend.count
    monkeypatch.setattr(backend, "count", lambda spec, tier: counts.append(tier) or real_count(spec, tier))
    for text in QUERIES:
        total = search.search(SearchQuery(text=text)).total
        counts_before = len(counts)
        spec = search._spec(SearchQuery(text=text), t.parse_query(text), items_only=False)
        assert total == real_count(spec, "all"), text
        assert len(counts) == counts_before  # the check above is not a search's count
    assert answers and None not in answers
    assert "all" not in counts  # no total was counted in the index


def test_an_agency_switched_without_the_task_is_counted_in_the_index(
        corpus, tree, monkeypatch, django_capture_on_commit_callbacks):
    """Switched off behind the services' back (no event, no task): the counts were not made
    for it, so the totals are counted within the index until they are made again (the
    nightly sync makes them)."""
    Agency.objects.filter(pk=tree["other"].pk).update(is_active=False)
    answers = kept_answers(monkeypatch)
    assert totals() == expected()
    assert set(answers) == {None}
    assert not search.excluded_in_step()

    with django_capture_on_commit_callbacks(execute=True):  # queued, run after the commit
        search.sync_decisions()
    assert search.excluded_in_step()
    answers.clear()
    assert totals() == expected()
    assert answers and None not in answers

    # Switched on again behind its back, another off: not used.
    Agency.objects.filter(pk=tree["other"].pk).update(is_active=True)
    Agency.objects.filter(pk=tree["bureau"].pk).update(is_active=False)
    answers.clear()
    assert totals() == expected()
    assert set(answers) == {None}


def test_switching_an_agency_off_or_on_queues_the_counts_again(
        corpus, tree, platform_admin, django_capture_on_commit_callbacks):
    from gongkai.tasks.models import OutboxState, OutboxTask

    for active in (False, True):
        with django_capture_on_commit_callbacks(execute=True):
            agencies.agency_update(actor=platform_admin, agency=tree["other"], is_active=active,
                                   reason="调整")
        assert totals() == expected()
        assert search.excluded_in_step()
    done = OutboxTask.objects.filter(name=search.REFRESH_EXCLUDED)
    assert [task.state for task in done] == [OutboxState.DONE] * 2
    # A change that switches nothing queues nothing; nor does switching off an agency whose
    # only document, its guide, leaves the index with it.
    with django_capture_on_commit_callbacks(execute=True):
        agencies.agency_update(actor=platform_admin, agency=tree["other"], name="测试县市场监管局",
                               reason="更名")
        agencies.agency_update(actor=platform_admin, agency=tree["county"], is_active=False,
                               reason="撤销")
    assert done.count() == 2
    assert search.excluded_in_step()
    assert totals() == expected()


def test_documents_of_an_inactive_agency_indexed_or_removed_keep_its_counts(
        corpus, tree, office, monkeypatch):
    Agency.objects.filter(pk=tree["other"].pk).update(is_active=False)
    search.refresh_excluded()
    answers = kept_answers(monkeypatch)
    rnd = random.Random(23)
    added = [make_item(100 + n, sample_sentences(), rnd, office, tree["other"]) for n in range(8)]
    assert totals() == expected()
    search.remove_publication(corpus[2])  # n = 3: the other agency's
    search.remove_publication(added[0])
    assert totals() == expected()
    assert answers and None not in answers
    # Every kept count recounted, the inactive agency's too (the items taken out behind
    # publishing's back are "missing", its guide, no longer public, "extra": not counts).
    assert search.verify_index().wrong_counts == []


def test_a_rebuild_makes_the_counts_and_verify_finds_a_wrong_one(corpus, tree, monkeypatch):
    Agency.objects.filter(pk=tree["other"].pk).update(is_active=False)
    search.rebuild_index()
    answers = kept_answers(monkeypatch)
    assert totals() == expected()
    assert answers and None not in answers
    assert search.verify_index().ok

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {stats.TABLE} SET df = df + 1 WHERE gram = %s",  # noqa: S608
                       [stats.EXCLUDED + "信息"])
    assert search.verify_index().wrong_counts == [stats.EXCLUDED + "信息"]
