"""Chinese full-text search over published items (issue 6, "Search") and every other
public object: annual reports, decisions in their publication period, agencies' guides
(issue 14; ``sources``), with facets by kind (``documents.KINDS``).

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

``search`` searches every kind and counts the matches per kind (``Results.facets``);
``search_publications`` searches the items only (the publications API). Other objects
follow the same path as items: the apps that publish or withdraw them emit
``PUBLIC_OBJECT_CHANGED`` inside their transaction and ``_on_public_object`` reindexes
them from what is public now.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field

from django.db import connection, transaction

from gongkai.core import clock
from gongkai.portal.search import documents, sources, stats, text
from gongkai.portal.search.query import Spec
from gongkai.portal.search.text import Term
from gongkai.tasks.registry import handler

__all__ = [
    "Hit",
    "Results",
    "SearchQuery",
    "connect",
    "index_objects",
    "index_publication",
    "index_publications",
    "rebuild_index",
    "rebuild_later",
    "remove_publication",
    "search",
    "search_publications",
    "sync_decisions",
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
    kind: str | None = None  # one of documents.KINDS: only that kind (``search``)


@dataclass
class Hit:
    publication: object  # Publication, with agency and topic loaded; None for other kinds
    title_html: str
    snippet_html: str
    score: float
    kind: str = "publication"
    title: str = ""
    link: str = ""  # other kinds' address; an item's is reversed only when asked for
    agency: object = None
    date: dt.date | None = None
    pk: int | None = None  # the object's own id (an item's, a decision's, an agency's …)

    @property
    def kind_label(self) -> str:
        return documents.KINDS[self.kind]

    @property
    def url(self) -> str:
        # Lazily: reversing 20 addresses costs ~1 ms a search, and the publications API
        # never reads them.
        if not self.link and self.publication is not None:
            from django.urls import reverse

            self.link = reverse("portal:publication-detail", args=[self.publication.pk])
        return self.link


@dataclass
class Results:
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    # kind → matches of that kind, every kind filter but the kind filter applied (``search``)
    facets: dict[str, int] = field(default_factory=dict)
    estimated: bool = False  # ``total`` (and the items' facet) estimated: "约 N 条"

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


def _index(docs: list[documents.Document], last_days: dict[int, dt.date] | None = None) -> None:
    backend = _backend()
    ids = [d.publication_id for d in docs]
    removed = backend.remove(ids)
    backend.insert(docs)
    stats.apply(added=docs, removed=removed)
    if last_days is not None:  # decisions: their last days go and come with them
        stats.drop_last_days([pk for pk in ids if pk not in last_days])
        stats.set_last_days(last_days)


def _unindex(publication_ids: list[int], *, last_days: bool = False) -> None:
    stats.apply(added=[], removed=_backend().remove(publication_ids))
    if last_days:
        stats.drop_last_days(publication_ids)


def index_objects(model: str, pks) -> None:
    """Bring the report, decision or guide (``sources`` model name) of each of ``pks`` in
    line with what is public now: indexed (again) when public, taken out when not."""
    pks = sorted({int(pk) for pk in pks})
    if not pks:
        return
    docs, last_days = sources.documents_of(model, pks)
    shown = {d.publication_id for d in docs}
    gone = [documents.doc_id(model, pk) for pk in pks if documents.doc_id(model, pk) not in shown]
    decision = model == sources.DECISION
    if gone:
        _unindex(gone, last_days=decision)
    if docs:
        _index(docs, last_days if decision else None)


_MODELS = {"AnnualReport": sources.REPORT, "Decision": sources.DECISION, "Agency": sources.GUIDE}


def _on_public_object(objects, visible: bool | None = None) -> None:
    """``PUBLIC_OBJECT_CHANGED``: reports, decisions, agencies (their guides) or items,
    one or a list; each is indexed again from what is public now (``visible`` is a hint
    the index does not need)."""
    if not isinstance(objects, list | tuple | set):
        objects = [objects]
    by_model: dict[str, list[int]] = {}
    items = []
    for obj in objects:
        name = type(obj).__name__
        if name == "Publication":
            items.append(obj.pk)
        elif name in _MODELS:
            by_model.setdefault(_MODELS[name], []).append(obj.pk)
    if items:
        from gongkai.publishing.models import Publication

        index_publications(Publication.objects.filter(pk__in=items).order_by("pk"))
    for model, pks in by_model.items():
        index_objects(model, pks)
    # An agency switched off or on (with documents): its counts are made again.
    if any(type(obj).__name__ == "Agency" for obj in objects) and not excluded_in_step():
        refresh_excluded_later()


# --- an agency switched off or on: the inactive agencies' kept counts -----------------------

REFRESH_EXCLUDED = "search.refresh_excluded"


def refresh_excluded_later() -> None:
    """Have a worker count the inactive agencies' documents again (``refresh_excluded``)
    after the commit of the change that switched an agency off or on. Until it has, a
    search counts their matches within the index (exact, slower)."""
    import uuid

    from gongkai.tasks.outbox import enqueue

    enqueue(REFRESH_EXCLUDED, args={}, key=f"{REFRESH_EXCLUDED}:{uuid.uuid4().hex}")


@handler(REFRESH_EXCLUDED)
def refresh_excluded() -> int:
    """Count the tracked strings among the documents of the agencies inactive now that
    have documents in the index (``stats.replace_excluded``), in one transaction that
    holds off the index's writers: ~1 s for 10,000 documents. Idempotent. Returns the
    number of documents counted."""
    backend = _backend()
    with transaction.atomic():
        backend.hold_writers()
        agencies = stats.inactive_indexed_agencies()
        strings = backend.owned_tokens(agencies)
        stats.replace_excluded(agencies, stats.tally(strings))
    return len(strings)


def excluded_in_step() -> bool:
    """Whether the inactive agencies' kept counts were made for the agencies inactive with
    documents now (else searches count their matches within the index)."""
    return stats.excluded_agencies() == stats.inactive_indexed_agencies()


def sync_decisions(*, today: dt.date | None = None) -> tuple[int, int]:
    """Take out the decisions whose publication period is over and put in those that
    became public without an event (published with a later date); ``gongkai search
    sync`` runs it (daily), and has the inactive agencies' documents counted again after
    its commit where their counts are out of step with the agencies inactive now (an
    agency switched off behind the services' back, or an inactive agency's first
    document): not in this transaction, whose writes to the index would otherwise come
    before the lock the counting takes. Returns (added, removed)."""
    wanted = {documents.doc_id(sources.DECISION, d.pk) for d, _ in sources.public_decisions(today=today)}
    low = documents.doc_id(sources.DECISION, 0)
    indexed = {pk for pk in _backend().indexed() if low <= pk < low + documents.ID_STRIDE}
    removed = sorted(indexed - wanted)
    if removed:
        _unindex(removed, last_days=True)
    added = sorted(wanted - indexed)
    if added:
        index_objects(sources.DECISION, [documents.split_doc_id(pk)[1] for pk in added])
    if not excluded_in_step():
        refresh_excluded_later()
    return len(added), len(removed)


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
    """Register the index with publishing's visibility listeners and the other objects'
    event (called from ``PortalConfig.ready``); idempotent."""
    from gongkai.core import listeners
    from gongkai.publishing.services.publications import visibility_listeners

    if _on_visibility not in visibility_listeners:
        visibility_listeners.append(_on_visibility)
    listeners.subscribe(listeners.PUBLIC_OBJECT_CHANGED, _on_public_object)
    listeners.subscribe(listeners.AGENCY_MOVED, _on_agency_moved)


# --- an agency moved: its subtree's documents carry new ancestors (issue 21) -----------------

REINDEX_SUBTREE = "search.reindex_subtree"


def _on_agency_moved(agency) -> None:
    """``AGENCY_MOVED``: the subtree's documents are indexed again by a task written in the
    mover's transaction and run after its commit (a county's items can be many). Until
    then a search by the old or new city's filter still sees the old ancestors."""
    import uuid

    from gongkai.tasks.outbox import enqueue

    enqueue(REINDEX_SUBTREE, args={"agency": agency.pk}, key=f"{REINDEX_SUBTREE}:{agency.pk}:{uuid.uuid4().hex}")


