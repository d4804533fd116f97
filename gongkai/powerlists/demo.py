"""Demo data for the power list (权责清单) of the fictional city bureau: last year's list,
and this year's list that replaced it, both published by the office through the
services, so that the public page shows the current list grouped by kind, and the change
log shows this year's adjustment (新增、取消、调整) item by item. Runs after core's demo
(it needs the bureau, its departments and the ``office`` sign-in)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongkai.core import clock
from gongkai.core.models import Agency, User
from gongkai.powerlists import services
from gongkai.powerlists.models import ListVersion

BUREAU = "青岚市市场监督管理局"

FOOD_LAW = "《中华人民共和国食品安全法》"
DUTIES_LICENSING = ("1.受理责任：公示依法应当提交的材料，一次性告知补正材料，依法受理或不予受理。\n"
                    "2.审查责任：对申请材料进行审查，需要现场核查的组织核查。\n"
                    "3.决定责任：作出准予或不予许可的决定，不予许可的说明理由。\n"
                    "4.送达责任：制作并送达许可证件，信息公开。\n"
                    "5.事后监管责任：加强监督检查。")
DUTIES_PENALTY = ("1.立案责任；2.调查责任；3.审查责任；4.告知责任；5.决定责任；6.送达责任；7.执行责任；"
                  "8.其他法律法规规章文件规定应履行的责任。")

# (code, kind, name, basis, department, level, sub-items)
LAST_YEAR = [
    ("QL-XK-001", "licensing", "食品经营许可", f"{FOOD_LAW}第三十五条", "食品安全科", "市级、县级", ""),
    ("QL-XK-002", "licensing", "食品生产许可", f"{FOOD_LAW}第三十五条", "食品安全科", "市级", ""),
    ("QL-XK-003", "licensing", "特种设备安全管理和作业人员资格认定", "《中华人民共和国特种设备安全法》第十四条",
     "质量监督科", "市级", ""),
    ("QL-XK-004", "licensing", "户外广告设施设置审批", "《青岚市户外广告设施管理办法》第八条", "登记注册科",
     "市级", ""),
    ("QL-CF-001", "penalty", "对生产经营不符合食品安全标准的食品的处罚", f"{FOOD_LAW}第一百二十四条",
     "执法稽查支队", "市级、县级", ""),
    ("QL-CF-002", "penalty", "对未取得食品生产经营许可从事食品生产经营活动的处罚", f"{FOOD_LAW}第一百二十二条",
     "执法稽查支队", "市级、县级", ""),
    ("QL-CF-003", "penalty", "对经营者不明码标价的处罚", "《中华人民共和国价格法》第四十二条", "价格监督检查科",
     "市级、县级", ""),
    ("QL-CF-004", "penalty", "对擅自设置户外广告的处罚", "《青岚市户外广告设施管理办法》第二十五条",
     "执法稽查支队", "市级", ""),
    ("QL-QZ-001", "enforcement", "查封、扣押不符合食品安全标准的食品", f"{FOOD_LAW}第一百一十条",
     "执法稽查支队", "市级、县级", ""),
    ("QL-JC-001", "inspection", "食品生产经营监督检查", f"{FOOD_LAW}第一百一十条；《食品生产经营监督检查管理办法》",
     "食品安全科", "市级、县级", "食品生产监督检查\n食品销售监督检查\n餐饮服务监督检查"),
    ("QL-JC-002", "inspection", "产品质量监督抽查", "《中华人民共和国产品质量法》第十五条", "质量监督科",
     "市级", ""),
    ("QL-QR-001", "confirmation", "食品小作坊登记", "《云泽省食品小作坊小餐饮店小食杂店和食品摊贩管理条例》第十条",
     "食品安全科", "县级", ""),
    ("QL-JL-001", "reward", "对举报食品安全违法行为的奖励", f"{FOOD_LAW}第一百一十五条", "执法稽查支队",
     "市级", ""),
    ("QL-CJ-001", "adjudication", "商标使用许可合同备案争议的处理", "《中华人民共和国商标法》第四十三条",
     "登记注册科", "市级", ""),
]


def _this_year(items: list[tuple]) -> list[tuple]:
    """This year's list: two items cancelled (the billboard powers went to the city
    administration), three added, three adjusted."""
    cancelled = {"QL-XK-004", "QL-CF-004"}
    adjusted = {
        "QL-XK-001": {"basis": f"{FOOD_LAW}第三十五条；《食品经营许可和备案管理办法》第四条"},
        "QL-CF-003": {"basis": "《中华人民共和国价格法》第四十二条；《明码标价和禁止价格欺诈规定》第二十一条"},
        "QL-QR-001": {"level": "市级、县级"},
    }
    fields = ("code", "kind", "name", "basis", "department", "level", "sub_items")
    result = []
    for row in items:
        record = dict(zip(fields, row, strict=True))
        if record["code"] in cancelled:
            continue
        record.update(adjusted.get(record["code"], {}))
        result.append(tuple(record[f] for f in fields))
    return result + [
        ("QL-XK-005", "licensing", "计量标准器具核准", "《中华人民共和国计量法》第九条", "质量监督科", "市级", ""),
        ("QL-CF-005", "penalty", "对网络交易平台经营者未履行核验登记义务的处罚",
         "《中华人民共和国电子商务法》第八十条", "执法稽查支队", "市级、县级", ""),
        ("", "other", "企业信用修复", "《市场监督管理信用修复管理办法》第三条", "登记注册科", "市级、县级", ""),
    ]


def _publish(office, bureau, *, title, rows, effective_on, adopted_by, reason) -> ListVersion:
    version = services.version_create(actor=office, agency=bureau, title=title)
    for code, kind, name, basis, department, level, sub_items in rows:
        duties = {"licensing": DUTIES_LICENSING, "penalty": DUTIES_PENALTY}.get(kind, "")
        services.item_add(actor=office, version=version, kind=kind, code=code, name=name, basis=basis,
                          department_name=department, level=level, sub_items=sub_items, duties=duties)
    return services.version_publish(actor=office, version=version, effective_on=effective_on,
                                    adopted_by=adopted_by, reason=reason).version


@transaction.atomic
def load_demo_powerlists() -> int:
    """Load the demo once (when the bureau has no list yet); returns how many items it
    added across both versions."""
    bureau = Agency.objects.filter(name=BUREAU).first()
    office = User.objects.filter(username="office").first()
    if bureau is None or office is None or ListVersion.objects.filter(agency=bureau).exists():
        return 0
    year = clock.today().year
    this_year = _this_year(LAST_YEAR)
    _publish(office, bureau, title=f"{year - 1}年版", rows=LAST_YEAR, effective_on=dt.date(year - 1, 3, 1),
             adopted_by=f"青政发〔{year - 1}〕5号", reason="市政府常务会议审定（演示数据）")
    _publish(office, bureau, title=f"{year}年版", rows=this_year, effective_on=dt.date(year, 3, 1),
             adopted_by=f"青政发〔{year}〕3号", reason="户外广告职权划转，新增计量、电子商务等事项（演示数据）")
    return len(LAST_YEAR) + len(this_year)
