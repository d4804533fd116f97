import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from gongkai.core import tabular
from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.decisions import importer
from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus, ImportBatch, PartyType
from gongkai.decisions.rules import PenaltyType
from gongkai.decisions.tests.conftest import (
    COMPANY_USCC,
    PENALTY_HEADER,
    PERSON_ID,
    SHOP_USCC,
    csv_bytes,
    penalty_row,
    person_row,
    xlsx_bytes,
)

TODAY = dt.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    at(TODAY)


@pytest.fixture
def run(bureau, office):
    def go(data: bytes, *, dry_run=False, held=False, name="export.csv"):
        return importer.import_decisions(actor=office, agency=bureau, file=data, dry_run=dry_run,
                                         held=held, file_name=name)

    return go


def messages(report) -> list[str]:
    return [str(p) for p in report.problems]


# --- good files ---------------------------------------------------------------------------

def test_good_csv_is_imported_and_published_today(run, bureau):
    data = csv_bytes([penalty_row(), person_row()])
    audit_before = AuditEvent.objects.count()

    report = run(data)

    assert report.ok and report.imported, messages(report)
    assert (report.file_format, report.encoding, report.rows) == ("CSV", "UTF-8", 2)
    assert report.to_publish == 2 and report.by_kind == {"penalty": 2}
    company = Decision.objects.get(number="青市监罚〔2025〕1号")
    assert company.agency == bureau and company.kind == DecisionKind.PENALTY
    assert company.status == DecisionStatus.PUBLISHED and company.published_on == TODAY
    assert company.party_type == PartyType.ORGANISATION and company.party_uscc == COMPANY_USCC
    assert company.penalty_types == PenaltyType.FINE | PenaltyType.CONFISCATION
    assert company.fine_amount == Decimal("5000.00")
    assert company.decision_date == dt.date(2025, 3, 3)
    assert company.batch == report.batch and company.source_row == 2
    person = Decision.objects.get(number="青市监罚〔2025〕2号")
    assert person.party_type == PartyType.NATURAL_PERSON and person.party_id_number == PERSON_ID
    # One audit entry for the whole import, without personal data.
    events = AuditEvent.objects.filter(seq__gt=audit_before)
    assert [e.action for e in events] == ["decisions.import"]
    assert events[0].after["rows"] == 2 and PERSON_ID not in str(events[0].after)


