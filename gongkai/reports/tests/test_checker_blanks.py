"""Blank cells in a published report: read as 0 for the check when the report's empty cells
stand for zero (no mark such as "—" in the table), with a note saying how many; kept blank
otherwise. A total printed blank over printed, non-zero parts is a violation either way."""

from __future__ import annotations

from gongkai.reports.checker import check_bytes
from gongkai.reports.formats import get_format
from gongkai.reports.tests.fixtures.sample_reports import REPORT_2018

FMT = get_format("2021")
T3 = FMT.table("3")


def text_2021(values: dict[str, str] | None = None, *, default: str = "0", runs=(),
              agency: str = "测试县市场监督管理局", year: int = 2022) -> str:
    """A small 2021-format report as crawled text: one ``| label | figure | … |`` line per
    row, ``values`` (ref -> printed text) over ``default``; the rows named in ``runs``
    ((table, row) pairs) print their figures run together."""
    values = values or {}
    out = [f"{agency}{year}年政府信息公开工作年度报告", "一、总体情况", "本机关依法公开政府信息。",
           "二、主动公开政府信息情况"]
    for table in FMT.tables:
        if table.section == "三" and table.key == "3":
            out.append("三、收到和处理政府信息公开申请情况")
        if table.section == "四":
            out.append("四、政府信息公开行政复议、行政诉讼情况")
        if table.title:
            out.append(table.title)
        if table.key == "4":
            out += ["行政复议 | 行政诉讼", " | ".join(c.label for c in table.columns)]
        elif table.key == "3":
            out += [f"{table.corner} | 申请人情况", " | ".join(c.label for c in table.columns)]
        else:
            out.append(" | ".join([table.corner, *(c.label for c in table.columns)]))
        for row in table.numbered_rows:
            cells = [values.get(f"{table.key}/{row.key}/{c.key}", default) for c in table.columns]
            if (table.key, row.key) in runs:
                cells = ["".join(cells)]
            out.append("| " + " | ".join([row.label, *cells] if row.label else cells) + " |")
    out += ["五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "本年度未收取信息处理费。"]
    return "\n".join(out) + "\n"


def row_values(row: str, figures: list[int | str]) -> dict[str, str]:
    """Table 三's ``row`` printed with ``figures`` (自然人 … 其他, 总计), "" for blank."""
    return {f"3/{row}/{c.key}": str(f) for c, f in zip(T3.columns, figures, strict=True)}


def consistent_values(*, blank: str = "") -> dict[str, str]:
    """A consistent table 三 (5 requests by 自然人, 1 by 商业企业; 4 disclosed, 1 refused,
    1 carried over) where every 0 of table 三 is printed as ``blank``; tables 二 and 四 print
    zeros."""
    b = blank
    values = dict.fromkeys(FMT.cell_refs(), "0")
    for row in T3.numbered_rows:
        values.update(row_values(row.key, [b] * 7))
    values.update(row_values("一", [5, 1, b, b, b, b, 6]))
    values.update(row_values("三.一", [4, b, b, b, b, b, 4]))
    values.update(row_values("三.三.1", [b, 1, b, b, b, b, 1]))
    values.update(row_values("三.七", [4, 1, b, b, b, b, 5]))
    values.update(row_values("四", [1, b, b, b, b, b, 1]))
    return values


def check(text: str):
    return check_bytes("report.txt", text.encode())


def test_the_2021_report_built_for_these_tests_is_read_whole_and_holds():
    result = check(text_2021())
    assert (result.status, result.placed, result.expected_cells) == (0, 200, 200)
    assert result.check.checked == 42 and result.zero_blanks == ()
    assert "blanks_as_zero" in result.as_dict() and result.as_dict()["blanks_as_zero"] == 0


def test_empty_cells_of_a_consistent_report_are_checked_as_zeros_with_a_note():
    values = consistent_values(blank="")
    blanks = sum(1 for ref in T3.cell_refs() if values[ref] == "")
    result = check(text_2021(values))
    assert result.placed == 200
    # before: 35 of 42 rules unchecked; now every rule is checked and holds
    assert result.check.unchecked == [] and result.check.checked == 42
    assert result.status == 0 and result.violations == []
    assert len(result.zero_blanks) == blanks
    doc = result.as_dict()
    assert f"{blanks}个空白单元格按0核对" in doc["notes"]
    assert doc["blanks_as_zero"] == blanks
    assert f"{blanks} blank cells checked as 0" in result.notes_en
    # the output still shows what was printed: a blank, not 0
    assert doc["tables"]["3"]["三.一"]["commercial_enterprise"] is None
    assert doc["tables"]["3"]["三.一"]["natural_person"] == 4


def test_a_blank_total_over_non_zero_parts_is_a_violation_not_unchecked():
    values = consistent_values(blank="")
    values.update(row_values("三.七", [4, 1, "", "", "", "", ""]))  # 总计 column left blank
    result = check(text_2021(values))
    assert result.status == 1
    broken = {(v.rule, v.label): v for v in result.rule_violations}
    total = broken[("三.总计", "总计")]
    assert (total.expected, total.found) == (5, 0)  # the sum, and the blank as 0
    assert ("三.列合计", "(七)总计") in broken
    assert not [v for v in result.violations if v.rule == "格式.无法核对"]


def test_a_report_that_prints_dashes_keeps_its_blanks_blank():
    values = consistent_values(blank="")
    values.update(row_values("三.二", ["—", "—", "—", "—", "—", "—", "—"]))  # "not applicable"?
    result = check(text_2021(values))
    assert result.zero_blanks == ()
    assert not any("按0核对" in note for note in result.as_dict()["notes"])
    unchecked = [v for v in result.violations if v.rule == "格式.无法核对"]
    assert unchecked and result.status == 1  # today's behaviour: not checkable


def test_a_dash_total_over_printed_non_zero_parts_is_a_violation():
    values = dict.fromkeys(FMT.cell_refs(), "0")
    values.update(row_values("一", [3, 0, 0, 0, 0, 0, 3]))
    values.update(row_values("三.一", [3, 0, 0, 0, 0, 0, 3]))
    values.update(row_values("三.七", ["—", 0, 0, 0, 0, 0, 3]))
    result = check(text_2021(values))
    broken = {(v.rule, v.label): v for v in result.rule_violations}
    assert (broken[("三.总计", "自然人")].expected, broken[("三.总计", "自然人")].found) == (3, 0)
    # the rules with the dash on their right side stay unchecked: the dash is not read as 0
    assert "三.勾稽（自然人）" in result.check.unchecked


def test_a_dash_in_another_table_leaves_table_three_blanks_as_zeros():
    values = consistent_values(blank="")
    values["2.1/rules/issued"] = "/"  # table 二 prints a mark: its own blanks stay blank
    values["2.1/rules/repealed"] = ""
    result = check(text_2021(values))
    assert result.check.unchecked == [] and result.status == 0
    assert all(ref.startswith("3/") for ref in result.zero_blanks) and result.zero_blanks


def test_a_report_with_no_blank_cells_has_no_note():
    result = check(text_2021())
    assert not any("按0核对" in note for note in result.as_dict()["notes"])
    assert result.notes_en == []


def test_the_legacy_appendix_keeps_its_own_blank_rule():
    result = check_bytes("2018.txt", REPORT_2018.read_bytes())
    assert result.format.id == "legacy"
    assert result.zero_blanks == ()  # its rules count blanks as 0 themselves: no note
    assert result.status == 0
    assert not any("按0核对" in note for note in result.as_dict()["notes"])


def test_existing_json_keys_are_kept():
    doc = check(text_2021(consistent_values())).as_dict()
    for key in ("file", "read_as", "format", "format_name", "year", "agency", "tables", "cells_placed",
                "cells_expected", "missing", "violations", "rules_checked", "rules_unchecked",
                "cross_year_with", "unplaced", "notes"):
        assert key in doc
    assert isinstance(doc["placements"], list) and doc["digit_runs"] == []


def test_an_html_report_with_empty_cells_is_checked_as_zeros():
    from gongkai.reports.tests.fixtures.renditions import report_html

    cells = {ref: (None if value == "" else int(value)) for ref, value in consistent_values(blank="").items()}
    page = report_html(FMT, cells, agency="测试县市场监督管理局", year=2022)
    result = check_bytes("report.html", page.encode())
    assert result.kind == "html" and result.placed == 200
    assert result.status == 0 and result.check.checked == 42 and result.check.unchecked == []
    assert result.as_dict()["blanks_as_zero"] == sum(1 for ref in T3.cell_refs() if cells[ref] is None)

    cells["3/三.七/total"] = None  # the total left empty over 4 + 1
    result = check_bytes("report.html", report_html(FMT, cells, agency="测试县市场监督管理局", year=2022).encode())
    assert ("三.总计", "总计") in {(v.rule, v.label) for v in result.rule_violations}


def test_a_figure_left_unplaced_stops_blanks_being_read_as_zero():
    """A blank cell whose figure a scraper printed on a line of its own: the figure is
    unplaced, so the blank is not read as 0 (that would invent a figure and let the rules
    pass); the rules it reads stay 无法核对 and the report is not reported as sound."""
    from pathlib import Path

    from gongkai.reports.checker import check_bytes

    corpus = Path(__file__).parent / "corpus" / "files" / "text_yancheng_tyj_2023_labels_first.txt"
    text = corpus.read_text(encoding="utf-8")
    row = "4.保护第三方合法权益 3 0 0 0 0 0 3\n"
    assert row in text
    result = check_bytes("split.txt", text.replace(row, "4.保护第三方合法权益 | 3 |  | 0 | 0 | 0 | 0 | 3\n| 2 |\n").encode())
    assert any(u.text.strip(" |") == "2" for u in result.unplaced)
    assert result.zero_blanks == ()
    assert result.status != 0
    assert any(f.rule == "格式.无法核对" for f in result.findings)
