"""The per-period counts of complaints, built once at import.

:func:`add_to_aggregates` takes the complaints of one import (already saved or about to
be, in the caller's transaction), segments each summary once, and adds to
:class:`~gongkai.hotspots.models.TermCount` and
:class:`~gongkai.hotspots.models.DimensionCount` for both grains (the ISO week and the
month of its date) with ``INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count``
(SQLite ≥ 3.24 and PostgreSQL alike; on PostgreSQL the rows go in as arrays). Two imports of one
agency take turns on the agency's ``ColumnMapping`` row, so no increment is lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection

from gongkai.hotspots import text
from gongkai.hotspots.columns import DIMENSIONS
from gongkai.hotspots.models import DimensionCount, TermCount
from gongkai.hotspots.periods import MONTH, WEEK

STATEMENT_ROWS = 5000  # parameter rows a call


def count_complaints(complaints: Iterable) -> tuple[Counter, Counter]:
    """(terms, dimensions): Counters keyed ``(agency_id, grain, period, term, phrase)``
    and ``(agency_id, grain, period, dimension, value)``. ``complaints`` are objects with
    the fields of a Complaint (agency_id, week, month, summary, and the dimensions)."""
    terms: Counter = Counter()
    dimensions: Counter = Counter()
    for c in complaints:
        words, phrases = text.terms_and_phrases(c.summary)
        for grain, period in ((WEEK, c.week), (MONTH, c.month)):
            for word in words:
                terms[(c.agency_id, grain, period, word, False)] += 1
            for phrase in phrases:
                terms[(c.agency_id, grain, period, phrase, True)] += 1
            for dimension in DIMENSIONS:
                dimensions[(c.agency_id, grain, period, dimension, getattr(c, dimension))] += 1
    return terms, dimensions


def _upsert(model, columns: tuple[str, ...], types: tuple[str, ...], counts: Counter) -> None:
    """Add ``counts`` (key tuple of ``columns`` → n) to ``model``'s table. On PostgreSQL one
    statement per :data:`STATEMENT_ROWS` keys, the values passed as arrays (``unnest``);
    elsewhere one statement executed for many parameter rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in (*columns, "count"))
    conflict = ", ".join(connection.ops.quote_name(c) for c in columns)
    update = f"ON CONFLICT ({conflict}) DO UPDATE SET count = {table}.count + excluded.count"
    items = [(*k, n) for k, n in counts.items()]
    # Table and column names are the model's own; every value is a parameter.
    with connection.cursor() as cursor:
        for start in range(0, len(items), STATEMENT_ROWS):
            chunk = items[start:start + STATEMENT_ROWS]
            if connection.vendor == "postgresql":
                arrays = ", ".join(f"%s::{t}[]" for t in (*types, "integer"))
                cursor.execute(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {update}",  # noqa: S608
                               [list(column) for column in zip(*chunk, strict=True)])
            else:
                placeholders = ", ".join(["%s"] * (len(columns) + 1))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders}) {update}",  # noqa: S608
                                   chunk)


def add_to_aggregates(complaints: Iterable) -> tuple[int, int]:
    """Add the complaints to the counts; returns how many (term, dimension) keys it touched."""
    terms, dimensions = count_complaints(complaints)
    _upsert(TermCount, ("agency_id", "grain", "period", "term", "phrase"),
            ("bigint", "varchar", "date", "varchar", "boolean"), terms)
    _upsert(DimensionCount, ("agency_id", "grain", "period", "dimension", "value"),
            ("bigint", "varchar", "date", "varchar", "varchar"), dimensions)
    return len(terms), len(dimensions)