@handler(REINDEX_SUBTREE)
def reindex_subtree(*, agency: int, batch_size: int = 2000) -> int:
    """Index again every public object of the agency and the agencies below it (items in
    batches, each batch its own transaction; then reports, decisions and guides), from
    the agency's path now. Returns the number of items indexed."""
    from django.apps import apps

    from gongkai.core.models import Agency

    path = Agency.objects.filter(pk=agency).values_list("path", flat=True).first()
    if path is None:
        return 0
    items = _public_queryset().filter(agency__path__startswith=path).order_by("pk")
    done = last = 0
    while True:
        with transaction.atomic():
            batch = list(items.filter(pk__gt=last)[:batch_size])
            if not batch:
                break
            index_publications(batch)
        done += len(batch)
        last = batch[-1].pk
    with transaction.atomic():
        for model, label in ((sources.REPORT, "reports.AnnualReport"), (sources.DECISION, "decisions.Decision")):
            pks = apps.get_model(label).objects.filter(agency__path__startswith=path).values_list("pk", flat=True)
            index_objects(model, list(pks))
        index_objects(sources.GUIDE, list(Agency.objects.filter(path__startswith=path).values_list("pk", flat=True)))
    return done


def rebuild_index(*, batch_size: int = 2000, commit_each_batch: bool = False, progress=None) -> int:
    """Empty the index and index every published item and every other public object
    again, in batches, then choose the tracked strings and their counts, and count every
    agency's and kind's documents (``stats``).
    Called inside a transaction, it is all-or-nothing; with ``commit_each_batch``
    (outside any transaction) each batch commits on its own, so that on SQLite other
    writers are not locked out for the whole rebuild. Returns the number of items
    indexed.

    The batch path (issue 20): the agencies, columns and topics are read once, each batch
    of items in four queries (the items' fields, not model instances; columns listed in,
    attachments, register kinds), every field of the batch normalised in one call, the
    rows written in bulk (``COPY`` on PostgreSQL, whose search indexes are built once at
    the end when the rebuild is one transaction), and the counts kept in memory until the
    end. The documents are those ``build_many`` gives item by item (tests compare the rows)."""
    backend = _backend()
    step = transaction.atomic if commit_each_batch else contextlib.nullcontext
    # A bulk load drops indexes (PostgreSQL) or changes merge settings (FTS5) until
    # ``optimise``: only in one transaction, which puts them back if anything fails.
    one_transaction = not commit_each_batch and connection.in_atomic_block
    with step():
        backend.clear(bulk=one_transaction)
        stats.clear()
        stats.clear_last_days()
    catalogue = documents.Catalogue.load()
    counts = stats.Frequencies()
    done = 0
    last = 0
    queryset = _public_queryset().order_by("pk").values_list(*documents.ROW)
    while True:
        with step():
            rows = list(queryset.filter(pk__gt=last)[:batch_size])
            if not rows:
                break
            docs = documents.build_rows(rows, catalogue)
            backend.insert(docs)
        stats.tally(docs, into=counts)
        done += len(rows)
        last = rows[-1][0]
        if progress:
            progress(done)
    for model in (sources.REPORT, sources.DECISION, sources.GUIDE):
        with step():
            docs, last_days = sources.documents_of(model)
            backend.insert(docs)
            stats.set_last_days(last_days)
        stats.tally(docs, into=counts)
        done += len(docs)
        if progress:
            progress(done)
    with step():
        stats.replace(counts.at_least(stats.TRACK_AT))
        backend.optimise()
    refresh_excluded()
    return done