def test_resident_id_is_encrypted_at_rest(run):
    run(csv_bytes([person_row()]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT party_id_number FROM decisions_decision")
        (stored,) = cursor.fetchone()
    assert stored and PERSON_ID not in stored


def test_good_xlsx_with_a_title_row_and_excel_dates_and_numbers(run):
    rows = [penalty_row(date=dt.datetime(2025, 3, 3), fine=5000),
            person_row(date=dt.date(2025, 3, 4), fine=2000.5)]
    report = run(xlsx_bytes(rows, title="青岚市市场监督管理局行政处罚信息公示表"), name="导出.xlsx")

    assert report.ok and report.imported, messages(report)
    assert report.file_format == "XLSX" and report.rows == 2
    person = Decision.objects.get(number="青市监罚〔2025〕2号")
    assert person.decision_date == dt.date(2025, 3, 4) and person.fine_amount == Decimal("2000.50")
    assert person.source_row == 4  # title row 1, header row 2


def test_gb18030_csv_as_saved_by_excel_on_chinese_windows(run):
    report = run(csv_bytes([penalty_row(), person_row()], encoding="gb18030"))
    assert report.ok and report.encoding == "GB18030", messages(report)
    assert Decision.objects.get(number="青市监罚〔2025〕1号").party_name == "青岚市某某食品有限公司"


def test_utf8_without_bom_and_tab_separated_utf16(run):
    assert run(csv_bytes([penalty_row()], encoding="utf-8"), dry_run=True).ok
    text = "\t".join(PENALTY_HEADER) + "\r\n" + "\t".join(penalty_row()) + "\r\n"
    report = run(text.encode("utf-16"), dry_run=True)
    assert report.ok and report.encoding == "UTF-16", messages(report)


def test_xlsx_named_csv_is_read_as_xlsx(run):
    report = run(xlsx_bytes([penalty_row()]), name="export.csv", dry_run=True)
    assert report.ok and report.file_format == "XLSX"


def test_licence_file_kind_is_taken_from_its_headers(run):
    header = ["行政许可决定文书号", "行政相对人名称", "统一社会信用代码", "许可事项", "许可内容",
              "许可机关", "许可决定日期"]
    row = ["青市监许〔2025〕8号", "青岚市某某餐饮有限公司", COMPANY_USCC, "食品经营许可",
           "准予食品经营许可", "青岚市市场监督管理局", "2025年3月3日"]
    report = run(csv_bytes([row], header))
    assert report.ok, messages(report)
    licence = Decision.objects.get()
    assert licence.kind == DecisionKind.LICENCE and licence.penalty_types == 0
    assert licence.party_type == PartyType.ORGANISATION  # inferred from the credit code


def test_mixed_file_with_a_kind_column(run):
    header = ["决定类别", "决定文书号", "当事人名称", "当事人类型", "统一社会信用代码",
              "违法行为类型/许可事项", "处罚内容/许可内容", "处罚种类", "罚款金额(万元)", "决定日期"]
    rows = [
        ["行政许可", "许〔2025〕1号", "某某有限公司", "法人", COMPANY_USCC, "食品经营许可", "准予", "", "", "2025-03-03"],
        ["行政处罚", "罚〔2025〕1号", "某某小吃店", "个体工商户", SHOP_USCC, "超范围经营", "罚款1.2万元", "罚款", "1.2", "2025/3/3"],
        ["行政强制", "强〔2025〕1号", "某某有限公司", "法人", COMPANY_USCC, "查封", "查封场所", "", "", "20250303"],
    ]
    report = run(csv_bytes(rows, header))
    assert report.ok, messages(report)
    assert report.by_kind == {"licence": 1, "penalty": 1, "enforcement": 1}
    assert Decision.objects.get(number="罚〔2025〕1号").fine_amount == Decimal("12000.00")


def test_headers_with_spaces_asterisks_and_full_width_brackets(run):
    header = [f"* {h.replace('（', '(').replace('）', ')')} " for h in PENALTY_HEADER]
    header[9] = "罚款金额（元）"
    assert run(csv_bytes([penalty_row()], header), dry_run=True).ok


def test_unknown_columns_are_ignored_and_listed(run):
    header = [*PENALTY_HEADER, "法定代表人", "备注"]
    report = run(csv_bytes([[*penalty_row(), "李四", "无"]], header))
    assert report.ok and report.ignored_columns == ["法定代表人", "备注"]


def test_historical_row_keeps_its_original_publication_date(run):
    header = [*PENALTY_HEADER, "公示日期"]
    report = run(csv_bytes([[*penalty_row(date="2023-05-04"), "2023-05-08"]], header))
    assert report.ok, messages(report)
    assert Decision.objects.get().published_on == dt.date(2023, 5, 8)


def test_warning_only_penalty_is_recorded_but_not_published(run):
    report = run(csv_bytes([penalty_row(types="警告", fine="", content="警告")]))
    assert report.ok and report.not_published == 1 and report.to_publish == 0
    decision = Decision.objects.get()
    assert decision.status == DecisionStatus.NOT_PUBLISHED and decision.published_on is None


def test_held_import_leaves_decisions_pending(run):
    report = run(csv_bytes([penalty_row()]), held=True)
    assert report.ok and report.to_hold == 1
    decision = Decision.objects.get()
    assert decision.status == DecisionStatus.PENDING and decision.published_on is None


def test_late_decisions_are_counted_in_the_report(run):
    # Decided 2025-02-10: due 2025-02-19; imported 2025-03-10.
    report = run(csv_bytes([penalty_row(date="2025-02-10"), person_row()]), dry_run=True)
    assert report.ok and report.late == 1


# --- dry run and all-or-nothing ----------------------------------------------------------------

def test_dry_run_saves_nothing_and_reports_what_would_be_imported(run):
    report = run(csv_bytes([penalty_row(), person_row()]), dry_run=True)
    assert report.ok and not report.imported and report.to_publish == 2
    assert [p["number"] for p in report.preview] == ["青市监罚〔2025〕1号", "青市监罚〔2025〕2号"]
    assert all("party_id_number" not in p for p in report.preview)
    assert not Decision.objects.exists() and not ImportBatch.objects.exists()


def test_one_bad_row_imports_nothing_and_names_the_row(run):
    audit_before = AuditEvent.objects.count()
    rows = [penalty_row(), person_row(date="2025-02-30"), penalty_row(number="青市监罚〔2025〕3号")]
    report = run(csv_bytes(rows))

    assert not report.ok and not report.imported
    assert messages(report) == ["第3行“处罚决定日期”：日期“2025-02-30”不存在"]
    assert not Decision.objects.exists() and not ImportBatch.objects.exists()
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize(("row", "expected"), [
    (penalty_row(number=""), "第2行“行政处罚决定书文号”：不能为空"),
    (penalty_row(name=""), "第2行“行政相对人名称”：不能为空"),
    (penalty_row(uscc="91330100MA2XXXXX09"), "第2行“统一社会信用代码”：统一社会信用代码“91330100MA2XXXXX09”校验不通过"),
    (penalty_row(uscc=""), "第2行“统一社会信用代码”：法人及非法人组织须填写统一社会信用代码"),
    (penalty_row(id_number=PERSON_ID), "第2行“证件号码”：法人及非法人组织不应填写身份证号码"),
    (person_row(id_number="330102198001011230"), "第2行“证件号码”：居民身份证号码校验不通过"),
    (person_row(uscc=COMPANY_USCC), "第2行“统一社会信用代码”：自然人不应填写统一社会信用代码"),
    (penalty_row(party_type="机关"), "第2行“行政相对人类别”：无法识别的行政相对人类别“机关”（应为自然人、法人及非法人组织或个体工商户）"),
    (penalty_row(fine="五千"), "第2行“罚款金额（元）”：金额“五千”不是数字"),
    (penalty_row(fine="-5"), "第2行“罚款金额（元）”：金额不能为负数"),
    (penalty_row(fine="1.005"), "第2行“罚款金额（元）”：金额最多精确到分"),
    (penalty_row(fine=""), "第2行“罚款金额（元）”：处罚种类含罚款，须填写大于0的罚款金额"),
    (penalty_row(types="没收违法所得"), "第2行“处罚类别”：填写了罚款金额，但处罚种类不含罚款"),
    (penalty_row(types=""), "第2行“处罚类别”：行政处罚须填写处罚种类"),
    (penalty_row(types="罚款、取缔"), "第2行“处罚类别”：无法识别的处罚种类“取缔”（应为《行政处罚法》第九条所列种类，如警告、罚款、没收违法所得）"),
    (penalty_row(date="2025-03-11"), "第2行“处罚决定日期”：决定日期不能晚于今天"),
    (penalty_row(date=""), "第2行“处罚决定日期”：不能为空"),
    (penalty_row(date="03/03/2025"), "第2行“处罚决定日期”：日期“03/03/2025”无法识别，应为2025-01-31、2025/1/31或2025年1月31日"),
    (penalty_row(matter="x" * 501), "第2行“违法行为类型”：超过500个字符"),
])
def test_row_problems_are_reported_in_chinese_with_row_and_column(run, row, expected):
    report = run(csv_bytes([row]), dry_run=True)
    assert messages(report) == [expected]


def test_orders_that_are_not_penalties_are_passed_over():
    assert importer.parse_penalty_types("责令改正、警告并处罚款") == PenaltyType.WARNING | PenaltyType.FINE


def test_duplicate_number_in_the_file(run):
    report = run(csv_bytes([penalty_row(), person_row(number="青市监罚〔2025〕1号")]))
    assert messages(report) == ["第3行“行政处罚决定书文号”：决定文书号“青市监罚〔2025〕1号”与第2行重复"]
    assert not Decision.objects.exists()


def test_duplicate_number_already_in_the_database(run, make_decision, other_agency):
    make_decision(number="青市监罚〔2025〕2号")
    make_decision(number="青市监罚〔2025〕1号", agency=other_agency)  # another agency's: no clash
    report = run(csv_bytes([penalty_row(), person_row()]))
    assert messages(report) == ["第3行“行政处罚决定书文号”：决定文书号“青市监罚〔2025〕2号”已在本机关的公示记录中"]
    assert Decision.objects.count() == 2


def test_many_problems_are_all_counted_but_the_listing_is_capped(run, monkeypatch):
    monkeypatch.setattr(importer, "MAX_PROBLEMS_LISTED", 3)
    report = run(csv_bytes([penalty_row(number=f"罚{i}", name="") for i in range(5)]))
    assert report.problem_total == 5 and len(report.problems) == 3 and report.problems_not_listed == 2


# --- the file as a whole -------------------------------------------------------------------------

@pytest.mark.parametrize(("header", "expected"), [
    (["决定文书号", "当事人", "统一社会信用代码"],
     ["文件“违法行为类型/许可事项”：缺少必填列", "文件“处罚内容/许可内容”：缺少必填列",
      "文件“决定日期”：缺少必填列", "文件“决定类别”：无法从表头判断决定类别，请增加“决定类别”列"]),
    ([*PENALTY_HEADER, "决定日期"], ["文件“决定日期”：与“处罚决定日期”是同一项内容，请只保留一列"]),
])
def test_header_problems(run, header, expected):
    report = run(csv_bytes([], header))
    assert messages(report) == expected


def test_file_without_a_recognisable_header(run):
    report = run("名称,日期\n某某,2025-01-01\n".encode())
    assert messages(report) == [
        "文件：未找到表头：前10行中没有包含“决定文书号”等列名的一行。请使用本页列出的列名。"]


def test_header_without_data(run):
    assert messages(run(csv_bytes([]))) == ["文件：表头（第1行）之后没有数据。"]


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "文件是空的。"),
    (b"%PDF-1.7\n...", "文件内容不是CSV或XLSX表格。"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx或CSV后再导入。"),
    (b"\x00\x01\x02binary\xff\xfe\x00", "文件内容不是CSV或XLSX表格（无法按UTF-8或GB18030读取为文本）。"),
    (b"PK\x03\x04not really a zip", "XLSX文件已损坏，无法读取。"),
])
def test_wrong_type_by_content(run, data, expected):
    report = run(data, name="export.csv")
    assert messages(report) == [f"文件：{expected}"]


