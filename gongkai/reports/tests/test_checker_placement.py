"""Placement that knows when it doesn't know (issue 19): every placed row says where it came
from and how its label was matched; figures printed apart from their labels are placed
only when one reading is possible; label variants (synonyms, punctuation, typos) are
matched within bounds; table 四 printed in parts or one cell per line is read; a row whose
digits ran together is handed on as a digit run, never placed as one figure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.reports.checker.extract import DigitRun, Placement, extract
from gongkai.reports.checker.readers import read_document
from gongkai.reports.formats import FormatError, _parse, cell_ref, get_format
from gongkai.reports.normalise import label_key, normalise_label

FMT = get_format("2021")
T3 = FMT.table("3")
T4 = FMT.table("4")
AGENCY = "白鹭县交通运输局"


def truth() -> dict:
    """Every cell of the 2021 format, each row's figures distinct from every other row's."""
    cells: dict = {}
    for t, table in enumerate(FMT.tables):
        for r, row in enumerate(table.numbered_rows):
            for c, column in enumerate(table.columns):
                value = 1000 * t + 20 * r + c + 1
                cells[cell_ref(table.key, row.key, column.key)] = (
                    Decimal(value) / 10 if column.value == "amount" else value)
    return cells


TRUTH = truth()


def figures(table, row, cells=TRUTH) -> list[str]:
    out = []
    for column in table.columns:
        value = cells[cell_ref(table.key, row.key, column.key)]
        out.append(format(value, "f") if isinstance(value, Decimal) else str(value))
    return out


def row_line(table, row, cells=TRUTH, label=None) -> str:
    return " | ".join([label if label is not None else row.label, *figures(table, row, cells)])


def table3_lines(cells=TRUTH) -> list[str]:
    return [row_line(T3, row, cells) for row in T3.numbered_rows]


def table4_lines(cells=TRUTH) -> list[str]:
    return ["行政复议 | 行政诉讼",
            "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉",
            " | ".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3),
            " | ".join(figures(T4, T4.numbered_rows[0], cells))]


def report(*, t2: list[str] | None = None, t3: list[str] | None = None, t4: list[str] | None = None,
           cells=TRUTH) -> str:
    """A 2022 report in the 2021 format, its tables flattened to |-separated lines."""
    lines = [f"{AGENCY}2022年政府信息公开工作年度报告", "一、总体情况",
             "本年度我局认真贯彻落实《条例》，各项工作有序推进。", "二、主动公开政府信息情况"]
    if t2 is None:
        t2 = []
        for table in FMT.tables_in("二"):
            t2 += [table.title, " | ".join(["信息内容", *(c.label for c in table.columns)])]
            t2 += [row_line(table, row, cells) for row in table.numbered_rows]
    lines += t2
    lines += ["三、收到和处理政府信息公开申请情况", "申请人情况",
              "自然人 | 法人或其他组织 | 总计",
              "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他"]
    lines += table3_lines(cells) if t3 is None else t3
    lines += ["四、政府信息公开行政复议、行政诉讼情况"]
    lines += table4_lines(cells) if t4 is None else t4
    lines += ["五、存在的主要问题及改进情况", "宣传解读形式较为单一。",
              "六、其他需要报告的事项", "本年度未收取信息处理费。"]
    return "\n".join(lines)


def read(text: str):
    return extract(read_document(text.encode()), formats=(FMT,))


def wrong_cells(extraction, cells=TRUTH) -> dict:
    return {ref: (value, cells[ref]) for ref, value in extraction.cells.items() if value != cells[ref]}


def row_refs(table, row) -> list[str]:
    return [cell_ref(table.key, row.key, c.key) for c in table.columns]


ROWS3 = T3.numbered_rows
INDEX = {row.key: i for i, row in enumerate(ROWS3)}


# --- the baseline: everything placed, every placement recorded -----------------------------

def test_a_plain_report_is_placed_whole_and_every_row_says_where_it_came_from():
    got = read(report())
    assert got.cells == TRUTH and got.unplaced == [] and got.digit_runs == []
    rows = {(p.table, p.row) for p in got.placements}
    assert rows == {(t.key, r.key) for t in FMT.tables for r in t.numbered_rows}
    assert len(got.placements) == len(rows)  # one per row
    by_row = {(p.table, p.row): p for p in got.placements}
    first = by_row[("3", "一")]
    assert first.as_dict() == {"table": "3", "row": "一", "where": first.where, "label": "一、本年新收政府信息公开申请数量",
                               "matched": "一、本年新收政府信息公开申请数量", "distance": 0, "inferred": False}
    assert first.where.startswith("line ")
    appeals = by_row[("4", "all")]  # the unlabelled row of table 四
    assert appeals.label == "" and appeals.matched == "" and appeals.where.startswith("line ")


def test_a_row_continued_on_the_next_lines_records_every_line():
    table = FMT.table("2.1")
    row = table.numbered_rows[0]
    a, b, c = figures(table, row)
    t2 = [table.title, "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数", f"规章 | {a}", f"| {b} |", c,
          row_line(table, table.numbered_rows[1])]
    for other in FMT.tables_in("二")[1:]:
        t2 += [other.title, " | ".join(["信息内容", *(col.label for col in other.columns)])]
        t2 += [row_line(other, r) for r in other.numbered_rows]
    got = read(report(t2=t2))
    assert got.cells == TRUTH and got.unplaced == []
    [placement] = [p for p in got.placements if (p.table, p.row) == ("2.1", "rules")]
    assert placement.where.count(" + ") == 2  # the label's line and two lines of figures


# --- labels printed before their figures -----------------------------------------------------

def _labels_first(block: list, order: list[int] | None = None, *, per_line: bool = False,
                  skip: set[int] = frozenset(), one_line: bool = False) -> list[str]:
    """Table 三 with the rows of ``block`` printed as a run of labels (in ``order``; on one
    line when ``one_line``), then their figures (in the format's order, a line each or one
    figure per line; rows in ``skip`` print none)."""
    order = list(range(len(block))) if order is None else order
    out = []
    first = INDEX[block[0].key]
    for row in ROWS3[:first]:
        out.append(row_line(T3, row))
    labels = [block[i].label for i in order]
    out += [" | ".join(labels)] if one_line else labels
    for i, row in enumerate(block):
        if i in skip:
            continue
        out += figures(T3, row) if per_line else [" | ".join(figures(T3, row))]
    for row in ROWS3[first + len(block):]:
        out.append(row_line(T3, row))
    return out


def _block(first: str, last: str) -> list:
    return list(ROWS3[INDEX[first]:INDEX[last] + 1])


def test_labels_then_their_figures_in_the_same_order_are_placed():
    """The converter of the issue: (四)无法提供's three labels, then three lines of figures."""
    block = _block("三.四.1", "三.四.3")
    got = read(report(t3=_labels_first(block)))
    assert got.cells == TRUTH and got.unplaced == []
    where = {p.row: p.where for p in got.placements}
    assert " + " in where["三.四.1"]  # the label's line and the figures' line