REBUILD = "search.rebuild"


def rebuild_later(*, key: str) -> None:
    """Have a worker rebuild the index (``rebuild_by_worker``; `gongkai search rebuild
    --queue`): minutes at a million items, on a worker's machine rather than in an
    operator's shell. The same ``key`` twice queues one rebuild."""
    from gongkai.tasks.outbox import enqueue

    enqueue(REBUILD, args={}, key=f"{REBUILD}:{key}")


@handler(REBUILD)
def rebuild_by_worker(*, batch_size: int = 2000) -> int:
    """``rebuild_index`` on a worker. PostgreSQL: in one transaction (all or nothing; the
    index's table is locked until it commits, so searches wait, minutes at a million
    items: run it when the site is quiet). SQLite: each batch commits on its own, since
    one transaction would hold the database's only write lock, and with it every request
    that writes, for the whole rebuild."""
    if connection.vendor == "sqlite":
        return rebuild_index(batch_size=batch_size, commit_each_batch=True)
    with transaction.atomic():
        return rebuild_index(batch_size=batch_size)


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
    """Compare the index with the published items and other public objects (document
    ids and date keys; a decision whose period ended and is not yet synced is extra) and, with
    ``counts``, the tracked counts and the counts per agency with a recount from the
    indexed token strings."""
    backend = _backend()
    indexed = backend.indexed()
    expected = {
        pk: documents.sort_key(published_on, pk)
        for pk, published_on in _public_queryset().values_list("pk", "published_on")
    }
    expected.update(sources.expected_keys())
    drift = Drift(
        missing=sorted(set(expected) - set(indexed)),
        extra=sorted(set(indexed) - set(expected)),
        stale=sorted(pk for pk, key in expected.items() if pk in indexed and indexed[pk] != key),
    )
    if counts:
        drift.wrong_counts = stats.wrong_counts(stats.tally(backend.all_tokens()))
        drift.wrong_counts += stats.wrong_excluded_counts(
            stats.tally(backend.owned_tokens(stats.excluded_agencies())))
    return drift


