"""Tests for gongkai.core.identifiers.

Check characters are cross-checked against independent reference
implementations written straight from the standards' formulas (weights
derived as powers, not copied tables), so a typo in the module's tables
cannot be mirrored in the tests.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from gongkai.core import identifiers as ids

TODAY = date(2024, 6, 1)
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# --- independent reference implementations ---------------------------------


def ref_id_check(first17: str) -> str:
    # ISO 7064 MOD 11-2: sum(a_i * 2^(18-i)) + check == 1 (mod 11).
    s = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    v = (12 - s % 11) % 11
    return "X" if v == 10 else str(v)


def ref_uscc_check(first17: str) -> str:
    s = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_CHARS[(31 - s % 31) % 31]


def ref_org_check(first8: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    s = sum(int(c, 36) * w for c, w in zip(first8, weights, strict=True))
    c = 11 - s % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def ref_luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d // 10 + d % 10
    return total % 10 == 0


def make_id(first17: str) -> str:
    return first17 + ref_id_check(first17)


def make_uscc(first17: str) -> str:
    return first17 + ref_uscc_check(first17)


def wrong_chars(correct: str, alphabet: str) -> list[str]:
    return [c for c in alphabet if c != correct]


# --- normaliser --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 110105 19491231 002X\n", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
        ("９１３５０１００ｍ０００１００ｙ４３", "91350100M000100Y43"),
        ("91350100m000100y43", "91350100M000100Y43"),
        ("12345678－9", "12345678-9"),
        ("110105\u300019491231002X", "11010519491231002X"),
        ("", ""),
    ],
)
def test_normalise_id_number(raw: str, expected: str) -> None:
    assert ids.normalise_id_number(raw) == expected


def test_normalise_does_not_fold_non_ascii_letters_into_ascii() -> None:
    # str.upper() maps U+017F (long s) to "S" and U+0131 to "I"; the
    # normaliser must not, or foreign characters could pass as code chars.
    assert ids.normalise_id_number("a\u017f\u0131") == "A\u017f\u0131"


# --- resident ID ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),  # GB 11643-1999 sample
        ("44052418800101001", "4"),  # widely cited 440524188001010014
    ],
)
def test_resident_id_check_char_known_examples(first17: str, check: str) -> None:
    assert ids.resident_id_check_char(first17) == check
    assert ref_id_check(first17) == check


def test_resident_id_check_char_matches_reference() -> None:
    rng = random.Random(11643)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert ids.resident_id_check_char(first17) == ref_id_check(first17)


@pytest.mark.parametrize(
    "bad",
    [
        "1101051949123100",
        "110105194912310021",
        "1101051949123100A",
        "",
        "１１０１０５１９４９１２３１００２",
        "11010519491231²02",
    ],
)
def test_resident_id_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        ids.resident_id_check_char(bad)


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        "11010519491231002x",  # lower-case x on input
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width
        " 110105 19491231 002X ",
        make_id("44030419000101123"),  # earliest allowed year
        make_id("81000020000229456"),  # leap day, region 8 (HK residents)
        make_id("65010120240601789"),  # born "today"
        "110105491231002",  # legacy 15-digit
    ],
)
def test_valid_resident_ids(value: str) -> None:
    assert ids.is_valid_resident_id(value, today=TODAY)


def test_cited_1880_example_fails_plausibility_only() -> None:
    # Checksum is right, but birth year 1880 is before the 1900 floor.
    value = "440524188001010014"
    assert ids.resident_id_check_char(value[:17]) == value[17]
    assert not ids.is_valid_resident_id(value, today=TODAY)


@pytest.mark.parametrize("wrong", wrong_chars("X", "0123456789X"))
def test_resident_id_wrong_check_char(wrong: str) -> None:
    assert not ids.is_valid_resident_id("11010519491231002" + wrong, today=TODAY)


@pytest.mark.parametrize(
    ("first17", "reason"),
    [
        ("11010519990230123", "Feb 30"),
        ("11010520230229123", "Feb 29 in a common year"),
        ("11010519991301123", "month 13"),
        ("11010519990001123", "month 0"),
        ("11010519990100123", "day 0"),
        ("11010519990431123", "April 31"),
        ("11010518991231123", "before 1900"),
        ("11010520240602123", "day after today"),
        ("11010530000101123", "far future"),
        ("01010519491231002", "region starts with 0"),
        ("91010519491231002", "region starts with 9"),
    ],
)
def test_resident_id_implausible(first17: str, reason: str) -> None:
    # Correct check character, so only the plausibility rule can reject.
    assert not ids.is_valid_resident_id(make_id(first17), today=TODAY), reason


@pytest.mark.parametrize(
    "value",
    [
        "",
        "11010519491231002",  # 17
        "11010519491231002X1",  # 19
        "1101054912310021",  # 16
        "11010549123100",  # 14
        "1101051949123100X2",  # X not last
        "11010519491231002Y",
        "110105194912310A2X",
        "11010549123100X",  # 15-digit form has no check char
        "11010519491231²02X",  # superscript two is not a digit here
    ],
)
def test_resident_id_malformed(value: str) -> None:
    assert not ids.is_valid_resident_id(value, today=TODAY)


@pytest.mark.parametrize("value", [None, 11010519491231002, b"11010519491231002X"])
def test_resident_id_non_str(value: object) -> None:
    assert not ids.is_valid_resident_id(value, today=TODAY)  # type: ignore[arg-type]
    assert ids.resident_id_birth_date(value) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    ["110105990230002", "910105491231002", "010105491231002", "11010549123A002"],
)
def test_resident_id_15_digit_rejections(value: str) -> None:
    assert not ids.is_valid_resident_id(value, today=TODAY)


def test_resident_id_allow_15_false() -> None:
    assert ids.is_valid_resident_id("110105491231002", today=TODAY)
    assert not ids.is_valid_resident_id("110105491231002", today=TODAY, allow_15=False)
    assert ids.is_valid_resident_id("11010519491231002X", today=TODAY, allow_15=False)


def test_resident_id_today_defaults_to_the_platform_clock() -> None:
    from gongkai.core import clock

    clock.freeze(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC))
    assert ids.is_valid_resident_id("11010519491231002X")
    assert ids.is_valid_resident_id(make_id("11010520260601123"))  # born today
    assert not ids.is_valid_resident_id(make_id("11010520260602123"))  # born tomorrow


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010519491231002X", date(1949, 12, 31)),
        ("11010519491231002x", date(1949, 12, 31)),
        ("110105491231002", date(1949, 12, 31)),
        ("11010519491231003X", None),  # wrong check char
        (make_id("11010519990230123"), None),
        ("not an id", None),
    ],
)
def test_resident_id_birth_date(value: str, expected: date | None) -> None:
    assert ids.resident_id_birth_date(value, today=TODAY) == expected


# --- USCC ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "91350100M000100Y43",  # commonly cited example
        "9144030071526726XG",  # published company codes
        "914403001922038216",
        "91330100799655058B",
        "11100000000013127D",  # a central government agency
    ],
)
def test_uscc_known_examples(value: str) -> None:
    assert ids.uscc_check_char(value[:17]) == value[17] == ref_uscc_check(value[:17])
    assert ids.is_valid_uscc(value)


def test_uscc_check_char_matches_reference() -> None:
    rng = random.Random(32100)
    for _ in range(2000):
        first17 = "".join(rng.choice(USCC_CHARS) for _ in range(17))
        assert ids.uscc_check_char(first17) == ref_uscc_check(first17)


def test_uscc_check_char_covers_whole_charset() -> None:
    # Exercise the (31 - 0) % 31 == 0 edge and every other residue.
    seen = set()
    rng = random.Random(31)
    while len(seen) < 31:
        first17 = "".join(rng.choice(USCC_CHARS) for _ in range(17))
        seen.add(ids.uscc_check_char(first17))
    assert seen == set(USCC_CHARS)


def test_uscc_check_char_accepts_lower_case() -> None:
    assert ids.uscc_check_char("91350100m000100y4") == "3"


@pytest.mark.parametrize(
    "bad",
    [
        "91350100M000100Y",
        "91350100M000100Y43",
        "91350100M000100I4",
        "91350100M000100O4",
        "９１３５０１００Ｍ０００１００Ｙ４",
    ],
)
def test_uscc_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        ids.uscc_check_char(bad)


@pytest.mark.parametrize(
    "value",
    [
        "91350100m000100y43",
        "９１３５０１００Ｍ０００１００Ｙ４３",
        " 91350100 M000100Y4 3 ",
        make_uscc("Y1110000MA0000001"),  # category chars beyond digits
    ],
)
def test_uscc_normalised_input_accepted(value: str) -> None:
    assert ids.is_valid_uscc(value)


@pytest.mark.parametrize("wrong", wrong_chars("3", USCC_CHARS))
def test_uscc_wrong_check_char(wrong: str) -> None:
    assert not ids.is_valid_uscc("91350100M000100Y4" + wrong)


@pytest.mark.parametrize("letter", list("IOZSV"))
@pytest.mark.parametrize("position", [0, 1, 9, 16, 17])
def test_uscc_forbidden_letters(letter: str, position: int) -> None:
    base = list("91350100M000100Y43")
    base[position] = letter
    assert not ids.is_valid_uscc("".join(base))


@pytest.mark.parametrize(
    "value",
    [
        "",
        "91350100M000100Y4",
        "91350100M000100Y433",
        make_uscc("913501A0M000100Y4"),  # letter in division code
        make_uscc("91M50100M000100Y4"),
        "91350100M000100Y4-",
        "91350100M000100Y4\u017f",
        None,
    ],
)
def test_uscc_malformed(value: str) -> None:
    assert not ids.is_valid_uscc(value)


# --- organisation code -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("M000100Y", "4"),  # body of 91350100M000100Y43
        ("71526726", "X"),
        ("19220382", "1"),
        ("10000004", "0"),  # C == 11 -> "0"
        ("10000018", "X"),  # C == 10 -> "X"
        ("10000000", "8"),
    ],
)
def test_org_code_check_char(body: str, check: str) -> None:
    assert ids.org_code_check_char(body) == check == ref_org_check(body)
    assert ids.org_code_check_char(body.lower()) == check
    assert ids.is_valid_org_code(body + check)
    assert ids.is_valid_org_code(f"{body}-{check}")
    assert ids.is_valid_org_code(f"{body.lower()}-{check.lower()}")


def test_org_code_check_char_matches_reference() -> None:
    rng = random.Random(11714)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for _ in range(2000):
        body = "".join(rng.choice(alphabet) for _ in range(8))
        assert ids.org_code_check_char(body) == ref_org_check(body)


@pytest.mark.parametrize("bad", ["1234567", "123456789", "1234567-", "１２３４５６７８"])
def test_org_code_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        ids.org_code_check_char(bad)


@pytest.mark.parametrize(
    "value",
    [
        "71526726-1",  # wrong check char
        "715267261",
        "71526726",  # missing check char
        "71526726--X",
        "7152672-6X",  # hyphen in the wrong place
        "71526726-Y",
        "7152672_-X",
        "",
        None,
    ],
)
def test_org_code_invalid(value: str) -> None:
    assert not ids.is_valid_org_code(value)


def test_org_code_full_width_accepted() -> None:
    assert ids.is_valid_org_code("７１５２６７２６－Ｘ")


# --- agency catalogue code ---------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "331122000000",  # legacy numeric catalogue code
        "123456",  # 6 digits
        "123456789012345678",  # 18 digits: numeric, check not applied
        "000000000",  # 9 digits: numeric, check not applied
        "11100000000013127D",  # USCC
        "91350100M000100Y43",
        "71526726X",  # organisation code, canonical form
        "100000040",
    ],
)
def test_agency_code_valid(value: str) -> None:
    assert ids.is_valid_agency_code(value)


@pytest.mark.parametrize(
    "value",
    [
        "12345",  # too short
        "1234567890123456789",  # too long
        "11370000004211876R",  # USCC check character should be "1"
        "11100000000013127E",
        "91350100m000100y43",  # agency codes must be canonical
        "71526726-X",  # hyphen not allowed inside index numbers
        "M000100Y5",  # org code with wrong check char
        "M000100y4",
        "3311-22000000",
        "331122 000000",
        " 331122000000",
        "３３１１２２００００００",
        "33112200000A",  # 12 chars, not numeric
        "",
        None,
    ],
)
def test_agency_code_invalid(value: str) -> None:
    assert not ids.is_valid_agency_code(value)


# --- mobile ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "19912345678",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "86 13812345678",
        " 13812345678 ",
        "１３８１２３４５６７８",
        "＋８６　１３８　１２３４　５６７８",
    ],
)
def test_mobile_plausible(value: str) -> None:
    assert ids.is_plausible_mobile(value)


@pytest.mark.parametrize(
    "value",
    [
        "12812345678",  # second digit 2
        "10812345678",
        "23812345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "138 1234-5678",  # mixed separators
        "1381 234 5678",  # not 3-4-4
        "138  1234  5678",
        "138 12345678",
        "+87 13812345678",
        "+8 613812345678",
        "8713812345678",
        "1381234567a",
        "138.1234.5678",
        "",
        None,
    ],
)
def test_mobile_implausible(value: str) -> None:
    assert not ids.is_plausible_mobile(value)


# --- Luhn --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111111",
        "5555555555554444",
        "6212345678901265",
        "378282246310005",
        "6225880137706868",
        "000000000000",
        "6222020200112233446",  # 19 digits
    ],
)
def test_luhn_valid(value: str) -> None:
    assert ref_luhn(value)
    assert ids.luhn_valid(value)


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111112",  # one digit off
        "4111111111111121",  # adjacent transposition
        "00000000000",  # 11 digits: too short even though checksum is 0
        "00000000000000000000",  # 20 digits
        "4111 1111 1111 1111",
        "４１１１１１１１１１１１１１１１",
        "",
        None,
    ],
)
def test_luhn_invalid(value: str) -> None:
    assert not ids.luhn_valid(value)


def test_luhn_matches_reference() -> None:
    rng = random.Random(1954)
    for _ in range(2000):
        n = rng.randint(12, 19)
        digits = "".join(rng.choice("0123456789") for _ in range(n))
        assert ids.luhn_valid(digits) == ref_luhn(digits)


# --- Django validators -----------------------------------------------------------


def _error(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("11010519491231003X", "invalid_check_char", "身份证号码校验位不正确"),
        (make_id("11010519990230123"), "invalid_birth_date", "身份证号码中的出生日期无效"),
        (make_id("11010518991231123"), "invalid_birth_date", "身份证号码中的出生日期无效"),
        (make_id("11010530000101123"), "future_birth_date", "身份证号码中的出生日期晚于当前日期"),
        (make_id("91010519491231002"), "invalid_region", "身份证号码中的地区码无效"),
        ("1101051949123100", "invalid_length", "身份证号码应为18位（旧版身份证为15位）"),
        (
            "1101051949123100AX",
            "invalid_chars",
            "身份证号码只能包含数字，18位号码的最后一位可以是X",
        ),
        (None, "invalid_chars", "身份证号码只能包含数字，18位号码的最后一位可以是X"),
    ],
)
def test_validate_resident_id_errors(value: str, code: str, message: str) -> None:
    err = _error(ids.validate_resident_id, value)
    assert err.code == code
    assert err.messages == [message]


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x", "110105491231002"])
def test_validate_resident_id_accepts(value: str) -> None:
    ids.validate_resident_id(value)


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("91350100M000100Y4", "invalid_length", "统一社会信用代码应为18位"),
        ("91350100M000100Y44", "invalid_check_char", "统一社会信用代码校验位不正确"),
        (
            "91350100M000100I43",
            "invalid_chars",
            "统一社会信用代码只能包含数字和大写字母（不使用I、O、Z、S、V）",
        ),
        (
            make_uscc("913501A0M000100Y4"),
            "invalid_division",
            "统一社会信用代码第3至8位应为数字行政区划码",
        ),
    ],
)
def test_validate_uscc_errors(value: str, code: str, message: str) -> None:
    err = _error(ids.validate_uscc, value)
    assert err.code == code
    assert err.messages == [message]


def test_validate_uscc_accepts() -> None:
    ids.validate_uscc("91350100M000100Y43")
    ids.validate_uscc("91350100m000100y43")


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("11370000004211876R", "invalid_check_char", "统一社会信用代码校验位不正确"),
        (
            "91350100m000100y43",
            "invalid_chars",
            "统一社会信用代码只能包含数字和大写字母（不使用I、O、Z、S、V）",
        ),
        ("M000100Y5", "invalid_org_check_char", "组织机构代码校验位不正确"),
        (
            "7152672_X",
            "invalid_org_code",
            "组织机构代码格式不正确，应为8位数字或大写字母加1位校验码",
        ),
        (
            "12345",
            "invalid_agency_code",
            "机构代码应为统一社会信用代码、组织机构代码或6至18位数字目录代码",
        ),
        (
            "71526726-X",
            "invalid_agency_code",
            "机构代码应为统一社会信用代码、组织机构代码或6至18位数字目录代码",
        ),
        (
            None,
            "invalid_agency_code",
            "机构代码应为统一社会信用代码、组织机构代码或6至18位数字目录代码",
        ),
    ],
)
def test_validate_agency_code_errors(value: str, code: str, message: str) -> None:
    err = _error(ids.validate_agency_code, value)
    assert err.code == code
    assert err.messages == [message]


@pytest.mark.parametrize("value", ["331122000000", "11100000000013127D", "71526726X"])
def test_validate_agency_code_accepts(value: str) -> None:
    ids.validate_agency_code(value)


def test_validate_mobile() -> None:
    ids.validate_mobile("138-1234-5678")
    err = _error(ids.validate_mobile, "12812345678")
    assert err.code == "invalid_mobile"
    assert err.messages == ["手机号码格式不正确，应为以13至19开头的11位数字"]


# --- purity ------------------------------------------------------------------------


def test_module_does_not_import_django() -> None:
    # Load the file directly (bypassing package __init__ files, which other
    # parts of the project own) and confirm Django stays unimported.
    path = Path(ids.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('identifiers', {str(path)!r})\n"
        "mod = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(mod)\n"
        "assert mod.is_valid_uscc('91350100M000100Y43')\n"
        "assert 'django' not in sys.modules, 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------
# Administrative division codes
# --------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["330000", "331122", "110105", "331122001", "331122001000", "820000"])
def test_region_codes_of_every_accepted_length_pass(code):
    assert ids.is_valid_region_code(code)
    ids.validate_region_code(code)


@pytest.mark.parametrize(("code", "error"), [
    ("33112", "invalid_region_code"),          # too short
    ("3311220", "invalid_region_code"),        # 7 digits: no such form
    ("33112200100", "invalid_region_code"),    # 11 digits
    ("33112a", "invalid_region_code"),
    ("３３１１２２", "invalid_region_code"),   # full-width digits are not ASCII digits
    ("991122", "invalid_region_province"),     # 99 is no province
    ("001122", "invalid_region_province"),
])
def test_malformed_region_codes_are_refused_with_the_reason(code, error):
    assert not ids.is_valid_region_code(code)
    with pytest.raises(ValidationError) as caught:
        ids.validate_region_code(code)
    assert caught.value.code == error
