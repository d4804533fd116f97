"""Exact document frequencies of the common short strings, kept with the index.

Counting the matches of a common word means walking a doclist of hundreds of thousands
of entries at a million items (~100-200 ns each in FTS5, more in PostgreSQL): that alone
breaks a 50 ms budget. But a query that is one run of 1-4 characters (食品, 抽检, 2019, a
single character) matches exactly the items whose text holds that string, so its total
is a number that can be kept. ``portal_search_df`` holds, for every string of 1 to
``MAX_GRAM`` characters that at least ``TRACK_AT`` items contained at the last rebuild,
how many items contain it (and, under the ``HEADLINE`` mark, how many hold it in their
title or document number). Rarer strings are not tracked: counting their doclist is
cheap. A tracked count changes in the same transaction as the index rows (one UPDATE per
distinct change, whatever the number of strings), so it is exact; ``gongkai search
verify`` recounts them and ``rebuild`` chooses the tracked strings again.

The same table keeps the number of indexed items of every agency, under the agency's
own filter token (``§ow12``), however few, and under ``OWNERS`` (``§ow``) the number of
all indexed items. A search must leave out the items of inactive agencies; it reads
here which of them still have items in the index (``inactive_indexed_agencies``) instead
of walking the published items. The ``OWNERS`` row says the counts per agency are
complete: it is created with the table (an empty index) and by ``rebuild``. A database
indexed by an older release has none until ``gongkai search rebuild``; meanwhile a search
excludes every inactive agency (correct, a little slower) and ``verify`` reports it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from operator import add

from django.db import connection

from gongkai.core.models import Agency
from gongkai.portal.search import frequencies
from gongkai.portal.search.documents import (
    FIELD_SEPARATOR,
    FILTER,
    HEADLINE,
    KINDS,
    OWNER_MARK,
    kind_token,
)
from gongkai.portal.search.frequencies import Frequencies

TABLE = "portal_search_df"
MAX_GRAM = frequencies.MAX_GRAM  # grams_of_runs is written out for 1 to 4
TRACK_AT = 1000  # items a string must be in, at the last rebuild, to have its count kept

# Every item's own agency is the filter token "§ow" + id (``documents.filter_token``).
OWNERS = OWNER_MARK
# Every document but an ordinary item carries its kind's token (``documents.kind_token``):
# kept like an agency's count, so a search knows which kinds the index holds.
KIND_MARK = FILTER + "kd"
KIND_GRAMS = tuple(kind_token(k) for k in KINDS if k != "publication")

# The last day a decision is shown (issue 14): its publication period ends by itself, so
# the index keeps the day and a search leaves it out from the day after (``exclusions``)
# until ``search.sync_decisions`` takes it out of the index.
EXPIRY = "portal_search_expiry"
CREATE_EXPIRY = [
    f"CREATE TABLE IF NOT EXISTS {EXPIRY} (doc_id bigint PRIMARY KEY, last_day date NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {EXPIRY}_day ON {EXPIRY} (last_day)",
]
DROP_EXPIRY = [f"DROP TABLE IF EXISTS {EXPIRY}"]

# The inactive agencies' share of the kept counts (issue 20). A search leaves their
# documents out, so a kept count answers only less the string's matches among them: one
# intersection of the string's doclist with the agencies' (13-57 ms on PostgreSQL at a
# million items, for each of a search's two tiers, bench/README.md). So the same table
# keeps, under ``EXCLUDED``, each tracked string's count among the documents of the
# agencies listed in ``EXCLUDED_FOR`` — those inactive with documents when the counts
# were made (``replace_excluded``). They change with the index like the other counts
# (``apply``), and answer only while that list is the search's own list of inactive
# agencies (``excluded_frequency``): an agency switched off or on since is counted in the
# index until a worker makes them again (``search.refresh_excluded``).
EXCLUDED = FILTER + "ex"
EXCLUDED_FOR = "portal_search_excluded"
# (created by the migration portal 0003)

CREATE = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} (gram varchar(40) PRIMARY KEY, df bigint NOT NULL)",
    # A new database's index is empty: its counts per agency are complete from the start.
    f"INSERT INTO {TABLE} (gram, df) VALUES ('{OWNERS}', 0) ON CONFLICT (gram) DO NOTHING",  # noqa: S608
]
DROP = [f"DROP TABLE IF EXISTS {TABLE}"]


def is_owner_count(gram: str) -> bool:
    """Kept whatever its size: an agency's items, all items (``OWNERS``), a kind's."""
    return gram.startswith(OWNERS) or gram.startswith(KIND_MARK)


def runs_of_tokens(token_string: str) -> tuple[list[str], list[str]]:
    """Rebuild the runs (text, headline) from a token string: bigrams chain, and the
    terminal single character closes a run."""
    text_runs: list[str] = []
    headline_runs: list[str] = []
    current = {"": "", HEADLINE: ""}
    for token in token_string.split():
        if token.startswith(FILTER) or token == FIELD_SEPARATOR:
            continue
        ns = HEADLINE if token.startswith(HEADLINE) else ""
        body = token[1:] if ns else token
        if len(body) == 2:
            current[ns] = current[ns] + body[1] if current[ns] else body
        else:  # terminal
            run = current[ns] or body
            (headline_runs if ns else text_runs).append(run)
            current[ns] = ""
    return text_runs, headline_runs


def grams_of_runs(text_runs, headline_runs) -> set[str]:
    """Every string of 1 to MAX_GRAM characters inside a run (headline ones marked)."""
    out: set[str] = set()
    for runs, mark in ((text_runs, ""), (headline_runs, HEADLINE)):
        found: set[str] = set()
        for run in runs:
            found.update(run)
            if len(run) > 1:
                two = list(map(add, run, run[1:]))
                found.update(two)
                if len(run) > 2:
                    three = list(map(add, two, run[2:]))
                    found.update(three)
                    if len(run) > 3:
                        found.update(map(add, three, run[3:]))
        out.update(map(mark.__add__, found) if mark else found)
    return out


def owners_of_tokens(token_string: str) -> set[str]:
    """``OWNERS``, the item's own agency token and its kind token (filter tokens come
    first, the kind's before the agency's)."""
    found: set[str] = set()
    for token in token_string.split():
        if token.startswith(KIND_MARK):
            found.add(token)
        elif token.startswith(OWNERS):
            return found | {OWNERS, token}
        elif not token.startswith(FILTER):
            break
    return found


def grams(token_string: str) -> set[str]:
    return grams_of_runs(*runs_of_tokens(token_string)) | owners_of_tokens(token_string)


def document_grams(document) -> set[str]:
    return grams_of_runs(document.text_runs, document.headline_runs) | owners_of_tokens(
        document.filters
    )


def apply(added: Iterable, removed: Iterable[str]) -> None:
    """Count the items of ``added`` (documents, or token strings) in, those of
    ``removed`` (token strings) out; tracked strings and the agencies' counts only."""
    delta: Counter[str] = Counter()
    owners = excluded_owners()  # the documents whose strings count under EXCLUDED too
    for item in added:
        found = grams(item) if isinstance(item, str) else document_grams(item)
        delta.update(found)
        if owners and not owners.isdisjoint(found):
            delta.update(_excluded_grams(found))
    for tokens in removed:
        found = grams(tokens)
        delta.subtract(found)
        if owners and not owners.isdisjoint(found):
            delta.subtract(_excluded_grams(found))
    by_change: dict[int, list[str]] = {}
    agencies: list[tuple[str, int]] = []
    for gram, n in delta.items():
        if not n:
            continue
        if gram != OWNERS and is_owner_count(gram):
            agencies.append((gram, n))  # its row may not exist yet: upserted
        else:
            by_change.setdefault(n, []).append(gram)
    if not (by_change or agencies):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Lock the rows in one order first: two publishes touching the same strings
            # then wait for each other instead of deadlocking.
            cursor.execute(
                f"SELECT 1 FROM {TABLE} WHERE gram = ANY(%s) ORDER BY gram FOR UPDATE",  # noqa: S608
                [sorted([*(g for strings in by_change.values() for g in strings),
                         *(g for g, _ in agencies)])],
            )
        if agencies:  # one statement, however many agencies (bulk import)
            cursor.execute(
                f"INSERT INTO {TABLE} (gram, df) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s)"] * len(agencies))
                + f" ON CONFLICT (gram) DO UPDATE SET df = {TABLE}.df + excluded.df",
                [value for row in sorted(agencies) for value in row],
            )
        for change, strings in by_change.items():  # one statement per distinct change
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {TABLE} SET df = df + %s WHERE gram = ANY(%s)",  # noqa: S608
                    [change, strings],
                )
            else:
                cursor.execute(
                    f"UPDATE {TABLE} SET df = df + %s "  # noqa: S608
                    "WHERE gram IN (SELECT value FROM json_each(%s))",
                    [change, json.dumps(strings, ensure_ascii=False)],
                )


