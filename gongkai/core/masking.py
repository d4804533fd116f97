"""Masking of personal data on screen, for people who do not need to see it in full.

The same patterns later redact personal data in documents before publication (Art. 15
and Art. 37: "necessary processing" of personal information; the regulation prescribes
no pattern, so agencies configure :class:`MaskPattern` per kind, starting from
:data:`DEFAULT_PATTERNS`).

Every ``mask_*`` function is total: ``None``, non-strings and odd input give a masked
string (possibly ``''``), never an exception; and no function shows more than its pattern
says — a value too short to hide anything is masked completely.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from gongkai.core.identifiers import is_plausible_mobile, normalise_id_number

__all__ = [
    "DEFAULT_PATTERNS",
    "MaskPattern",
    "mask_address",
    "mask_email",
    "mask_id_number",
    "mask_name",
    "mask_phone",
]


@dataclasses.dataclass(frozen=True)
class MaskPattern:
    """Show the first ``keep_start`` and last ``keep_end`` characters, replace each other
    character with ``char``. A value of ``keep_start + keep_end`` characters or fewer is
    replaced entirely: showing all of it would not be masking."""

    keep_start: int
    keep_end: int
    char: str = "*"

    def __post_init__(self):
        for name in ("keep_start", "keep_end"):
            n = getattr(self, name)
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"MaskPattern.{name} must be a non-negative integer, not {n!r}")
        c = self.char
        if (
            not isinstance(c, str)
            or len(c) != 1
            or not c.isprintable()
            or c.isspace()
            or unicodedata.category(c).startswith("M")
        ):
            raise ValueError(f"MaskPattern.char must be one visible character, not {c!r}")

    def apply(self, value: object) -> str:
        text = _text(value)
        n = len(text)
        if n <= self.keep_start + self.keep_end:
            return self.char * n
        hidden = n - self.keep_start - self.keep_end
        return text[: self.keep_start] + self.char * hidden + text[n - self.keep_end :]


DEFAULT_PATTERNS: Mapping[str, MaskPattern] = MappingProxyType(
    {
        "resident_id": MaskPattern(3, 4),
        "mobile": MaskPattern(3, 4),
        "bank_card": MaskPattern(4, 4),
    }
)

_OTHER_DOCUMENT = MaskPattern(1, 2)
_FIRST_CHAR = MaskPattern(1, 0)
_LAST_TWO = MaskPattern(0, 2)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def mask_id_number(value: object) -> str:
    """Identity document number: an 18- or 15-digit resident ID keeps its first 3 and last
    4 characters (``110***********002X``); any other document (passport, permit) keeps the
    first 1 and last 2. Spaces and full-width characters are normalised first."""
    text = normalise_id_number(_text(value))
    if _RESIDENT_ID_18.fullmatch(text) or _RESIDENT_ID_15.fullmatch(text):
        return DEFAULT_PATTERNS["resident_id"].apply(text)
    return _OTHER_DOCUMENT.apply(text)


_RESIDENT_ID_18 = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_RESIDENT_ID_15 = re.compile(r"[0-9]{15}", re.ASCII)

# Area codes: 010 and 02x have three digits, all others four, so the split is known even
# without a separator.
_LANDLINE = re.compile(r"\(?(0[12][0-9]|0[3-9][0-9]{2})\)?-?([0-9]{7,8})", re.ASCII)


def mask_phone(value: object) -> str:
    """Phone number: a mainland mobile shows ``138****5678`` (any +86 prefix dropped); a
    landline keeps its area code and last 2 digits (``0999-******15``); anything else
    keeps only its last 2 characters."""
    text = _text(value)
    compact = normalise_id_number(text)
    if is_plausible_mobile(text):
        digits = re.sub(r"[^0-9]", "", compact)[-11:]
        return DEFAULT_PATTERNS["mobile"].apply(digits)
    landline = _LANDLINE.fullmatch(compact)
    if landline:
        area, number = landline.groups()
        return f"{area}-{_LAST_TWO.apply(number)}"
    return _LAST_TWO.apply(compact)


def mask_name(value: object) -> str:
    """Personal name: the first character (surname, or a Latin name's initial) stays, every
    other character becomes ``*`` (``王*``, ``欧阳**`` → ``欧**``). Compound surnames are not
    recognised: showing less is the safe side."""
    return _FIRST_CHAR.apply(" ".join(_text(value).split()))


def mask_email(value: object) -> str:
    """E-mail address: the first character of the local part and the whole domain stay
    (``l*****@example.com``). Without an ``@`` only the first character stays."""
    text = _text(value).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return _FIRST_CHAR.apply(text)
    return _FIRST_CHAR.apply(local) + "@" + domain


# One administrative unit: a name of 1-15 characters and its suffix. Digits and
# street-level characters never occur inside a unit's name, which keeps a street or a
# compound from being taken for a district. 自治州/自治区 come before 区 so the longer
# suffix wins; 市场 is a market, not a city.
_ADMIN_UNIT = re.compile(
    r"[^省市区县旗盟0-9０-９路街巷弄号栋楼室#\s]{1,15}?"
    r"(?P<suffix>省|自治区|特别行政区|自治州|地区|盟|市(?!场)|区|县|旗)"
)
# Place names ending in 区 that are below county level: "阳光小区" must not count as a
# district, or the compound's name would be shown.
_NOT_ADMIN_AREAS = ("小区", "社区", "园区", "校区", "景区", "厂区", "街区", "片区", "营区", "院区")
_PREFECTURAL = frozenset({"自治州", "地区", "盟"})
_COUNTY = frozenset({"区", "县", "旗"})
_ADDRESS_FALLBACK_CHARS = 6


def mask_address(value: object) -> str:
    """Postal address: the administrative prefix down to county level stays, the rest
    becomes ``***`` (``云泽省青岚市滨河区长安路18号`` → ``云泽省青岚市滨河区***``).

    The county-level unit is the first 区/县/旗 after the province and city, or a 市 that
    follows a city or prefecture (a county-level city). Without a county-level unit the
    province/city prefix stays; without any administrative prefix the first 6 characters
    stay, cut before the first digit so that a house number is never shown.
    """
    text = "".join(_text(value).split())
    if not text:
        return ""
    end = 0  # end of the administrative prefix shown so far
    seen_city = False
    for _ in range(4):  # province, prefecture, county: anything deeper is not the prefix
        unit = _ADMIN_UNIT.match(text, end)
        if unit is None or unit.group().endswith(_NOT_ADMIN_AREAS):
            break
        suffix = unit.group("suffix")
        end = unit.end()
        if suffix in _COUNTY or (suffix == "市" and seen_city):
            return text[:end] + "***"
        if suffix == "市" or suffix in _PREFECTURAL:
            seen_city = True
    if end:
        return text[:end] + "***"
    keep = text[:_ADDRESS_FALLBACK_CHARS]
    digit = re.search(r"[0-9０-９]", keep)
    if digit:
        keep = keep[: digit.start()]
    if len(keep) >= len(text):
        return "***"
    return keep + "***"