def test_labels_then_one_figure_per_line_are_placed():
    block = _block("三.六.1", "三.六.3")
    got = read(report(t3=_labels_first(block, per_line=True)))
    assert got.cells == TRUTH and got.unplaced == []


def test_labels_in_another_order_than_their_figures_are_never_placed():
    """三.四.1 read as 1 when truly 4: the run is ambiguous, each line of figures says so."""
    block = _block("三.四.1", "三.四.3")
    got = read(report(t3=_labels_first(block, [2, 0, 1])))
    assert wrong_cells(got) == {}
    for row in block:
        assert not set(row_refs(T3, row)) & set(got.cells)
    assert len(got.unplaced) == 3
    for u in got.unplaced:
        assert "无法确定这行数字属于哪一行" in u.reason
        assert "“1.本机关不掌握相关政府信息”" in u.reason and "“3.补正后申请内容仍不明确”" in u.reason


def test_a_label_whose_figures_are_missing_makes_the_run_unplaced_not_shifted():
    block = _block("三.六.1", "三.六.3")
    got = read(report(t3=_labels_first(block, skip={0})))
    assert wrong_cells(got) == {}
    assert not any(ref.startswith("3/三.六.") for ref in got.cells)
    assert len(got.unplaced) == 2 and all("可能属于" in u.reason for u in got.unplaced)