def test_zip_that_is_not_a_workbook(run):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert messages(run(buffer.getvalue(), name="x.xlsx")) == ["文件：压缩文件不是XLSX表格。"]


def test_file_over_the_size_limit(run, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 100)
    report = run(csv_bytes([penalty_row()]))
    assert messages(report) == ["文件：文件超过0MB的大小上限，请分批导入。"]


def test_too_many_rows(run, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    rows = [penalty_row(number=f"罚{i}") for i in range(3)]
    assert messages(run(csv_bytes(rows)))[-1] == "文件：文件超过2行数据的上限，请分批导入。"
    assert not Decision.objects.exists()


def test_xlsx_that_inflates_too_far_is_refused_before_it_is_read(run, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_UNCOMPRESSED_BYTES", 10_000)
    rows = [penalty_row(number=f"罚{i}", content="罚款" * 200) for i in range(50)]
    report = run(xlsx_bytes(rows), name="big.xlsx")
    assert messages(report) == ["文件：XLSX文件解压后过大，请删除无关的工作表或分批导入。"]


# --- formulas are never evaluated -----------------------------------------------------------------

def test_xlsx_formula_cell_is_refused_not_evaluated(run):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(PENALTY_HEADER)
    sheet.append(penalty_row(fine="=2500*2"))
    sheet.append(penalty_row(number="青市监罚〔2025〕9号", name='=HYPERLINK("http://evil.invalid","点击")'))
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = run(buffer.getvalue(), name="export.xlsx")

    assert messages(report) == [
        "第2行“罚款金额（元）”：是公式，不予计算，请在Excel中“粘贴为数值”后再导入",
        "第3行“行政相对人名称”：是公式，不予计算，请在Excel中“粘贴为数值”后再导入",
    ]
    assert not Decision.objects.exists()


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.invalid")', "+1+1", "@SUM(A1)"])
def test_csv_cell_starting_a_formula_is_refused(run, cell):
    report = run(csv_bytes([penalty_row(content=cell)]))
    assert messages(report) == ["第2行“处罚内容”：是公式，不予计算，请在Excel中“粘贴为数值”后再导入"]


def test_one_mistake_gives_one_message(run):
    report = run(csv_bytes([penalty_row(types="=A1"), person_row(number="青市监罚〔2025〕3号",
                                                                 party_type="", id_number="=B2")]))
    assert messages(report) == [
        "第2行“处罚类别”：是公式，不予计算，请在Excel中“粘贴为数值”后再导入",
        "第3行“证件号码”：是公式，不予计算，请在Excel中“粘贴为数值”后再导入",
    ]


def test_id_number_stored_as_an_excel_number_is_refused(run):
    report = run(xlsx_bytes([person_row(id_number=330102198001011230)]), name="x.xlsx")
    assert messages(report) == [
        "第2行“证件号码”：是数值格式，Excel会丢失长数字的精度；请将该列设为文本格式后重新录入"]


# --- who may import -------------------------------------------------------------------------------

def test_only_the_agency_office_may_import(bureau, leader, other_office):
    data = csv_bytes([penalty_row()])
    for actor in (leader, other_office):
        with pytest.raises(PermissionDenied):
            importer.import_decisions(actor=actor, agency=bureau, file=data, dry_run=True)