# --- searching ---------------------------------------------------------------------------

# Kinds whose documents are not items: the publications API leaves them out.
OTHER_MODELS_KINDS = ("report", "decision", "guide")


@dataclass(frozen=True)
class _Context:
    """What the index holds besides the matches, read once per search (``stats.exclusions``)."""

    excluded: list[str]  # inactive agencies' tokens
    kinds: list[str]  # kinds other than ordinary items with documents in the index
    ended: list[str] = field(default_factory=list)  # decisions whose period ended (tokens)


def _context(*, items_only: bool = False) -> _Context:
    """``items_only``: for a search of the items, which leaves every decision out by its
    kind, so the decisions whose period ended are not read."""
    inactive, kinds, expired = stats.exclusions(clock.today(), expired=not items_only)
    return _Context(excluded=[documents.filter_token("ow", pk) for pk in inactive], kinds=kinds,
                    ended=[sources.expiry_token(pk) for pk in expired])


def _spec(query: SearchQuery, terms: list[Term], context: _Context | None = None,
          *, items_only: bool = True) -> Spec | None:
    context = context or _context(items_only=items_only)
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
    # Only inactive agencies with documents in the index need excluding: the agency table
    # and the kept counts per agency say which (``_context``, one query); the published
    # items are not read. So are the decisions whose period ended (by their last day).
    # Items only: the objects that are not items, when the index has any (their kind
    # tokens; the PostgreSQL backend turns them into a document-id band, SQLite keeps the
    # negated tokens: its FTS5 rowid is the date key, not the document id). Ended
    # decisions are then left out with every decision.
    excluded = list(context.excluded)
    if items_only:
        excluded += [documents.kind_token(k) for k in OTHER_MODELS_KINDS if k in context.kinds]
    else:
        excluded += context.ended
    return Spec(terms=terms, filters=filters, excluded=excluded, key_range=key_range)


def _kind_spec(spec: Spec, kind: str, context: _Context) -> Spec:
    """``spec`` narrowed to one kind: a filter token, or for ordinary items the exclusion
    of every other kind the index holds."""
    if kind == "publication":
        others = [documents.kind_token(k) for k in context.kinds]
        return Spec(terms=spec.terms, filters=spec.filters, excluded=[*spec.excluded, *others],
                    key_range=spec.key_range)
    return Spec(terms=spec.terms, filters=[*spec.filters, documents.kind_token(kind)],
                excluded=spec.excluded, key_range=spec.key_range)


