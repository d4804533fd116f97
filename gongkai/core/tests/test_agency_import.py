"""The agency tree imported from CSV/XLSX (issue 21): reading, the plan, applying it."""

import codecs
import io

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.core import agency_import as rules
from gongkai.core import tabular
from gongkai.core.models import Agency, AgencyKind, AgencyLevel, AuditEvent
from gongkai.core.services.agencies import agency_import

HEADER = ["机关代码", "机关名称", "上级机关代码", "机关类别", "层级", "行政区划代码", "咨询电话"]
PROVINCE = ["330000000000", "云泽省人民政府", "", "人民政府", "省级", "330000", "0571-1"]
CITY_A = ["330100000000", "云泽市人民政府", "330000000000", "government", "市级", "330100", ""]
CITY_B = ["330200000000", "云港市人民政府", "330000000000", "人民政府", "市", "330200", ""]
COUNTY = ["330101000000", "云泽县人民政府", "330100000000", "人民政府", "县级", "330101", ""]
BUREAU = ["330101000100", "云泽县市场监督管理局", "330101000000", "政府工作部门", "county", "", "12345"]


def csv_file(*rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    lines = [",".join(header), *(",".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_file(*rows, header=HEADER) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (header, *rows):
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan_of(data: bytes) -> rules.Plan:
    return rules.make_plan(data, file_name="agencies.csv")


def run(actor, data: bytes, **kwargs) -> rules.Plan:
    return agency_import(actor=actor, data=data, file_name="agencies.csv", **kwargs)


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(db, encoding):
    plan = plan_of(csv_file(PROVINCE, CITY_A, encoding=encoding))
    assert [c.name for c in plan.changes] == ["云泽省人民政府", "云泽市人民政府"]
    assert plan.bad == []


def test_xlsx_is_read_with_numbers_typed_as_numbers(db):
    province = [330000000000, *PROVINCE[1:5], 330000, ""]
    plan = plan_of(xlsx_file(province, CITY_A))
    assert [(c.code, c.action) for c in plan.changes] == [
        ("330000000000", "create"), ("330100000000", "create")]
    assert plan.changes[0].values["region_code"] == "330000"


def oversized_xlsx() -> bytes:
    """A ZIP with ``xl/workbook.xml`` whose member inflates past the limit (a ZIP bomb)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        inflated = max(tabular.MAX_UNCOMPRESSED_BYTES, 8 * rules.MAX_FILE_BYTES)  # core.tabular's bound
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (inflated + 1))
    return out.getvalue()


def test_an_xlsx_that_would_inflate_past_the_limit_is_refused_unread(db):
    with pytest.raises(rules.FileRefused, match="解压后过大"):
        plan_of(oversized_xlsx())


@pytest.mark.parametrize("data, message", [
    (b"", "空"),
    (b"PK\x03\x04broken zip", "XLSX"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls"),
    (b"\xff\xfe\x00\x00\x00garbage", "无法按UTF-8"),
    ("名称,电话\r\nA,1\r\n".encode(), "机关代码"),
])
def test_unreadable_files_are_refused_with_a_chinese_message(db, data, message):
    with pytest.raises(rules.FileRefused) as exc:
        plan_of(data)
    assert message in exc.value.message


def test_english_headers_are_accepted(db):
    header = ["code", "name", "parent_code", "kind", "level", "region_code", "phone"]
    plan = plan_of(csv_file(PROVINCE, header=header))
    assert plan.changes[0].values["kind"] == AgencyKind.PEOPLES_GOVERNMENT


# --- the plan: bad rows ------------------------------------------------------------------------


def reasons(plan) -> dict[int, str]:
    return {b.row: "；".join(b.reasons) for b in plan.bad}


def test_bad_rows_are_listed_with_their_row_number_and_reason(db):
    plan = plan_of(csv_file(
        PROVINCE,
        ["12345", "坏代码", "330000000000", "人民政府", "市级", "", ""],
        ["330300000000", "坏层级", "330000000000", "人民政府", "区级", "", ""],
        ["330400000000", "坏区划", "330000000000", "人民政府", "市级", "990000", ""],
        ["330500000000", "无上级", "339999999999", "人民政府", "市级", "", ""],
        ["330600000000", "", "330000000000", "人民政府", "市级", "", ""],
    ))
    bad = reasons(plan)
    assert set(bad) == {3, 4, 5, 6, 7}
    assert "机关代码“12345”无效" in bad[3]
    assert "层级“区级”无效" in bad[4]
    assert "行政区划代码" in bad[5]
    assert "339999999999不存在" in bad[6]
    assert "机关名称为空" in bad[7]
    assert [c.code for c in plan.changes] == ["330000000000"]


def test_duplicate_codes_make_every_copy_bad(db):
    plan = plan_of(csv_file(PROVINCE, CITY_A, CITY_A[:1] + ["重复的市"] + CITY_A[2:]))
    assert set(reasons(plan)) == {3, 4}
    assert "重复" in reasons(plan)[3]


def test_a_row_under_a_bad_row_is_bad_too(db):
    broken_city = CITY_A[:4] + ["不存在的层级"] + CITY_A[5:]
    plan = plan_of(csv_file(PROVINCE, broken_city, COUNTY, BUREAU))
    bad = reasons(plan)
    assert set(bad) == {3, 4, 5}
    assert "第3行有错误" in bad[4]
    assert "330101000000" in bad[5]


def test_a_cycle_in_the_file_is_refused_and_the_rest_planned(db):
    a = ["330700000000", "甲", "330800000000", "人民政府", "市级", "", ""]
    b = ["330800000000", "乙", "330700000000", "人民政府", "市级", "", ""]
    plan = plan_of(csv_file(PROVINCE, a, b))
    assert set(reasons(plan)) == {3, 4}
    assert "循环" in reasons(plan)[3]
    assert [c.code for c in plan.changes] == ["330000000000"]


def test_moving_an_agency_below_its_own_descendant_in_the_database_is_a_cycle(platform_admin):
    run(platform_admin, csv_file(PROVINCE, CITY_A, COUNTY))
    plan = plan_of(csv_file(CITY_A[:2] + ["330101000000"] + CITY_A[3:]))
    assert "循环" in reasons(plan)[2]


def test_parents_may_come_after_their_children_in_the_file(db):
    plan = plan_of(csv_file(BUREAU, COUNTY, CITY_A, PROVINCE))
    assert plan.bad == []
    assert {c.code: c.depth for c in plan.changes}["330101000100"] == 3


# --- applying ----------------------------------------------------------------------------------


def test_import_creates_the_tree_with_paths_and_audits_each_agency(platform_admin):
    plan = run(platform_admin, csv_file(BUREAU, COUNTY, CITY_A, CITY_B, PROVINCE))
    assert plan.counts()["create"] == 5
    bureau = Agency.objects.get(code="330101000100")
    county = Agency.objects.get(code="330101000000")
    assert bureau.parent == county and bureau.depth == 3
    assert bureau.path.startswith(county.path) and county.path.startswith(county.parent.path)
    assert bureau.level == AgencyLevel.COUNTY and bureau.kind == AgencyKind.DEPARTMENT
    assert bureau.phone == "12345"
    events = AuditEvent.objects.filter(action="agency.create")
    assert events.count() == 5
    assert all("agencies.csv" in e.reason for e in events)
    summary = AuditEvent.objects.get(action="agency.import")
    assert summary.after["create"] == 5 and summary.after["sha256"] == plan.digest


def test_a_dry_run_changes_nothing(platform_admin):
    plan = run(platform_admin, csv_file(PROVINCE, CITY_A), dry_run=True)
    assert plan.counts()["create"] == 2
    assert not Agency.objects.exists()


def test_reimporting_the_same_file_changes_nothing(platform_admin):
    data = csv_file(PROVINCE, CITY_A, CITY_B, COUNTY, BUREAU)
    run(platform_admin, data)
    events = AuditEvent.objects.count()
    plan = run(platform_admin, data)
    assert plan.counts() == {"create": 0, "update": 0, "move": 0, "unchanged": 5, "bad": 0}
    assert AuditEvent.objects.count() == events


def test_an_update_lists_field_diffs_and_leaves_absent_columns_and_agencies_alone(platform_admin):
    run(platform_admin, csv_file(PROVINCE, CITY_A, CITY_B))
    Agency.objects.filter(code="330100000000").update(address="老地址")
    header = ["机关代码", "机关名称", "层级", "咨询电话"]
    plan = run(platform_admin, csv_file(["330100000000", "云泽市人民政府", "市级", "0571-2"], header=header))
    change = plan.changes[0]
    assert change.action == "update"
    assert change.diffs == {"咨询电话": ("", "0571-2")}
    city = Agency.objects.get(code="330100000000")
    assert (city.phone, city.address, city.parent.code) == ("0571-2", "老地址", "330000000000")
    assert Agency.objects.count() == 3
    event = AuditEvent.objects.filter(action="agency.update").get()
    assert event.after == {"phone": "0571-2"} and "第2行" in event.reason


def test_moving_a_county_rewrites_its_subtree_and_keeps_the_rest(platform_admin):
    run(platform_admin, csv_file(PROVINCE, CITY_A, CITY_B, COUNTY, BUREAU))
    bureau_pk = Agency.objects.get(code="330101000100").pk
    moved = COUNTY[:2] + ["330200000000"] + COUNTY[3:]
    plan = run(platform_admin, csv_file(moved))
    assert plan.changes[0].action == "move"
    assert plan.changes[0].diffs["上级机关"] == ("云泽市人民政府（330100000000）", "云港市人民政府（330200000000）")
    city_b = Agency.objects.get(code="330200000000")
    bureau = Agency.objects.get(code="330101000100")
    assert bureau.pk == bureau_pk
    assert bureau.path.startswith(city_b.path) and bureau.depth == 3


def test_bad_rows_are_reported_and_the_rest_applied(platform_admin):
    plan = run(platform_admin, csv_file(PROVINCE, ["坏", "坏代码", "", "人民政府", "市级", "", ""], CITY_A))
    assert [b.row for b in plan.bad] == [3]
    assert set(Agency.objects.values_list("code", flat=True)) == {"330000000000", "330100000000"}


def test_only_platform_administrators_may_import(supervisor, office):
    for actor in (supervisor, office):
        with pytest.raises(PermissionDenied):
            run(actor, csv_file(PROVINCE))
        with pytest.raises(PermissionDenied):
            run(actor, csv_file(PROVINCE), dry_run=True)


def test_the_template_reads_back_as_a_clean_plan(db):
    data = rules.template_csv()
    assert data.startswith(codecs.BOM_UTF8)
    plan = plan_of(data)
    assert plan.bad == [] and plan.counts()["create"] == 2


def test_a_formula_cell_makes_its_row_bad_and_is_never_taken_as_data(db):
    data = ("机关代码,机关名称,层级\r\n"
            "330000000000,云泽省人民政府,省级\r\n"
            "330100000000,=HYPERLINK(\"http://x\"),市级\r\n").encode()
    plan = plan_of(data)
    [bad] = plan.bad
    assert bad.row == 3 and "“机关名称”列是公式" in bad.reasons[0]
    assert [c.code for c in plan.changes] == ["330000000000"]


def test_number_cells_keep_a_postal_codes_zero_and_a_phone_that_lost_it_is_refused(db):
    header = ["机关代码", "机关名称", "层级", "邮政编码", "咨询电话"]
    plan = plan_of(xlsx_file(["150000000000", "某自治区人民政府", "省级", 10010, ""],
                             ["150100000000", "某市人民政府", "市级", "010020", 4711234567],
                             header=header))
    [change] = plan.changes
    assert change.code == "150000000000" and change.values["postal_code"] == "010010"
    [bad] = plan.bad
    assert bad.row == 3 and "开头的0可能已丢失" in bad.reasons[0]
