"""The backend-neutral form of a search: terms, filter tokens and a key range."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gongkai.portal.search.text import Term

# "all": every match; "title": items whose title or document number holds every term;
# "rest": the matches that are not in "title".
Tier = Literal["all", "title", "rest"]


@dataclass(frozen=True)
class Spec:
    terms: list[Term]
    filters: list[str] = field(default_factory=list)  # filter tokens every match carries
    excluded: list[str] = field(default_factory=list)  # filter tokens no match may carry
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