def _known_total(spec: Spec, mark: str) -> int | None:
    """The number of indexed documents that match, from the tracked counts, when the query
    is one run of 1 to MAX_GRAM characters with no filter and the string is tracked (else
    None: count the matches). Excluded documents are in it (see ``_kept_count``)."""
    run = _one_short_run(spec)
    return None if run is None else stats.frequency(mark + run)


def _one_short_run(spec: Spec) -> str | None:
    """The query's one run when it is one run of 1 to MAX_GRAM characters and nothing
    else (no filter, no year): a string whose count may be kept."""
    if len(spec.terms) != 1 or spec.filters or spec.key_range:
        return None
    term = spec.terms[0]
    if len(term.runs) != 1 or len(term.runs[0]) > stats.MAX_GRAM:
        return None
    return term.runs[0]


def _kept_count(backend, spec: Spec, tier: str) -> int | None:
    """The exact number of matches from the tracked counts: the tracked count less the
    matches within the excluded agencies and kinds (``_excluded_matches``); None when the
    string's count is not kept."""
    mark = documents.HEADLINE if tier == "title" else ""
    known = _known_total(spec, mark)
    if known is not None and spec.excluded:
        known -= _excluded_matches(backend, spec, tier, mark + _one_short_run(spec))
    return known


def _excluded_matches(backend, spec: Spec, tier: str, gram: str) -> int:
    """The matches of the tracked ``gram`` within what ``spec`` excludes: among the
    inactive agencies' documents from their own kept counts when those were made for
    exactly these agencies (``stats.excluded_frequency``), plus the other kinds' and ended
    decisions' outside them (counted); else all of them counted within the index (a
    count that walks their own documents, not the corpus)."""
    owners = [t for t in spec.excluded if documents.owner_of(t) is not None]
    others = [t for t in spec.excluded if documents.owner_of(t) is None]
    if owners:
        kept = stats.excluded_frequency(gram, [documents.owner_of(t) for t in owners])
        if kept is not None:
            if not others:
                return kept
            return kept + backend.count(Spec(terms=spec.terms, within=others, excluded=owners), tier)
    return backend.count(Spec(terms=spec.terms, within=spec.excluded), tier)


def _count(backend, spec: Spec, tier: str) -> int:
    """The exact number of matches: kept (``_kept_count``), or counted."""
    known = _kept_count(backend, spec, tier)
    return backend.count(spec, tier) if known is None else known


def _count_and_page(backend, spec: Spec, tier: str, *, limit: int,
                    offset: int) -> tuple[int, list[int]]:
    """(number of matches of ``tier``, keys of the page at ``offset``). A kept count
    chooses how the page is read (PostgreSQL walks the key order for a share of the
    index); otherwise one scan of the matches gives both (``count_and_keys``)."""
    known = _kept_count(backend, spec, tier)
    if known is None:
        return backend.count_and_keys(spec, tier, limit=limit, offset=offset)
    if offset >= known:
        return known, []
    return known, backend.keys(spec, tier, limit=limit, offset=offset, expected=known)


# An estimated total (issue 20, part 3). Several words, or a phrase longer than MAX_GRAM,
# have no kept count: their exact total walks every match's positions, tens of
# milliseconds past ~20,000 matches at a million documents (two words bounded by 14,000-
# 48,000 matches took up to 54 ms on SQLite and 50-214 ms on PostgreSQL, each counted
# exactly while the threshold was 50,000; bench/README.md). When a search of the whole
# site (no filter, no year) could match more than ESTIMATE_ABOVE documents — the smallest
# kept count of the strings every match holds bounds it — its total is estimated from the
# newest ESTIMATE_SAMPLE documents and shown as "约 N 条"; with fewer than
# ESTIMATE_MIN_MATCHES matches among them (a sampling error above ~3 %), it is counted. A
# filtered search, or one that cannot reach the threshold, has its exact total, and the
# results of a page are never estimated: only how many there are.
ESTIMATE_ABOVE = 20_000
ESTIMATE_SAMPLE = 100_000
ESTIMATE_MIN_MATCHES = 1_000
ESTIMATE_DIGITS = 3  # significant digits an estimate is shown with