def _excluded_grams(found: Iterable[str]) -> list[str]:
    return [EXCLUDED + gram for gram in found if not gram.startswith(FILTER)]


def excluded_agencies() -> list[int]:
    """The agencies the EXCLUDED counts were made for."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT agency_id FROM {EXCLUDED_FOR} ORDER BY agency_id")  # noqa: S608
        return [pk for (pk,) in cursor.fetchall()]


def excluded_owners() -> set[str]:
    return {OWNERS + str(pk) for pk in excluded_agencies()}


def replace_excluded(agencies: list[int], counts: Frequencies) -> int:
    """Keep ``counts`` (``tally`` of the documents of ``agencies``) under EXCLUDED for every
    tracked string, 0 included (so that ``apply`` updates a row that exists), and the
    agencies they are for; none without agencies (no search then leaves an agency out).
    The caller holds off the index's writers (``refresh_excluded`` in the search
    package). Returns the number of strings."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE gram LIKE %s", [EXCLUDED + "%"])  # noqa: S608
        cursor.execute(f"DELETE FROM {EXCLUDED_FOR}")  # noqa: S608
        if not agencies:
            return 0
        cursor.execute(f"SELECT gram FROM {TABLE} WHERE gram NOT LIKE %s", [FILTER + "%"])  # noqa: S608
        rows = [(EXCLUDED + gram, counts.get(gram)) for (gram,) in cursor.fetchall()]
        cursor.executemany(f"INSERT INTO {TABLE} (gram, df) VALUES (%s, %s)", rows)  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {EXCLUDED_FOR} (agency_id) VALUES (%s)", [(pk,) for pk in agencies]  # noqa: S608
        )
    return len(rows)


