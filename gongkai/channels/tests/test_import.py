"""Importing monthly figures from XLSX or CSV: one row per account and month; every
problem named with its row number; nothing saved when there is one."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from gongkai.channels import services
from gongkai.channels.models import MonthlyFigure
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = "平台,账号ID,账号名称,月份,发布信息数,月末关注用户数,阅读量,最近更新日期"


def csv(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode("utf-8")


@pytest.fixture
def accounts(account):
    return (account("wechat", "青岚市场监管", "qinglan"), account("weibo", "青岚发布", "qlfb"))


def run(office, bureau, data):
    return services.figures_import(actor=office, agency=bureau, data=data, filename="figures.csv")


def test_a_good_csv_enters_every_row(accounts, office, bureau):
    wechat, weibo = accounts
    result = run(office, bureau, csv(
        "微信公众号,qinglan,,2025-04,40,18000,52000,2025-04-30",
        "微信,qinglan,,2025年5月,42,18500,\"53,100\",2025-06-10",
        "微博,,青岚发布,2025/5,60,9000,31000,",
    ))
    assert (result.created, result.corrected, result.latest_dates) == (3, 0, 1)
    may = MonthlyFigure.objects.get(account=wechat, month=dt.date(2025, 5, 1))
    assert (may.posts, may.followers, may.reads, may.source) == (42, 18500, 53100, "imported")
    assert MonthlyFigure.objects.get(account=weibo).posts == 60
    wechat.refresh_from_db()
    assert wechat.last_post_on == dt.date(2025, 6, 10)  # the file's latest for the account
    assert AuditEvent.objects.filter(action="channels.figure_enter").count() == 3
    assert AuditEvent.objects.get(action="channels.import").after["rows"] == 3


def test_a_good_xlsx_with_a_title_row_and_excel_dates(accounts, office, bureau):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["青岚市市场监督管理局政务新媒体月度数据"])
    sheet.append(HEADER.split(","))
    sheet.append(["抖音", "", "青岚发布", dt.datetime(2025, 3, 1), 5, 100, 2000, None])
    sheet.append(["微博", "qlfb", "", "2025-04", 7.0, 110, 2100, dt.datetime(2025, 4, 28)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(services.ImportRefused) as refused:
        run(office, bureau, buffer.getvalue())
    # 抖音 has no account named 青岚发布: the whole file is refused, row 3 named.
    assert [p.row for p in refused.value.problems] == [3]
    assert "没有抖音账号" in refused.value.problems[0].message
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(office, bureau, buffer.getvalue())
    assert result.created == 1
    assert MonthlyFigure.objects.get().month == dt.date(2025, 4, 1)


def test_a_bad_file_saves_nothing_and_names_each_row(accounts, office, bureau):
    with pytest.raises(services.ImportRefused) as refused:
        run(office, bureau, csv(
            "微信公众号,qinglan,,2025-04,40,18000,52000,",  # good
            "微信公众号,qinglan,,2025-05,-1,18000,52000,",  # negative
            "快手,x,,2025-05,1,1,1,",  # unknown platform
            "微博,qlfb,,2025-13,1,1,1,",  # no such month
            "微博,qlfb,,2025-05,1,,1,",  # followers missing
            "微信公众号,qinglan,,2025-04,41,18000,52000,",  # same account and month as row 2
            "微博,qlfb,,2025-07,1,1,1,",  # not yet come
            "微博,qlfb,,2025-05,1,1,1,2025-07-01",  # latest post in the future
            "微博,qlfb,,2025-06,=1+1,1,1,",  # a formula
        ))
    problems = {p.row: p.message for p in refused.value.problems}
    assert set(problems) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "不是非负整数" in problems[3]
    assert "无法识别" in problems[4] and "平台" in problems[4]
    assert "月份" in problems[5]
    assert "月末关注用户数”未填写" in problems[6]
    assert "与第2行重复" in problems[7]
    assert "尚未到来" in problems[8]
    assert "晚于今天" in problems[9]
    assert "公式" in problems[10]
    assert str(refused.value.problems[0]).startswith("第3行：")
    assert not MonthlyFigure.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="channels.figure").exists()


def test_a_file_without_the_needed_columns_is_refused_as_a_whole(accounts, office, bureau):
    with pytest.raises(services.ImportRefused) as refused:
        run(office, bureau, "平台,账号ID,月份,发布信息数\n微博,qlfb,2025-05,1\n".encode())
    assert "缺少" in refused.value.problems[0].message and "阅读量" in refused.value.problems[0].message
    with pytest.raises(services.ImportRefused) as refused:
        run(office, bureau, b"%PDF-1.4 not a table")
    assert "不是CSV或XLSX" in refused.value.problems[0].message


def test_an_import_corrects_figures_and_never_moves_the_latest_post_back(accounts, office, bureau):
    wechat, _ = accounts
    run(office, bureau, csv("微信公众号,qinglan,,2025-05,40,18000,52000,2025-06-10"))
    result = run(office, bureau, csv("微信公众号,qinglan,,2025-05,41,18000,52000,2025-05-20"))
    assert (result.created, result.corrected, result.latest_dates) == (0, 1, 0)
    wechat.refresh_from_db()
    assert wechat.last_post_on == dt.date(2025, 6, 10)
    correction = AuditEvent.objects.get(action="channels.figure_correct")
    assert correction.before["posts"] == 40 and correction.after["posts"] == 41


def test_gb18030_csv_from_excel_is_read(accounts, office, bureau):
    result = run(office, bureau, csv("微信公众号,qinglan,,202505,1,2,3,").decode().encode("gb18030"))
    assert result.created == 1


# --- hostile files (review) -------------------------------------------------------------------------

def xlsx(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refused(office, bureau, data) -> list[str]:
    with pytest.raises(services.ImportRefused) as caught:
        run(office, bureau, data)
    assert not MonthlyFigure.objects.exists()
    return [str(p) for p in caught.value.problems]


def test_files_that_are_not_spreadsheets_are_refused_with_a_reason(accounts, office, bureau):
    binary = bytes(range(256)) * 4  # control characters: not text in any encoding we read
    assert "不是CSV或XLSX" in refused(office, bureau, binary)[0]
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "不是XLSX" in refused(office, bureau, docx.getvalue())[0]
    assert "损坏" in refused(office, bureau, b"PK\x03\x04 truncated")[0]
    assert "文件是空的" in refused(office, bureau, b"")[0]
    assert "未找到表头" in refused(office, bureau, b"<html><table><tr><td>1</td></tr></table></html>")[0]


def test_a_file_over_the_size_limit_is_refused_before_reading(accounts, office, bureau):
    from gongkai.channels.importer import MAX_FILE_BYTES

    big = csv("微信公众号,qinglan,,2025-05,1,2,3,") + b" " * MAX_FILE_BYTES
    assert "大小上限" in refused(office, bureau, big)[0]


def test_xlsx_formulas_are_refused_and_dates_typed_as_text_are_read(accounts, office, bureau):
    header = HEADER.split(",")
    problems = refused(office, bureau, xlsx(header, ["微信公众号", "qinglan", "", "2025-05", "=10*4", 1, 1, None]))
    assert problems[0].startswith("第2行") and "公式" in problems[0]
    result = run(office, bureau, xlsx(
        header,
        ["微信公众号", "qinglan", "", "2025年5月", 40, 18000, 52000, "2025年6月10日"],
        ["微博", "qlfb", "", "２０２５－０４", "60", "9,000", "31000", "2025/4/30"],  # full-width, text numbers
    ))
    assert result.created == 2
    wechat, weibo = accounts
    wechat.refresh_from_db()
    assert wechat.last_post_on == dt.date(2025, 6, 10)
    assert MonthlyFigure.objects.get(account=weibo).month == dt.date(2025, 4, 1)


def test_figures_too_large_for_the_database_are_refused_by_row(accounts, office, bureau):
    problems = refused(office, bureau, csv(
        "微信公众号,qinglan,,2025-05,1,3000000000,3,",  # followers beyond a 32-bit column
        "微博,qlfb,,1999-12,1,2,3,",  # a month out of range
    ))
    assert problems[0].startswith("第2行") and "数值过大" in problems[0]
    assert problems[1].startswith("第3行") and "月份" in problems[1]
    # An Excel date cell from 1900 (a mistyped serial) is no month to enter either.
    header = HEADER.split(",")
    problems = refused(office, bureau, xlsx(header, ["微博", "qlfb", "", dt.datetime(1900, 1, 1), 1, 2, 3, None]))
    assert "2000年至2100年" in problems[0]
