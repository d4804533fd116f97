"""Demo data: a year of 12315 complaints of the demo city bureau (青岚市市场监督管理局),
about sixty a week, written as the platform's CSV export (with the complainant's name
and phone columns that nobody maps) and imported through the import code as the demo's
office would: upload, the guessed mapping, import.

Realistic categories (食品, 预付卡, 电动自行车, 网购, 医疗美容, 装修, 二手车, 价格, 家电),
the city's districts, kinds 投诉/举报/咨询, a little seasonality (more 食品 in summer,
more 网购 after the November sales), two bad rows, and an emerging topic: in the last
two weeks a fictional gym chain, 悦动健身, closed its branches and its prepaid-card
holders complain (the 闭店 / 退费 wave the analysis should flag). Dates count back from
the clock's today, so the demo is as fresh on any day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.core import clock
from gongkai.core.models import Agency, User

DEMO_AGENCY = "青岚市市场监督管理局"
SEED = 12315
WEEKS = 66  # a year, and the twelve weeks before it for the year-on-year trend
PER_WEEK = 60
HEADER = ["工单编号", "登记日期", "诉求类型", "问题类别", "涉及行业", "所属区域", "承办单位",
          "投诉人", "联系电话", "内容摘要"]
REGIONS = [("城东区", 30), ("城西区", 25), ("滨河区", 20), ("高新区", 12), ("石桥县", 8), ("北山县", 5)]
KINDS = [("投诉", 72), ("举报", 20), ("咨询", 8)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"

# category → (weight, subjects, department, templates)
CATEGORIES: dict[str, tuple[int, list[str], str, list[str]]] = {
    "食品": (18, ["餐饮服务", "食品销售", "外卖平台"], "食品安全科", [
        "在{shop}购买的{food}已过期，要求退款并赔偿。",
        "通过外卖点的{food}中吃出异物，商家拒绝赔偿。",
        "{shop}销售临期食品未作提示，{food}包装破损。",
        "在{shop}用餐后出现腹泻，怀疑食物不洁。",
    ]),
    "预付卡": (12, ["健身服务", "美容美发", "教育培训"], "价格监督检查科", [
        "在{club}办理预付卡充值{money}元，现要求退卡退费被拒。",
        "{club}更换经营者后不认可原预付卡余额。",
        "{club}办卡时承诺随时可退，现拒不退款。",
    ]),
    "电动自行车": (9, ["电动自行车销售", "维修服务"], "质量监督科", [
        "购买的电动自行车电池续航严重不足，商家拒绝退货。",
        "电动自行车充电器使用一周后损坏，售后服务推诿。",
        "门店销售的电动自行车无3C认证标志，涉嫌三无产品。",
        "电动自行车刹车失灵，要求按三包规定更换。",
    ]),
    "网购": (16, ["网络购物", "直播带货"], "执法稽查支队", [
        "网购的{item}迟迟不发货，客服不回复。",
        "直播带货购买的{item}与宣传不符，申请七天无理由退货被拒。",
        "网店虚假发货，{item}物流信息一直未更新。",
        "网购{item}收到假冒伪劣产品，要求退一赔三。",
    ]),
    "医疗美容": (6, ["医疗美容", "生活美容"], "执法稽查支队", [
        "在{clinic}做医美项目后面部红肿，要求退款。",
        "{clinic}推销玻尿酸项目存在虚假宣传。",
        "{clinic}诱导办理美容贷款，合同存在霸王条款。",
    ]),
    "装修": (8, ["家装服务", "建材销售"], "价格监督检查科", [
        "装修公司施工拖延工期，并以增项为由要求加价。",
        "装修完工后检测甲醛超标，装修公司拒绝处理。",
        "购买的瓷砖与样品不一致，商家以次充好。",
    ]),
    "二手车": (5, ["二手车交易"], "执法稽查支队", [
        "购买的二手车实为事故车，车商隐瞒车况。",
        "二手车里程表被调表，要求退车。",
        "二手车商收取高额服务费，未明码标价。",
    ]),
    "价格": (10, ["零售", "停车服务", "旅游服务"], "价格监督检查科", [
        "{shop}商品未明码标价，结账价格高于标签价格。",
        "景区停车场超标准收费。",
        "{shop}收取包间费和开瓶费属于强制消费。",
    ]),
    "家电": (8, ["家用电器"], "质量监督科", [
        "购买的{appliance}在保修期内故障，售后服务拒绝免费维修。",
        "{appliance}安装后漏水，商家推诿不予处理。",
        "{appliance}能效标识与实际不符。",
    ]),
}
SLOTS = {
    "shop": ["华联超市", "惠民便利店", "青岚百货", "滨河农贸市场", "阳光生鲜店", "老街小吃店"],
    "food": ["酸奶", "月饼", "牛奶", "面包", "熟食", "冷冻水饺", "桶装水"],
    "club": ["星辰健身", "美丽约定美容院", "启航英语培训", "乐享游泳馆", "名剪美发店"],
    "money": ["2000", "3680", "5000", "8800", "12000"],
    "item": ["羽绒服", "手机", "空气炸锅", "运动鞋", "护肤品", "儿童玩具"],
    "clinic": ["丽人医疗美容诊所", "青颜美容中心", "悦美整形门诊"],
    "appliance": ["空调", "洗衣机", "热水器", "冰箱", "油烟机"],
}
EMERGING = [  # the gym chain that closed its doors in the last two weeks (a few the week before)
    "悦动健身{branch}突然闭店，预付卡余额{money}元无法退费，要求尽快处理。",
    "悦动健身{branch}闭店跑路，私教课程未上完，退费无门。",
    "悦动健身闭店前仍在推销年卡，涉嫌预付卡诈骗，请求查处。",
]
BRANCHES = ["城东店", "滨河店", "高新店", "万达店"]


def _pick(rnd: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rnd.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _fill(rnd: random.Random, template: str) -> str:
    return template.format(**{k: rnd.choice(v) for k, v in SLOTS.items()},
                           branch=rnd.choice(BRANCHES))


def _seasonal(category: str, day: dt.date) -> float:
    if category == "食品" and day.month in (6, 7, 8):
        return 1.6
    if category == "网购" and day.month in (11, 12):
        return 1.8
    return 1.0


def complaint_rows(today: dt.date, *, seed: int = SEED) -> list[list[str]]:
    """The export's rows (without the header), oldest first."""
    rnd = random.Random(seed)
    rows: list[list[str]] = []
    first = today - dt.timedelta(weeks=WEEKS)
    serial = 0
    day = first
    while day <= today:
        weights = [(name, int(spec[0] * 10 * _seasonal(name, day))) for name, spec in CATEGORIES.items()]
        # Weekdays busier than weekends; the current day only half over.
        per_day = PER_WEEK / 7 * (1.2 if day.weekday() < 5 else 0.5) * (0.5 if day == today else 1)
        for _ in range(max(0, round(rnd.gauss(per_day, per_day ** 0.5)))):
            category = _pick(rnd, weights)
            _, subjects, department, templates = CATEGORIES[category]
            serial += 1
            rows.append(_row(rnd, serial, day, _pick(rnd, KINDS), category, rnd.choice(subjects),
                             department, _fill(rnd, rnd.choice(templates))))
        age = (today - day).days
        if age < 14 or (age < 21 and rnd.random() < 0.3):
            for _ in range(rnd.randint(2, 5) if age < 14 else 1):
                serial += 1
                rows.append(_row(rnd, serial, day, "投诉", "预付卡", "健身服务", "价格监督检查科",
                                 _fill(rnd, rnd.choice(EMERGING))))
        day += dt.timedelta(days=1)
    # Two rows the import lists as bad (no date; a date in the future).
    rows.insert(10, _row(rnd, 999998, None, "投诉", "食品", "餐饮服务", "食品安全科", "日期漏填的一条。"))
    rows.insert(20, _row(rnd, 999999, today + dt.timedelta(days=30), "咨询", "价格", "零售",
                         "价格监督检查科", "日期填错的一条。"))
    return rows