def _upper_bound(spec: Spec) -> int:
    """At most how many documents match: the smallest kept count of the strings of up to
    MAX_GRAM characters that every match holds (0 when one is not kept: it was in fewer
    than TRACK_AT documents at the last rebuild, and the total is counted)."""
    strings = {run[i:i + stats.MAX_GRAM] for term in spec.terms for run in term.runs
               for i in range(max(1, len(run) - stats.MAX_GRAM + 1))}
    kept = stats.frequencies_of(strings)
    return min((kept.get(string, 0) for string in strings), default=0)


def _estimate(backend, spec: Spec) -> int | None:
    """The estimated number of matches of a search of the whole site, or None: count."""
    if spec.filters or spec.key_range or _one_short_run(spec) is not None:
        return None
    bound = _upper_bound(spec)
    if bound <= ESTIMATE_ABOVE:
        return None
    documents_indexed = stats.frequency(stats.OWNERS)
    if not documents_indexed:
        return None
    oldest_in_sample = _sample_start(backend, documents_indexed)
    if oldest_in_sample is None:
        return None
    in_sample = backend.count(
        dataclasses.replace(spec, key_range=(oldest_in_sample, documents.MAX_KEY)), "all")
    if in_sample < ESTIMATE_MIN_MATCHES:
        return None
    estimate = int(float(f"{in_sample * documents_indexed / ESTIMATE_SAMPLE:.{ESTIMATE_DIGITS}g}"))
    # Never fewer than the matches counted, never more than the kept counts allow.
    return min(max(estimate, in_sample), bound)


def _sample_start(backend, documents_indexed: int) -> int | None:
    """The key of the oldest of the newest ESTIMATE_SAMPLE documents. Finding it walks
    ESTIMATE_SAMPLE index entries (~0.1 s on PostgreSQL, where each is a heap visit), so it
    is cached while the index holds the same documents: the key includes their number and
    the newest key, which any publication or removal changes."""
    from django.core.cache import cache

    newest = backend.newest_key(0)
    key = f"search:sample-start:{ESTIMATE_SAMPLE}:{documents_indexed}:{newest}"
    start = cache.get(key)
    if start is None:
        start = backend.newest_key(ESTIMATE_SAMPLE - 1)
        if start is None:
            return None
        cache.set(key, start, timeout=3600)
    return start


def _total(backend, spec: Spec) -> tuple[int, bool]:
    """(number of matches, estimated?)."""
    estimate = _estimate(backend, spec)
    if estimate is not None:
        return estimate, True
    return _count(backend, spec, "all"), False


def _facets(backend, spec: Spec, total: int, context: _Context) -> dict[str, int]:
    """Matches per kind: each kind the index holds counted within its token (one
    statement, walking those kinds' documents), ordinary items the rest of ``total``."""
    kinds = [k for k in documents.KINDS if k in context.kinds]
    counts = dict(zip(kinds, backend.count_many(
        [_kind_spec(spec, k, context) for k in kinds]), strict=True)) if kinds else {}
    facets = {"publication": total - sum(counts.values())}
    facets.update(counts)
    return {k: facets.get(k, 0) for k in documents.KINDS}


