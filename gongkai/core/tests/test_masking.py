"""Tests for gongkai.core.masking: what each kind of personal data looks like on screen
for someone who does not need it, and that odd input never raises or shows more."""

import pytest

from gongkai.core.masking import (
    DEFAULT_PATTERNS,
    MaskPattern,
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
)

ODD_INPUTS = [None, "", " ", "\t\n", 0, 12345, 3.5, b"\xff\xfe", ["x"], object()]


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone, mask_name, mask_address, mask_email])
@pytest.mark.parametrize("value", ODD_INPUTS, ids=repr)
def test_masking_never_raises_and_always_returns_a_string(mask, value):
    assert isinstance(mask(value), str)


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone, mask_name, mask_address, mask_email])
def test_nothing_to_mask_gives_an_empty_string(mask):
    assert mask(None) == ""
    assert mask("") == ""


# --- MaskPattern -------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (MaskPattern(3, 4), "13812345678", "138****5678"),
        (MaskPattern(4, 4), "6222021234567890123", "6222***********0123"),
        (MaskPattern(0, 2), "12345", "***45"),
        (MaskPattern(2, 0), "12345", "12***"),
        (MaskPattern(0, 0), "12345", "*****"),
        (MaskPattern(1, 1, "#"), "abc", "a#c"),
        (MaskPattern(1, 1, "×"), "王小明", "王×明"),
        # Too short to hide anything: masked completely, length kept.
        (MaskPattern(3, 4), "1234567", "*******"),
        (MaskPattern(3, 4), "123", "***"),
        (MaskPattern(1, 0), "王", "*"),
        (MaskPattern(3, 4), "", ""),
        (MaskPattern(3, 4), None, ""),
    ],
)
def test_pattern_keeps_only_the_ends_it_names(pattern, value, expected):
    assert pattern.apply(value) == expected


@pytest.mark.parametrize("length", range(0, 20))
@pytest.mark.parametrize("pattern", list(DEFAULT_PATTERNS.values()), ids=list(DEFAULT_PATTERNS))
def test_pattern_never_shows_more_than_its_ends(pattern, length):
    value = "".join(chr(ord("a") + i) for i in range(length))
    masked = pattern.apply(value)
    assert len(masked) == length
    shown = [c for c in masked if c != pattern.char]
    assert len(shown) <= pattern.keep_start + pattern.keep_end
    assert len(shown) < length or length == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"keep_start": -1, "keep_end": 0},
        {"keep_start": 0, "keep_end": -2},
        {"keep_start": 1.5, "keep_end": 0},
        {"keep_start": True, "keep_end": 0},
        {"keep_start": "3", "keep_end": 4},
        {"keep_start": 1, "keep_end": 1, "char": ""},
        {"keep_start": 1, "keep_end": 1, "char": "**"},
        {"keep_start": 1, "keep_end": 1, "char": " "},
        {"keep_start": 1, "keep_end": 1, "char": "\u3000"},
        {"keep_start": 1, "keep_end": 1, "char": "\n"},
        {"keep_start": 1, "keep_end": 1, "char": "\u200b"},
        {"keep_start": 1, "keep_end": 1, "char": "\u0301"},
        {"keep_start": 1, "keep_end": 1, "char": None},
    ],
)
def test_invalid_patterns_are_refused(kwargs):
    with pytest.raises(ValueError, match="MaskPattern"):
        MaskPattern(**kwargs)


def test_default_patterns_cover_the_configurable_kinds_and_are_read_only():
    assert dict(DEFAULT_PATTERNS) == {
        "resident_id": MaskPattern(3, 4),
        "mobile": MaskPattern(3, 4),
        "bank_card": MaskPattern(4, 4),
    }
    with pytest.raises(TypeError):
        DEFAULT_PATTERNS["mobile"] = MaskPattern(0, 0)
    with pytest.raises(AttributeError):
        DEFAULT_PATTERNS["mobile"].keep_end = 11


