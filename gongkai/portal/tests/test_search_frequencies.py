"""The rebuild's bulk count of strings (``frequencies``, ``stats.tally``) against the
count one item at a time (``stats.count_all``): the same numbers, whatever the batch."""

import random
from collections import Counter

import pytest

from gongkai.portal.search import frequencies, stats
from gongkai.portal.search.documents import HEADLINE, Document, filter_token, kind_token

# Characters that pack into different ids, repeat inside runs and across items.
ALPHABET = "政府信息公开申请年度报告食品安全抽检abc019"
COMMON = ["", "", "公开申请", "年度报告"]  # 4-character strings in many items


def _document(rnd: random.Random, pk: int) -> Document:
    def runs(count: int) -> tuple[str, ...]:
        return tuple(
            "".join(rnd.choice(ALPHABET[: rnd.randint(3, len(ALPHABET))])
                    for _ in range(rnd.randint(1, 9)))
            + rnd.choice(COMMON)
            for _ in range(count)
        )

    filters = [kind_token("report")] if pk % 7 == 0 else []
    filters += [filter_token("ow", rnd.randint(1, 4)), filter_token("ag", 1)]
    return Document(
        publication_id=pk, key=pk, filters=" ".join(filters),
        headline="", text="", text_runs=runs(rnd.randint(0, 12)),
        headline_runs=runs(rnd.randint(0, 3)),
    )


def _corpus(n: int, seed: int = 7) -> list[Document]:
    rnd = random.Random(seed)
    return [_document(rnd, pk) for pk in range(1, n + 1)]


def _token_string(document: Document) -> str:
    from gongkai.portal.search import text as t

    headline = " ".join(HEADLINE + tok for tok in t.tokens_of_runs(document.headline_runs).split())
    return " ".join(p for p in (document.filters, headline,
                                t.tokens_of_runs(document.text_runs)) if p)


def test_the_bulk_count_is_the_count_one_item_at_a_time():
    docs = _corpus(1500)
    expected = stats.count_all(docs)
    counted = stats.tally(docs, batch=256)  # several batches
    assert counted.as_counter() == expected
    assert len(expected) > 1000 and max(expected.values()) > 100  # a real test
    # Any string asked for: tracked or not, headline or not, unseen characters.
    for gram in ["政府", "府信息公", HEADLINE + "食品", filter_token("ow", 2),
                 kind_token("report"), "开申"]:
        assert counted.get(gram) == expected.get(gram, 0), gram
    assert counted.get("從未見過") == 0 and counted.get("政府信息公开") == 0
    assert counted.others() == {g: n for g, n in expected.items() if stats.is_owner_count(g)}


def test_at_least_keeps_the_frequent_strings_and_every_agency_count():
    docs = _corpus(800, seed=11)
    expected = stats.count_all(docs)
    kept = stats.tally(docs).at_least(120)
    assert kept == {
        g: n for g, n in expected.items() if n >= 120 or stats.is_owner_count(g)
    }
    assert any(len(g) == 4 and not stats.is_owner_count(g) for g in kept)  # 4-grams kept too


def test_token_strings_count_as_their_documents():
    """``verify`` counts the indexed token strings: the runs read back from the tokens."""
    docs = _corpus(300, seed=3)
    assert stats.tally(map(_token_string, docs)).as_counter() == stats.count_all(docs)


def test_no_string_spans_two_runs_or_two_items():
    docs = [
        Document(publication_id=1, key=1, filters=filter_token("ow", 1), headline="", text="",
                 text_runs=("政府", "信息"), headline_runs=("公开",)),
        Document(publication_id=2, key=2, filters=filter_token("ow", 1), headline="", text="",
                 text_runs=("府信",), headline_runs=()),
    ]
    counted = stats.tally(docs)
    assert counted.get("府信") == 1  # item 2's own run, not item 1's two runs
    assert counted.get("政府信") == 0 and counted.get("息府") == 0
    assert counted.get(HEADLINE + "公开") == 1 and counted.get("公开") == 0
    assert counted.get(filter_token("ow", 1)) == 2


def test_merging_pending_batches_keeps_the_sums(monkeypatch):
    monkeypatch.setattr(frequencies, "MERGE_AT", 50)  # a merge after nearly every batch
    docs = _corpus(1200, seed=5)
    assert stats.tally(docs, batch=100).as_counter() == stats.count_all(docs)


def test_past_the_character_limit_the_count_goes_on_the_slow_way(monkeypatch):
    """A corpus of more distinct characters than a string packs: the arrays become a
    Counter, the batch that overflowed is counted once, and the rest is added to it."""
    monkeypatch.setattr(frequencies, "MAX_CHARS", 12)
    docs = _corpus(900, seed=9)
    counted = stats.tally(docs, batch=100)
    assert counted._slow is not None  # it did go the slow way
    expected = stats.count_all(docs)
    assert counted.as_counter() == expected
    assert counted.at_least(200) == {
        g: n for g, n in expected.items() if n >= 200 or stats.is_owner_count(g)
    }
    assert counted.get("政府") == expected["政府"]
    assert counted.others() == {g: n for g, n in expected.items() if stats.is_owner_count(g)}


@pytest.mark.parametrize("items", [0, 1])
def test_tiny_corpora(items):
    docs = _corpus(items)
    assert stats.tally(docs).as_counter() == Counter(stats.count_all(docs))


def test_a_batch_whose_headlines_pass_the_character_limit_is_counted_once(monkeypatch):
    """The text of the batch fits, its headlines bring the characters that do not: the
    batch is counted the slow way as a whole (not its text twice)."""
    monkeypatch.setattr(frequencies, "MAX_CHARS", 6)
    docs = [
        Document(publication_id=1, key=1, filters=filter_token("ow", 1), headline="", text="",
                 text_runs=("政府信息",), headline_runs=()),
        Document(publication_id=2, key=2, filters=filter_token("ow", 1), headline="", text="",
                 text_runs=("政府",), headline_runs=("年度报告",)),
    ]
    counted = stats.tally(docs[:1])
    stats.tally(docs[1:], into=counted)
    assert counted._slow is not None
    assert counted.as_counter() == stats.count_all(docs)
    assert counted.get("政府") == 2