def _page_keys(backend, spec: Spec, query: SearchQuery, offset: int, limit: int,
               total: int | None = None, *, estimated: bool = False):
    """(total, [(key, title tier?)]) for one page. With an ``estimated`` total the page is
    read whatever the estimate says (it may be below the real number): the tiers are
    asked, not skipped by it, and a full last page raises the total past it
    (``_at_least_seen``)."""
    if total is None:
        total = _count(backend, spec, "all")
    if total == 0 or (offset >= total and not estimated):
        return total, []
    if query.order == "date":
        return total, [(key, None) for key in backend.keys(
            spec, "all", limit=limit, offset=offset, expected=total)]
    titled, title_keys = _count_and_page(backend, spec, "title", limit=limit, offset=offset)
    keys: list[tuple[int, bool | None]] = [(k, True) for k in title_keys]
    if len(keys) < limit and (titled < total or estimated):
        rest_offset = max(0, offset - titled)
        keys += [
            (k, False)
            for k in backend.keys(spec, "rest", limit=limit - len(keys), offset=rest_offset,
                                  expected=max(total - titled, 0))
        ]
    return total, keys


def _at_least_seen(total: int, offset: int, keys: list, limit: int) -> int:
    """An estimated total, raised so that it never ends the paging before the matches do:
    at least the matches up to this page, and one more page when this one is full."""
    return max(total, offset + len(keys) + (1 if len(keys) == limit else 0))


def _start(query: SearchQuery) -> tuple[Results, list[Term]]:
    per_page = min(max(int(query.per_page or 20), 1), MAX_PER_PAGE)
    page = max(int(query.page or 1), 1)
    terms = text.parse_query(query.text)
    return Results(total=0, page=page, per_page=per_page, terms=[t.text for t in terms]), terms


def search_publications(query: SearchQuery) -> Results:
    """One page of published items matching ``query`` with the total (items only:
    interpretations and normative documents are items too): exact, or for some searches
    of the whole site estimated (``estimated``; see ``ESTIMATE_ABOVE``)."""
    results, terms = _start(query)
    if not terms:
        return results
    spec = _spec(query, terms)
    if spec is None:
        return results
    per_page, page = results.per_page, results.page
    backend = _backend()
    total, results.estimated = _total(backend, spec)
    offset = (page - 1) * per_page
    total, keys = _page_keys(backend, spec, query, offset, per_page, total,
                             estimated=results.estimated)
    if results.estimated:
        total = _at_least_seen(total, offset, keys, per_page)
    results.total = total
    if keys:
        results.hits = _load(keys, terms, first=(page - 1) * per_page)
    return results


def search(query: SearchQuery) -> Results:
    """One page of the public objects of every kind (or of ``query.kind``) matching
    ``query``, the total (exact, or estimated: ``search_publications``) and the matches
    per kind (``facets``, counted with every filter but the kind; the items' share of an
    estimated total is estimated too)."""
    results, terms = _start(query)
    if query.kind is not None and query.kind not in documents.KINDS:
        raise ValueError(f"unknown kind {query.kind!r}")
    if not terms:
        return results
    context = _context()
    spec = _spec(query, terms, context, items_only=False)
    if spec is None:
        return results
    backend = _backend()
    total_all, results.estimated = _total(backend, spec)
    results.facets = _facets(backend, spec, total_all, context)
    if results.estimated and results.facets["publication"] < 0:
        # Below the other kinds' exact counts, the estimate is plainly wrong: count.
        total_all, results.estimated = _count(backend, spec, "all"), False
        results.facets["publication"] = total_all - sum(
            n for kind, n in results.facets.items() if kind != "publication")
    per_page, page = results.per_page, results.page
    total = total_all
    if query.kind is not None:
        spec, total = _kind_spec(spec, query.kind, context), results.facets[query.kind]
        # Another kind is counted within its own documents: exact.
        results.estimated = results.estimated and query.kind == "publication"
    offset = (page - 1) * per_page
    total, keys = _page_keys(backend, spec, query, offset, per_page, total,
                             estimated=results.estimated)
    if results.estimated:
        total = _at_least_seen(total, offset, keys, per_page)
    results.total = total
    if keys:
        results.hits = _load(keys, terms, first=(page - 1) * per_page)
    return results