def test_a_run_of_labels_with_an_unknown_one_is_not_placed():
    block = _block("三.四.1", "三.四.3")
    t3 = _labels_first(block)
    t3[t3.index(block[0].label)] = "1.本单位未制作或未获取该信息"  # a wording no format knows
    got = read(report(t3=t3))
    assert wrong_cells(got) == {}
    assert not any(ref.startswith("3/三.四.") for ref in got.cells)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_shuffled_labels_never_yield_a_wrong_cell(data):
    """Whatever the order the labels of a run are printed in, relative to their figures, no
    cell gets another row's figure: a figure is placed right or not at all."""
    size = data.draw(st.integers(min_value=2, max_value=6), label="size")
    first = data.draw(st.integers(min_value=0, max_value=len(ROWS3) - size), label="first")
    block = list(ROWS3[first:first + size])
    order = data.draw(st.permutations(range(size)), label="order")
    per_line = data.draw(st.booleans(), label="per_line")
    skip = data.draw(st.sets(st.integers(min_value=0, max_value=size - 1), max_size=1), label="skip")
    one_line = data.draw(st.booleans(), label="one_line")
    got = read(report(t3=_labels_first(block, list(order), per_line=per_line, skip=skip, one_line=one_line)))
    assert wrong_cells(got) == {}
    placed_rows = {p.row for p in got.placements}
    if list(order) == sorted(order) and not skip:
        assert got.cells == TRUTH  # in the format's order and complete: read whole
    else:
        assert not placed_rows & {row.key for row in block}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(4)), blank=st.integers(min_value=-1, max_value=3))
def test_shuffled_legacy_labels_one_cell_per_line_never_yield_a_wrong_cell(order, blank):
    """The legacy appendix one cell per line: four labels in any order, then their figures
    (one of them perhaps printed blank, i.e. not at all)."""
    legacy = get_format("legacy")
    table = legacy.table("appendix")
    rows = table.numbered_rows
    values = {row.key: 11 * (i + 1) for i, row in enumerate(rows)}
    lines = ["七、附表信息", "指标名称", "2018年度"]
    for row in rows[:2]:
        lines += [row.label, str(values[row.key])]
    block = rows[2:6]
    lines += [block[i].label for i in order]
    lines += [str(values[row.key]) for i, row in enumerate(block) if i != blank]
    for row in rows[6:]:
        lines += [row.label, str(values[row.key])]
    got = extract(read_document("\n".join(lines).encode()), formats=(legacy,))
    for ref, value in got.cells.items():
        row_key = ref.split("/")[1]
        assert value in (values[row_key], None), ref
        if value is None:
            assert row_key == block[blank].key if blank >= 0 else False


def _legacy_interleaved(run: list[int], figure: int) -> tuple[dict, object]:
    """The legacy appendix one cell per line, each label above its figure, except for the
    rows ``run``, whose labels come together, followed by one figure (``figure``)."""
    table = get_format("legacy").table("appendix")
    rows = table.numbered_rows
    lines = ["七、附表信息", "指标名称", "2018年度"]
    for i, row in enumerate(rows):
        if i in run:
            if i == run[-1]:
                lines += [rows[j].label for j in run] + [str(figure)]
            continue
        lines += [row.label, str(10 + i)]
    got = extract(read_document("\n".join(lines).encode()), formats=(get_format("legacy"),))
    return {row.key: got.cells.get(f"appendix/{row.key}/value", "absent") for row in rows}, got


def test_labels_of_consecutive_rows_above_one_figure_in_an_interleaved_table_are_blanks():
    cells, _ = _legacy_interleaved([3, 4, 5], 77)
    rows = get_format("legacy").table("appendix").numbered_rows
    assert [cells[rows[i].key] for i in (3, 4, 5)] == [None, None, 77]


def test_labels_of_rows_apart_above_one_figure_are_never_blanked():
    """Two labels of rows apart (3 and 7) then one figure: which row it is cannot be told."""
    cells, got = _legacy_interleaved([3, 7], 77)
    rows = get_format("legacy").table("appendix").numbered_rows
    assert cells[rows[3].key] == "absent" and cells[rows[7].key] == "absent"
    assert any("77" in u.text for u in got.unplaced)


