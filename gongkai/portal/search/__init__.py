"""Chinese full-text search over published items (issue 6, "Search").

One interface, two backends chosen from ``connection.vendor``: SQLite FTS5 (the embedded
default) and PostgreSQL (tsvector + GIN). The index lives in the database and changes in
the same transaction as publish and withdraw (``connect()`` registers the listener that
``publishing.services.publications`` calls inside its transaction), so a withdrawn item
is never found and a rolled-back publish leaves no row.

Matching is exact substring matching on normalised text (see ``text``): whitespace
separates words that must all occur, a quoted "…" string is one phrase, traditional and
simplified characters, full- and half-width forms, upper and lower case are the same.

Relevance: items whose title or document number contains every word come first, then
the other matches; within each tier, newest first (``published_on``, then id). It is a
static order, so a page is read straight off the index in key order and stops after
``per_page`` rows — no scoring of every match — and ``total`` is an exact count. "date"
order is newest first over all matches.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction

from gongkai.portal.search import documents, stats, text
from gongkai.portal.search.query import Spec
from gongkai.portal.search.text import Term

__all__ = [
    "Hit",
    "Results",
    "SearchQuery",
    "connect",
    "index_publication",
    "index_publications",
    "rebuild_index",
    "remove_publication",
    "search_publications",
    "verify_index",
]

MAX_PER_PAGE = 100
SNIPPET_WIDTH = 120


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    agency_id: int | None = None
    include_subtree: bool = True
    column_id: int | None = None
    topic_id: int | None = None
    year: int | None = None
    order: str = "relevance"  # "relevance" | "date"
    page: int = 1
    per_page: int = 20


@dataclass
class Hit:
    publication: object  # Publication, with agency and topic loaded
    title_html: str
    snippet_html: str
    score: float


@dataclass
class Results:
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0


def _backend():
    if connection.vendor == "postgresql":
        from gongkai.portal.search import postgres

        return postgres
    if connection.vendor == "sqlite":
        from gongkai.portal.search import sqlite

        return sqlite
    raise NotImplementedError(f"search has no backend for {connection.vendor}")


# --- keeping the index -------------------------------------------------------------------


def _public_queryset():
    """Published items. Those of inactive agencies are indexed too and left out at query
    time (``selectors.public_publications`` is the definition of public), so switching
    an agency off or on needs no reindexing: a search reads which inactive agencies have
    items in the index from the kept counts (``stats.inactive_indexed_agencies``)."""
    from gongkai.publishing.models import Publication
    from gongkai.publishing.models.publication import PublicationStatus

    return Publication.objects.filter(status=PublicationStatus.PUBLISHED)


def _index(docs: list[documents.Document]) -> None:
    backend = _backend()
    removed = backend.remove([d.publication_id for d in docs])
    backend.insert(docs)
    stats.apply(added=docs, removed=removed)


def _unindex(publication_ids: list[int]) -> None:
    stats.apply(added=[], removed=_backend().remove(publication_ids))


def index_publication(publication) -> None:
    """Put an item into the index (or refresh it), with the counts. Only published items
    are indexed; anything else is taken out."""
    from gongkai.publishing.models.publication import PublicationStatus

    if publication.status != PublicationStatus.PUBLISHED:
        remove_publication(publication)
        return
    _index(documents.build_many([publication]))


def remove_publication(publication) -> None:
    _unindex([publication.pk])


def index_publications(publications) -> None:
    """``index_publication`` for a batch, in a fixed number of queries (bulk import)."""
    from gongkai.publishing.models.publication import PublicationStatus

    publications = list(publications)
    published = [p for p in publications if p.status == PublicationStatus.PUBLISHED]
    others = [p.pk for p in publications if p.status != PublicationStatus.PUBLISHED]
    if others:
        _unindex(others)
    if published:
        _index(documents.build_many(published))


def _on_visibility(publication, visible: bool) -> None:
    if visible:
        index_publication(publication)
    else:
        remove_publication(publication)


def _on_visibility_many(publications, visible: bool) -> None:
    if visible:
        index_publications(publications)
    else:
        _unindex([p.pk for p in publications])


# A caller that changes many items at once (the bulk importer) may call ``listener.many``
# once per batch instead of the listener once per item.
_on_visibility.many = _on_visibility_many


def connect() -> None:
    """Register the index with publishing's visibility listeners (called from
    ``PortalConfig.ready``); idempotent."""
    from gongkai.publishing.services.publications import visibility_listeners

    if _on_visibility not in visibility_listeners:
        visibility_listeners.append(_on_visibility)


def rebuild_index(*, batch_size: int = 2000, commit_each_batch: bool = False, progress=None) -> int:
    """Empty the index and index every published item again, in batches, then choose
    the tracked strings and their counts, and count every agency's items (``stats``).
    Called inside a transaction, it is all-or-nothing; with ``commit_each_batch``
    (outside any transaction) each batch commits on its own, so that on SQLite other
    writers are not locked out for the whole rebuild. Returns the number of items
    indexed."""
    backend = _backend()
    step = transaction.atomic if commit_each_batch else contextlib.nullcontext
    with step():
        backend.clear()
        stats.clear()
    counts: Counter[str] = Counter()
    done = 0
    last = 0
    queryset = _public_queryset().order_by("pk")
    while True:
        with step():
            batch = list(queryset.filter(pk__gt=last)[:batch_size])
            if not batch:
                break
            docs = documents.build_many(batch)
            backend.insert(docs)
        stats.count_all(docs, into=counts)
        done += len(batch)
        last = batch[-1].pk
        if progress:
            progress(done)
    with step():
        stats.replace(counts)
    backend.optimise()
    return done


@dataclass
class Drift:
    missing: list[int]  # published, not in the index
    extra: list[int]  # in the index, not published
    stale: list[int]  # indexed under another date key (published again since)
    wrong_counts: list[str] = field(default_factory=list)  # strings whose count is off

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.wrong_counts)


def verify_index(*, counts: bool = True) -> Drift:
    """Compare the index with the published items (ids and date keys) and, with
    ``counts``, the tracked counts and the counts per agency with a recount from the
    indexed token strings."""
    backend = _backend()
    indexed = backend.indexed()
    expected = {
        pk: documents.sort_key(published_on, pk)
        for pk, published_on in _public_queryset().values_list("pk", "published_on")
    }
    drift = Drift(
        missing=sorted(set(expected) - set(indexed)),
        extra=sorted(set(indexed) - set(expected)),
        stale=sorted(pk for pk, key in expected.items() if pk in indexed and indexed[pk] != key),
    )
    if counts:
        drift.wrong_counts = stats.wrong_counts(stats.count_all(backend.all_tokens()))
    return drift


# --- searching ---------------------------------------------------------------------------


def _spec(query: SearchQuery, terms: list[Term]) -> Spec | None:
    filters: list[str] = []
    if query.agency_id is not None:
        kind = "ag" if query.include_subtree else "ow"
        filters.append(documents.filter_token(kind, query.agency_id))
    if query.column_id is not None:
        filters.append(documents.filter_token("co", query.column_id))
    if query.topic_id is not None:
        filters.append(documents.filter_token("tp", query.topic_id))
    key_range = None
    if query.year is not None:
        year = int(query.year)
        if not 1 <= year <= 9999:
            return None
        key_range = documents.key_range_for_year(year)
    # Only inactive agencies with items in the index need excluding: the agency table and
    # the kept counts per agency say which (one query); the published items are not read.
    excluded = [documents.filter_token("ow", pk) for pk in stats.inactive_indexed_agencies()]
    return Spec(terms=terms, filters=filters, excluded=excluded, key_range=key_range)


def _known_total(spec: Spec, mark: str) -> int | None:
    """The number of indexed items that match, from the tracked counts, when the query is
    one run of 1 to MAX_GRAM characters with no filter and the string is tracked (else
    None: count the matches). Excluded agencies' items are in it (see ``_count``)."""
    if len(spec.terms) != 1 or spec.filters or spec.key_range:
        return None
    term = spec.terms[0]
    if len(term.runs) != 1 or len(term.runs[0]) > stats.MAX_GRAM:
        return None
    return stats.frequency(mark + term.runs[0])


