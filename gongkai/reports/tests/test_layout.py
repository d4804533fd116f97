"""The printed grid of the report tables: merged header cells and row labels, computed from
the format data alone (``layout.table_layout``)."""

import pytest

from gongkai.reports.formats import Column, Row, Table, all_formats, get_format
from gongkai.reports.layout import table_layout


def spans(cells):
    return [(c.text, c.row, c.col, c.colspan, c.rowspan) for c in cells]


def labels(layout):
    return [(c.text, c.row, c.col, c.colspan, c.rowspan)
            for c in layout.body_cells if c.kind != "value"]


CORNER = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"


@pytest.mark.parametrize("format_id", ["2021", "2019"])
def test_table_3_header_merges_applicant_groups_and_spans_single_columns_down(format_id):
    layout = table_layout(get_format(format_id).table("3"))
    assert layout.label_columns == 3
    assert [spans(row) for row in layout.header_rows] == [
        [(CORNER, 0, 0, 3, 3), ("申请人情况", 0, 3, 7, 1)],
        [("自然人", 1, 3, 1, 2), ("法人或其他组织", 1, 4, 5, 1), ("总计", 1, 9, 1, 2)],
        [("商业企业", 2, 4, 1, 1), ("科研机构", 2, 5, 1, 1), ("社会公益组织", 2, 6, 1, 1),
         ("法律服务机构", 2, 7, 1, 1), ("其他", 2, 8, 1, 1)],
    ]
    assert [c.scope for c in layout.header_rows[0]] == ["col", "colgroup"]
    assert [c.scope for c in layout.header_rows[1]] == ["col", "colgroup", "col"]
    assert [c.column for c in layout.header_cells if c.kind == "column"] == [
        "natural_person", "total", "commercial_enterprise", "research_institution",
        "social_welfare_organization", "legal_service_institution", "other_organization",
    ]


def test_table_3_body_labels_2021():
    layout = table_layout(get_format("2021").table("3"))
    fmt_rows = get_format("2021").table("3")
    assert len(layout.body_rows) == len(fmt_rows.numbered_rows) == 25
    got = labels(layout)
    assert got[:5] == [
        ("一、本年新收政府信息公开申请数量", 0, 0, 3, 1),
        ("二、上年结转政府信息公开申请数量", 1, 0, 3, 1),
        ("三、本年度办理结果", 2, 0, 1, 22),  # (一) … (七)总计: every outcome row
        ("(一)予以公开", 2, 1, 2, 1),
        ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", 3, 1, 2, 1),
    ]
    assert ("(三)不予公开", 4, 1, 1, 8) in got
    assert ("1.属于国家秘密", 4, 2, 1, 1) in got
    assert ("8.属于行政查询事项", 11, 2, 1, 1) in got
    assert ("(四)无法提供", 12, 1, 1, 3) in got
    assert ("(五)不予处理", 15, 1, 1, 5) in got
    assert ("(六)其他处理", 20, 1, 1, 3) in got
    assert ("3.其他", 22, 2, 1, 1) in got
    assert got[-2:] == [("(七)总计", 23, 1, 2, 1), ("四、结转下年度继续办理", 24, 0, 3, 1)]
    # A group label sits beside its first sub-row, never on a line of its own.
    first_of_group = {c.text: c.row for c in layout.body_cells if c.kind == "group"}
    row_of = {c.text: c.row for c in layout.body_cells if c.kind == "label"}
    assert first_of_group["(三)不予公开"] == row_of["1.属于国家秘密"]
    assert first_of_group["三、本年度办理结果"] == row_of["(一)予以公开"]
    assert [c.scope for c in layout.body_cells if c.kind == "group"] == ["rowgroup"] * 5


def test_table_3_body_labels_2019_other_handling_is_one_row():
    layout = table_layout(get_format("2019").table("3"))
    got = labels(layout)
    assert len(layout.body_rows) == 23
    assert ("三、本年度办理结果", 2, 0, 1, 20) in got
    assert ("(六)其他处理", 20, 1, 2, 1) in got
    assert got[-2:] == [("(七)总计", 21, 1, 2, 1), ("四、结转下年度继续办理", 22, 0, 3, 1)]
    assert [c.text for c in layout.body_cells if c.kind == "group"] == [
        "三、本年度办理结果", "(三)不予公开", "(四)无法提供", "(五)不予处理"]