def excluded_frequency(gram: str, agencies: list[int]) -> int | None:
    """The number of documents of ``agencies`` (the inactive agencies a search leaves out,
    ``exclusions``) containing the tracked ``gram``, when the EXCLUDED counts were made for
    exactly these agencies; else None (count them in the index). One statement, so the
    count and the list it is for are read from the same state."""
    if not agencies:
        return None
    listed = ", ".join(["%s"] * len(agencies))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT df FROM {TABLE} WHERE gram = %s), "  # noqa: S608
            f"(SELECT count(*) FROM {EXCLUDED_FOR}), "
            f"(SELECT count(*) FROM {EXCLUDED_FOR} WHERE agency_id IN ({listed}))",
            [EXCLUDED + gram, *agencies],
        )
        df, made_for, listed_found = cursor.fetchone()
    return df if df is not None and made_for == listed_found == len(set(agencies)) else None


def count_all(items: Iterable, into: Counter | None = None) -> Counter:
    """Items per string over documents or token strings, one item at a time (what
    ``apply`` does; ``tally`` counts the same in bulk)."""
    counts = into if into is not None else Counter()
    for item in items:
        counts.update(grams(item) if isinstance(item, str) else document_grams(item))
    return counts


def tally(items: Iterable, into: Frequencies | None = None, *, batch: int = 2000) -> Frequencies:
    """Items per string over documents or token strings, counted in bulk (``frequencies``):
    the rebuild's and ``verify``'s path, exact like ``count_all`` and several times faster."""
    counts = into if into is not None else Frequencies()
    chunk: list = []

    def flush() -> None:
        counts.add_runs(
            runs_of_tokens(item) if isinstance(item, str)
            else (item.text_runs, item.headline_runs) for item in chunk
        )
        for item in chunk:
            counts.add_strings(owners_of_tokens(item if isinstance(item, str) else item.filters))
        chunk.clear()

    for item in items:
        chunk.append(item)
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    return counts


def replace(counts: Mapping[str, int]) -> int:
    """Track the strings of ``counts`` found in at least TRACK_AT items, and every
    agency's count (``OWNERS`` too, even at 0: the counts are complete); returns how many."""
    clear()
    owner_marks = (OWNERS, KIND_MARK)  # ``is_owner_count``, in one C call per string
    rows = [(gram, n) for gram, n in counts.items() if n >= TRACK_AT or gram.startswith(owner_marks)]
    if OWNERS not in counts:
        rows.append((OWNERS, 0))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} (gram, df) VALUES (%s, %s)", rows  # noqa: S608
        )
    return len(rows)


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        cursor.execute(f"DELETE FROM {EXCLUDED_FOR}")  # noqa: S608


def frequency(gram: str) -> int | None:
    """The number of items containing ``gram``, or None when it is not tracked."""
    return frequencies_of([gram]).get(gram)


def frequencies_of(grams) -> dict[str, int]:
    """``frequency`` of several strings in one statement (the untracked ones left out)."""
    grams = sorted(set(grams))
    if not grams:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT gram, df FROM {TABLE} WHERE gram IN ({', '.join(['%s'] * len(grams))})",  # noqa: S608
            grams,
        )
        return dict(cursor.fetchall())


def tracked() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT gram, df FROM {TABLE}")  # noqa: S608
        return dict(cursor.fetchall())


