"""The XLSX import, template and export (``powerlists.spreadsheet``): headers by their
variants, sub-items, and every kind of bad file refused with its row number."""

import io
import zipfile

import openpyxl
import pytest

from gongkai.powerlists import spreadsheet
from gongkai.powerlists.spreadsheet import ImportRefused, read_items
from gongkai.powerlists.tests.helpers import LAW, row, xlsx


def refused(data: bytes) -> str:
    with pytest.raises(ImportRefused) as exc:
        read_items(data)
    return exc.value.message


def test_a_good_file_is_read_item_by_item():
    items = read_items(xlsx([row(1), row(2, kind="处罚", name="对生产经营不合格食品的处罚", level="省、市、县")]))
    assert [(i.row, i.kind, i.name, i.level) for i in items] == [
        (2, "licensing", "食品经营许可", "市级、县级"),
        (3, "penalty", "对生产经营不合格食品的处罚", "省级、市级、县级"),
    ]
    assert items[0].basis == LAW and items[0].department == "食品经营监管科" and items[0].duties == "受理责任"


@pytest.mark.parametrize("header", [
    ["事项类别", "权力名称", "实施依据", "承办机构"],
    ["权力类型", "事项名称", "设定依据", "实施主体"],
    ["权力类别*", "权力事项名称", "法律依据", "责任科室"],
    ["权 力 类 型", "事项名称（必填）".replace("（必填）", ""), "设定依据：", "实施机构"],
])
def test_header_variants_are_recognised(header):
    [item] = read_items(xlsx([["许可", "食品经营许可", LAW, "食品科"]], header=header))
    assert (item.kind, item.name, item.basis, item.department) == ("licensing", "食品经营许可", LAW, "食品科")


def test_the_header_may_sit_below_a_title_row():
    data = xlsx([row(1)], before=[["青岚市市场监督管理局权责清单（2025年版）"], []])
    [item] = read_items(data)
    assert item.row == 4


def test_a_row_with_only_a_sub_item_continues_the_item_above():
    data = xlsx([row(1, sub="食品销售经营许可"), [None, None, None, "餐饮服务经营许可", None, None, None, None, None]])
    [item] = read_items(data)
    assert item.sub_items == ["食品销售经营许可", "餐饮服务经营许可"]


def test_the_code_column_is_optional_and_read_when_present():
    header = ["事项编码", "权力类型", "事项名称", "设定依据"]
    [item] = read_items(xlsx([["330217001000", "行政确认", "食品小作坊登记", LAW]], header=header))
    assert item.code == "330217001000" and item.kind == "confirmation"


def test_a_numeric_code_keeps_its_digits():
    header = ["事项编码", "权力类型", "事项名称", "设定依据"]
    [item] = read_items(xlsx([[330217001000, "行政确认", "食品小作坊登记", LAW]], header=header))
    assert item.code == "330217001000"


def test_blank_rows_are_skipped():
    items = read_items(xlsx([row(1), [None] * 9, row(3, name="食品生产许可")]))
    assert [i.name for i in items] == ["食品经营许可", "食品生产许可"]


# --- bad files ----------------------------------------------------------------------------------

def test_not_an_xlsx_is_refused():
    assert "不是XLSX" in refused("权力类型,事项名称\n行政许可,食品经营许可\n".encode())


def test_pdf_bytes_renamed_xlsx_are_refused():
    assert "不是XLSX" in refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")


def test_an_old_xls_is_refused_with_advice():
    assert ".xls" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)


def test_an_empty_file_is_refused():
    assert "空" in refused(b"")


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "不是XLSX" in refused(out.getvalue())


def test_a_truncated_zip_is_refused():
    assert "损坏" in refused(xlsx([row(1)])[:200])


def test_a_zip_bomb_is_refused_before_inflating(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 1024 * 1024))  # 4 MB of zeros: ~4 KB packed
    data = out.getvalue()
    assert len(data) < 64 * 1024
    assert "解压后过大" in refused(data)


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_FILE_BYTES", 100)
    assert "大小上限" in refused(xlsx([row(1)]))


