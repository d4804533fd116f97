"""The words of the benchmarks' synthetic corpora, from the list kept in the repository
(``bench/data/vocabulary.txt``: terms of published disclosure reports, no sentences).

``Words`` draws them with a fixed seed, either Zipf-distributed (a few words in most
items, most of them rare, as in real catalogues) or uniformly, and strings them into
clauses: runs of 2-4 words, which the benchmarks join with Chinese punctuation into
titles and bodies. Every benchmark that generates text uses this module, so they all
draw from the same list the same way.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

VOCABULARY = Path(__file__).resolve().parent / "data" / "vocabulary.txt"
MIN_WORDS = 1000  # below this a Zipf corpus has too few rare words to query


def vocabulary() -> list[str]:
    """The terms of the list, sorted and distinct."""
    words = sorted(
        {
            line.strip()
            for line in VOCABULARY.read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        }
    )
    if len(words) < MIN_WORDS:
        raise SystemExit(f"{VOCABULARY}: {len(words)} terms, at least {MIN_WORDS} are needed")
    return words


class Words:
    """Words drawn from the list: the list is shuffled by ``rnd`` (so which words are
    common depends on the seed only), then word number r (from 1) is drawn with a weight
    of 1 / (r + ``offset``) ** ``exponent`` (Zipf-Mandelbrot; an exponent of 0 draws
    uniformly). The offset flattens the head: the commonest words are in most items
    rather than in every one."""

    def __init__(self, rnd: random.Random, *, exponent: float, offset: float = 0.0):
        self.words = vocabulary()
        rnd.shuffle(self.words)
        self.cumulative = list(
            itertools.accumulate(
                1.0 / (rank + 1 + offset) ** exponent for rank in range(len(self.words))
            )
        )

    def pick(self, rnd: random.Random, k: int) -> list[str]:
        return rnd.choices(self.words, cum_weights=self.cumulative, k=k)

    def clause(self, rnd: random.Random, low: int = 2, high: int = 4) -> str:
        """``low`` to ``high`` words run together, as in a clause of a report."""
        return "".join(self.pick(rnd, rnd.randint(low, high)))

    def clauses(self, rnd: random.Random, k: int, low: int = 2, high: int = 4) -> list[str]:
        return [self.clause(rnd, low, high) for _ in range(k)]