def _load(keys, terms: list[Term], *, first: int) -> list[Hit]:
    """The page's hits in key order: items in one query (by id), the other objects one
    query per model on the page. An object withdrawn this very moment is never shown."""
    from gongkai.portal.selectors import public_publications

    ids = [documents.doc_id_of(k) for k, _ in keys]
    by_model = sources.group_ids(ids)
    items = {}
    if by_model.get("publication"):
        items = {p.pk: p for p in public_publications().filter(
            pk__in=by_model["publication"]).annotate(**_register_flags())}
    others = {model: sources.shown_many(model, pks) for model, pks in by_model.items()
              if model != "publication"}
    shown = []
    for document_id, (_, titled) in zip(ids, keys, strict=True):
        model, pk = documents.split_doc_id(document_id)
        found = items.get(pk) if model == "publication" else others[model].get(pk)
        if found is not None:
            shown.append((found, titled))
    return _hits(shown, terms, first=first)


def _register_flags() -> dict:
    """The annotations that tell an item of the register apart (``_item_kind``): whether
    a normative document or an interpretation is filed with it. Written as SQL, not as
    ``Exists(queryset)``: compiling two subquery expressions cost ~0.5 ms of every
    search's page of items, the same EXISTS in the statement nearly nothing."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from gongkai.publishing.models import Interpretation, NormativeDocument, Publication

    quote = connection.ops.quote_name
    item = f"{quote(Publication._meta.db_table)}.{quote(Publication._meta.pk.column)}"

    def exists(model) -> RawSQL:
        table = quote(model._meta.db_table)
        column = quote(model._meta.get_field("publication").column)
        sql = f"EXISTS (SELECT 1 FROM {table} WHERE {table}.{column} = {item})"  # noqa: S608
        return RawSQL(sql, (), output_field=BooleanField())  # noqa: S611 (table names only)

    return {"in_register": exists(NormativeDocument), "interprets": exists(Interpretation)}


def _item_kind(publication) -> str:
    if getattr(publication, "in_register", False):
        return "normative"
    if getattr(publication, "interprets", False):
        return "interpretation"
    return "publication"


def _hits(shown, terms: list[Term], *, first: int) -> list[Hit]:
    """Highlighted titles and snippets for a page: every title and body normalised in
    one go; an attachment's text only when the match is in it."""
    from gongkai.publishing.models import PublicationAttachment

    def is_item(obj) -> bool:
        return not isinstance(obj, sources.Shown)

    titles = [obj.title for obj, _ in shown]
    bodies = [
        text.collapse_space(text.html_to_text(obj.body)) if is_item(obj)
        else text.collapse_space("。".join(x for x in obj.texts if x))
        for obj, _ in shown
    ]
    normalised = text.normalise_many(titles + bodies)
    unmatched = [obj.pk for n, (obj, _) in enumerate(shown)
                 if is_item(obj) and not text.match_spans(normalised[len(shown) + n], terms)]
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
    for n, (obj, titled) in enumerate(shown):
        body, norm_body = bodies[n], normalised[len(shown) + n]
        for attachment in attachments.get(obj.pk, ()) if is_item(obj) else ():
            candidate = text.collapse_space(attachment)
            norm_candidate = text.normalise(candidate)
            if text.match_spans(norm_candidate, terms):
                body, norm_body = candidate, norm_candidate
                break
        if is_item(obj):
            extra = {"publication": obj, "kind": _item_kind(obj), "title": obj.title,
                     "agency": obj.agency, "date": obj.published_on,
                     "pk": obj.pk}
        else:
            extra = {"publication": None, "kind": obj.kind, "title": obj.title, "link": obj.url,
                     "agency": obj.agency, "date": obj.date, "pk": obj.obj.pk}
        hits.append(
            Hit(
                title_html=text.highlight(obj.title, terms, normalised=normalised[n]),
                snippet_html=text.snippet(body, terms, width=SNIPPET_WIDTH, normalised=norm_body),
                # Higher is better: title-tier hits score 1 + …, the rest below 1; within
                # a tier the order is the date order, so the score restates the position.
                score=(1.0 if titled else 0.0) + 1.0 / (2 + first + n),
                **extra,
            )
        )
    return hits


