"""Never say it twice: the clerk's text against the template's fixed wording.

Clerks often open the decision with the sentence the letter already says ("经审查，您所
申请的政府信息属于可以公开的政府信息…现答复如下：") or close it with "特此告知。". Those
sentences are dropped from the clerk's text, at its beginning and its end, when the
template's fixed wording already holds them — compared without punctuation or spaces,
and allowing a clerk's sentence that joins two of the template's clauses (but not
one that adds words of its own).
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

# A sentence ends at 。！？；： (full or half width), a "." before a space, or a line
# break; it keeps its mark and the spaces or line break after it.
_SENTENCE = re.compile(
    r"(?:[^。！？；：!?;:.\n]|\.(?!\s|$))*(?:(?:[。！？；：!?;:]+|\.)[^\S\n]*\n?|\n|$)"
)
# Shared runs shorter than this are chance ("经查" against "经审查"), not repetition.
_MIN_RUN = 4
# Characters of a sentence not found in the template, at most, for it to be a repeat
# (one in ten): more is the clerk's own addition, and the sentence stays.
_OWN_SHARE = 10


def normalise(text: str) -> str:
    """Text without whitespace, punctuation or symbols, for comparison only."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", text)
        if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZ"
    )


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences; joined again they give ``text`` back."""
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]


def _covered(sentence: str, fixed: str) -> bool:
    core = normalise(sentence)
    if not core:
        return True  # punctuation left over
    if core in fixed:
        return True
    if len(core) < _MIN_RUN:
        return False
    matcher = SequenceMatcher(None, core, fixed, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks() if block.size >= _MIN_RUN)
    return len(core) - shared <= max(1, len(core) // _OWN_SHARE)


def without_repeats(text: str, fixed_wording: str) -> tuple[str, list[str]]:
    """``text`` without the sentences at its start and end that ``fixed_wording``
    already says; returns the text kept and the sentences dropped. The middle is the
    clerk's own and is never touched."""
    fixed = normalise(fixed_wording)
    parts = sentences(text)
    if not fixed or not parts:
        return text.strip(), []
    start, end = 0, len(parts)
    while start < end and _covered(parts[start], fixed):
        start += 1
    while end > start and _covered(parts[end - 1], fixed):
        end -= 1
    dropped = [p.strip() for p in parts[:start] + parts[end:] if normalise(p)]
    if not dropped:
        return text.strip(), []
    return "".join(parts[start:end]).strip(), dropped