def test_a_missing_required_column_is_named():
    message = refused(xlsx([["行政许可", "食品经营许可"]], header=["权力类型", "事项名称"]))
    assert "缺少“设定依据”列" in message


def test_an_unknown_kind_is_refused_with_its_row_number():
    message = refused(xlsx([row(1), row(2, kind="公共服务")]))
    assert "第3行：权力类型“公共服务”无法识别" in message


def test_an_empty_name_is_refused_with_its_row_number():
    assert "第2行：事项名称为空" in refused(xlsx([row(1, name="")]))


def test_an_empty_basis_is_refused():
    assert "第2行：设定依据为空" in refused(xlsx([row(1, basis="")]))


def test_an_unknown_level_is_refused():
    assert "第2行：行使层级“中央”无法识别" in refused(xlsx([row(1, level="中央")]))


def test_every_problem_is_listed_not_only_the_first():
    message = refused(xlsx([row(1, kind="其它类"), row(2, name=""), row(3, basis="")]))
    assert "第2行" in message and "第3行" in message and "第4行" in message


def test_a_formula_is_refused_not_evaluated():
    assert "第2行含有公式" in refused(xlsx([row(1, name="=HYPERLINK(\"http://x\",\"点我\")")]))


def test_a_header_without_data_is_refused():
    assert "没有事项" in refused(xlsx([]))


def test_repeated_codes_are_refused():
    header = ["事项编码", "权力类型", "事项名称", "设定依据"]
    message = refused(xlsx([["A1", "许可", "甲", LAW], ["A1", "许可", "乙", LAW]], header=header))
    assert "第3行：事项编码“A1”与第2行重复" in message


# --- template and export ----------------------------------------------------------------------------

def test_the_template_imports_as_its_example_row():
    [item] = read_items(spreadsheet.template())
    assert item.name == spreadsheet.TEMPLATE_EXAMPLE["name"] and item.kind == "licensing"


class _Item:
    def __init__(self, **kw):
        self.__dict__.update({"code": "", "sub_items": "", "department_name": "", "level": "", "duties": "",
                              "remarks": "", **kw})


def test_an_export_imports_back_unchanged():
    items = [_Item(kind="penalty", name="对甲的处罚", basis=LAW, code="P1", sub_items="一\n二",
                   department_name="稽查科", level="市级", duties="立案责任")]
    [back] = read_items(spreadsheet.export_items(items))
    assert (back.kind, back.name, back.basis, back.code, back.sub_items, back.department, back.level,
            back.duties) == ("penalty", "对甲的处罚", LAW, "P1", ["一", "二"], "稽查科", "市级", "立案责任")


def test_an_export_never_writes_a_formula_and_keeps_the_text():
    data = spreadsheet.export_items([_Item(kind="other", name="=1+1", basis="@SUM(A1)", remarks="-")])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["D2"].data_type == "s" and sheet["D2"].value == "=1+1"
    assert sheet["F2"].value == "@SUM(A1)" and sheet["J2"].value == "-"
    [back] = read_items(data)  # text that starts with = is text, not a formula
    assert (back.name, back.basis, back.remarks) == ("=1+1", "@SUM(A1)", "-")


# --- sheets as offices really type them ----------------------------------------------------------

