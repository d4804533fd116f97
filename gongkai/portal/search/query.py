"""The backend-neutral form of a search: terms, filter tokens and a key range."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Literal

from django.db import connection

from gongkai.portal.search.text import Term

# The table both backends keep one row per indexed item in (key and compressed tokens).
ENTRY = "portal_search_entry"

# "all": every match; "title": items whose title or document number holds every term;
# "rest": the matches that are not in "title".
Tier = Literal["all", "title", "rest"]


@dataclass(frozen=True)
class Spec:
    terms: list[Term]
    filters: list[str] = field(default_factory=list)  # filter tokens every match carries
    excluded: list[str] = field(default_factory=list)  # filter tokens no match may carry
    within: list[str] = field(default_factory=list)  # filter tokens a match carries one of
    key_range: tuple[int, int] | None = None  # inclusive, on the row key (year filter)


def insert_rows(cursor, head: str, row_sql: str, rows: list[tuple], *, max_params: int = 999):
    """``INSERT … VALUES (…), (…)`` in as few statements as the parameter limit allows
    (not ``executemany``: a fixed number of statements per batch, whatever its size)."""
    if not rows:
        return
    per_statement = max(1, max_params // len(rows[0]))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        cursor.execute(
            head + " VALUES " + ", ".join([row_sql] * len(chunk)),
            [value for row in chunk for value in row],
        )


def indexed() -> dict[int, int]:
    """publication id → key of every indexed item (both backends keep the same table)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT publication_id, key FROM {ENTRY}")  # noqa: S608
        return dict(cursor.fetchall())


def newest_key(offset: int) -> int | None:
    """The key of the indexed document that has ``offset`` newer ones (None when there
    are not that many), from the entry table, on SQLite where its key has an index (one
    walk of it); PostgreSQL's backend reads its own key index (``postgres.newest_key``)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {ENTRY} ORDER BY key DESC LIMIT 1 OFFSET %s", [offset])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def all_tokens():
    """Every indexed token string (for recounting), streamed."""
    yield from token_strings(f"SELECT tokens FROM {ENTRY}", [])  # noqa: S608


def token_strings(sql: str, params: list):
    """The token strings of the entry rows ``sql`` selects (their ``tokens``), streamed."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            for row in rows:
                # bytes on SQLite, memoryview on PostgreSQL
                yield zlib.decompress(bytes(row[0])).decode()
