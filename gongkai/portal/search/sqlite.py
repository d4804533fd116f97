"""SQLite backend: an FTS5 table of pre-tokenised bigrams (the ``ascii`` tokenizer only
splits on the spaces we put in), contentless, with the row key as FTS5 rowid.

``portal_search_entry`` remembers what was inserted for each item (zlib-compressed
token string), because a contentless FTS5 table can only delete a row when told its
exact tokens (SQLite < 3.43 has no ``contentless_delete``).

Every query is one FTS5 MATCH. Results are read in rowid order (= date order), so
``ORDER BY rowid DESC LIMIT n`` stops after n matches; counts walk the doclists only.

SQL text is assembled from constant table names and generated operators only; what a
visitor typed reaches the database as a bound parameter (``# noqa: S608`` below).
"""

from __future__ import annotations

import json
import zlib

from django.db import connection

from gongkai.portal.search import query
from gongkai.portal.search.documents import HEADLINE, Document, filter_token
from gongkai.portal.search.query import Spec, Tier, insert_rows

FTS = "portal_search_fts"
ENTRY = query.ENTRY

CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "tokens, tokenize='ascii', content='', detail=full)",
    f"CREATE TABLE IF NOT EXISTS {ENTRY} ("
    "publication_id INTEGER PRIMARY KEY, key INTEGER NOT NULL UNIQUE, tokens BLOB NOT NULL)",
]
DROP = [f"DROP TABLE IF EXISTS {ENTRY}", f"DROP TABLE IF EXISTS {FTS}"]


def remove(publication_ids: list[int]) -> list[str]:
    """Take items out of the index; returns the token strings that were indexed. A fixed
    number of statements, however many items."""
    if not publication_ids:
        return []
    ids = json.dumps(publication_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, tokens FROM {ENTRY} "  # noqa: S608
            "WHERE publication_id IN (SELECT value FROM json_each(%s))",
            [ids],
        )
        rows = [(key, zlib.decompress(blob).decode()) for key, blob in cursor.fetchall()]
        if rows:
            insert_rows(
                cursor, f"INSERT INTO {FTS}({FTS}, rowid, tokens)", "('delete', %s, %s)", rows
            )
            cursor.execute(
                f"DELETE FROM {ENTRY} "  # noqa: S608
                "WHERE publication_id IN (SELECT value FROM json_each(%s))",
                [ids],
            )
    return [tokens for _, tokens in rows]


def insert(documents: list[Document]) -> None:
    """Index documents (not indexed at the moment: ``remove`` them first). Multi-row
    INSERTs (``insert_rows``): as fast here as ``executemany`` (measured, issue 20), and a
    fixed number of statements per batch."""
    rows = [(d.key, d.token_string()) for d in documents]
    with connection.cursor() as cursor:
        insert_rows(cursor, f"INSERT INTO {FTS}(rowid, tokens)", "(%s, %s)", rows)
        insert_rows(
            cursor,
            f"INSERT INTO {ENTRY}(publication_id, key, tokens)",
            "(%s, %s, %s)",
            [
                (d.publication_id, key, zlib.compress(tokens.encode(), 1))
                for d, (key, tokens) in zip(documents, rows, strict=True)
            ],
        )


# FTS5's merge settings while a rebuild loads every row (``clear(bulk=True)``), and
# FTS5's defaults, which ``optimise`` puts back: no merging as the segments grow (a
# quarter of the insert time) until a level holds 64 of them; the final 'optimize'
# merges them all at once anyway.
BULK_MERGE = {"automerge": 0, "crisismerge": 64}
DEFAULT_MERGE = {"automerge": 4, "crisismerge": 16}