def _count(backend, spec: Spec, tier: str) -> int:
    """The exact number of matches: the tracked count less the matches within the
    excluded agencies (a count that walks their own items, not the corpus), or a count."""
    known = _known_total(spec, documents.HEADLINE if tier == "title" else "")
    if known is None:
        return backend.count(spec, tier)
    if spec.excluded:
        known -= backend.count(Spec(terms=spec.terms, within=spec.excluded), tier)
    return known


def _page_keys(backend, spec: Spec, query: SearchQuery, offset: int, limit: int):
    """(total, [(key, title tier?)]) for one page."""
    total = _count(backend, spec, "all")
    if total == 0 or offset >= total:
        return total, []
    if query.order == "date":
        return total, [(key, None) for key in backend.keys(spec, "all", limit=limit, offset=offset)]
    titled = _count(backend, spec, "title")
    keys: list[tuple[int, bool | None]] = []
    if offset < titled:
        keys += [(k, True) for k in backend.keys(spec, "title", limit=limit, offset=offset)]
    if len(keys) < limit and titled < total:
        rest_offset = max(0, offset - titled)
        keys += [
            (k, False)
            for k in backend.keys(spec, "rest", limit=limit - len(keys), offset=rest_offset)
        ]
    return total, keys


def search_publications(query: SearchQuery) -> Results:
    """One page of published items matching ``query`` with the exact total."""
    from gongkai.portal.selectors import public_publications

    per_page = min(max(int(query.per_page or 20), 1), MAX_PER_PAGE)
    page = max(int(query.page or 1), 1)
    terms = text.parse_query(query.text)
    results = Results(total=0, page=page, per_page=per_page, terms=[t.text for t in terms])
    if not terms:
        return results
    spec = _spec(query, terms)
    if spec is None:
        return results
    total, keys = _page_keys(_backend(), spec, query, (page - 1) * per_page, per_page)
    results.total = total
    if not keys:
        return results
    ids = [documents.publication_id_of(k) for k, _ in keys]
    found = {p.pk: p for p in public_publications().filter(pk__in=ids)}
    shown = [(found[pk], titled) for pk, (_, titled) in zip(ids, keys, strict=True) if pk in found]
    # (an item may have been withdrawn this very moment: it is never shown)
    results.hits = _hits(shown, terms, first=(page - 1) * per_page)
    return results


