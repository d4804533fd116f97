"""Folding labels and reading number cells of published reports."""

from decimal import Decimal

import pytest

from gongkai.reports.formats import get_format
from gongkai.reports.normalise import NotANumber, normalise_label, parse_number, to_simplified


@pytest.mark.parametrize(("printed", "canonical"), [
    ("本年新 公開數量", "本年新公开数量"),  # the sample 2020 report: traditional, a stray space
    ("（二）部分公開（區分處理的，只計這一情形，不計其他情形）", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    ("3.危及「三安全一穩定」", "3.危及“三安全一稳定”"),  # corner-bracket quotes
    ('3.危及"三安全一稳定"', "3.危及“三安全一稳定”"),  # straight quotes
    ("1.屬於國家秘密", "1.属于国家秘密"),  # 於 → 于
    ("其中：1.政府网站公开数：", "其中:1.政府网站公开数"),  # full-width colon, trailing colon
    ("\u3000行政\t许可\n", "行政许可"),  # ideographic space, tab, newline
    ("本年增／減", "本年增/减"),
    ("第二十条第（一）项", "第二十条第(一)项"),
])
def test_printed_labels_fold_to_the_canonical_spelling(printed, canonical):
    assert normalise_label(printed) == normalise_label(canonical)


def test_every_label_of_every_format_is_stable_under_folding():
    for format_id in ("2021", "2019", "legacy"):
        fmt = get_format(format_id)
        for table in fmt.tables:
            for row in table.rows:
                assert normalise_label(normalise_label(row.label)) == normalise_label(row.label)
                assert " " not in normalise_label(row.label)


def test_distinct_labels_stay_distinct():
    assert normalise_label("规范性文件") != normalise_label("行政规范性文件")
    assert normalise_label("其他") != normalise_label("其他结果")


def test_to_simplified_converts_characters_and_width():
    assert to_simplified("總計（七）") == "总计(七)"


@pytest.mark.parametrize(("cell", "value"), [
    ("0", 0),
    ("5361", 5361),
    (" 5361 ", 5361),
    ("1,234", 1234),
    ("1，234", 1234),  # full-width comma
    ("１２３", 123),  # full-width digits
    ("-3", -3),  # the 2019 format's 本年增/减 is signed
    ("−3", -3),  # minus sign
    ("+3", 3),
    ("5件", 5),
    ("395.721", Decimal("395.721")),
    ("395.721萬元", Decimal("395.721")),  # the sample 2020 report
    ("395.721 万元", Decimal("395.721")),
    ("3957210元", Decimal("395.721")),  # yuan → 万元, the unit the formats print
    ("12万元", Decimal("12")),
])
def test_number_cells(cell, value):
    parsed = parse_number(cell)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize("cell", ["", "  ", "—", "-", "--", "——", "/", "无", "無"])
def test_blank_and_dash_cells_are_not_stated_rather_than_zero(cell):
    assert parse_number(cell) is None


@pytest.mark.parametrize("cell", ["10.31%", "2018年度", "行政许可", "201811日", "1.属于国家秘密", "0556-5288857", "3-"])
def test_text_is_not_a_number(cell):
    with pytest.raises(NotANumber):
        parse_number(cell)
