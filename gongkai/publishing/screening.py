"""Leak screening: what must not go online finds a human before it is published.

Before anything is published its body and the text of every attachment pass through
:func:`screen_text` / :func:`screen_file`. Two kinds of leak are looked for:

* **Personal data** (Art. 15; SAMR Order 45 Art. 6 requires "necessary processing" of
  personal data in published penalty decisions): resident ID numbers, mainland mobile
  numbers, bank card numbers. Each can be masked in one step with :func:`redact`, using
  the agency's :class:`~gongkai.core.masking.MaskPattern` per kind.
* **Secrecy and internal-use markings** (Art. 14 and the secrecy review of Art. 17): a
  document marked 秘密★ or 内部资料 must not be put online. Markings are never masked
  automatically — whether the document may be published at all is a human decision.

Numbers
-------
Digits are ASCII or full-width. A *run* is a maximal sequence of digits; grouped forms
use one space or one hyphen throughout (``138 1234 5678``, ``6222-0212-3456-7890``).

* ``resident_id``: an 18-character run (17 digits and a check digit or X) with a correct
  check character and a birth date between 1900 and today; or a 15-digit legacy number
  with a valid birth date (no check character exists). Also grouped 6-8-4. A run of 18
  digits inside a longer run is not an ID; a wrong check character is not reported.
* ``mobile``: an 11-digit run 1[3-9]…, or grouped 3-4-4, optionally after +86.
* ``bank_card``: a 16-19 digit run passing Luhn, or the same grouped in fours (the last
  group 1-4 digits) or 6-13. Never an ID number: an 18-digit run that reads as one (region
  digit 1-8 and a 19xx/20xx birth year) is not reported as a card even if its check
  character is wrong. Not reported when glued to a Latin letter (``HT2019…``: a code),
  or when every group is a year (``2018 2019 2020 2021``: a table heading).

Two kinds of context veto a number: digits followed by a decimal point and more digits
are an amount; a number whose nearest preceding label on the same line is an
organisation's code label (统一社会信用代码, 注册号, 纳税人识别号…) and which passes that
code's own check is the organisation's code, not a person's ID or card.

Markings
--------
Chosen so that the prose of secrecy *policy* — 保密审查, 保守国家秘密, 商业秘密, 机密性,
涉密人员, 内部审计, 三类内部事务信息, 内部资料性出版物 — is not reported. Traditional
characters (機密, 內部資料, 絕密★) count as simplified; spaces inside a level word
(机　密, 内　部, as headers are set) are tolerated. Reported anywhere in the text:

1. a level followed by ★/☆, optionally 级 and a period: ``秘密★``, ``机密★1年``,
   ``绝密级★长期``; or with an asterisk standing in for the star before a period
   (``秘密*1年``);
2. the label forms ``密级：机密`` and ``保密期限：10年``;
3. the internal-use phrases ``内部资料`` (not 内部资料性), ``内部文件``, ``内部使用``,
   ``内部发行``, ``内部参考``, ``仅供内部…``/``仅限内部…``, ``注意保密``, and
   不得/严禁/禁止/请勿/切勿/不准 + 外传/外泄/扩散;
4. a marking word in brackets: ``【内部】``, ``（涉密）``, ``〔机密〕``, ``(国家秘密)``.

Reported only when they stand alone on a line or in a table cell (the way a marking is
set in a header), since in running text they are ordinary words: 绝密, 机密, 秘密 (with an
optional 级 and period), 内部, 涉密, 国家秘密; also a bare ``★1年``. A lone ★ is not a
marking: pages use it as a bullet or a rating.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum

from gongkai.core import clock
from gongkai.core.identifiers import (
    is_plausible_mobile,
    is_valid_resident_id,
    is_valid_uscc,
    luhn_valid,
)
from gongkai.core.masking import DEFAULT_PATTERNS, MaskPattern
from gongkai.publishing.extract import ExtractedText, extract_text

__all__ = [
    "KIND_LABELS",
    "PERSONAL_KINDS",
    "Finding",
    "FindingKind",
    "redact",
    "screen_extracted",
    "screen_file",
    "screen_text",
]


class FindingKind(StrEnum):
    RESIDENT_ID = "resident_id"
    MOBILE = "mobile"
    BANK_CARD = "bank_card"
    SECRECY_MARKING = "secrecy_marking"


KIND_LABELS: Mapping[str, str] = {
    FindingKind.RESIDENT_ID: "身份证号码",
    FindingKind.MOBILE: "手机号码",
    FindingKind.BANK_CARD: "银行卡号",
    FindingKind.SECRECY_MARKING: "密级或内部标识",
}

# Kinds that redact() masks unless told otherwise; markings need a human decision.
PERSONAL_KINDS = frozenset({FindingKind.RESIDENT_ID, FindingKind.MOBILE, FindingKind.BANK_CARD})

_EXCERPT_CONTEXT = 10
_MARKING_PATTERN = MaskPattern(0, 0)  # a marking, when explicitly redacted, goes entirely


@dataclasses.dataclass(frozen=True)
class Finding:
    """One suspected leak: ``text[start:end] == value``. ``excerpt`` is safe to show (the
    value masked); ``value`` is not, and stays out of ``repr`` so logs cannot leak it."""

    kind: FindingKind
    value: str = dataclasses.field(repr=False)
    start: int
    end: int
    excerpt: str
    location: str | None = None


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------


def screen_text(text: str, *, today: date | None = None) -> list[Finding]:
    """Every suspected leak in ``text``, in order of position. ``today`` bounds ID birth
    dates (default: the platform's today)."""
    if today is None:
        today = clock.today()
    folded = text.translate(_FOLD)
    spans = _number_spans(folded, today) + _marking_spans(folded)
    spans.sort(key=lambda s: (s[1], s[2]))
    raw = [Finding(kind, text[s:e], s, e, "") for kind, s, e in spans]
    masked = _mask(text, [f for f in raw if f.kind in PERSONAL_KINDS], DEFAULT_PATTERNS)
    return [dataclasses.replace(f, excerpt=_excerpt(masked, f.start, f.end)) for f in raw]


def screen_extracted(extracted: ExtractedText, *, today: date | None = None) -> list[Finding]:
    """:func:`screen_text` over an extracted file, each finding with its location."""
    return [
        dataclasses.replace(f, location=extracted.location_at(f.start))
        for f in screen_text(extracted.text, today=today)
    ]


def screen_file(data: bytes, filename: str = "", *, today: date | None = None) -> list[Finding]:
    """Extract the text of a file (by content) and screen it. Raises
    :class:`~gongkai.publishing.extract.UnreadableFile` when the file cannot be read:
    an unreadable file is never "clean"."""
    return screen_extracted(extract_text(data, filename=filename), today=today)


def redact(
    text: str,
    findings: Iterable[Finding],
    patterns: Mapping[str, MaskPattern] | None = None,
    kinds: Iterable[str] | None = None,
) -> str:
    """``text`` with the findings of ``kinds`` masked (default: personal data only —
    markings only when named). ``patterns`` are the agency's, per kind, over
    :data:`~gongkai.core.masking.DEFAULT_PATTERNS`; an explicitly redacted marking is
    masked entirely unless a pattern is given for it. Separators inside a number stay
    (``6222 **** **** 7890``); the text keeps its length, so offsets stay valid.

    Raises ValueError if a finding does not match ``text`` (screened another version)."""
    wanted = PERSONAL_KINDS if kinds is None else frozenset(FindingKind(k) for k in kinds)
    chosen = [f for f in findings if f.kind in wanted]
    for f in chosen:
        if text[f.start : f.end] != f.value:
            raise ValueError(f"finding at {f.start}-{f.end} does not match the text")
    merged = {**DEFAULT_PATTERNS, FindingKind.SECRECY_MARKING: _MARKING_PATTERN}
    merged.update(patterns or {})
    return _mask(text, chosen, merged)


# --------------------------------------------------------------------------
# Masking and excerpts
# --------------------------------------------------------------------------

_SEPARATORS = frozenset(" -\u3000\uff0d\t")


def _mask(text: str, findings: list[Finding], patterns: Mapping[str, MaskPattern]) -> str:
    hidden: dict[int, str] = {}
    for f in findings:
        keep = [i for i, ch in enumerate(f.value) if ch not in _SEPARATORS]
        shown = patterns[f.kind].apply("".join(f.value[i] for i in keep))
        for i, ch in zip(keep, shown, strict=True):
            # Only ever hide: an overlapping finding must not uncover a character.
            if ch != f.value[i]:
                hidden.setdefault(f.start + i, ch)
    pieces, last = [], 0
    for position in sorted(hidden):
        pieces += [text[last:position], hidden[position]]
        last = position + 1
    pieces.append(text[last:])
    return "".join(pieces)


def _excerpt(masked: str, start: int, end: int) -> str:
    lo, hi = max(0, start - _EXCERPT_CONTEXT), min(len(masked), end + _EXCERPT_CONTEXT)
    body = " ".join(masked[lo:hi].split())
    return ("…" if lo else "") + body + ("…" if hi < len(masked) else "")


# --------------------------------------------------------------------------
# Folding: one character for one, so offsets in the folded text are offsets in the text
# --------------------------------------------------------------------------

_FOLD: dict[int, str] = {0xFF10 + i: str(i) for i in range(10)}
_FOLD.update({0xFF38: "X", 0xFF58: "x", 0xFF0B: "+", 0xFF0E: ".", 0xFF0D: "-", 0x3000: " "})
# Traditional forms of the characters the marking patterns use.
_FOLD.update(
    {
        ord(t): s
        for t, s in zip(
            "絕機祕內資傳國級參個擴嚴請長僅洩", "绝机秘内资传国级参个扩严请长仅泄", strict=True
        )
    }
)

# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

_RUN = re.compile(r"[0-9]+")
_GROUPED = re.compile(
    r"(?<![0-9])[0-9]+(?P<sep>[ -])[0-9]+(?:(?P=sep)[0-9]+)*(?P<x>[Xx])?(?![0-9])"
)
_ORG_LABEL = re.compile(r"信用代码|注册号|纳税人识别号|税号|组织机构代码")
_PERSON_LABEL = re.compile(r"身份证|身份号码|证件号")
_LABEL_WINDOW = 24

_Span = tuple[FindingKind, int, int]


def _number_spans(folded: str, today: date) -> list[_Span]:
    spans: list[_Span] = []
    for m in _RUN.finditer(folded):
        span = _classify_run(folded, m.start(), m.end(), today)
        if span is not None:
            spans.append(span)
    for m in _GROUPED.finditer(folded):
        span = _classify_grouped(folded, m, today)
        if span is not None and not any(s < span[2] and span[1] < e for _, s, e in spans):
            spans.append(span)
    return spans


def _classify_run(folded: str, s: int, e: int, today: date) -> _Span | None:
    digits = folded[s:e]
    n = len(digits)
    if _is_amount(folded, e):
        return None
    if folded[e : e + 1] in ("X", "x"):
        # Only 17 digits and X make an ID; any other run with an X is some other code.
        alone = not folded[e + 1 : e + 2].isdigit()
        if n == 17 and alone and _is_resident_id(folded, s, digits + "X", today):
            return (FindingKind.RESIDENT_ID, s, e + 1)
        return None
    if n in (15, 18) and _is_resident_id(folded, s, digits, today):
        return (FindingKind.RESIDENT_ID, s, e)
    if n == 11 and is_plausible_mobile(digits):
        return (FindingKind.MOBILE, s, e)
    plus86 = n == 13 and folded[s - 1 : s] == "+" and digits.startswith("86")
    if plus86 and is_plausible_mobile(digits[2:]):
        return (FindingKind.MOBILE, s + 2, e)
    if 16 <= n <= 19 and _is_bank_card(folded, s, e, digits):
        return (FindingKind.BANK_CARD, s, e)
    return None


def _classify_grouped(folded: str, m: re.Match, today: date) -> _Span | None:
    s, e = m.start(), m.end()
    groups = re.findall(r"[0-9]+", m.group())
    lengths = [len(g) for g in groups]
    digits = "".join(groups)
    x = m.group("x")
    if _is_amount(folded, e):
        return None
    if x:
        if lengths == [6, 8, 3] and _is_resident_id(folded, s, digits + "X", today):
            return (FindingKind.RESIDENT_ID, s, e)
        return None
    if lengths == [3, 4, 4] and is_plausible_mobile(digits):
        return (FindingKind.MOBILE, s, e)
    if lengths == [2, 3, 4, 4] and groups[0] == "86" and is_plausible_mobile(digits[2:]):
        return (FindingKind.MOBILE, s + 3, e)
    if lengths == [6, 8, 4] and _is_resident_id(folded, s, digits, today):
        return (FindingKind.RESIDENT_ID, s, e)
    in_fours = len(groups) >= 4 and set(lengths[:-1]) == {4} and 1 <= lengths[-1] <= 4
    if (in_fours or lengths == [6, 13]) and 16 <= len(digits) <= 19:
        years = all(len(g) == 4 and g[:2] in ("19", "20") for g in groups)
        if not years and _is_bank_card(folded, s, e, digits):
            return (FindingKind.BANK_CARD, s, e)
    return None


def _is_amount(folded: str, end: int) -> bool:
    """Digits followed by a decimal point and digits: the integer part of an amount."""
    return folded[end : end + 1] == "." and folded[end + 1 : end + 2].isdigit()


def _is_resident_id(folded: str, start: int, value: str, today: date) -> bool:
    if not is_valid_resident_id(value, today=today, allow_15=True):
        return False
    if _org_labelled(folded, start):
        # An organisation's own code that happens to pass the ID checks.
        return not (is_valid_uscc(value) if len(value) == 18 else _registration_valid(value))
    return True


def _is_bank_card(folded: str, start: int, end: int, digits: str) -> bool:
    if not luhn_valid(digits) or _id_shaped(digits) or _org_labelled(folded, start):
        return False
    before, after = folded[start - 1 : start], folded[end : end + 1]
    return not (_latin(before) or _latin(after))


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _id_shaped(digits: str) -> bool:
    """An 18-digit number with an ID's region digit and birth century: read as a
    mistyped ID, never as a bank card."""
    return len(digits) == 18 and digits[0] in "12345678" and digits[6:8] in ("19", "20")


def _org_labelled(folded: str, start: int) -> bool:
    """Whether the nearest label before ``start`` on its line names an organisation code."""
    window = folded[max(0, start - _LABEL_WINDOW) : start]
    window = window[window.rfind("\n") + 1 :]
    org = [m.end() for m in _ORG_LABEL.finditer(window)]
    person = [m.end() for m in _PERSON_LABEL.finditer(window)]
    return bool(org) and max(org) > max(person, default=-1)


def _registration_valid(digits: str) -> bool:
    """Check digit of a 15-digit business registration number (GB/T 17710, ISO 7064
    MOD 11,10), the 注册号 that preceded the unified social credit code."""
    if len(digits) != 15 or not digits.isascii() or not digits.isdigit():
        return False
    p = 10
    for ch in digits[:14]:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return (p + int(digits[14])) % 10 == 1


# --------------------------------------------------------------------------
# Markings
# --------------------------------------------------------------------------

_LEVEL = "(?:绝 *密|机 *密|秘 *密)"
_PERIOD = "(?:长期|[0-9]{1,3} *(?:年|个月))"
_STAR = "[★☆]"
_INTERNAL = (
    "仅[供限]内部(?:使用|参考|传阅|掌握|资料|文件|发行)?|内部资料(?!性)|内部文件|内部使用|内部发行"
    "|内部参考|注意保密"
    "|(?:不得|严禁|禁止|请勿|切勿|不准)(?:外传|外泄|扩散)"
)
_ANYWHERE = re.compile(
    "|".join(
        [
            rf"{_LEVEL} *级? *{_STAR}(?: *{_PERIOD})?",
            rf"{_LEVEL} *级? *[*＊] *{_PERIOD}",
            rf"密 *级 *[:：]? *{_LEVEL}(?: *级)?(?: *{_STAR}? *{_PERIOD})?",
            rf"保密期限 *[:：] *{_PERIOD}",
            _INTERNAL,
            rf"[【〔\[(（] *(?:{_LEVEL} *级?|内部|涉密|国家秘密) *[】〕\])）]",
        ]
    )
)
_STANDALONE = re.compile(
    rf"(?:{_LEVEL} *级?|内 *部|涉 *密|国家秘密|{_INTERNAL})(?: *{_STAR}? *{_PERIOD})?"
    rf"|{_STAR} *{_PERIOD}"
)
_SEGMENT = re.compile(r"[^\n\r\t\f\v]+")
_WRAPPING = " 【】[]〔〕()（）<>《》「」“”\"'‘’·•.。:：;；,，、-—_*＊"


def _marking_spans(folded: str) -> list[_Span]:
    found = [(m.start(), m.end()) for m in _ANYWHERE.finditer(folded)]
    for m in _SEGMENT.finditer(folded):
        segment = m.group()
        core = segment.strip(_WRAPPING)
        if core and _STANDALONE.fullmatch(core):
            start = m.start() + segment.index(core)
            found.append((start, start + len(core)))
    merged: list[list[int]] = []
    for s, e in sorted(found):
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(FindingKind.SECRECY_MARKING, s, e) for s, e in merged]
