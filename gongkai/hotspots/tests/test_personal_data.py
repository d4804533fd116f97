"""Personal data of a complainant never reaches the stored summaries, the examples of the
analysis or the import's list of bad rows: numbers are masked whatever their checksum
and however they are written, and a cell quoted in a reason is shown only when it looks
like the date it should have been."""

import pytest

from gongkai.hotspots import text
from gongkai.hotspots.importer import safe_message
from gongkai.hotspots.models import Complaint, ComplaintImport
from gongkai.hotspots.tests.conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("written", "secret"), [
    ("身份证11010119900307123X", "11010119900307123X"),  # checksum wrong (a typo)
    ("身份证110101199003071234", "110101199003071234"),
    ("卡号6222021234567890123", "6222021234567890123"),  # not Luhn-valid
    ("卡号6222 0212 3456 7890 123", "0212 3456 7890"),
    ("手机138-1234-5678", "1234-5678"),
    ("电话0571-88886666", "88886666"),
    ("电话 0571 88886666", "88886666"),
    ("邮箱zhang.san@example.com", "zhang.san"),
])
def test_numbers_and_addresses_are_masked_whatever_their_checksum(written, secret):
    masked = text.mask_personal_data(written)
    assert secret not in masked
    assert masked.startswith(written[:2])  # the words around it stay


@pytest.mark.parametrize("plain", ["2026-03-02 14:05购买，金额1268元", "健身房闭店，预付卡无法退费。"])
def test_dates_amounts_and_plain_text_stay(plain):
    assert text.mask_personal_data(plain) == plain


def test_a_summary_with_a_mistyped_id_is_stored_masked(import_file):
    import_file(csv_bytes([row(summary="投诉人身份证11010119900307123X，电话0571-88886666，商家拒退预付卡。")]))
    summary = Complaint.objects.get().summary
    assert "11010119900307123X" not in summary and "88886666" not in summary
    assert "商家拒退预付卡" in summary


def test_a_wrongly_mapped_column_does_not_put_names_or_phones_in_the_list_of_bad_rows(import_file):
    # The office took 投诉人 (column 8) and then 联系电话 (column 9) for the date.
    data = csv_bytes([row("A1", name="张先生", phone="13812345678")])
    import_file(data, mapping={"received_on": 7, "summary": 9})
    import_file(data, mapping={"received_on": 8, "summary": 9})
    stored = str(list(ComplaintImport.objects.values_list("problems", flat=True)))
    assert "张先生" not in stored and "13812345678" not in stored
    assert "日期无法识别" in stored


def test_a_date_in_a_reason_is_still_quoted():
    assert safe_message("日期“2026-02-30”不存在") == "日期“2026-02-30”不存在"
    assert safe_message("是公式，不予计算，请在Excel中“粘贴为数值”后再导入") == (
        "是公式，不予计算，请在Excel中“粘贴为数值”后再导入")
    assert safe_message("日期“投诉人张三说”无法识别，应为2025-01-31") == "日期无法识别，应为2025-01-31"
