"""Recall against a substring scan: on a corpus built from the project's sample documents,
every 2-, 3- and 4-character query of a list drawn from them (and a few 1-character ones)
finds exactly the items whose normalised text contains it — on SQLite and on PostgreSQL."""

import datetime as dt
import random
import re

import pytest

from gongkai.core.tests.fixtures.documents import TRADITIONAL, sample_documents
from gongkai.portal.search import SearchQuery, index_publication, search_publications
from gongkai.portal.search import text as t
from gongkai.publishing.models import Publication, PublicationAttachment

RUN = re.compile(r"[^\W_]+")
WANTED = {1: 12, 2: 150, 3: 150, 4: 150}  # queries per length


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[。\n；;]", text) if len(s.strip()) >= 4]


def sample_sentences() -> list[str]:
    sentences = []
    for text in sample_documents().values():
        sentences += split_sentences(text)
    return sentences


def query_list(sentences: list[str]) -> list[str]:
    """About 150 queries of each length 2, 3, 4 (and 12 of length 1), drawn with a fixed
    seed from the runs of the sample sentences, as typed (traditional ones included)."""
    rnd = random.Random(6)
    by_length: dict[int, set[str]] = {size: set() for size in WANTED}
    for sentence in sentences:
        for run in RUN.findall(sentence):
            for size in by_length:
                by_length[size].update(run[i : i + size] for i in range(len(run) - size + 1))
    # Fail loudly if the samples shrink below what the list needs (twice it, so the draw
    # stays a sample rather than the whole pool) instead of quietly asking fewer queries.
    pools = {size: len(grams) for size, grams in by_length.items()}
    assert all(pools[size] >= 2 * WANTED[size] for size in WANTED), pools
    queries = []
    for size, grams in by_length.items():
        queries += rnd.sample(sorted(grams), WANTED[size])
    return queries


def make_item(n, sentences, rnd, user, agency) -> Publication:
    picks = rnd.sample(sentences, 5)
    publication = Publication.objects.create(
        agency=agency, index_number=f"recall/{n}", status="published", title=picks[0][:300],
        issuing_agency=agency.name, doc_number=f"测〔{2010 + n % 15}〕{n}号",
        written_on=dt.date(2020, 1, 1), published_on=dt.date(2020, 1, 1) + dt.timedelta(days=n),
        disclosure_attribute="proactive", body="".join(f"<p>{s}。</p>" for s in picks[1:3]),
        created_by=user,
    )
    if n % 4 == 0:
        PublicationAttachment.objects.create(
            publication=publication, file="publishing/x.pdf", original_name="附件.pdf",
            kind="PDF", size=1, text="\n".join(picks[3:]), uploaded_by=user,
        )
    if n % 9 == 0:  # removed attachments are not searched
        PublicationAttachment.objects.create(
            publication=publication, file="publishing/y.pdf", original_name="旧附件.pdf",
            kind="PDF", size=1, text="已删除附件中的独有文字", uploaded_by=user, is_active=False,
        )
    index_publication(publication)
    return publication


def normalised_text(publication: Publication) -> str:
    fields = [publication.title, publication.doc_number, t.html_to_text(publication.body)]
    fields += list(
        publication.attachments.filter(is_active=True).values_list("text", flat=True)
    )
    return "\n".join(t.normalise(f) for f in fields)


def matches(query: str, **kwargs) -> tuple[int, set[int]]:
    ids: set[int] = set()
    page, total = 1, None
    while True:
        results = search_publications(
            SearchQuery(text=query, order="date", page=page, per_page=100, **kwargs)
        )
        total = results.total
        ids |= {hit.publication.pk for hit in results.hits}
        if page >= results.num_pages:
            return total, ids
        page += 1


@pytest.fixture
def corpus(bureau, office):
    sentences = sample_sentences()
    rnd = random.Random(2019)
    items = [make_item(n, sentences, rnd, office, bureau) for n in range(1, 181)]
    return sentences, {p.pk: normalised_text(p) for p in items}


def test_every_query_of_the_list_finds_exactly_the_items_containing_it(corpus):
    sentences, texts = corpus
    queries = query_list(sentences)
    assert [len([q for q in queries if len(q) == n]) for n in WANTED] == list(WANTED.values())
    traditional = set(split_sentences(sample_documents()[TRADITIONAL]))
    typed_traditional = [
        q for q in queries
        if t.normalise(q) != q and any(q in s for s in traditional)
    ]
    assert len(typed_traditional) >= 20  # traditional queries are asked, not only simplified
    mismatches = []
    nonempty = 0
    for query in queries:
        needle = t.normalise(query)
        expected = {pk for pk, text in texts.items() if needle in text}
        total, found = matches(query)
        nonempty += bool(expected)
        if found != expected or total != len(expected):
            mismatches.append((query, total, len(expected), sorted(found ^ expected)[:5]))
    assert mismatches == []
    assert nonempty > len(queries) * 0.8  # the list mostly asks for words the corpus has