# --- label variants -----------------------------------------------------------------------------

def test_synonyms_in_the_format_are_matched_and_recorded():
    got = read(report().replace("行政规范性文件 |", "规范性文件 |"))
    assert got.cells == TRUTH and got.unplaced == []
    [p] = [p for p in got.placements if p.row == "normative"]
    assert (p.label, p.matched, p.distance) == ("规范性文件", "规范性文件", 0)
    assert FMT.table("2.1").row("normative").synonyms == ("规范性文件",)


def test_a_synonym_naming_two_rows_is_a_format_error():
    data = {"id": "x", "name": "x", "sections": [{"number": "二", "title": "二、x", "kind": "tables"}],
            "tables": [{"key": "2", "section": "二", "kind": "figures", "columns": [{"key": "n", "label": "数量"}],
                        "rows": [{"key": "a", "label": "规章"},
                                 {"key": "b", "label": "行政规范性文件", "synonyms": ["规章"]}]}]}
    with pytest.raises(FormatError, match="names both row a and row b"):
        _parse(data, "x.toml")


@pytest.mark.parametrize(("printed", "canonical"), [
    ("信函，传真申请数", "信函、传真申请数"),
    ("信函;传真申请数", "信函、传真申请数"),
    ("1、属于国家秘密", "1.属于国家秘密"),
    ("一.本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量"),
    ("【一】予以公开", "(一)予以公开"),
    ("3.危及三安全一稳定", "3.危及“三安全一稳定”"),
    ("其中1.当面申请数", "其中:1.当面申请数"),
    ("（二）部分公开（区分处理的；只计这一情形、不计其他情形）", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
])
def test_punctuation_variants_fold_to_one_key(printed, canonical):
    assert label_key(printed) == label_key(canonical)
    assert label_key(label_key(printed)) == label_key(printed)


def test_normalise_label_keeps_commas_for_sentences():
    assert normalise_label("2020年，青岚市") == "2020年,青岚市"  # the agency's sentence still reads
    assert label_key("2020年，青岚市") == "2020年、青岚市"


def test_a_comma_for_the_separator_is_placed():
    t3 = table3_lines()
    t3 = [line.replace("1.申请人无正当理由逾期不补正、行政机关", "1、申请人无正当理由逾期不补正，行政机关") for line in t3]
    got = read(report(t3=t3))
    assert got.cells == TRUTH and got.unplaced == []


def test_a_typo_in_a_long_label_is_placed_with_its_distance():
    t3 = [line.replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开") for line in table3_lines()]
    got = read(report(t3=t3))
    assert got.cells == TRUTH and got.unplaced == []
    [p] = [p for p in got.placements if p.row == "三.三.2"]
    assert (p.label, p.matched, p.distance) == ("2.其他法律行政止公开", "2.其他法律行政法规禁止公开", 3)
    assert p.as_dict()["distance"] == 3


@pytest.mark.parametrize("printed", [
    "2.其他",  # a short label: no typo allowed ("3.其他" is another row's)
    "2.其他法律禁止公开的信息事项",  # too far
])
def test_labels_too_far_from_any_row_are_not_matched(printed):
    t3 = table3_lines()
    i = INDEX["三.三.2"]
    t3[i] = row_line(T3, ROWS3[i], label=printed)
    got = read(report(t3=t3))
    assert wrong_cells(got) == {}
    assert not set(row_refs(T3, ROWS3[i])) & set(got.cells)
    assert [u.text.split(" | ")[0] for u in got.unplaced] == [printed]


def test_a_typo_near_two_rows_is_not_matched():
    got = read(report().replace("行政处罚 |", "行政处强 |"))  # 行政处罚 or 行政强制?
    assert "2.6/penalty/decisions" not in got.cells
    assert wrong_cells(got) == {}


def test_a_trailing_empty_markdown_cell_is_no_figure():
    t3 = [f"| {line} | |" for line in table3_lines()]
    got = read(report(t3=t3))
    assert got.cells == TRUTH and got.unplaced == []


def test_one_figure_too_many_that_is_not_blank_is_still_unplaced():
    t3 = table3_lines()
    t3[0] += " | 9"
    got = read(report(t3=t3))
    assert not set(row_refs(T3, ROWS3[0])) & set(got.cells)
    assert "有8个数字，应有7个" in got.unplaced[0].reason


# --- table 四 ---------------------------------------------------------------------------------

def _t4_parts(groups=("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")) -> list[str]:
    values = figures(T4, T4.numbered_rows[0])
    out = []
    for i, group in enumerate(groups):
        out += [group, "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计", " | ".join(values[5 * i:5 * i + 5])]
    return out


@pytest.mark.parametrize("groups", [
    ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"),
    ("行政复议", "未经复议直接起诉", "复议后起诉"),
])
def test_table_4_split_into_three_small_tables_is_placed(groups):
    got = read(report(t4=_t4_parts(groups)))
    assert got.cells == TRUTH and got.unplaced == []
    assert len([p for p in got.placements if p.table == "4"]) == 3


def test_table_4_parts_in_another_order_follow_their_headers():
    parts = _t4_parts()
    t4 = parts[6:9] + parts[0:3] + parts[3:6]
    got = read(report(t4=t4))
    assert got.cells == TRUTH and got.unplaced == []


def test_a_table_4_part_without_its_group_is_not_placed():
    parts = _t4_parts()
    t4 = parts[1:3]  # 结果维持 … 总计, then five figures: which group?
    got = read(report(t4=t4))
    assert not any(ref.startswith("4/") for ref in got.cells)
    assert "共5个，与表格的15列对不上" in got.unplaced[0].reason


def test_table_4_one_cell_per_line_is_placed():
    header = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
              "未经复议直接起诉", "复议后起诉"] + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    t4 = header + figures(T4, T4.numbered_rows[0])
    got = read(report(t4=t4))
    assert got.cells == TRUTH and got.unplaced == []
    [p] = [p for p in got.placements if p.table == "4"]
    assert p.where.count(" + ") == 14


def test_table_4_one_cell_per_line_with_a_figure_missing_is_unplaced():
    header = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    t4 = header + figures(T4, T4.numbered_rows[0])[:14]
    got = read(report(t4=t4))
    assert not any(ref.startswith("4/") for ref in got.cells)
    assert len(got.unplaced) == 14 and "共14个" in got.unplaced[0].reason


# --- digits run together ------------------------------------------------------------------------

def test_a_row_whose_digits_ran_together_is_a_digit_run_not_a_cell():
    t3 = table3_lines()
    i = INDEX["三.七"]
    t3[i] = "(七)总计 713000074"
    got = read(report(t3=t3))
    assert not set(row_refs(T3, ROWS3[i])) & set(got.cells)
    assert got.unplaced == []
    assert got.digit_runs == [DigitRun("3", "三.七", tuple(row_refs(T3, ROWS3[i])), "713000074",
                                       got.digit_runs[0].where, "(七)总计 | 713000074")]
    assert got.digit_runs[0].where.startswith("line ")


def test_a_digit_run_on_the_line_below_its_label_is_a_digit_run():
    t3 = table3_lines()
    i = INDEX["四"]
    t3[i:i + 1] = ["四、结转下年度继续办理", "1000001"]
    got = read(report(t3=t3))
    [run] = got.digit_runs
    assert (run.row, run.digits) == ("四", "1000001") and " + " in run.where


def test_a_single_figure_shorter_than_the_row_is_unplaced_not_a_run():
    t3 = table3_lines()
    t3[0] = "一、本年新收政府信息公开申请数量 | 12"
    got = read(report(t3=t3))
    assert got.digit_runs == []
    assert "只有1个数字，应有7个" in got.unplaced[0].reason


def test_a_digit_run_in_table_4_is_a_digit_run():
    t4 = table4_lines()[:3] + ["0" * 15]
    got = read(report(t4=t4))
    [run] = got.digit_runs
    assert run.table == "4" and run.row == "all" and len(run.refs) == 15


def test_placement_as_dict_is_complete():
    p = Placement("3", "三.七", "line 4", "(七)合计", "(七)总计", 1, True)
    assert p.as_dict() == {"table": "3", "row": "三.七", "where": "line 4", "label": "(七)合计",
                           "matched": "(七)总计", "distance": 1, "inferred": True}


def test_table_4_parts_with_their_group_beside_the_figures_are_placed():
    values = figures(T4, T4.numbered_rows[0])
    t4 = ["结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计",
          " | ".join(["行政复议", *values[0:5]]),
          " | ".join(["行政诉讼（未经复议直接起诉）", *values[5:10]]),
          " | ".join(["行政诉讼（复议后起诉）", *values[10:15]])]
    got = read(report(t4=t4))
    assert got.cells == TRUTH and got.unplaced == []


def test_table_4_in_two_parts_review_and_litigation_is_placed():
    values = figures(T4, T4.numbered_rows[0])
    t4 = ["行政复议", "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计", " | ".join(values[:5]),
          "行政诉讼", "未经复议直接起诉 | 复议后起诉",
          " | ".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2), " | ".join(values[5:])]
    got = read(report(t4=t4))
    assert got.cells == TRUTH and got.unplaced == []