def _hits(shown, terms: list[Term], *, first: int) -> list[Hit]:
    """Highlighted titles and snippets for a page: every title and body normalised in
    one go; an attachment's text only when the match is in it."""
    from gongkai.publishing.models import PublicationAttachment

    titles = [publication.title for publication, _ in shown]
    bodies = [text.collapse_space(text.html_to_text(p.body)) for p, _ in shown]
    normalised = text.normalise_many(titles + bodies)
    unmatched = [p.pk for n, (p, _) in enumerate(shown) if not text.match_spans(normalised[len(shown) + n], terms)]
    attachments: dict[int, list[str]] = {}
    if unmatched:
        for pk, attachment in (
            PublicationAttachment.objects.filter(publication_id__in=unmatched, is_active=True)
            .exclude(text="")
            .order_by("id")
            .values_list("publication_id", "text")
        ):
            attachments.setdefault(pk, []).append(attachment)
    hits = []
    for n, (publication, titled) in enumerate(shown):
        body, norm_body = bodies[n], normalised[len(shown) + n]
        for attachment in attachments.get(publication.pk, ()):
            candidate = text.collapse_space(attachment)
            norm_candidate = text.normalise(candidate)
            if text.match_spans(norm_candidate, terms):
                body, norm_body = candidate, norm_candidate
                break
        hits.append(
            Hit(
                publication=publication,
                title_html=text.highlight(publication.title, terms, normalised=normalised[n]),
                snippet_html=text.snippet(body, terms, width=SNIPPET_WIDTH, normalised=norm_body),
                # Higher is better: title-tier hits score 1 + …, the rest below 1; within
                # a tier the order is the date order, so the score restates the position.
                score=(1.0 if titled else 0.0) + 1.0 / (2 + first + n),
            )
        )
    return hits