def test_recall_holds_under_the_agency_and_year_filters(corpus, bureau, tree):
    sentences, texts = corpus
    years = {p.pk: p.published_on.year for p in Publication.objects.all()}
    for query in query_list(sentences)[::25]:
        needle = t.normalise(query)
        expected = {pk for pk, text in texts.items() if needle in text and years[pk] == 2020}
        assert matches(query, agency_id=tree["city"].pk, year=2020) == (len(expected), expected)
        assert matches(query, agency_id=tree["county"].pk) == (0, set())


def test_removed_attachments_are_not_searched(corpus):
    assert matches("独有文字") == (0, set())


def test_a_long_attachment_is_searched_to_its_end(bureau, office):
    """Longer than a tsvector's positions (16,383) with words repeated past its 255
    positions per word: PostgreSQL splits it into parts; both backends find the end."""
    filler = "政务公开工作要点和信息公开年度报告" * 3000  # ~51,000 characters
    publication = Publication.objects.create(
        agency=bureau, index_number="long/1", status="published", title="长附件",
        issuing_agency=bureau.name, written_on=dt.date(2020, 1, 1),
        published_on=dt.date(2020, 1, 2), disclosure_attribute="proactive",
        body="<p>开头的独特词甲乙</p>", created_by=office,
    )
    PublicationAttachment.objects.create(
        publication=publication, file="publishing/z.pdf", original_name="长.pdf", kind="PDF",
        size=1, text=filler + "结尾的独特词丙丁，公开年度报告的最后一句", uploaded_by=office,
    )
    index_publication(publication)

    assert matches("丙丁") == (1, {publication.pk})
    assert matches("甲乙 丙丁") == (1, {publication.pk})  # one word in each part
    assert matches('"公开年度报告的最后一句"') == (1, {publication.pk})
    assert matches("要点和信") == (1, {publication.pk})
    assert matches("甲乙 戊己") == (0, set())


# --- the other kinds (issue 14) ------------------------------------------------------------------


@pytest.fixture
def decision_corpus(bureau):
    """60 public decisions whose matters and contents are sample sentences; every third
    party a natural person (masked on the public page, so masked in the index)."""
    from gongkai.core.tests.helpers import at
    from gongkai.decisions.models import DecisionStatus, PartyType
    from gongkai.decisions.tests.conftest import DecisionFactory
    from gongkai.portal.search import index_objects, sources

    at(dt.date(2025, 3, 6))
    sentences = sample_sentences()
    rnd = random.Random(45)
    made = []
    for n in range(60):
        picks = rnd.sample(sentences, 3)
        person = n % 3 == 0
        made.append(DecisionFactory(
            agency=bureau, number=f"测罚〔2025〕{n}号", status=DecisionStatus.PUBLISHED,
            published_on=dt.date(2025, 3, 5),
            party_type=PartyType.NATURAL_PERSON if person else PartyType.ORGANISATION,
            party_name="张某某" if person else picks[0][:60], party_uscc="" if person else "91110000100000000X",
            matter=picks[1][:400], content=picks[2],
        ))
    index_objects(sources.DECISION, [d.pk for d in made])
    return sentences, {d.pk: public_decision_text(d) for d in made}


def public_decision_text(decision) -> str:
    """What the public page shows of a decision (``decisions.selectors.public_row``)."""
    from gongkai.decisions.selectors import public_row

    row = public_row(decision)
    fields = [f"{row.kind}决定：{row.party}", row.number, row.party, row.uscc, row.matter,
              row.content, row.basis, row.penalty_types, row.deciding_body]
    return "\n".join(t.normalise(f) for f in fields)


def decision_matches(query: str) -> tuple[int, set[int]]:
    from gongkai.portal.search import search

    ids: set[int] = set()
    page = 1
    while True:
        results = search(SearchQuery(text=query, order="date", page=page, per_page=100,
                                     kind="decision"))
        assert {hit.kind for hit in results.hits} <= {"decision"}
        ids |= {hit.pk for hit in results.hits}
        if page >= max(results.num_pages, 1):
            return results.total, ids
        page += 1


def test_decisions_are_found_exactly_by_the_text_their_public_page_shows(decision_corpus):
    sentences, texts = decision_corpus
    queries = query_list(sentences)[::4] + ["张某某", "某某", "张"]
    mismatches = []
    nonempty = 0
    for query in queries:
        needle = t.normalise(query)
        expected = {pk for pk, text in texts.items() if needle in text}
        total, found = decision_matches(query)
        nonempty += bool(expected)
        if found != expected or total != len(expected):
            mismatches.append((query, total, len(expected), sorted(found ^ expected)[:5]))
    assert mismatches == []
    assert nonempty > len(queries) * 0.3
    assert decision_matches("张某某") == (0, set())  # masked on the page: 张**
