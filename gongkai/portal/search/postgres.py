"""PostgreSQL backend: the same bigram tokens as a ``tsvector`` (built as a literal, so no
parser or dictionary touches them) with a GIN index; phrases are ``<->`` chains.

A tsvector keeps at most 255 positions per lexeme and positions up to 16,383, so a long
item (attachments) is stored as several *parts*: each part holds the filter tokens and a
slice of the text, consecutive slices overlapping by ``OVERLAP`` tokens (a phrase up to
that long is found across a cut). Part 0 also holds the headline tokens. Items of one
part (nearly all) are matched with one ``@@``; items of several parts (``multi``) are
grouped, each term needing to match in some part.

SQL text is assembled from constant table names and generated operators only; what a
visitor typed reaches the database as a bound parameter (``# noqa: S608`` below).
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from operator import add

from django.db import connection

from gongkai.portal.search import query
from gongkai.portal.search.documents import (
    CODES,
    HEADLINE,
    ID_STRIDE,
    Document,
    filter_token,
    kind_token,
)
from gongkai.portal.search.query import Spec, Tier

TABLE = "portal_search_pg"
ENTRY = query.ENTRY
MAX_POSITION = 16383
MAX_PER_LEXEME = 255
OVERLAP = 100

CREATE = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "id bigserial PRIMARY KEY, publication_id bigint NOT NULL, part integer NOT NULL, "
    "sort_key bigint NOT NULL, multi boolean NOT NULL, vec tsvector NOT NULL, "
    "UNIQUE (publication_id, part))",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_vec ON {TABLE} USING gin (vec) WHERE NOT multi",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_vec_multi ON {TABLE} USING gin (vec) WHERE multi",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_key ON {TABLE} (sort_key)",
    # What was indexed for each item (zlib-compressed token string), for the counts.
    f"CREATE TABLE IF NOT EXISTS {ENTRY} ("
    "publication_id bigint PRIMARY KEY, key bigint NOT NULL, tokens bytea NOT NULL)",
]
DROP = [f"DROP TABLE IF EXISTS {TABLE}", f"DROP TABLE IF EXISTS {ENTRY}"]


# "':1", "':2", …: a position's end of a lexeme in a tsvector literal.
_POSITION = [f"':{position}" for position in range(1, MAX_POSITION + 1)]


def _vector(tokens: list[str]) -> str:
    """A tsvector literal with one entry per position ('ab':1 'bc':2 'ab':3): PostgreSQL's
    input merges the entries of a lexeme (sorted positions), so the value is the one of
    a literal grouped here, written without a dictionary of positions."""
    return " ".join(map(add, map("'".__add__, tokens), _POSITION[: len(tokens)]))


def parts(document: Document) -> list[str]:
    """The tsvector literals of a document's parts."""
    head = document.filters.split() + document.headline.split()
    text = document.text.split()
    if len(head) + len(text) <= MAX_POSITION:
        # Nearly every item: one part, unless a token repeats more than a lexeme holds.
        every = head + text
        if max(Counter(every).values()) <= MAX_PER_LEXEME:
            return [_vector(every)]
    out: list[list[str]] = []
    current = list(head)
    counts: dict[str, int] = defaultdict(int)
    for token in current:
        counts[token] += 1
    i = 0
    while i < len(text):
        token = text[i]
        if len(current) >= MAX_POSITION or counts[token] >= MAX_PER_LEXEME:
            out.append(current)
            start = max(i - OVERLAP, 0)
            current = document.filters.split()
            counts = defaultdict(int)
            for t in current:
                counts[t] += 1
            for t in text[start:i]:
                current.append(t)
                counts[t] += 1
        current.append(token)
        counts[token] += 1
        i += 1
    out.append(current)
    return [_vector(tokens) for tokens in out]


def remove(publication_ids: list[int]) -> list[str]:
    """Take items out of the index; returns the token strings that were indexed."""
    if not publication_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ENTRY} WHERE publication_id = ANY(%s) RETURNING tokens",  # noqa: S608
            [publication_ids],
        )
        removed = [zlib.decompress(bytes(row[0])).decode() for row in cursor.fetchall()]
        cursor.execute(f"DELETE FROM {TABLE} WHERE publication_id = ANY(%s)", [publication_ids])  # noqa: S608
    return removed


