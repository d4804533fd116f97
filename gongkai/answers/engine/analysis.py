"""From a question as typed to what the scorer looks for.

The question is normalised as the portal's search normalises text (OpenCC to simplified,
full-width folded, Latin lowercased), segmented with rjieba, and stripped of the stop
words of ``data/lexicon.toml`` (question words, politeness). What remains are *concepts*:
each word the citizen used, with the words published texts use for it (the lexicon's
synonyms, and the shorter words rjieba finds inside a long one). A concept counts once,
whichever of its words a passage holds.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import rjieba

from gongkai.portal.search import text as search_text

LEXICON = Path(__file__).resolve().parent.parent / "data" / "lexicon.toml"
MAX_QUESTION = 200
WEAK_WEIGHT = 0.3
SYNONYM_WEIGHT = 0.85
PART_WEIGHT = 0.7
SINGLE_WEIGHT = 0.4
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Lexicon:
    stop: frozenset[str]
    weak: frozenset[str]
    synonyms: dict[str, tuple[str, ...]]


@functools.cache
def lexicon() -> Lexicon:
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    synonyms = {search_text.normalise(k): tuple(search_text.normalise(w) for w in v)
                for k, v in data.get("synonyms", {}).items()}
    return Lexicon(
        stop=frozenset(search_text.normalise(w) for w in data.get("stop", [])),
        weak=frozenset(search_text.normalise(w) for w in data.get("weak", [])),
        synonyms=synonyms,
    )


@dataclass
class Concept:
    """One thing the question is about: ``word`` as asked and ``forms`` (word → weight)
    any of which a passage may hold."""

    word: str
    weight: float
    forms: dict[str, float] = field(default_factory=dict)


@dataclass
class Analysis:
    question: str  # as asked, trimmed
    normalised: str
    concepts: list[Concept]

    @property
    def terms(self) -> list[str]:
        """Every form of every concept, longest first (for retrieval and highlighting)."""
        seen: dict[str, None] = {}
        for concept in self.concepts:
            for form in concept.forms:
                seen.setdefault(form, None)
        return sorted(seen, key=lambda w: (-len(w), w))

    @property
    def key_words(self) -> list[str]:
        """The words asked (not their expansions) worth looking up in the index: two
        characters or more, the specific ones first."""
        words = [c.word for c in self.concepts if len(c.word) >= 2]
        return sorted(dict.fromkeys(words), key=lambda w: (-self.weight_of(w), -len(w)))

    def weight_of(self, word: str) -> float:
        return next((c.weight for c in self.concepts if c.word == word), 0.0)


def _base_weight(word: str, lex: Lexicon) -> float:
    if word in lex.weak:
        return WEAK_WEIGHT
    # Longer words are more specific; digits (12315, 2025) are specific too.
    return 1.0 + 0.25 * math.log2(max(len(word), 1)) + (0.3 if word.isdigit() and len(word) >= 4 else 0)


def _concept(word: str, synonyms, lex: Lexicon) -> Concept:
    concept = Concept(word=word, weight=_base_weight(word, lex))
    if len(word) >= 2:
        concept.forms[word] = 1.0
    for synonym in synonyms:
        concept.forms.setdefault(synonym, SYNONYM_WEIGHT)
    if len(word) >= 3:
        for part in rjieba.cut_for_search(word):
            if len(part) >= 2 and part != word and part not in lex.stop:
                concept.forms.setdefault(part, PART_WEIGHT)
    return concept


def analyse(question: str) -> Analysis:
    """The question's concepts. Never raises: an empty or unreadable question has none."""
    question = (question or "").strip()[:MAX_QUESTION]
    normalised = search_text.normalise(question)
    lex = lexicon()
    concepts: dict[str, Concept] = {}
    for word in rjieba.cut(normalised):
        word = word.strip()
        if not word or not _WORD.fullmatch(word) or word in lex.stop or word in concepts:
            continue
        synonyms = lex.synonyms.get(word, ())
        if not synonyms and len(word) == 2:
            # 交钱, 短秤: a one-character key of the lexicon inside a two-character word
            synonyms = tuple(s for ch in word for s in lex.synonyms.get(ch, ()))
        if len(word) == 1 and not synonyms:
            # A verb or noun of one character (降, 退): it counts, a little.
            concepts[word] = Concept(word=word, weight=SINGLE_WEIGHT, forms={word: 1.0})
            continue
        concept = _concept(word, synonyms, lex)
        if concept.forms:
            concepts[word] = concept
    # The lexicon's longer keys wherever they occur, however the segmenter cut them
    # (多长时间, 打电话), unless a word already taken overlaps them.
    for key, synonyms in lex.synonyms.items():
        if len(key) >= 2 and key in normalised and key not in concepts and not any(
                key in word or word in key for word in concepts):
            concepts[key] = _concept(key, synonyms, lex)
    # A concept whose word is only a form of a longer one (许可 inside 许可证) is dropped.
    out = [c for c in concepts.values()
           if not any(c.word != o.word and c.word in o.forms for o in concepts.values())]
    return Analysis(question=question, normalised=normalised, concepts=out)


def words(normalised: str) -> list[str]:
    """The words of normalised text as the search mode of rjieba cuts them (许可证 gives
    许可 and 许可证)."""
    return rjieba.cut_for_search(normalised)


def bigrams(normalised: str) -> set[str]:
    """The CJK/word bigrams of normalised text (runs as the search index cuts them)."""
    out: set[str] = set()
    for run in _WORD.findall(normalised):
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out


def question_bigrams(analysis: Analysis) -> set[str]:
    """The bigrams of what is left of the question once the stop words are gone."""
    return bigrams(" ".join(c.word for c in analysis.concepts))