# --- ID numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010119900307002X", "110***********002X"),
        ("11010119900307002x", "110***********002X"),
        ("110101 19900307 002X", "110***********002X"),
        ("１１０１０１１９９００３０７００２Ｘ", "110***********002X"),
        ("110101900307002", "110********7002"),
        ("E12345678", "E******78"),  # passport
        ("H1234567801", "H********01"),  # Mainland travel permit
        ("AB1", "***"),
        ("X", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize("value", ["11010119900307002X", "110101900307002", "E12345678"])
def test_masked_id_number_never_contains_the_birth_date(value):
    masked = mask_id_number(value)
    assert "1990" not in masked
    assert "0307" not in masked
    assert "900307" not in masked


# --- phone numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("8613812345678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("0999-62312315", "0999-******15"),
        ("0999 62312315", "0999-******15"),
        ("099962312315", "0999-******15"),
        ("010-12345678", "010-******78"),
        ("(010)12345678", "010-******78"),
        ("02112345678", "021-******78"),
        ("0999-6231231", "0999-*****31"),
        ("95588", "***88"),
        ("12", "**"),
        ("0999-62312315-801", "***************01"),
        (13812345678, "138****5678"),
        (None, ""),
    ],
)
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


@pytest.mark.parametrize("value", ["13812345678", "0999-62312315", "010-87654321"])
def test_masked_phone_never_contains_the_subscriber_number(value):
    subscriber = value[-8:-2]
    assert subscriber not in mask_phone(value)


# --- names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("王明", "王*"),
        ("王小明", "王**"),
        ("欧阳明明", "欧***"),
        (" 李四 ", "李*"),
        ("阿卜杜拉·买买提", "阿*******"),
        ("Li Min", "L*****"),
        ("john", "j***"),
        ("王", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(value, expected):
    assert mask_name(value) == expected


@pytest.mark.parametrize("value", ["王小明", "欧阳明明", "Li Min"])
def test_masked_name_never_contains_the_given_name(value):
    assert value[2:] not in mask_name(value)


# --- addresses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("云泽省青岚市滨河区长安路18号3单元502", "云泽省青岚市滨河区***"),
        ("云泽省 青岚市 滨河区 长安路18号", "云泽省青岚市滨河区***"),
        ("北京市朝阳区建国路88号", "北京市朝阳区***"),
        ("上海市浦东新区世纪大道100号", "上海市浦东新区***"),
        ("浙江省杭州市西湖区文三路", "浙江省杭州市西湖区***"),
        ("云泽省青岚县城关镇", "云泽省青岚县***"),
        ("内蒙古自治区呼和浩特市赛罕区大学西街", "内蒙古自治区呼和浩特市赛罕区***"),
        ("内蒙古自治区锡林郭勒盟正蓝旗上都镇", "内蒙古自治区锡林郭勒盟正蓝旗***"),
        ("吉林省延边朝鲜族自治州敦化市胜利街", "吉林省延边朝鲜族自治州敦化市***"),
        ("新疆维吾尔自治区阿克苏地区库车市天山路", "新疆维吾尔自治区阿克苏地区库车市***"),
        ("云泽省青岚市江北市振兴路1号", "云泽省青岚市江北市***"),  # county-level city
        # No county-level unit: only the province and city stay.
        ("广东省东莞市长安镇振安路", "广东省东莞市***"),
        ("云泽省青岚市阳光小区3栋", "云泽省青岚市***"),
        ("云泽省青岚市长安路18号", "云泽省青岚市***"),
        ("云泽省青岚市农贸市场", "云泽省青岚市***"),
        # A district directly.
        ("滨河区长安路18号", "滨河区***"),
        # No administrative unit: first 6 characters, never a house number.
        ("幸福家园东门传达室", "幸福家园东门***"),
        ("长安路18号3单元502", "长安路***"),
        ("18号楼", "***"),
        ("长安路", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_address(value, expected):
    assert mask_address(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "云泽省青岚市滨河区长安路18号3单元502",
        "云泽省青岚市阳光小区3栋",
        "长安路18号3单元502",
        "北京市朝阳区建国路88号",
    ],
)
def test_masked_address_never_contains_the_street_or_house_number(value):
    masked = mask_address(value)
    for hidden in ("长安路", "建国路", "18号", "88号", "502", "阳光"):
        if hidden in value and not value.startswith(hidden):
            assert hidden not in masked
    assert not any(c.isdigit() for c in masked)


# --- e-mail ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("li.min@example.com", "l*****@example.com"),
        ("a@example.com", "*@example.com"),
        (" wang@gov.cn ", "w***@gov.cn"),
        ('"odd@local"@example.com', '"**********@example.com'),
        ("no-at-sign", "n*********"),
        ("@example.com", "@example.com"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_email(value, expected):
    assert mask_email(value) == expected


def test_masked_email_never_contains_the_local_part():
    assert "i.min" not in mask_email("li.min@example.com")