def insert(documents: list[Document]) -> None:
    """Index documents (not indexed at the moment: ``remove`` them first) with ``COPY``,
    in the caller's transaction (a rolled-back publish leaves no row)."""
    if not documents:
        return
    with connection.cursor() as cursor:
        with cursor.copy(
            f"COPY {TABLE} (publication_id, part, sort_key, multi, vec) FROM STDIN"
        ) as copy:
            for d in documents:
                vectors = parts(d)
                multi = len(vectors) > 1
                for n, vector in enumerate(vectors):
                    copy.write_row((d.publication_id, n, d.key, multi, vector))
        with cursor.copy(f"COPY {ENTRY} (publication_id, key, tokens) FROM STDIN") as copy:
            for d in documents:
                copy.write_row(
                    (d.publication_id, d.key, zlib.compress(d.token_string().encode(), 1))
                )


# The indexes a rebuild in one transaction drops and builds again at the end (``optimise``):
# building a GIN index once over every row is many times faster than growing it row by row.
REBUILT_INDEXES = (f"{TABLE}_vec", f"{TABLE}_vec_multi", f"{TABLE}_key")


def clear(*, bulk: bool = False) -> None:
    """Empty the index; with ``bulk`` (a rebuild inside one transaction, so a failure
    restores them) also drop its search indexes until ``optimise``."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}, {ENTRY}")
        if bulk:
            for name in REBUILT_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


def optimise() -> None:
    from gongkai.portal.search import stats

    with connection.cursor() as cursor:
        # The indexes a rebuild dropped (``clear``), built again: with memory enough to
        # sort a large index at once (for this transaction only).
        cursor.execute("SELECT set_config('maintenance_work_mem', '256MB', true)")
        for statement in CREATE:
            cursor.execute(statement)
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute(f"ANALYZE {ENTRY}")
        # The kept counts were just replaced (a few rows → thousands): without fresh
        # statistics the planner reads them with a sequential scan, ~0.6 ms of every
        # search's first statement at 100,000 items, until autovacuum analyses them
        # (never, where it is off).
        cursor.execute(f"ANALYZE {stats.TABLE}")
        cursor.execute(f"ANALYZE {stats.EXPIRY}")


# Shared with the other backend: the entry table is the same.
indexed = query.indexed
all_tokens = query.all_tokens


def owned_tokens(agency_ids: list[int]) -> list[str]:
    """The indexed token strings of the documents of these agencies (their own, not their
    subtrees'), found by their owner tokens through the GIN indexes."""
    if not agency_ids:
        return []
    owners = " | ".join(f"'{filter_token('ow', pk)}'" for pk in sorted(agency_ids))
    # Each partial GIN index by its own condition (no index serves "vec @@" alone).
    return list(query.token_strings(
        f"SELECT tokens FROM {ENTRY} WHERE publication_id IN ("  # noqa: S608
        f"SELECT publication_id FROM {TABLE} WHERE NOT multi AND vec @@ %s::tsquery "
        f"UNION SELECT publication_id FROM {TABLE} WHERE multi AND vec @@ %s::tsquery)",
        [owners, owners]))


def hold_writers() -> None:
    """Make writers to the index, and another caller of this, wait until the transaction
    ends (``SHARE ROW EXCLUSIVE``: searches still read), so what is counted from it stays
    true until the commit. A writer changes the index's rows before the kept counts
    (``_index``), so it either waits here or has committed already."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")


def newest_key(offset: int) -> int | None:
    """The key of the indexed document that has ``offset`` newer ones (None when there are
    not that many): a walk of the ``sort_key`` index (the entry table's key has none here),
    one row per document (its part 0)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sort_key FROM {TABLE} WHERE part = 0 ORDER BY sort_key DESC LIMIT 1 OFFSET %s",  # noqa: S608
            [offset],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def indexed_tokens(publication_id: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tokens FROM {ENTRY} WHERE publication_id = %s", [publication_id])  # noqa: S608
        row = cursor.fetchone()
    return zlib.decompress(bytes(row[0])).decode() if row else None


# --- queries ----------------------------------------------------------------------------------


def _term(tokens: tuple[str, ...], prefix: bool, ns: str) -> str:
    lexemes = [f"'{ns}{token}'" for token in tokens]
    if prefix:
        lexemes[-1] += ":*"
    return "(" + " <-> ".join(lexemes) + ")"


def _and(parts_: list[str]) -> str:
    return " & ".join(parts_)


def _queries(spec: Spec):
    plain = [_term(t.tokens, t.prefix, "") for t in spec.terms]
    headline = [_term(t.tokens, t.prefix, HEADLINE) for t in spec.terms]
    filters = [f"'{token}'" for token in spec.filters]
    if spec.within:
        filters.append("(" + " | ".join(f"'{token}'" for token in spec.within) + ")")
    excluded = [f"!'{token}'" for token in spec.excluded]
    return plain, headline, filters, excluded


# The kinds whose documents are not items, by their kind token: each model's documents
# hold one band of document ids (``documents.doc_id``), so "not a report, decision or
# guide" is a comparison on ``publication_id``, not a negated tsquery term (a term in
# every tsquery statement cost 0.7-1.1 ms each at 100,000 items; the band costs nothing
# the GIN scan notices). Interpretations and normative documents are items (code 0):
# their tokens stay terms.
_MODEL_KIND_CODES = {kind_token(kind): code for kind, code in CODES.items() if code}


def _split_kinds(tokens: list[str]) -> tuple[list[str], set[int]]:
    """Filter tokens → (those that stay tsquery terms, codes of the models named)."""
    kept = [token for token in tokens if token not in _MODEL_KIND_CODES]
    return kept, {_MODEL_KIND_CODES[token] for token in tokens if token in _MODEL_KIND_CODES}


def _bands(codes: set[int]) -> list[tuple[int, int]]:
    """Document-id ranges (inclusive) of the models' ``codes``, contiguous codes merged."""
    out: list[tuple[int, int]] = []
    for code in sorted(codes):
        low, high = code * ID_STRIDE, (code + 1) * ID_STRIDE - 1
        if out and out[-1][1] + 1 == low:
            out[-1] = (out[-1][0], high)
        else:
            out.append((low, high))
    return out


def _id_sql(inside: set[int], outside: set[int]) -> tuple[str, list]:
    """``AND …`` keeping the document ids in the bands of ``inside`` (when given) and out
    of those of ``outside``."""
    sql, params = "", []
    if inside:
        bands = _bands(inside)
        sql += " AND (" + " OR ".join(["publication_id BETWEEN %s AND %s"] * len(bands)) + ")"
        params += [bound for band in bands for bound in band]
    for low, high in _bands(outside - inside):
        sql += " AND publication_id NOT BETWEEN %s AND %s"
        params += [low, high]
    return sql, params


def _source(spec: Spec, tier: Tier, *, walk: int = 0) -> tuple[str, list]:
    """SQL yielding (publication_id, sort_key) of the matches of ``tier``. The kind tokens
    of reports, decisions and guides become bands of document ids (``_MODEL_KIND_CODES``):
    excluded, a band left out; among ``within``, the matches of that band added to those
    of the other tokens (two disjoint parts: each keeps its GIN scan). ``walk`` (a number
    of rows): the newest ``walk`` single-part matches, tested one by one in key order
    (``keys``)."""
    excluded, out_codes = _split_kinds(spec.excluded)
    within, in_codes = _split_kinds(spec.within)
    base = Spec(terms=spec.terms, filters=spec.filters, excluded=excluded,
                key_range=spec.key_range)
    if not in_codes:
        return _part(Spec(terms=base.terms, filters=base.filters, excluded=excluded,
                          within=within, key_range=base.key_range), tier, set(), out_codes,
                     walk=walk)
    sql, params = _part(base, tier, in_codes, out_codes, walk=walk)  # every match of those models
    if within:  # and the other tokens' matches outside them
        more_sql, more_params = _part(
            Spec(terms=base.terms, filters=base.filters, excluded=excluded, within=within,
                 key_range=base.key_range), tier, set(), out_codes | in_codes, walk=walk)
        sql, params = f"{sql} UNION ALL {more_sql}", [*params, *more_params]
    return sql, params


def _part(spec: Spec, tier: Tier, inside: set[int], outside: set[int], *,
          walk: int = 0) -> tuple[str, list]:
    plain, headline, filters, excluded = _queries(spec)
    title_q = _and(headline)
    if tier == "title":
        single_q = _and([*headline, *filters, *excluded])
    elif tier == "rest":
        single_q = _and([*plain, *filters, *excluded, f"!({title_q})"])
    else:
        single_q = _and([*plain, *filters, *excluded])
    key_sql, key_params = _id_sql(inside, outside)
    if spec.key_range:
        key_sql += " AND sort_key BETWEEN %s AND %s"
        key_params += list(spec.key_range)
    single = (
        f"SELECT publication_id, sort_key FROM {TABLE} "  # noqa: S608
        f"WHERE NOT multi AND vec @@ %s::tsquery{key_sql}"
    )
    params: list = [single_q, *key_params]
    if walk:
        # ``ts_match_vq`` is ``@@`` written as a function call, which no index serves, and
        # the limit is inside: the one plan left reads the key index backward and stops
        # (under the UNION the planner otherwise scanned the whole table in parallel).
        single = (
            f"(SELECT publication_id, sort_key FROM {TABLE} "  # noqa: S608
            f"WHERE NOT multi AND ts_match_vq(vec, %s::tsquery){key_sql} "
            "ORDER BY sort_key DESC LIMIT %s)"
        )
        params.append(walk)
    # Items of several parts: a term may sit in any part (filters are in every part).
    any_q = _and(["(" + " | ".join(plain) + ")", *filters, *excluded])
    having = " AND ".join(["bool_or(vec @@ %s::tsquery)"] * len(plain))
    having_params = list(plain)
    if tier == "title":
        having += " AND bool_or(vec @@ %s::tsquery)"
        having_params.append(title_q)
    elif tier == "rest":
        having += " AND NOT bool_or(vec @@ %s::tsquery)"
        having_params.append(title_q)
    multi = (
        f"SELECT publication_id, max(sort_key) AS sort_key FROM {TABLE} "  # noqa: S608
        f"WHERE multi AND vec @@ %s::tsquery{key_sql} GROUP BY publication_id HAVING {having}"
    )
    params += [any_q, *key_params, *having_params]
    return f"{single} UNION ALL {multi}", params


def count(spec: Spec, tier: Tier) -> int:
    sql, params = _source(spec, tier)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) m", params)  # noqa: S608
        return cursor.fetchone()[0]


# Reading the rows in key order and testing each costs ~20-130 us a row (its tsvector is
# detoasted, often from the disk cache) and reads about (offset + limit) x rows / matches
# of them; collecting every match from GIN costs ~10-20 us a match (the heap row, a
# phrase's recheck), then a sort. ``expected`` (the count the page has already taken)
# chooses the walk when the matches are at least WALK_SHARE times the rows the page needs:
# at a million items it then reads at most ~1/1000 of them (a common word's page in ~2 ms
# instead of ~0.4 s). Otherwise the planner chooses; with a year it intersects the GIN and
# key-range bitmaps before reading a row, which beats the walk at a year's size (measured).
WALK_SHARE = 1000


def _walks(expected: int | None, rows: int) -> int:
    """``rows`` (the rows to walk to) when they are at most one in WALK_SHARE of the
    matches, else 0 (no walk)."""
    return rows if expected is not None and expected >= WALK_SHARE * rows else 0


def keys(spec: Spec, tier: Tier, *, limit: int, offset: int,
         expected: int | None = None) -> list[int]:
    """The keys of one page of matches, newest first; ``expected``, when the caller knows
    it, is the number of matches (it chooses how the page is read, never what it holds)."""
    sql, params = _source(spec, tier, walk=_walks(expected, offset + limit))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sort_key FROM ({sql}) m ORDER BY sort_key DESC LIMIT %s OFFSET %s",  # noqa: S608
            [*params, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]


def count_and_keys(spec: Spec, tier: Tier, *, limit: int, offset: int) -> tuple[int, list[int]]:
    """``count`` and one page of ``keys`` from one scan of the matches: their keys are
    kept once (a materialised CTE), counted, and the page sorted from them. Where no kept
    count answers, a relevance page asked the title tier's count and then its page, two
    GIN scans of the same matches (17-56 ms each for a filtered search at a million
    items); a page past the last match is empty and still gives the count."""
    sql, params = _source(spec, tier)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH m AS MATERIALIZED ({sql}) SELECT (SELECT count(*) FROM m), "  # noqa: S608
            "ARRAY(SELECT sort_key FROM m ORDER BY sort_key DESC LIMIT %s OFFSET %s)",
            [*params, limit, offset],
        )
        total, page = cursor.fetchone()
    return total, list(page)


def count_many(specs: list[Spec]) -> list[int]:
    """``count`` of each spec ("all" tier) in one statement (the facets)."""
    parts, params = [], []
    for spec in specs:
        sql, source_params = _source(spec, "all")
        parts.append(f"(SELECT count(*) FROM ({sql}) m)")  # noqa: S608
        params += source_params
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())
