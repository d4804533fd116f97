import csv
import datetime as dt
import io
from decimal import Decimal

import factory
import openpyxl
import pytest

from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus, PartyType
from gongkai.decisions.rules import PenaltyType

COMPANY_USCC = "91330100MA2XXXXX08"
SHOP_USCC = "92330100MA2YYYYY1G"
PERSON_ID = "33010219800101123X"
OTHER_PERSON_ID = "11010519491231002X"

# The header of a typical penalty export (信用中国 "双公示" style names).
PENALTY_HEADER = ["行政处罚决定书文号", "行政相对人名称", "行政相对人类别", "统一社会信用代码",
                  "证件号码", "违法行为类型", "处罚内容", "处罚依据", "处罚类别", "罚款金额（元）",
                  "处罚机关", "处罚决定日期"]


def penalty_row(number="青市监罚〔2025〕1号", name="青岚市某某食品有限公司",
                party_type="法人及非法人组织", uscc=COMPANY_USCC, id_number="",
                matter="销售过期食品", content="没收违法所得，罚款5000元",
                basis="《中华人民共和国食品安全法》第一百二十四条", types="罚款、没收违法所得",
                fine="5000", body="青岚市市场监督管理局", date="2025-03-03") -> list:
    return [number, name, party_type, uscc, id_number, matter, content, basis, types, fine, body, date]


def person_row(number="青市监罚〔2025〕2号", **kw) -> list:
    values = {"name": "张三丰", "party_type": "自然人", "uscc": "", "id_number": PERSON_ID,
              "matter": "无证经营", "content": "张三丰无证经营，罚款2000元", "fine": "2000"}
    values.update(kw)
    return penalty_row(number, **values)


def csv_bytes(rows: list[list], header: list | None = None, *, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header or PENALTY_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], header: list | None = None, *, title: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header or PENALTY_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision as the importer would leave it: published, a company, a fine of 5,000."""

    class Meta:
        model = Decision

    kind = DecisionKind.PENALTY
    number = factory.Sequence(lambda n: f"测市监罚〔2025〕{n + 1}号")
    party_name = "测试市某某贸易有限公司"
    party_type = PartyType.ORGANISATION
    party_uscc = COMPANY_USCC
    matter = "销售不合格产品"
    content = "罚款5000元"
    basis = "《中华人民共和国产品质量法》第四十九条"
    penalty_types = int(PenaltyType.FINE)
    fine_amount = Decimal("5000")
    deciding_body = "测试市市场监督管理局"
    decision_date = dt.date(2025, 3, 3)
    status = DecisionStatus.PUBLISHED
    published_on = dt.date(2025, 3, 5)


@pytest.fixture
def make_decision(bureau):
    def make(**fields):
        fields.setdefault("agency", bureau)
        return DecisionFactory(**fields)

    return make