def _row(rnd, serial, day, kind, category, subject, department, summary) -> list[str]:
    name = rnd.choice(SURNAMES) + rnd.choice(["先生", "女士"])
    phone = f"1{rnd.choice('3578')}{rnd.randint(0, 999999999):09d}"
    if rnd.random() < 0.03:  # some complainants leave their number in the text, too
        summary += f"联系电话{phone}。"
    date = day.isoformat() if day else ""
    return [f"QL12315{serial:07d}", date, kind, category, subject, _pick(rnd, REGIONS),
            department, name, phone, summary]


def export_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def load_demo_complaints() -> int:
    """Import the demo year for the demo bureau as its office; returns how many
    complaints were imported (0 when the demo province is missing or the year is
    already there: a second run imports only duplicates)."""
    from gongkai.hotspots import services
    from gongkai.hotspots.columns import guess_mapping

    agency = Agency.objects.filter(name=DEMO_AGENCY).first()
    office = User.objects.filter(username="office").first()
    if agency is None or office is None:
        return 0
    data = export_csv(complaint_rows(clock.today()))
    upload = SimpleUploadedFile("12315导出-青岚市市场监督管理局.csv", data, content_type="text/csv")
    staged = services.staged_file_create(actor=office, agency=agency, upload=upload)
    mapping = guess_mapping(staged.headers, services.remembered_mapping(agency))
    result = services.complaints_import(actor=office, staged=staged, mapping=mapping)
    return result.batch.imported if result.batch else 0
