"""Validation and check characters for Chinese identifiers.

Covers resident identity card numbers (GB 11643-1999), unified social credit
codes (GB 32100-2015), organisation codes (GB 11714-1997), agency catalogue
codes used as index-number prefixes, mainland mobile numbers and bank card
numbers (Luhn).

The ``is_valid_*`` functions are pure, never raise on bad input and are cheap
enough to run on every candidate match during leak screening. Django is only
imported inside the ``validate_*`` functions, so the module can be used
without configured settings.

Input handling:

* Resident ID, USCC and organisation-code checks first apply
  ``normalise_id_number`` (whitespace removed, full-width to half-width,
  upper-case), because applicants and scanned documents commonly write them
  that way. Forms should store the normalised value.
* ``is_valid_agency_code`` is strict: agency codes are keys inside index
  numbers and are compared as strings, so only the canonical form (ASCII,
  upper-case, no separators) is accepted.
* Only ASCII digits count as digits; ``str.isdigit`` alone would accept
  superscripts and other scripts' digits.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NoReturn

__all__ = [
    "USCC_CHARSET",
    "is_plausible_mobile",
    "is_valid_agency_code",
    "is_valid_org_code",
    "is_valid_resident_id",
    "is_valid_uscc",
    "luhn_valid",
    "normalise_id_number",
    "org_code_check_char",
    "resident_id_birth_date",
    "resident_id_check_char",
    "uscc_check_char",
    "validate_agency_code",
    "validate_mobile",
    "validate_resident_id",
    "validate_uscc",
]

# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

# Full-width ASCII block U+FF01..U+FF5E maps one-to-one onto U+0021..U+007E;
# the ideographic space becomes an ordinary space.
_FULLWIDTH_TABLE: dict[int, int] = {0xFF01 + i: 0x21 + i for i in range(94)}
_FULLWIDTH_TABLE[0x3000] = 0x20

# Same, plus upper-casing of ASCII and full-width letters. Upper-casing via the
# table rather than str.upper() so that non-ASCII letters such as U+017F (long
# s, which str.upper() turns into "S") cannot sneak into a valid code.
_NORMALISE_TABLE: dict[int, int] = dict(_FULLWIDTH_TABLE)
_NORMALISE_TABLE.update({ord("a") + i: ord("A") + i for i in range(26)})
_NORMALISE_TABLE.update({0xFF41 + i: ord("A") + i for i in range(26)})


def normalise_id_number(value: str) -> str:
    """Remove all whitespace, map full-width characters to half-width and
    upper-case ASCII letters."""
    if value.isascii() and value.isalnum():
        # Fast path for the common case; str.upper() is exact on ASCII.
        return value.upper()
    return "".join(value.translate(_NORMALISE_TABLE).split())


def _is_ascii_digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def _raise(messages: dict[str, str], code: str, value: object) -> NoReturn:
    # Imported lazily so the pure functions work without Django settings.
    from django.core.exceptions import ValidationError

    raise ValidationError(messages[code], code=code, params={"value": value})


# --------------------------------------------------------------------------
# Resident identity card numbers (GB 11643-1999)
# --------------------------------------------------------------------------

# ISO 7064 MOD 11-2: weight i = 2**(17 - i) mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_MIN_YEAR = 1900
_ID_REGION_FIRST = frozenset("12345678")

_RESIDENT_ID_MESSAGES = {
    "invalid_length": "身份证号码应为18位（旧版身份证为15位）",
    "invalid_length_18": "身份证号码应为18位",
    "invalid_chars": "身份证号码只能包含数字，18位号码的最后一位可以是X",
    "invalid_region": "身份证号码中的地区码无效",
    "invalid_birth_date": "身份证号码中的出生日期无效",
    "future_birth_date": "身份证号码中的出生日期晚于当前日期",
    "invalid_check_char": "身份证号码校验位不正确",
}


def _id_check_char(first17: str) -> str:
    # strict=False: callers may pass the full 18 characters; the weights
    # stop the sum after 17.
    total = 0
    for ch, w in zip(first17, _ID_WEIGHTS, strict=False):
        total += (ord(ch) - 48) * w
    return _ID_CHECK_CHARS[total % 11]


def resident_id_check_char(first17: str) -> str:
    """Check character for the first 17 digits of an 18-digit ID number.

    Raises ValueError unless ``first17`` is exactly 17 ASCII digits.
    """
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise ValueError("first17 must be exactly 17 ASCII digits")
    return _id_check_char(first17)


def _parse_ymd(ymd: str) -> date | None:
    try:
        return date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
    except ValueError:
        return None


def _resident_id_error(s: str, today: date | None, allow_15: bool) -> str | None:
    """Return an error code for a normalised ID number, or None if valid."""
    n = len(s)
    if n == 18:
        if not _is_ascii_digits(s[:17]) or s[17] not in "0123456789X":
            return "invalid_chars"
        ymd = s[6:14]
    elif n == 15 and allow_15:
        if not _is_ascii_digits(s):
            return "invalid_chars"
        # Legacy numbers carry a two-digit year; all were issued for 19xx.
        ymd = "19" + s[6:12]
    else:
        return "invalid_length" if allow_15 else "invalid_length_18"
    if s[0] not in _ID_REGION_FIRST:
        return "invalid_region"
    birth = _parse_ymd(ymd)
    if birth is None or birth.year < _ID_MIN_YEAR:
        return "invalid_birth_date"
    if birth > (today or _today()):
        return "future_birth_date"
    if n == 18 and _id_check_char(s) != s[17]:
        return "invalid_check_char"
    return None


def _today() -> date:
    """The platform's today when Django is set up (so a pinned test date applies), else the
    system date: this module is also used without Django."""
    from django.conf import settings

    if settings.configured:
        from gongkai.core import clock

        return clock.today()
    return date.today()


def is_valid_resident_id(value: str, *, today: date | None = None, allow_15: bool = True) -> bool:
    """True for a plausible resident ID number with a correct check character.

    ``today`` bounds the birth date (default: the platform's today, ``clock.today()``); pass it for
    reproducible results. ``allow_15`` accepts legacy 15-digit numbers, which
    have no check character.
    """
    if not isinstance(value, str):
        return False
    return _resident_id_error(normalise_id_number(value), today, allow_15) is None


def resident_id_birth_date(
    value: str, *, today: date | None = None, allow_15: bool = True
) -> date | None:
    """Birth date encoded in a valid ID number; None if the number is invalid.

    Validity is required so that a mistyped number never yields a date.
    """
    if not isinstance(value, str):
        return None
    s = normalise_id_number(value)
    if _resident_id_error(s, today, allow_15) is not None:
        return None
    return _parse_ymd(s[6:14] if len(s) == 18 else "19" + s[6:12])


def validate_resident_id(value: str) -> None:
    """Django validator for resident ID numbers (15-digit legacy accepted)."""
    if not isinstance(value, str):
        _raise(_RESIDENT_ID_MESSAGES, "invalid_chars", value)
    code = _resident_id_error(normalise_id_number(value), None, True)
    if code is not None:
        _raise(_RESIDENT_ID_MESSAGES, code, value)


# --------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)
# --------------------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_USCC_VALUES = {ch: i for i, ch in enumerate(USCC_CHARSET)}
# Weight i = 3**i mod 31.
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_USCC_MESSAGES = {
    "invalid_length": "统一社会信用代码应为18位",
    "invalid_chars": "统一社会信用代码只能包含数字和大写字母（不使用I、O、Z、S、V）",
    "invalid_division": "统一社会信用代码第3至8位应为数字行政区划码",
    "invalid_check_char": "统一社会信用代码校验位不正确",
}


def _uscc_check_char(first17: str) -> str | None:
    """Check character, or None if a character is outside the charset."""
    total = 0
    values = _USCC_VALUES
    for ch, w in zip(first17, _USCC_WEIGHTS, strict=False):  # may get 18 chars
        v = values.get(ch)
        if v is None:
            return None
        total += v * w
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_check_char(first17: str) -> str:
    """Check character for the first 17 characters of a USCC.

    Lower-case letters are accepted. Raises ValueError for a wrong length or
    characters outside the USCC charset.
    """
    s = first17.upper() if first17.isascii() else first17
    check = _uscc_check_char(s) if len(s) == 17 else None
    if check is None:
        raise ValueError("first17 must be 17 characters from the USCC charset")
    return check


def _uscc_error(s: str) -> str | None:
    if len(s) != 18:
        return "invalid_length"
    values = _USCC_VALUES
    for ch in s:
        if ch not in values:
            return "invalid_chars"
    if not _is_ascii_digits(s[2:8]):
        return "invalid_division"
    if _uscc_check_char(s) != s[17]:
        return "invalid_check_char"
    return None


def is_valid_uscc(value: str) -> bool:
    """True for a well-formed USCC with a correct check character.

    Positions 1-2 (registration authority, organisation category) are only
    checked against the charset: the code tables grow over time.
    """
    if not isinstance(value, str):
        return False
    return _uscc_error(normalise_id_number(value)) is None


def validate_uscc(value: str) -> None:
    """Django validator for unified social credit codes."""
    if not isinstance(value, str):
        _raise(_USCC_MESSAGES, "invalid_chars", value)
    code = _uscc_error(normalise_id_number(value))
    if code is not None:
        _raise(_USCC_MESSAGES, code, value)


# --------------------------------------------------------------------------
# Organisation code (GB 11714-1997)
# --------------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CANONICAL_RE = re.compile(r"[0-9A-Z]{8}[0-9X]")

_ORG_MESSAGES = {
    "invalid_org_code": "组织机构代码格式不正确，应为8位数字或大写字母加1位校验码",
    "invalid_org_check_char": "组织机构代码校验位不正确",
}


def _org_check_char(body: str) -> str:
    total = 0
    for ch, w in zip(body, _ORG_WEIGHTS, strict=False):  # may get 9 chars
        total += int(ch, 36) * w  # 0-9 -> 0-9, A-Z -> 10-35
    c = 11 - total % 11
    if c == 10:
        return "X"
    if c == 11:
        return "0"
    return str(c)


def org_code_check_char(first8: str) -> str:
    """Check character for an 8-character organisation code body.

    Lower-case letters are accepted. Raises ValueError unless the body is 8
    characters from 0-9/A-Z.
    """
    s = first8.upper() if first8.isascii() else first8
    if len(s) != 8 or not (s.isascii() and s.isalnum()):
        raise ValueError("first8 must be 8 characters from 0-9 and A-Z")
    return _org_check_char(s)


def _org_error(s: str) -> str | None:
    """Error code for a canonical (hyphen-free, upper-case) organisation code."""
    if not _ORG_CANONICAL_RE.fullmatch(s):
        return "invalid_org_code"
    if _org_check_char(s) != s[8]:
        return "invalid_org_check_char"
    return None


def is_valid_org_code(value: str) -> bool:
    """True for an organisation code, written ``XXXXXXXXC`` or ``XXXXXXXX-C``."""
    if not isinstance(value, str):
        return False
    s = normalise_id_number(value)
    if len(s) == 10 and s[8] == "-":
        s = s[:8] + s[9]
    return _org_error(s) is None


# --------------------------------------------------------------------------
# Agency catalogue code (prefix of index numbers)
# --------------------------------------------------------------------------

_AGENCY_MESSAGES = {
    "invalid_agency_code": "机构代码应为统一社会信用代码、组织机构代码或6至18位数字目录代码",
}


def _agency_error(value: str) -> tuple[dict[str, str], str] | None:
    """(messages, code) describing why ``value`` is invalid, or None."""
    n = len(value)
    if _is_ascii_digits(value):
        # Legacy numeric catalogue codes, e.g. 331122000000. An all-digit
        # 9- or 18-character code is accepted here whatever its check digit,
        # since catalogues contain such numeric codes.
        if 6 <= n <= 18:
            return None
        return _AGENCY_MESSAGES, "invalid_agency_code"
    if n == 18:
        code = _uscc_error(value)
        return None if code is None else (_USCC_MESSAGES, code)
    if n == 9:
        code = _org_error(value)
        return None if code is None else (_ORG_MESSAGES, code)
    return _AGENCY_MESSAGES, "invalid_agency_code"


def is_valid_agency_code(value: str) -> bool:
    """True for a canonical USCC, hyphen-free organisation code, or a numeric
    catalogue code of 6-18 digits. No normalisation is applied."""
    if not isinstance(value, str):
        return False
    return _agency_error(value) is None


def validate_agency_code(value: str) -> None:
    """Django validator for agency catalogue codes."""
    if not isinstance(value, str):
        _raise(_AGENCY_MESSAGES, "invalid_agency_code", value)
    err = _agency_error(value)
    if err is not None:
        _raise(err[0], err[1], value)


# --------------------------------------------------------------------------
# Administrative division codes (GB/T 2260; 统计用区划代码 for townships)
# --------------------------------------------------------------------------

# The provincial-level divisions' two leading digits (GB/T 2260).
_PROVINCE_PREFIXES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
})

_REGION_MESSAGES = {
    "invalid_region_code": "行政区划代码应为6位（县级以上）、9位或12位（乡镇、街道）数字",
    "invalid_region_province": "行政区划代码的前两位不是有效的省级代码",
}


def _region_error(value: str) -> str | None:
    if not (_is_ascii_digits(value) and len(value) in (6, 9, 12)):
        return "invalid_region_code"
    if value[:2] not in _PROVINCE_PREFIXES:
        return "invalid_region_province"
    return None


def is_valid_region_code(value: str) -> bool:
    """True for a 6-digit GB/T 2260 code or a 9- or 12-digit statistical division code
    whose first two digits name a province."""
    return isinstance(value, str) and _region_error(value) is None


def validate_region_code(value: str) -> None:
    """Django validator for administrative division codes (an empty value is the field's
    business, not this validator's)."""
    code = "invalid_region_code" if not isinstance(value, str) else _region_error(value)
    if code is not None:
        _raise(_REGION_MESSAGES, code, value)


# --------------------------------------------------------------------------
# Mobile numbers (mainland China)
# --------------------------------------------------------------------------

# Optional +86/86 prefix; 3-4-4 grouping with one consistent separator.
_MOBILE_RE = re.compile(r"(?:\+?86[ -]?)?1[3-9][0-9](?P<sep>[ -]?)[0-9]{4}(?P=sep)[0-9]{4}")

_MOBILE_MESSAGES = {
    "invalid_mobile": "手机号码格式不正确，应为以13至19开头的11位数字",
}


def is_plausible_mobile(value: str) -> bool:
    """True for an 11-digit mainland mobile number (1[3-9]...), optionally
    prefixed with +86/86 and grouped 3-4-4 by spaces or hyphens."""
    if not isinstance(value, str):
        return False
    s = value.strip()
    if not s.isascii():
        s = s.translate(_FULLWIDTH_TABLE)
    return _MOBILE_RE.fullmatch(s) is not None


def validate_mobile(value: str) -> None:
    """Django validator for mainland mobile numbers."""
    if not is_plausible_mobile(value):
        _raise(_MOBILE_MESSAGES, "invalid_mobile", value)


# --------------------------------------------------------------------------
# Bank card numbers
# --------------------------------------------------------------------------

_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_valid(digits: str) -> bool:
    """Luhn check for a 12-19 digit string (no separators accepted)."""
    if not isinstance(digits, str) or not 12 <= len(digits) <= 19 or not _is_ascii_digits(digits):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        total += _LUHN_DOUBLED[d] if i & 1 else d
    return total % 10 == 0
