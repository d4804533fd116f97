"""The moderation word list: words that send what the public wrote to a closer look.

Comments on consultation drafts and messages on the message board are written by anyone.
Before a member of staff decides whether one is displayed, :func:`word_hits` finds the
words of the list in it; the hits are stored with the text and shown to that person.
A hit decides nothing by itself: nothing the public wrote is displayed without a human
decision, and nothing is refused because of a word alone.

The list is the platform's default (``data/moderation_words.toml``: data, not code) plus
the words each agency adds in the back office (:class:`~gongkai.core.models.ModerationWord`).
An agency's list also holds the words added by the agencies above it, so a province's
additions reach every bureau of its tree.

Matching:

* full-width and half-width forms, upper and lower case are the same (NFKC, casefold);
* a word with a Chinese character matches even with spaces, punctuation or symbols put
  between its characters (``傻 逼``, ``傻*逼``): that is how such words are disguised;
* a word of Latin letters and digits only matches as a whole word (``sb`` is not found in
  ``usb`` or in ``this box``), with nothing skipped.

Hits do not overlap: at each place the longest word wins, and the scan goes on after it.
``start``/``end`` index the text as given: ``text[hit.start:hit.end]`` is what was written.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

__all__ = [
    "MAX_WORD_LENGTH",
    "WordHit",
    "agency_words",
    "normalise_word",
    "platform_words",
    "validate_word",
    "word_hits",
]

MAX_WORD_LENGTH = 40


@dataclass(frozen=True)
class WordHit:
    """One word of the list found in a text: ``text[start:end]`` is how it was written,
    ``word`` the list's (normalised) word."""

    word: str
    start: int
    end: int


# --------------------------------------------------------------------------
# The lists
# --------------------------------------------------------------------------


def normalise_word(word: str) -> str:
    """The form a word is kept and compared in: NFKC, casefolded, without spaces."""
    folded = unicodedata.normalize("NFKC", word or "").casefold()
    return "".join(ch for ch in folded if not ch.isspace())


def validate_word(word: str) -> str:
    """The normalised word, or ``ValueError`` with a Chinese message saying what is wrong."""
    norm = normalise_word(word)
    if not norm:
        raise ValueError("请填写词语")
    if len(norm) > MAX_WORD_LENGTH:
        raise ValueError(f"词语不能超过{MAX_WORD_LENGTH}个字符")
    if not any(ch.isalnum() for ch in norm):
        raise ValueError("词语须含有文字或数字，不能只有标点符号")
    return norm


@cache
def platform_words() -> frozenset[str]:
    """The platform's default list (``data/moderation_words.toml``), normalised."""
    raw = resources.files("gongkai.core").joinpath("data/moderation_words.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    words: set[str] = set()
    for group in data.get("groups", []):
        for word in group.get("words", []):
            words.add(validate_word(word))
    return frozenset(words)


def platform_groups() -> list[tuple[str, list[str]]]:
    """The default list by group, as the file has it (for the back-office page)."""
    raw = resources.files("gongkai.core").joinpath("data/moderation_words.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    return [(g.get("name", ""), [normalise_word(w) for w in g.get("words", [])]) for g in data.get("groups", [])]


def _ancestor_paths(path: str, step: int) -> list[str]:
    width = step + 1  # digits and the dot
    return [path[: i * width] for i in range(1, len(path) // width + 1)]


def agency_words(agency) -> frozenset[str]:
    """The words ``agency`` and the agencies above it added (not the platform's)."""
    if agency is None:
        return frozenset()
    from gongkai.core.models import Agency, ModerationWord

    paths = _ancestor_paths(agency.path, Agency.PATH_STEP) or [agency.path]
    return frozenset(
        ModerationWord.objects.filter(agency__path__in=paths).values_list("word", flat=True)
    )


# --------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------


def _is_latin_word(word: str) -> bool:
    return all(ch.isascii() and ch.isalnum() for ch in word)


def _is_skippable(ch: str) -> bool:
    """Characters put between a word's characters to disguise it: spaces, punctuation,
    symbols (not letters, digits or CJK)."""
    if ch.isspace():
        return True
    return unicodedata.category(ch)[0] in "PSZC"


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` normalised character by character, with the index in ``text`` of each
    character of the result (NFKC may turn one character into several)."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold()
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


@lru_cache(maxsize=64)
def _patterns(words: frozenset[str]) -> tuple[re.Pattern | None, re.Pattern | None]:
    latin = sorted((w for w in words if _is_latin_word(w)), key=lambda w: (-len(w), w))
    other = sorted((w for w in words if not _is_latin_word(w)), key=lambda w: (-len(w), w))
    latin_re = (
        re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, latin)) + r")(?![a-z0-9])")
        if latin else None
    )
    other_re = re.compile("|".join(map(re.escape, other))) if other else None
    return latin_re, other_re


def _hits_in(words: frozenset[str], text: str) -> list[WordHit]:
    if not text or not words:
        return []
    latin_re, other_re = _patterns(words)
    folded, index = _fold(text)
    found: list[WordHit] = []
    if latin_re is not None:
        for m in latin_re.finditer(folded):
            found.append(WordHit(m.group(0), index[m.start()], index[m.end() - 1] + 1))
    if other_re is not None:
        # The skeleton: the folded text without the characters used to disguise a word.
        keep = [i for i, ch in enumerate(folded) if not _is_skippable(ch)]
        skeleton = "".join(folded[i] for i in keep)
        for m in other_re.finditer(skeleton):
            first, last = keep[m.start()], keep[m.end() - 1]
            found.append(WordHit(m.group(0), index[first], index[last] + 1))
    found.sort(key=lambda h: (h.start, -(h.end - h.start), h.word))
    result: list[WordHit] = []
    for hit in found:
        if result and hit.start < result[-1].end:
            continue
        result.append(hit)
    return result


def word_hits(text: str, *, agency) -> list[WordHit]:
    """Every word of the list (the platform's, plus ``agency``'s and its ancestors'
    additions; ``agency`` may be ``None`` for the platform's alone) found in ``text``,
    in order of position, not overlapping."""
    words = platform_words() | agency_words(agency)
    return _hits_in(words, text or "")


def words_in(text: str, words: Iterable[str]) -> list[WordHit]:
    """:func:`word_hits` against an explicit list (tests, previews of a list being edited)."""
    return _hits_in(frozenset(normalise_word(w) for w in words if normalise_word(w)), text or "")