def _sheet(rows: list[list], merges: list[str]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    for ref in merges:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _printed_list() -> bytes:
    """A title row, a two-row merged header, 权力类型 merged over a kind's items, a name
    merged over its sub-items, a blank row, full-width spaces and a code typed as text."""
    rows = [
        ["青岚市市场监督管理局权责清单（2025年版）"],
        ["序号", "权力类型", "权力事项", None, "设定依据（法律法规规章）", "实施主体", "行使层级", "编码"],
        [None, None, "主项名称", "子项名称", None, None, None, None],
        ["1", "行政许可", "食品经营许可", "食品销售经营许可", LAW, "食品科", "市级", "0012"],
        [None, None, None, "餐饮服务经营许可", "《食品经营许可和备案管理办法》第二条", None, None, None],
        ["2", None, "食品生产许可", "食品生产许可", LAW, None, None, "0013"],
        [None] * 8,
        ["3", "\u3000行政处罚\u3000", "对生产不合格食品的处罚\u200b", None, "《食品安全法》第一百二十四条",
         "\u3000执法稽查局", "市级、\u3000县级", "0014"],
    ]
    merges = ["A1:H1", "A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3", "G2:G3", "H2:H3",
              "A4:A5", "B4:B6", "C4:C5", "H4:H5", "F4:F6", "G4:G6", "C6:D6"]
    return _sheet(rows, merges)


def test_a_printed_list_with_merged_cells_is_read_as_its_items():
    items = read_items(_printed_list())
    assert [(i.row, i.kind, i.name, i.code, i.department, i.level) for i in items] == [
        (4, "licensing", "食品经营许可", "0012", "食品科", "市级"),
        (6, "licensing", "食品生产许可", "0013", "食品科", "市级"),
        (8, "penalty", "对生产不合格食品的处罚", "0014", "执法稽查局", "市级、县级"),
    ]
    first, second, _ = items
    assert first.sub_items == ["食品销售经营许可", "餐饮服务经营许可"]
    assert first.basis == LAW + "\n《食品经营许可和备案管理办法》第二条"  # the sub-item's own basis is kept
    assert second.sub_items == []  # its name merged across the 子项 column is not a sub-item


def test_without_its_merges_the_kind_column_would_be_empty():
    # The same sheet with the merged ranges dropped: the merged-over rows lose their kind.
    workbook = openpyxl.load_workbook(io.BytesIO(_printed_list()))
    for ref in list(workbook.active.merged_cells.ranges):
        workbook.active.unmerge_cells(str(ref))
    out = io.BytesIO()
    workbook.save(out)
    assert "第6行：权力类型为空" in refused(out.getvalue())


def test_too_many_merged_ranges_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_MERGED_RANGES", 5)
    assert "合并单元格超过5处" in refused(_printed_list())


def _with_merge_ref(data: bytes, old: bytes, new: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(old, new)
            target.writestr(info, content)
    return out.getvalue()


def test_a_merged_range_down_to_the_last_row_fills_only_the_rows_there_are(monkeypatch):
    # A hostile sheet declares a range down to Excel's last row, with no cells under it.
    data = _with_merge_ref(
        _sheet([["权力类型", "事项名称", "设定依据"], ["许可", "甲", LAW], [None, "乙", LAW]], ["A2:A3"]),
        b'ref="A2:A3"', b'ref="A2:A1048576"')
    assert [(i.name, i.kind) for i in read_items(data)] == [("甲", "licensing"), ("乙", "licensing")]
    monkeypatch.setattr(spreadsheet, "MAX_MERGED_CELLS", 0)
    assert "合并单元格范围过大" in refused(data)


def test_a_data_row_made_only_of_header_words_is_not_taken_for_a_second_header_row():
    data = xlsx([["许可", "名称", LAW, "食品科"]], header=["权力类型", "事项名称", "设定依据", "实施主体"])
    [item] = read_items(data)
    assert (item.row, item.name) == (2, "名称")


def test_the_list_may_follow_a_notes_sheet():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx([row(1)])))
    notes = workbook.create_sheet("填写说明", 0)
    notes.append(["本表依据……编制"])
    out = io.BytesIO()
    workbook.save(out)
    [item] = read_items(out.getvalue())
    assert workbook.sheetnames[0] == "填写说明" and item.name == "食品经营许可"


def test_a_workbook_without_a_list_sheet_names_the_missing_columns():
    assert "缺少“权力类型”“事项名称”“设定依据”列" in refused(xlsx([["甲", "乙"]], header=["说明", "备注"]))
