"""Document frequencies of every 1- to ``MAX_GRAM``-character string of a corpus, counted
in bulk (the rebuild's kept counts, ``stats``; issue 20).

Counting them with a Python ``set`` per item and a ``Counter`` cost about 500 µs an item
(the ``Counter`` grows to millions of keys, and every increment misses the CPU's caches):
half of a rebuild. Here a batch of items is one array of character ids; the strings of
each length are integers packed from those ids, made distinct per item by one sort of
(string, item) pairs, and summed into sorted arrays that are merged now and then (a
small log-structured merge), so that a million items never make a Python object per
string. The result is exact: tests compare it with ``stats.count_all``.

A string is packed with ``BITS`` bits a character (the id of its character in the order
first seen, from 1; 0 separates runs), so up to 65,535 distinct characters. A corpus with
more (it would take most of Unicode's CJK blocks) is counted the slow way from then on:
the arrays are turned into a ``Counter`` and the rest added to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np

from gongkai.portal.search.documents import HEADLINE

MAX_GRAM = 4  # as stats.MAX_GRAM (stats imports this module)
BITS = 16
MASK = (1 << BITS) - 1  # one character of a packed string
MAX_CHARS = MASK  # distinct characters that pack (ids 1 to MASK)
MERGE_AT = 1 << 20  # pending keys merged once they outnumber these and the merged ones
_CODE_POINTS = 0x110000


class _Sums:
    """(sorted distinct keys, counts) of one string length, merged like an LSM tree:
    batches wait in ``pending`` until they outweigh what is merged."""

    def __init__(self) -> None:
        self.keys = np.empty(0, np.uint64)
        self.counts = np.empty(0, np.int64)
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending_size = 0

    def add(self, keys: np.ndarray, counts: np.ndarray) -> None:
        if not len(keys):
            return
        self.pending.append((keys, counts))
        self.pending_size += len(keys)
        if self.pending_size > max(len(self.keys), MERGE_AT):
            self.merge()

    def merge(self) -> None:
        if not self.pending:
            return
        keys = np.concatenate([self.keys, *(k for k, _ in self.pending)])
        counts = np.concatenate([self.counts, *(c for _, c in self.pending)])
        self.pending, self.pending_size = [], 0
        self.keys, self.counts = _sum_by_key(keys, counts)


def _sum_by_key(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[starts], np.add.reduceat(counts[order], starts)


class Frequencies:
    """Items per string, for strings of 1 to MAX_GRAM characters inside a run, the
    headline's under ``HEADLINE`` (as ``stats.grams_of_runs``), and any other strings
    given one by one (``add_strings``: the agencies' and kinds' counts)."""

    def __init__(self) -> None:
        self._ids = np.zeros(_CODE_POINTS, np.uint64)  # code point -> id (0: none yet)
        self._chars: list[str] = [""]  # id -> character
        self._sums = {
            (mark, n): _Sums() for mark in ("", HEADLINE) for n in range(1, MAX_GRAM + 1)
        }
        self._other: Counter[str] = Counter()
        self._slow: Counter[str] | None = None  # past MAX_CHARS: counted the slow way

    # --- adding ----------------------------------------------------------------------------

    def add_runs(self, items: Iterable[tuple[Iterable[str], Iterable[str]]]) -> None:
        """Count a batch of items given as (text runs, headline runs)."""
        items = list(items)
        if not items:
            return
        if self._slow is not None:
            from gongkai.portal.search import stats

            for text_runs, headline_runs in items:
                self._slow.update(stats.grams_of_runs(text_runs, headline_runs))
            return
        batches = []
        for mark, runs_of in (("", 0), (HEADLINE, 1)):
            # Each item's runs joined by a separator (0), items too: no string spans two.
            joined = ["\0".join(item[runs_of]) for item in items]
            codes = np.frombuffer(("\0".join(joined) + "\0").encode("utf-32-le"), np.uint32)
            batches.append((mark, joined, codes))
        # Every new character learnt before anything is counted: past MAX_CHARS the batch
        # is counted the slow way as a whole, never half of it twice.
        if not self._learn(np.concatenate([codes for _, _, codes in batches])):
            self._go_slow()
            self.add_runs(items)
            return
        for mark, joined, codes in batches:
            item_of = np.repeat(
                np.arange(len(items), dtype=np.uint64),
                np.fromiter((len(j) + 1 for j in joined), np.int64, len(joined)),
            )
            self._count(mark, self._ids[codes], item_of, len(items))

    def add_strings(self, strings: Iterable[str]) -> None:
        """One item's other strings (each counted once per call)."""
        target = self._slow if self._slow is not None else self._other
        target.update(set(strings))

    def _learn(self, codes: np.ndarray) -> bool:
        """Give the batch's new characters ids; False when that would pass MAX_CHARS."""
        codes = codes[codes != 0]
        new = np.unique(codes[self._ids[codes] == 0])
        if not len(new):
            return True
        if len(self._chars) - 1 + len(new) > MAX_CHARS:
            return False
        self._ids[new] = np.arange(len(self._chars), len(self._chars) + len(new), dtype=np.uint64)
        self._chars.extend(map(chr, new.tolist()))
        return True

    def _count(self, mark: str, ids: np.ndarray, item_of: np.ndarray, n_items: int) -> None:
        # Strings of n characters end at i (i >= n-1) when the n ids up to i are all
        # characters: the running count of separators says so without a loop.
        separators = np.concatenate(([0], np.cumsum(ids == 0)))
        item_bits = max(int(n_items - 1).bit_length(), 1)
        key = np.zeros(len(ids), np.uint64)
        for n in range(1, MAX_GRAM + 1):
            # key[i] holds the string of n characters ending at i (earlier ones shifted up).
            if n == 1:
                key = ids.copy()
            else:
                key[n - 1:] = (key[n - 2:-1] << np.uint64(BITS)) | ids[n - 1:]
            end = np.arange(n - 1, len(ids))
            whole = (separators[end + 1] - separators[end + 1 - n]) == 0
            strings, items = key[n - 1:][whole], item_of[n - 1:][whole]
            self._sums[(mark, n)].add(*_items_per_string(strings, items, n, item_bits))

    def _go_slow(self) -> None:
        self._slow = self.as_counter()
        self._other = Counter()

    # --- reading ---------------------------------------------------------------------------

    def _decode(self, n: int, keys: np.ndarray) -> list[str]:
        chars = self._chars
        mask = np.uint64(MASK)
        columns = [
            ((keys >> np.uint64(BITS * (n - 1 - i))) & mask).tolist() for i in range(n)
        ]
        return ["".join(chars[c] for c in ids) for ids in zip(*columns, strict=True)]

    def _merged(self):
        for (mark, n), sums in self._sums.items():
            sums.merge()
            yield mark, n, sums

    def at_least(self, minimum: int) -> dict[str, int]:
        """Every string found in at least ``minimum`` items, and every other string."""
        if self._slow is not None:
            return {g: c for g, c in self._slow.items() if c >= minimum or not _is_gram(g)}
        out: dict[str, int] = dict(self._other)
        for mark, n, sums in self._merged():
            keep = sums.counts >= minimum
            strings = self._decode(n, sums.keys[keep])
            out.update(zip(
                [mark + s for s in strings] if mark else strings,
                sums.counts[keep].tolist(), strict=True,
            ))
        return out

    def as_counter(self) -> Counter[str]:
        """Every string and its count (as ``stats.count_all`` gives them)."""
        if self._slow is not None:
            return Counter(self._slow)
        return Counter(self.at_least(1))

    def others(self) -> dict[str, int]:
        """The strings added one by one (``add_strings``) and their counts."""
        if self._slow is not None:
            return {g: c for g, c in self._slow.items() if not _is_gram(g)}
        return dict(self._other)

    def get(self, string: str) -> int:
        if self._slow is not None:
            return self._slow.get(string, 0)
        if string in self._other:
            return self._other[string]
        mark = HEADLINE if string.startswith(HEADLINE) else ""
        body = string[len(mark):]
        if not 1 <= len(body) <= MAX_GRAM:
            return 0
        key = 0
        for char in body:
            char_id = int(self._ids[ord(char)])
            if not char_id:
                return 0
            key = (key << BITS) | char_id
        sums = self._sums[(mark, len(body))]
        sums.merge()
        at = int(np.searchsorted(sums.keys, np.uint64(key)))
        return int(sums.counts[at]) if at < len(sums.keys) and int(sums.keys[at]) == key else 0


def _is_gram(string: str) -> bool:
    from gongkai.portal.search.stats import is_owner_count

    return not is_owner_count(string)


def _items_per_string(strings: np.ndarray, items: np.ndarray, n: int, item_bits: int):
    """(distinct strings, the number of distinct items holding each): one sort of the
    (string, item) pairs when both fit in 64 bits, else of the strings per item."""
    if not len(strings):
        return strings, np.empty(0, np.int64)
    if n * BITS + item_bits <= 64:
        # (np.unique hashes since NumPy 2.3: several times slower than a sort here.)
        pairs = np.sort((strings << np.uint64(item_bits)) | items)
        keys = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] >> np.uint64(item_bits)
    else:
        # A 4-character string fills 64 bits: sort by (string, item) as two keys.
        order = np.lexsort((items, strings))
        s, i = strings[order], items[order]
        first = np.concatenate(([True], (s[1:] != s[:-1]) | (i[1:] != i[:-1])))
        keys = s[first]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.concatenate((starts, [len(keys)])))
    return keys[starts], counts.astype(np.int64)
