"""Text handling shared by both search backends: normalisation, bigram tokens, the
parsing of what a visitor types, and highlighting.

Normalisation (index and query alike): full-width forms folded to half-width, Latin
lowercased, traditional characters converted to simplified (OpenCC ``t2s``). It keeps
the length of the text whenever OpenCC does (a per-character conversion is the fallback),
so that a match found in the normalised text can be highlighted in the original.

Tokens: the normalised text is cut into *runs* of word characters (CJK, letters, digits);
everything else separates runs. Each run gives its overlapping bigrams, then its last
character alone (a "terminal" token). So every substring of length >= 2 of a run is a
contiguous sequence of bigram tokens, and every occurrence of a character is either the
first half of a bigram or a terminal token: a 1-character query is the prefix query
``c*``. Search semantics are therefore exact substring semantics on the normalised text,
which the recall tests check against a substring scan.
"""

from __future__ import annotations

import html
import operator
import re
from dataclasses import dataclass
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Full-width ASCII variants and the ideographic space.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20

# A run: characters that str.isalnum() accepts (CJK ideographs, letters, digits, kana...),
# written as a negated class of the separators so that the regex engine does the work.
_RUN = re.compile(r"[^\W_]+")
_WORD_OR_QUOTE = re.compile(r'"([^"]*)"?|(\S+)')
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_BLOCK_END = re.compile(r"</(p|div|li|tr|h[1-6]|table|blockquote)>|<br\s*/?>", re.IGNORECASE)


def normalise(text: str) -> str:
    """Full-width → half-width, lowercase Latin, traditional → simplified."""
    if not text:
        return ""
    folded = _fold(text)
    converted = _T2S.convert(folded)
    if len(converted) == len(folded):
        return converted
    return "".join(_t2s_char(ch) for ch in folded)


def normalise_many(texts: list[str]) -> list[str]:
    """``normalise`` of each text, with one call into OpenCC for all of them (its
    per-call cost dominates for short texts such as a page of titles)."""
    # Folded once too: ``_fold`` keeps the length, so each text keeps its place.
    joined = _fold("\n".join(texts))
    converted = _T2S.convert(joined) if joined else ""
    if len(converted) != len(joined):
        return [normalise(text) for text in texts]
    out, position = [], 0
    for text in texts:
        out.append(converted[position : position + len(text)])
        position += len(text) + 1
    return out


def _fold(text: str) -> str:
    folded = text.translate(_FOLD).lower()
    if len(folded) != len(text):  # lower() of a few letters (e.g. İ) changes the length
        folded = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text.translate(_FOLD))
    return folded


@lru_cache(maxsize=65536)
def _t2s_char(ch: str) -> str:
    converted = _T2S.convert(ch)
    return converted if len(converted) == 1 else ch


def html_to_text(body: str) -> str:
    """Sanitised HTML → the text a reader sees (block ends become line breaks)."""
    if not body:
        return ""
    text = _BLOCK_END.sub("\n", body)
    return html.unescape(_TAGS.sub("", text))


def run_tokens(run: str) -> list[str]:
    """Overlapping bigrams of a run, then its terminal character."""
    return [*map(operator.add, run, run[1:]), run[-1]]


def runs(normalised: str) -> list[str]:
    return _RUN.findall(normalised)


def tokens(normalised: str) -> str:
    """The space-separated token string of normalised text (what the index stores)."""
    return tokens_of_runs(_RUN.findall(normalised))


def tokens_of_runs(runs_: list[str]) -> str:
    out: list[str] = []
    for run in runs_:
        out.extend(map(operator.add, run, run[1:]))
        out.append(run[-1])
    return " ".join(out)


def token_count(token_string: str) -> int:
    return token_string.count(" ") + 1 if token_string else 0


@dataclass(frozen=True)
class Term:
    """One thing the visitor asked for: every item must contain it.

    ``tokens`` is a contiguous token sequence (a phrase); when ``prefix`` is set, its last
    token is a single character matched as a prefix (a 1-character run at the end)."""

    text: str  # normalised, for display and highlighting
    runs: tuple[str, ...]
    tokens: tuple[str, ...]
    prefix: bool


def parse_query(raw: str) -> list[Term]:
    """Whitespace separates words (all must match); a quoted "…" string is one phrase.
    Inside a word or phrase, punctuation separates runs that must follow one another.
    Never raises: anything else is plain text."""
    terms: list[Term] = []
    seen: set[tuple] = set()
    for match in _WORD_OR_QUOTE.finditer(normalise(raw or "")):
        chunk = match.group(1) if match.group(1) is not None else match.group(2)
        runs = tuple(_RUN.findall(chunk))
        if not runs:
            continue
        toks: list[str] = []
        for run in runs:
            toks.extend(run_tokens(run))
        last = runs[-1]
        if len(last) >= 2:
            toks.pop()  # the item's run may go on after the query's last character
            prefix = False
        else:
            prefix = True
        key = (tuple(toks), prefix)
        if key in seen:
            continue
        seen.add(key)
        terms.append(Term(text=" ".join(runs), runs=runs, tokens=tuple(toks), prefix=prefix))
    return terms


# --- highlighting ---------------------------------------------------------------------------

_SEPARATOR_CLASS = r"[\W_]+"


@lru_cache(maxsize=1024)
def _term_pattern(runs: tuple[str, ...]) -> re.Pattern:
    return re.compile(_SEPARATOR_CLASS.join(re.escape(run) for run in runs))


def match_spans(normalised: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Merged, sorted (start, end) spans of every term's occurrences."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        spans.extend(m.span() for m in _term_pattern(term.runs).finditer(normalised) if m.end() > m.start())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def collapse_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def highlight(text: str, terms: list[Term], *, normalised: str | None = None) -> str:
    """The whole of ``text``, HTML-escaped, with <mark> around every match."""
    normalised = normalise(text) if normalised is None else normalised
    return _marked(text, match_spans(normalised, terms), 0, len(text))


def snippet(
    text: str, terms: list[Term], *, width: int = 120, normalised: str | None = None
) -> str:
    """About ``width`` characters of ``text`` around the first match (the start when
    nothing matches), HTML-escaped, with <mark> around matches and … where cut. Give
    ``normalised`` (of the space-collapsed text) when already at hand."""
    if normalised is None:
        text = collapse_space(text)
        normalised = normalise(text)
    spans = match_spans(normalised, terms)
    if spans:
        first = spans[0][0]
        start = max(0, first - width // 4)
    else:
        start = 0
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    body = _marked(text, [s for s in spans if s[1] > start and s[0] < end], start, end)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    parts: list[str] = []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start < position:
            continue
        parts.append(html.escape(text[position:span_start]))
        parts.append("<mark>" + html.escape(text[span_start:span_end]) + "</mark>")
        position = span_end
    parts.append(html.escape(text[position:end]))
    return "".join(parts)

