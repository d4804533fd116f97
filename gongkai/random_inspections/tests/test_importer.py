"""The directories' import: CSV (UTF-8, GB18030) and XLSX, bad rows refused with their
row numbers while the rest are kept, re-imports by credit code, unreadable files refused
without changing anything."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from gongkai.core.models import AuditEvent
from gongkai.random_inspections import importer
from gongkai.random_inspections.importer import DirectoryRefused, import_directory
from gongkai.random_inspections.models import DirectoryImport, Entity, Inspector
from gongkai.random_inspections.tests.conftest import uscc

ENTITIES = DirectoryImport.Kind.ENTITIES
INSPECTORS = DirectoryImport.Kind.INSPECTORS

HEADER = "企业名称,统一社会信用代码,市场主体类型,所属行业,所属区域,管辖单位,经营场所,风险分类,信用等级,经营状态"


def csv_bytes(lines, encoding="utf-8"):
    return ("\n".join(lines) + "\n").encode(encoding)


def entity_line(i, *, name=None, code=None, risk="高", status="存续", region="和平区"):
    return ",".join([name if name is not None else f"测试公司{i}", code if code is not None else uscc(i),
                     "企业", "食品销售", region, f"{region}第1网格", f"测试路{i}号", risk, "A", status])


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(actor, agency, data, kind=ENTITIES, file_name="名录.csv"):
    return import_directory(actor=actor, agency=agency, kind=kind, file_name=file_name, data=data)


def test_csv_import_creates_entities_with_normalised_codes(today, bureau, office):
    lower_fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in uscc(2).lower())
    data = csv_bytes([HEADER, entity_line(1), entity_line(2, code=f" {lower_fullwidth} ")])
    record = run(office, bureau, data)
    assert (record.row_count, record.created_count, record.refused_count) == (2, 2, 0)
    entity = Entity.objects.get(agency=bureau, credit_code=uscc(2))
    assert (entity.name, entity.kind, entity.industry, entity.region, entity.grid, entity.risk_grade) == (
        "测试公司2", "企业", "食品销售", "和平区", "和平区第1网格", "高")
    assert entity.last_import == record and entity.is_active


def test_bad_rows_are_listed_with_row_numbers_and_good_rows_kept(today, bureau, office):
    bad_check = uscc(3)[:17] + ("0" if uscc(3)[17] != "0" else "1")
    data = csv_bytes([HEADER, entity_line(1), entity_line(2, code=bad_check), entity_line(3, name=""),
                      entity_line(4, code=uscc(1)), f'测试公司5,{uscc(5)},企业,食品销售,"和平区,河西区",和平所,测试路5号,高,A,存续', entity_line(6)])
    record = run(office, bureau, data)
    assert record.created_count == 2 and record.refused_count == 4
    assert set(Entity.objects.filter(agency=bureau).values_list("credit_code", flat=True)) == {uscc(1), uscc(6)}
    messages = {r["row"]: r["message"] for r in record.refused_rows}
    assert messages[3] == "统一社会信用代码校验位不正确"
    assert messages[4] == "缺少名称"
    assert messages[5] == "统一社会信用代码与第2行重复（保留第2行）"
    assert "英文逗号" in messages[6]


def test_reimport_updates_by_credit_code_and_counts_unchanged(today, bureau, office):
    run(office, bureau, csv_bytes([HEADER, entity_line(1), entity_line(2), entity_line(3)]))
    record = run(office, bureau, csv_bytes([HEADER, entity_line(1), entity_line(2, risk="低"),
                                            entity_line(3, status="吊销，未注销"), entity_line(4)]))
    assert (record.created_count, record.updated_count, record.unchanged_count) == (1, 2, 1)
    assert Entity.objects.get(credit_code=uscc(2)).risk_grade == "低"
    assert not Entity.objects.get(credit_code=uscc(3)).is_active
    assert Entity.objects.filter(agency=bureau).count() == 4


def test_a_reimport_without_a_column_keeps_the_values_known(today, bureau, office):
    run(office, bureau, csv_bytes([HEADER, entity_line(1)]))
    record = run(office, bureau, csv_bytes(["名称,统一社会信用代码,风险等级", f"测试公司1,{uscc(1)},中"]))
    assert (record.updated_count, record.unchanged_count) == (1, 0)
    entity = Entity.objects.get(credit_code=uscc(1))
    assert (entity.risk_grade, entity.region, entity.address) == ("中", "和平区", "测试路1号")


def test_gb18030_csv_is_read(today, bureau, office):
    record = run(office, bureau, csv_bytes([HEADER, entity_line(1, name="津门糕点铺")], encoding="gb18030"))
    assert record.created_count == 1
    assert Entity.objects.get(credit_code=uscc(1)).name == "津门糕点铺"


def test_xlsx_import_under_a_title_row(today, bureau, office):
    data = xlsx_bytes([["2026年检查对象名录"], HEADER.split(","),
                       ["甲公司", uscc(7), "企业", "餐饮", "河西区", "河西所", "友谊路1号", "中", "B", "在业"],
                       ["乙公司", "=A3", "企业", "餐饮", "河西区", "河西所", "友谊路2号", "中", "B", "在业"]])
    record = run(office, bureau, data, file_name="名录.xlsx")
    assert (record.created_count, record.refused_count) == (1, 1)
    assert record.refused_rows[0]["row"] == 4 and "公式" in record.refused_rows[0]["message"]


@pytest.mark.parametrize("data, message", [
    (b"", "空"),
    (b"%PDF-1.4 not a table", "不是CSV或XLSX"),
    ("地址,电话\n某路,123\n".encode(), "没有找到表头行"),
    (f"{HEADER}\n".encode(), "没有数据行"),
])
def test_unreadable_file_is_refused_and_changes_nothing(today, bureau, office, data, message):
    run(office, bureau, csv_bytes([HEADER, entity_line(1)]))
    before = (Entity.objects.count(), DirectoryImport.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DirectoryRefused) as exc:
        run(office, bureau, data)
    assert message in exc.value.message
    assert (Entity.objects.count(), DirectoryImport.objects.count(), AuditEvent.objects.count()) == before


def test_file_broken_after_its_first_batches_changes_nothing(today, bureau, office, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    # A field beyond the CSV reader's limit breaks the file after two batches were written.
    lines = [HEADER] + [entity_line(i) for i in range(1, 6)] + ["x" * 200_000 + f",{uscc(9)}"]
    with pytest.raises(DirectoryRefused) as exc:
        run(office, bureau, csv_bytes(lines))
    assert "CSV" in exc.value.message
    assert Entity.objects.count() == 0 and DirectoryImport.objects.count() == 0


def test_refused_rows_stored_are_capped_but_counted(today, bureau, office, monkeypatch):
    monkeypatch.setattr(importer, "MAX_REFUSED_STORED", 3)
    record = run(office, bureau, csv_bytes([HEADER] + [entity_line(i, name="") for i in range(10)]))
    assert record.refused_count == 10 and len(record.refused_rows) == 3


def test_inspectors_import_validates_id_numbers_and_matches_departments(today, bureau, office, department):
    good_id = "11010519491231002X"
    data = csv_bytes(["姓名,执法证号,所属部门,区域,网格,专业领域,是否在岗,联系电话,身份证号码",
                      f"张三,12010000001,{department.name},和平区,和平所,食品安全,是,13800001234,{good_id}",
                      "李四,12010000002,不存在的科,河西区,河西所,特种设备,否,022-23456789,",
                      "王五,12010000003,,南开区,南开所,,在岗,,110105194912310021",
                      "赵六,12010000004,,南开区,南开所,,请假,,"])
    record = run(office, bureau, data, kind=INSPECTORS)
    assert (record.created_count, record.refused_count) == (2, 2)
    zhang = Inspector.objects.get(certificate_number="12010000001")
    assert zhang.department == department and zhang.phone == "13800001234" and zhang.id_number == good_id
    li = Inspector.objects.get(certificate_number="12010000002")
    assert li.department is None and li.department_name == "不存在的科" and not li.is_active
    messages = {r["row"]: r["message"] for r in record.refused_rows}
    assert messages[4] == "身份证号码校验位不正确" and "在岗" in messages[5]


def test_the_audit_entry_holds_counts_and_no_personal_data(today, bureau, office):
    data = csv_bytes(["姓名,执法证号,联系电话,身份证号码", "张三,12010000001,13800001234,11010519491231002X"])
    record = run(office, bureau, data, kind=INSPECTORS)
    event = AuditEvent.objects.get(action="random_inspections.directory_import")
    assert event.actor == office and event.object_id == str(record.pk)
    assert event.after["created"] == 1
    text = f"{event.before}{event.after}{event.object_repr}"
    assert "13800001234" not in text and "11010519491231002X" not in text


def test_cli_import_without_an_actor(today, bureau):
    record = run(None, bureau, csv_bytes([HEADER, entity_line(1)]))
    assert record.imported_by is None and record.created_count == 1


@pytest.mark.parametrize("persona", ["officer", "supervisor", "other_office"])
def test_only_the_agencys_office_imports(today, bureau, request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        run(user, bureau, csv_bytes([HEADER, entity_line(1)]))
    assert Entity.objects.count() == 0