def inactive_indexed_agencies() -> list[int]:
    """Inactive agencies that may have items in the index, in one query that reads the
    (small) agency table and this table by key, never the published items: those whose
    count is above 0, or all of them while the counts are incomplete (no ``OWNERS`` row:
    never rebuilt since the counts per agency were added)."""
    agencies = Agency._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id, d.df, m.df FROM {agencies} a "  # noqa: S608
            f"LEFT JOIN {TABLE} d ON d.gram = %s || CAST(a.id AS varchar(20)) "
            f"LEFT JOIN {TABLE} m ON m.gram = %s "
            "WHERE NOT a.is_active ORDER BY a.id",
            [OWNERS, OWNERS],
        )
        rows = cursor.fetchall()
    return [pk for pk, items, complete in rows if complete is None or (items or 0) > 0]


def exclusions(today, *, expired: bool = True) -> tuple[list[int], list[str], list[int]]:
    """What a search must know before it matches, in one statement that reads the agency
    table, this table by key and the expiry table by day (never the published objects):
    the inactive agencies that may have documents in the index (``inactive_indexed_agencies``),
    the kinds (other than ordinary items) the index holds, and the decisions whose
    publication ended before ``today`` — not read without ``expired`` (a search of the items
    only leaves every decision out by its kind: the expiry table is not read, and the
    statement is one read fewer)."""
    agencies = Agency._meta.db_table
    kinds = ", ".join(["%s"] * len(KIND_GRAMS))
    sql = (
        f"SELECT 'ow', CAST(a.id AS varchar(20)) FROM {agencies} a "  # noqa: S608
        f"LEFT JOIN {TABLE} d ON d.gram = %s || CAST(a.id AS varchar(20)) "
        f"LEFT JOIN {TABLE} m ON m.gram = %s "
        "WHERE NOT a.is_active AND (m.df IS NULL OR d.df > 0) "
        f"UNION ALL SELECT 'kd', gram FROM {TABLE} WHERE gram IN ({kinds}) AND df > 0"
    )
    params: list = [OWNERS, OWNERS, *KIND_GRAMS]
    if expired:
        sql += f" UNION ALL SELECT 'dc', CAST(doc_id AS varchar(20)) FROM {EXPIRY} WHERE last_day < %s"  # noqa: S608
        params.append(today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    inactive = sorted(int(v) for what, v in rows if what == "ow")
    present = [g for g in KIND_GRAMS if any(what == "kd" and v == g for what, v in rows)]
    ended = sorted(int(v) for what, v in rows if what == "dc")
    return inactive, [g[len(KIND_MARK):] for g in present], ended


def set_last_days(last_days: dict[int, object]) -> None:
    if not last_days:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {EXPIRY} (doc_id, last_day) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s)"] * len(last_days))
            + " ON CONFLICT (doc_id) DO UPDATE SET last_day = excluded.last_day",
            [v for pk in sorted(last_days) for v in (pk, last_days[pk])],
        )


def drop_last_days(doc_ids: list[int]) -> None:
    if not doc_ids:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {EXPIRY} WHERE doc_id = ANY(%s)", [list(doc_ids)])  # noqa: S608
        else:
            cursor.execute(
                f"DELETE FROM {EXPIRY} WHERE doc_id IN (SELECT value FROM json_each(%s))",  # noqa: S608
                [json.dumps(list(doc_ids))],
            )


def clear_last_days() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {EXPIRY}")  # noqa: S608


def expired_docs(today) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT doc_id FROM {EXPIRY} WHERE last_day < %s", [today])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def wrong_counts(recount: Frequencies) -> list[str]:
    """The kept counts that differ from ``recount`` (``tally`` of the indexed token
    strings): a tracked string's, an agency's, or a missing ``OWNERS`` row (never rebuilt)."""
    kept = {gram: n for gram, n in tracked().items() if not gram.startswith(EXCLUDED)}
    owners = set(recount.others()) | {OWNERS}
    return sorted(gram for gram in set(kept) | owners if kept.get(gram) != recount.get(gram))


def wrong_excluded_counts(recount: Frequencies) -> list[str]:
    """The EXCLUDED counts that differ from ``recount`` (``tally`` of the documents of the
    agencies they were made for), or whose string is no longer tracked or has none."""
    kept = tracked()
    strings = {gram for gram in kept if not gram.startswith(FILTER)}
    excluded = {gram[len(EXCLUDED):]: n for gram, n in kept.items() if gram.startswith(EXCLUDED)}
    if not excluded and not excluded_agencies():
        return []  # never made (or nothing was inactive): searches count in the index
    return sorted(EXCLUDED + gram for gram in strings | set(excluded)
                  if gram not in strings or excluded.get(gram) != recount.get(gram))