def test_a_line_of_labels_then_their_figures_is_placed_in_order():
    block = _block("三.四.1", "三.四.3")
    t3 = _labels_first(block)
    first = t3.index(block[0].label)
    t3[first:first + 3] = [" | ".join(["（四）无法提供", *(row.label for row in block)])]
    got = read(report(t3=t3))
    assert got.cells == TRUTH and got.unplaced == []


def test_a_line_of_labels_in_another_order_than_their_figures_is_not_placed():
    block = _block("三.四.1", "三.四.3")
    t3 = _labels_first(block)
    first = t3.index(block[0].label)
    t3[first:first + 3] = [" | ".join(["（四）无法提供", *(block[i].label for i in (1, 0, 2))])]
    got = read(report(t3=t3))
    assert wrong_cells(got) == {}
    assert not any(ref.startswith("3/三.四.") for ref in got.cells)
    assert len(got.unplaced) == 3


@st.composite
def table3_layouts(draw):
    """Table 三 printed in a random mix of the layouts converters produce — a row on one
    line, a label with its figures on the lines below (split anywhere), labels before their
    figures (in any order, on one line or one per line) — with notes between rows and at
    most one fault: a row's label lost, or its figures. (Two faults can forge a correct
    looking table: a label whose figures were lost above figures whose label was lost.)"""
    lines: list[str] = []
    fault = draw(st.sampled_from(["none", "label", "figures"]))
    faulty = draw(st.integers(min_value=0, max_value=len(ROWS3) - 1))
    i = 0
    while i < len(ROWS3):
        size = draw(st.integers(min_value=1, max_value=min(4, len(ROWS3) - i)))
        block = list(ROWS3[i:i + size])
        i += size
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["单位：件", "注：本表数据截至12月31日", "续表"])))
        chunks = []
        for row in block:
            values = figures(T3, row)
            cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=6), max_size=2)))
            bounds = [0, *cuts, 7]
            chunks.append([" | ".join(values[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)])
        style = draw(st.sampled_from(["same_line", "below", "labels_first"]))
        labels = [row.label for row in block]
        lose_label = faulty - (i - size) if fault == "label" else -1
        lose_figures = faulty - (i - size) if fault == "figures" else -1
        if style == "labels_first" and size > 1:
            order = draw(st.permutations(range(size)))
            printed = [labels[k] for k in order if k != lose_label]
            lines += [" | ".join(printed)] if draw(st.booleans()) and printed else printed
            lines += [c for k, row_chunks in enumerate(chunks) if k != lose_figures for c in row_chunks]
            continue
        for k, row_chunks in enumerate(chunks):
            label = [] if k == lose_label else [labels[k]]
            body = [] if k == lose_figures else row_chunks
            if style == "same_line" and body:
                lines.append(" | ".join([*label, body[0]]))
                lines += body[1:]
            else:
                lines += label + body
    return lines


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(t3=table3_layouts())
def test_no_layout_of_table_3_yields_a_wrong_cell(t3):
    got = read(report(t3=t3))
    assert wrong_cells(got) == {}


def test_two_rows_of_figures_under_one_label_are_not_placed():
    """A label lost between two rows printed label-then-figures: which lines are whose?"""
    t3 = table3_lines()
    i = INDEX["三.五.2"]
    t3[i - 1:i + 1] = [ROWS3[i - 1].label, " | ".join(figures(T3, ROWS3[i - 1])), " | ".join(figures(T3, ROWS3[i]))]
    got = read(report(t3=t3))
    assert wrong_cells(got) == {}
    assert not any(ref.startswith(("3/三.五.1/", "3/三.五.2/")) for ref in got.cells)
    assert len(got.unplaced) == 2 and "可能有行标签缺失" in got.unplaced[0].reason


def test_a_gap_after_a_run_of_labels_keeps_it_unplaced():
    """Labels 1 and 2 then two lines of figures, then label 4: label 3 was lost and 2's
    figures may be 3's."""
    block = _block("三.三.1", "三.三.2")
    t3 = _labels_first(block)
    t3.remove(row_line(T3, ROWS3[INDEX["三.三.3"]]))
    got = read(report(t3=t3))
    assert not any(ref.startswith(("3/三.三.1/", "3/三.三.2/")) for ref in got.cells)
    assert "不是本格式中依次相连的行" in got.unplaced[0].reason


def test_pieces_of_a_merged_group_cell_before_a_label_are_dropped():
    """A PDF's text layer without ruling lines: the merged group cell's text lands beside
    rows ("(三)不予 4.保护…", "公开 5.属于…"), and a wrapped label carries a piece too."""
    t3 = table3_lines()
    def spaced(key, prefix):
        return " ".join([prefix + " " + ROWS3[INDEX[key]].label, *figures(T3, ROWS3[INDEX[key]])])
    t3[INDEX["三.三.4"]] = spaced("三.三.4", "（三）不予")
    t3[INDEX["三.三.5"]] = spaced("三.三.5", "公开")
    t3[INDEX["三.四.1"]] = spaced("三.四.1", "三、本年度")
    i = INDEX["三.六.2"]
    t3[i:i + 1] = ["（六）其他      2.申请人逾期未按收费通知要求缴纳费用、行",
                   "处理 政机关不再处理其政府信息公开申请 " + " ".join(figures(T3, ROWS3[i]))]
    got = read(report(t3=t3))
    assert got.cells == TRUTH and got.unplaced == []
    [p] = [p for p in got.placements if p.row == "三.六.2"]
    assert p.where.count(" + ") == 1 and p.distance == 0


def test_a_wrapped_label_whose_first_line_is_near_a_row_is_joined():
    t3 = table3_lines()
    i = INDEX["三.二"]
    t3[i:i + 1] = ["（二）部分公开（区分处理的，只计这一情形，不计其他情",
                   "形） | " + " | ".join(figures(T3, ROWS3[i]))]
    got = read(report(t3=t3))
    assert got.cells == TRUTH and got.unplaced == []
    [p] = [p for p in got.placements if p.row == "三.二"]
    assert p.distance == 0 and p.label.endswith("形）")


def test_a_markdown_table_is_read_with_its_rules_and_trailing_cells():
    t2 = []
    for table in FMT.tables_in("二"):
        t2 += [f"| {table.title} | |", "| " + " | ".join(["信息内容", *(c.label for c in table.columns)]) + " | |",
               "| " + " | ".join(["---"] * (len(table.columns) + 1)) + " |"]
        t2 += [f"| {row_line(table, row)} | |" for row in table.numbered_rows]
    got = read(report(t2=t2))
    assert got.cells == TRUTH and got.unplaced == []


def test_hundreds_of_repeated_rows_are_unplaced_with_short_reasons():
    """A report with a row repeated hundreds of times (a pasted page, or a hostile one):
    each copy is unplaced, and no reason grows with the number of copies (the reasons and
    the search were once quadratic in such runs)."""
    from pathlib import Path

    from gongkai.reports.checker import check_bytes

    corpus = Path(__file__).parent / "corpus" / "files" / "text_yancheng_tyj_2023_labels_first.txt"
    text = corpus.read_text(encoding="utf-8")
    row = "（七）总计 56 2 0 0 0 1 59\n"
    assert row in text
    n = 400
    result = check_bytes("long.txt", text.replace(row, "（七）总计 5620001590\n" * n).encode())
    unplaced = result.unplaced
    assert len(unplaced) >= n
    assert all(len(u.reason) < 200 for u in unplaced)