@pytest.mark.parametrize("format_id", ["2021", "2019"])
def test_table_4_has_no_label_column_and_three_header_levels(format_id):
    layout = table_layout(get_format(format_id).table("4"))
    assert layout.label_columns == 0
    labels_row = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert [spans(row) for row in layout.header_rows] == [
        [("行政复议", 0, 0, 5, 1), ("行政诉讼", 0, 5, 10, 1)],
        [(t, 1, i, 1, 2) for i, t in enumerate(labels_row)]
        + [("未经复议直接起诉", 1, 5, 5, 1), ("复议后起诉", 1, 10, 5, 1)],
        [(t, 2, 5 + i, 1, 1) for i, t in enumerate(labels_row * 2)],
    ]
    assert len(layout.body_rows) == 1
    assert [c.ref for c in layout.body_rows[0]] == get_format(format_id).table("4").cell_refs()


def test_table_2_has_title_row_then_corner_and_column_labels():
    layout = table_layout(get_format("2021").table("2.1"))
    assert [spans(row) for row in layout.header_rows] == [
        [("第二十条第(一)项", 0, 0, 4, 1)],
        [("信息内容", 1, 0, 1, 1), ("本年制发件数", 1, 1, 1, 1), ("本年废止件数", 1, 2, 1, 1),
         ("现行有效件数", 1, 3, 1, 1)],
    ]
    assert layout.header_rows[0][0].kind == "title"
    assert labels(layout) == [("规章", 0, 0, 1, 1), ("行政规范性文件", 1, 0, 1, 1)]
    layout_2019 = table_layout(get_format("2019").table("2.9"))
    assert spans(layout_2019.header_rows[1]) == [
        ("信息内容", 1, 0, 1, 1), ("采购项目数量", 1, 1, 1, 1), ("采购总金额", 1, 2, 1, 1)]
    assert [c.value_type for c in layout_2019.value_cells] == ["count", "amount"]
    assert [c.value_type for c in table_layout(get_format("2019").table("2.5")).value_cells][:3] == [
        "count", "signed", "count"]


def _tiles_exactly(layout):
    """Every grid slot of the header and of the body is covered by exactly one cell."""
    for rows, height in ((layout.header_rows, len(layout.header_rows)),
                         (layout.body_rows, len(layout.body_rows))):
        covered: dict[tuple[int, int], int] = {}
        for cell in (c for row in rows for c in row):
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    covered[(r, c)] = covered.get((r, c), 0) + 1
        assert covered == {(r, c): 1 for r in range(height) for c in range(layout.width)}


@pytest.mark.parametrize("fmt", all_formats(), ids=lambda f: f.id)
def test_every_table_of_every_format_tiles_its_grid_and_prints_every_cell_once(fmt):
    for table in fmt.tables:
        layout = table_layout(table)
        _tiles_exactly(layout)
        assert [c.ref for c in layout.value_cells] == table.cell_refs()
        # Every column label and every row label is printed exactly as in the data.
        assert {c.text for c in layout.header_cells if c.kind == "column"} == {
            c.label for c in table.columns}
        printed = [c.text for c in layout.body_cells if c.kind != "value"]
        assert sorted(printed) == sorted(r.label for r in table.rows if r.label)


def test_layout_is_generic_over_a_new_format_definition():
    """A made-up table: three header levels with a ragged group and a two-level row tree."""
    table = Table(
        key="9", section="九", kind="figures", corner="项目",
        columns=(
            Column("a", "甲", ("总", "左")),
            Column("b", "乙", ("总", "左")),
            Column("c", "丙", ("总",)),
            Column("d", "丁"),
        ),
        rows=(
            Row("x", "X组", numbers=False),
            Row("x1", "X1", group="X组"),
            Row("y", "Y组", group="X组", numbers=False),
            Row("y1", "Y1", group="Y组"),
            Row("y2", "Y2", group="Y组"),
            Row("z", "Z"),
        ),
    )
    layout = table_layout(table)
    assert layout.label_columns == 3
    assert [spans(row) for row in layout.header_rows] == [
        [("项目", 0, 0, 3, 3), ("总", 0, 3, 3, 1), ("丁", 0, 6, 1, 3)],
        [("左", 1, 3, 2, 1), ("丙", 1, 5, 1, 2)],
        [("甲", 2, 3, 1, 1), ("乙", 2, 4, 1, 1)],
    ]
    assert labels(layout) == [
        ("X组", 0, 0, 1, 3), ("X1", 0, 1, 2, 1),
        ("Y组", 1, 1, 1, 2), ("Y1", 1, 2, 1, 1),
        ("Y2", 2, 2, 1, 1),
        ("Z", 3, 0, 3, 1),
    ]
    _tiles_exactly(layout)
