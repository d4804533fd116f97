"""Folding labels and number cells of published annual reports to one spelling.

Published reports print the national labels in traditional or simplified characters, with
full-width or half-width punctuation, stray spaces ("本年新 公開數量"), curly or
straight quotes and a trailing colon now and then. :func:`normalise_label` folds all of
that away, so a label matches its canonical row or column exactly after folding both.

Number cells (:func:`parse_number`):

* ``"0"``, ``"5361"``, ``"1,234"``, ``"1 234"`` → ``int``; ``"-3"``/``"+3"``/``"−3"`` → signed
  ``int`` (the 2019 format's 本年增/减 column is signed);
* ``"395.721"``, ``"395.721万元"`` → ``Decimal`` in 万元, the unit the formats print amounts
  in; ``"3957210元"`` → ``Decimal("395.721")`` (exact arithmetic, not an estimate);
* a count unit after the figure (件, 个, 项, 条, 次, 人次, 家) is dropped;
* a trailing footnote marker (``"0注1"``, ``"5*"``, ``"3※"``) is dropped: reports (gongkai's
  own drafts before the marker moved to the row label, and others) print it beside a
  figure typed by hand; labels lose such a marker too (``"行政事业性收费注1"``);
* a blank cell and the "nothing stated" marks ``—``, ``-``, ``/``, ``无`` → :data:`BLANK`
  (``None``). They are **not** read as 0: a dash may mean zero or "not applicable", and
  the checker does not guess. Rules that say so (the legacy appendix) count a blank as 0;
  for the others a rule with a blank cell is reported as not checkable;
* anything else (``"10.31%"``, ``"2018年度"``, prose) raises :class:`NotANumber`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

import opencc

BLANK = None

# Punctuation NFKC leaves alone but the formats print in one way only.
_PUNCTUATION = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "「": '"', "」": '"', "『": '"', "』": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'",
    "〔": "[", "〕": "]", "【": "[", "】": "]",
    "。": ".", "﹒": ".", "､": "、", "﹑": "、",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "−": "-", "﹣": "-",
    "—": "-", "―": "-",
    "∶": ":",
})
# Character variants OpenCC keeps but the national templates spell one way.
_VARIANTS = str.maketrans({"於": "于", "後": "后", "裏": "里", "爲": "为", "衆": "众"})
_WHITESPACE = re.compile(r"\s+")


class NotANumber(ValueError):
    """The cell's text is not a figure (a label, a percentage, prose)."""


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC ``t2s``) and full-width → half-width (NFKC)."""
    return unicodedata.normalize("NFKC", _converter().convert(text))


_NOTE_MARKER = re.compile(r"(?:注\d{1,2}|\*{1,3}|※)+$")


# Labels only (number cells keep their commas: "1,234"): square brackets fold to round
# ones, quotes and colons go ("危及三安全一稳定", "其中1.当面申请数"), and an enumerator is
# written one way: "1、" → "1.", "一." → "一、".
_LABEL_PUNCTUATION = str.maketrans({"[": "(", "]": ")", '"': None, "'": None, ":": None})
_DIGIT_ENUMERATOR = re.compile(r"(?<![\d.])(\d{1,2})、")
_CHINESE_ENUMERATOR = re.compile(r"(?<![一二三四五六七八九十])([一二三四五六七八九十]{1,3})\.(?!\d)")
_SEPARATORS = str.maketrans({",": "、", ";": "、"})


def normalise_label(text: str) -> str:
    """The spelling labels are compared in: simplified, half-width, no quotes, colons or
    whitespace at all, round brackets, one way of writing an enumerator, no trailing
    footnote marker."""
    return _fold_label(text or "") if len(text or "") <= 256 else _fold_label_text(text)


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """:func:`normalise_label`, and the separators reports use interchangeably inside a
    label ("信函、传真" / "信函,传真" / "信函;传真") folded to 、: what the checker matches row
    and column labels by. (Kept apart from :func:`normalise_label`, whose commas sentences
    searched for the year and the agency still need.)"""
    return _DIGIT_ENUMERATOR.sub(r"\1.", normalise_label(text).translate(_SEPARATORS))


@lru_cache(maxsize=65536)
def _fold_label(text: str) -> str:
    return _fold_label_text(text)


def _fold_label_text(text: str) -> str:
    folded = _NOTE_MARKER.sub("", _fold(text).rstrip(":")).translate(_LABEL_PUNCTUATION)
    folded = _DIGIT_ENUMERATOR.sub(r"\1.", folded)
    return _NOTE_MARKER.sub("", _CHINESE_ENUMERATOR.sub(r"\1、", folded))


def _fold(text: str) -> str:
    if len(text) <= 256:
        return _fold_short(text)
    return _fold_text(text)


@lru_cache(maxsize=65536)  # a report repeats its labels and figures; three formats read each line
def _fold_short(text: str) -> str:
    return _fold_text(text)


def _fold_text(text: str) -> str:
    folded = to_simplified(text).translate(_PUNCTUATION).translate(_VARIANTS)
    return _WHITESPACE.sub("", folded.replace("\u200b", "").replace("\ufeff", ""))


_BLANK_MARKS = frozenset({"", "-", "--", "---", "/", "\\", "无", "空", "n/a", "na"})
_NUMBER = re.compile(
    r"(?P<sign>[+-])?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?"
    r"(?P<unit>万元|元|件|个|项|条|次|人次|家|宗|起)?"
    r"(?:注\d{1,2}|\*{1,3}|※)?"  # a footnote marker after a hand-typed figure
)


def normalise_cell(text: str) -> str:
    """A number cell's text folded like a label (also removes spaces inside a figure); a
    footnote marker stays, for :func:`parse_number` to read (a marker alone is no figure)."""
    return _fold(text or "").rstrip(":").lower()


def is_blank(text: str) -> bool:
    return normalise_cell(text) in _BLANK_MARKS


def parse_number(text: str) -> int | Decimal | None:
    """The figure in one table cell; :data:`BLANK` (None) for a blank or a dash; raises
    :class:`NotANumber` for anything that is not a figure (see the module docstring)."""
    if len(text) > 64:  # no figure is that long: spare folding a paragraph
        raise NotANumber(text[:64])
    # the common case ("0", "5361", "-3") is ASCII and needs no folding
    folded = "".join(text.split()).lower() if text.isascii() else normalise_cell(text)
    if folded in _BLANK_MARKS:
        return BLANK
    match = _NUMBER.fullmatch(folded)
    if match is None:
        raise NotANumber(text)
    digits = match["digits"].replace(",", "")
    negative = match["sign"] == "-"
    unit = match["unit"] or ""
    if match["fraction"] or unit in ("万元", "元"):
        try:
            value = Decimal(digits + (match["fraction"] or ""))
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            raise NotANumber(text) from None
        if unit == "元":
            value = value / 10000
        value = value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1))
        return -value if negative else value
    return -int(digits) if negative else int(digits)


def is_number(text: str) -> bool:
    """A figure or a blank mark: something a table's number cell may hold."""
    try:
        parse_number(text)
    except NotANumber:
        return False
    return True