def _merge_settings(settings: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute(f"INSERT INTO {FTS}({FTS}, rank) VALUES(%s, %s)", [name, value])


def clear(*, bulk: bool = False) -> None:
    """Empty the index; with ``bulk`` (a rebuild in one transaction: a failure restores
    the settings) load the rows that follow without merging until ``optimise``."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES('delete-all')")
        cursor.execute(f"DELETE FROM {ENTRY}")  # noqa: S608
    if bulk:
        _merge_settings(BULK_MERGE)


def optimise() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES('optimize')")
    _merge_settings(DEFAULT_MERGE)


# Shared with the other backend: the entry table is the same.
indexed = query.indexed
all_tokens = query.all_tokens
newest_key = query.newest_key  # the entry table's key is UNIQUE: an index to walk


def indexed_tokens(publication_id: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tokens FROM {ENTRY} WHERE publication_id = %s", [publication_id])  # noqa: S608
        row = cursor.fetchone()
    return zlib.decompress(row[0]).decode() if row else None


# --- queries ----------------------------------------------------------------------------------


def _phrase(tokens: tuple[str, ...], prefix: bool, ns: str) -> str:
    return '"' + " ".join(ns + token for token in tokens) + '"' + (" *" if prefix else "")


def match_expression(spec: Spec, tier: Tier) -> str:
    def terms(ns: str) -> str:
        return " AND ".join(_phrase(term.tokens, term.prefix, ns) for term in spec.terms)

    filters = "".join(f' AND "{token}"' for token in spec.filters)
    if spec.within:
        filters += " AND (" + " OR ".join(f'"{token}"' for token in spec.within) + ")"
    if tier == "title":
        expr = f"({terms(HEADLINE)}{filters})"
    else:
        expr = f"({terms('')}{filters})"
        if tier == "rest":
            expr = f"{expr} NOT ({terms(HEADLINE)})"
    if spec.excluded:
        excluded = " OR ".join(f'"{token}"' for token in spec.excluded)
        expr = f"({expr}) NOT ({excluded})"
    return expr


def _where(spec: Spec, tier: Tier) -> tuple[str, list]:
    sql = f"{FTS} MATCH %s"
    params: list = [match_expression(spec, tier)]
    if spec.key_range:
        sql += " AND rowid BETWEEN %s AND %s"
        params += list(spec.key_range)
    return sql, params


def count(spec: Spec, tier: Tier) -> int:
    where, params = _where(spec, tier)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FTS} WHERE {where}", params)  # noqa: S608
        return cursor.fetchone()[0]


def owned_tokens(agency_ids: list[int]) -> list[str]:
    """The indexed token strings of the documents of these agencies (their own, not their
    subtrees'), found by their owner tokens in the index."""
    if not agency_ids:
        return []
    owners = " OR ".join(f'"{filter_token("ow", pk)}"' for pk in sorted(agency_ids))
    return list(query.token_strings(
        f"SELECT tokens FROM {ENTRY} WHERE key IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)",  # noqa: S608
        [owners]))


def hold_writers() -> None:
    """Take the database's one write lock now (a write that changes nothing), so that no
    other writer commits between what the transaction reads next and what it writes."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ENTRY} WHERE 0")  # noqa: S608


def keys(spec: Spec, tier: Tier, *, limit: int, offset: int,
         expected: int | None = None) -> list[int]:
    """The keys of one page of matches, newest first. ``expected`` (the tier's number of
    matches, for PostgreSQL's choice of how to read) changes nothing here: FTS5 reads in
    rowid order and stops at the page."""
    where, params = _where(spec, tier)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {FTS} WHERE {where} ORDER BY rowid DESC LIMIT %s OFFSET %s",  # noqa: S608
            [*params, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]


def count_and_keys(spec: Spec, tier: Tier, *, limit: int, offset: int) -> tuple[int, list[int]]:
    """``count`` and one page of ``keys``: two statements here (FTS5 reads a page in rowid
    order and stops at it, so one statement for both would read every match twice)."""
    total = count(spec, tier)
    return total, keys(spec, tier, limit=limit, offset=offset) if offset < total else []


def count_many(specs: list[Spec]) -> list[int]:
    """``count`` of each spec ("all" tier) in one statement (the facets)."""
    parts, params = [], []
    for spec in specs:
        where, where_params = _where(spec, "all")
        parts.append(f"(SELECT count(*) FROM {FTS} WHERE {where})")  # noqa: S608
        params += where_params
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())
