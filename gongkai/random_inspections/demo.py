"""Demo random inspections (双随机、一公开) on the fictional province (``core.demo``): the
market regulation bureau's published list of matters, its two directories imported from
generated files (a few rows refused on purpose, so the import page shows why), and this
year's plan with a year of tasks:

1. 食品销售 — drawn, results entered (a mix of findings, 无法联系 and 不配合 included) and
   published on time, completed; one finding has a follow-up case (linked to a published
   penalty decision of the bureau when the demo has one);
2. 特种设备/产品质量 — a joint (联合) task of two departments and the county bureau, completed;
3. 企业公示信息 — drawn, then re-drawn with a reason (the old draw stays visible), in progress;
4. 餐饮服务 — drawn, some results entered, none published, past the publication deadline
   (it shows on the office's desk and in the oversight column);
5. 价格行为 — committed with a public value (a named lottery draw), waiting for its draw.

Every step goes through the app's services, each taken on its day (``_on``: the services
read the platform clock), all relative to ``clock.today()`` so the demo works on any date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.db import transaction

from gongkai.core import clock
from gongkai.core.identifiers import uscc_check_char
from gongkai.core.models import Agency, Department, User
from gongkai.random_inspections import importer
from gongkai.random_inspections.models import (
    DirectoryImport,
    DrawnTarget,
    Entity,
    InspectionMethod,
    InspectionPlan,
    InspectionTask,
    Inspector,
    MatterList,
    SeedMode,
)
from gongkai.random_inspections.selectors import tasks as task_selectors
from gongkai.random_inspections.services import directories as directory_services
from gongkai.random_inspections.services import matters as matter_services
from gongkai.random_inspections.services import results as result_services
from gongkai.random_inspections.services import tasks as task_services

BUREAU = "青岚市市场监督管理局"
COUNTY_BUREAU = "石桥县市场监督管理局"
TZ = ZoneInfo("Asia/Shanghai")
ENTITY_COUNT = 3000

# region → (division code of the credit codes, the market supervision offices that are its grids)
REGIONS = {
    "滨河区": ("990102", ("滨河市场监管所", "江湾市场监管所")),
    "城东区": ("990103", ("东关市场监管所", "新华市场监管所")),
    "城西区": ("990104", ("西岭市场监管所", "柳营市场监管所")),
    "青岚高新区": ("990171", ("高新市场监管所",)),
}
# industry → (share of the directory, name endings of companies, name endings of individual businesses)
INDUSTRIES = {
    "食品销售": (35, ("超市有限公司", "食品有限公司", "粮油贸易有限公司"), ("食品商行", "副食店", "果蔬店")),
    "餐饮服务": (20, ("餐饮管理有限公司", "酒店有限公司"), ("饭店", "小吃店", "面馆")),
    "特种设备使用": (10, ("物业服务有限公司", "机械制造有限公司", "商业广场有限公司"), ()),
    "产品生产": (13, ("电器有限公司", "服装有限公司", "塑料制品有限公司", "家具有限公司"), ()),
    "批发零售": (22, ("商贸有限公司", "医疗器械有限公司"), ("五金店", "建材经营部", "日用品商店")),
}
WORDS = ("嘉禾", "福源", "鑫隆", "恒泰", "瑞丰", "金穗", "永兴", "华联", "新纪元", "德润", "通达", "丰和",
         "宏远", "佳美", "兴旺", "安康", "惠民", "益群", "明珠", "长青", "盛世", "万家", "和顺", "鸿运",
         "百味", "家乐", "锦程", "天润", "聚源", "同心", "祥和", "信诚", "旭日", "康宁", "乐源", "金桥",
         "润泽", "海川", "蓝天", "碧水", "青松", "云帆", "星光", "鼎盛", "启航", "东升", "广源", "正大")
RISK_GRADES = (("高", 15), ("中", 45), ("低", 40))
CREDIT_GRADES = (("A", 70), ("B", 22), ("C", 6), ("D", 2))

# department → inspectors of the bureau (name, expertise)
INSPECTORS = {
    "食品安全科": ("张建国", "李秀英", "王海燕", "刘志强", "陈晓东", "杨丽娟", "赵明辉", "黄文静",
                   "周立新", "吴春梅", "徐振华", "孙亚楠"),
    "质量监督科": ("胡志刚", "朱丽华", "高建平", "林晓燕", "何俊杰", "郭淑芬"),
    "执法稽查支队": ("马国庆", "罗永红", "梁红霞", "宋建军", "郑丽萍", "谢伟东"),
    "登记注册科": ("韩雪梅", "唐国华", "冯晓丽", "于洪涛", "董雅琴", "萧文斌"),
    "价格监督检查科": ("程海波", "曹丽君", "袁志明", "邓晓红", "许建新", "傅晓梅"),
}
EXPERTISE = {"食品安全科": "食品安全", "质量监督科": "特种设备、产品质量", "执法稽查支队": "综合执法",
             "登记注册科": "企业登记、信息公示", "价格监督检查科": "价格监督"}
COUNTY_INSPECTORS = ("蒋志远", "沈丽芳", "韦国栋", "彭晓燕", "吕建华", "苏明")

MATTERS = (
    {"code": "QL-SP-01", "category": "重点检查事项", "name": "食品销售经营者监督检查", "department_name": "食品安全科",
         "basis": "《中华人民共和国食品安全法》第一百一十条；《食品生产经营监督检查管理办法》第十一条",
         "target_kind": "食品销售经营者", "methods": [InspectionMethod.ON_SITE, InspectionMethod.SAMPLING],
         "frequency": "每年不少于一次，抽查比例不低于2%", "ratio_percent": "2"},
    {"code": "QL-SP-02", "category": "重点检查事项", "name": "餐饮服务提供者监督检查", "department_name": "食品安全科",
         "basis": "《中华人民共和国食品安全法》第一百一十条；《餐饮服务食品安全操作规范》",
         "target_kind": "餐饮服务提供者", "methods": [InspectionMethod.ON_SITE], "frequency": "每年不少于一次"},
    {"code": "QL-TZ-01", "category": "重点检查事项", "name": "特种设备使用单位监督检查", "department_name": "质量监督科",
         "basis": "《中华人民共和国特种设备安全法》第五十七条、第六十一条",
         "target_kind": "特种设备使用单位", "methods": [InspectionMethod.ON_SITE, InspectionMethod.DOCUMENTS],
         "frequency": "每年不少于一次，抽查比例不低于5%", "ratio_percent": "5"},
    {"code": "QL-ZL-01", "category": "一般检查事项", "name": "产品质量监督抽查", "department_name": "质量监督科",
         "basis": "《中华人民共和国产品质量法》第十五条；《产品质量监督抽查管理暂行办法》",
         "target_kind": "产品生产者、销售者", "methods": [InspectionMethod.SAMPLING], "frequency": "按年度抽查计划"},
    {"code": "QL-DJ-01", "category": "一般检查事项", "name": "企业公示信息检查", "department_name": "登记注册科",
         "basis": "《企业信息公示暂行条例》第十四条；《市场监督管理严重违法失信名单管理办法》",
         "target_kind": "企业", "methods": [InspectionMethod.DOCUMENTS, InspectionMethod.ONLINE],
         "frequency": "每年不少于一次，抽查比例不低于3%", "ratio_percent": "3"},
    {"code": "QL-JG-01", "category": "一般检查事项", "name": "价格行为检查", "department_name": "价格监督检查科",
         "basis": "《中华人民共和国价格法》第三十三条；《明码标价和禁止价格欺诈规定》",
         "target_kind": "经营者", "methods": [InspectionMethod.ON_SITE], "frequency": "每年不少于一次"},
    {"code": "QL-GG-01", "category": "一般检查事项", "name": "广告发布行为检查", "department_name": "执法稽查支队",
         "basis": "《中华人民共和国广告法》第四十九条", "target_kind": "广告主、广告经营者、广告发布者",
         "methods": [InspectionMethod.ONLINE, InspectionMethod.DOCUMENTS], "frequency": "每年不少于一次"},
)

# finding → a public summary (no personal data)
SUMMARIES = {
    "no_problem": "",
    "corrected": "部分商品未按规定明码标价、进货查验记录不完整，已当场责令改正。",
    "pending": "发现超过保质期的食品仍在销售，已依法立案调查。",
    "no_activity": "现场检查时未发现开展本次抽查涉及的经营活动。",
    "refused": "拒绝执法人员进入经营场所检查，经说明后仍不配合，情节严重。",
    "not_contactable": "通过登记的住所（经营场所）无法联系，已按规定处理。",
    "closed": "现场已关闭停业。",
}


@contextmanager
def _on(day: dt.date, hour: int = 10):
    """Take the steps inside as on ``day`` (the services read the platform clock)."""
    previous = getattr(clock, "_frozen", None)
    clock.freeze(dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ))
    try:
        yield
    finally:
        clock.freeze(previous)


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _credit_code(rng: random.Random, prefix: str, division: str, used: set[str]) -> str:
    while True:
        first17 = prefix + division + "".join(rng.choice("0123456789") for _ in range(9))
        code = first17 + uscc_check_char(first17)
        if code not in used:
            used.add(code)
            return code


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def entities_csv(seed: int = 18, count: int = ENTITY_COUNT) -> bytes:
    """The generated entity directory: ``count`` valid rows, then three bad ones (a wrong
    check character, a repeated code, a missing name), refused by the import."""
    rng = random.Random(seed)
    used_codes: set[str] = set()
    used_names: set[str] = set()
    rows = []
    industries = list(INDUSTRIES)
    shares = [INDUSTRIES[i][0] for i in industries]
    for n in range(count):
        industry = rng.choices(industries, weights=shares)[0]
        _, companies, individuals = INDUSTRIES[industry]
        individual = bool(individuals) and rng.random() < 0.45
        region = rng.choice(list(REGIONS))
        division, grids = REGIONS[region]
        for _attempt in range(50):
            stem = rng.choice(WORDS) + rng.choice(WORDS)
            if individual:
                name = f"{region}{stem}{rng.choice(individuals)}"
            else:
                name = f"青岚市{stem}{rng.choice(companies)}"
            if name not in used_names:
                break
        else:
            name = f"{name}（{n}）"
        used_names.add(name)
        kind = "个体工商户" if individual else "企业"
        code = _credit_code(rng, "92" if individual else "91", division, used_codes)
        rows.append([name, code, kind, industry, region, f"{region}{rng.choice(grids)}",
                     f"青岚市{region}{rng.choice(WORDS)}路{rng.randint(1, 400)}号",
                     _weighted(rng, RISK_GRADES), _weighted(rng, CREDIT_GRADES), "存续"])
    good = rows[7][1]
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    rows.append(["青岚市校验有误商贸有限公司", wrong, "企业", "批发零售", "滨河区", "滨河区滨河市场监管所",
                 "青岚市滨河区示例路1号", "低", "A", "存续"])
    rows.append([rows[3][0], rows[3][1], rows[3][2], rows[3][3], rows[3][4], rows[3][5], rows[3][6], "高", "B", "存续"])
    rows.append(["", _credit_code(rng, "91", "990103", used_codes), "企业", "食品销售", "城东区",
                 "城东区东关市场监管所", "青岚市城东区示例路2号", "中", "A", "存续"])
    return _csv(["名称", "统一社会信用代码", "主体类型", "行业", "区域", "网格", "住所", "风险等级", "信用等级",
                 "状态"], rows)


def _grid_rotation() -> list[tuple[str, str]]:
    return [(region, f"{region}{grid}") for region, (_, grids) in REGIONS.items() for grid in grids]


def inspectors_csv() -> bytes:
    """The bureau's inspectors, by department; the grids in rotation."""
    rotation = _grid_rotation()
    rows, n = [], 0
    for department, names in INSPECTORS.items():
        for name in names:
            region, grid = rotation[n % len(rotation)]
            rows.append([name, f"QLSJ{n + 1:05d}", department, region, grid, EXPERTISE[department], "在岗",
                         f"139{(n * 7919) % 10000:04d}{n + 1001:04d}"])
            n += 1
    return _csv(["姓名", "执法证号", "所属部门", "区域", "网格", "专业领域", "状态", "联系电话"], rows)


def county_inspectors_csv() -> bytes:
    rows = [[name, f"SQSJ{i + 1:05d}", "综合执法大队", "石桥县", "石桥县城关市场监管所", "综合执法", "在岗",
             f"137{i + 2001:04d}{i + 5001:04d}"] for i, name in enumerate(COUNTY_INSPECTORS)]
    return _csv(["姓名", "执法证号", "所属部门", "区域", "网格", "专业领域", "状态", "联系电话"], rows)


def _targets(task: InspectionTask) -> list[DrawnTarget]:
    draw = task_selectors.current_draw(task)
    return list(DrawnTarget.objects.filter(draw=draw).order_by("stratum", "rank"))


def _spread(start: dt.date, end: dt.date, i: int, n: int) -> dt.date:
    span = max((end - start).days, 0)
    return start + dt.timedelta(days=span * (i + 1) // (n + 1))


def _enter(task, actor, findings: list[str], start: dt.date, end: dt.date, *, count: int | None = None,
           record=None):
    """Enter the results of the task's targets (the first ``count``), each on its day."""
    targets = _targets(task)[:count]
    entered = []
    for i, target in enumerate(targets):
        finding = findings[i % len(findings)]
        day = _spread(start, end, i, len(targets))
        with _on(day, 16):
            entered.append(result_services.result_enter(
                actor=actor, target=target, finding=finding, inspected_on=day, summary=SUMMARIES.get(finding, "")))
    return entered


def _demo_users():
    names = ("office", "officer", "supervisor", "county")
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return users


@transaction.atomic
def load_demo_random_inspections() -> int:
    """Returns the number of tasks created (0 when the bureau already has random
    inspections, or the demo province is not loaded)."""
    bureau = Agency.objects.filter(name=BUREAU).first()
    county_bureau = Agency.objects.filter(name=COUNTY_BUREAU).first()
    users = _demo_users()
    office, officer, supervisor = users.get("office"), users.get("officer"), users.get("supervisor")
    if None in (bureau, office, officer, supervisor):
        return 0
    if (InspectionPlan.objects.filter(agency=bureau).exists()
            or MatterList.objects.filter(agency=bureau).exists()):
        return 0
    today = clock.today()
    days = dt.timedelta
    year = today.year
    begin = today - days(230)
    departments = {d.name: d for d in Department.objects.filter(agency=bureau)}

    # The list of matters (一单), the two directories (两库) and the plan, at the start.
    with _on(begin):
        matter_list = matter_services.matterlist_create(actor=office, agency=bureau, title=f"{year}年版",
                                                         adopted_by=f"青市监发〔{year}〕3号")
        for fields in MATTERS:
            matter_services.matter_add(actor=office, matter_list=matter_list, **fields)
        matter_services.matterlist_publish(actor=office, matter_list=matter_list)
        matters = {m.code: m for m in matter_list.matters.all()}
        importer.import_directory(actor=office, agency=bureau, kind=DirectoryImport.Kind.ENTITIES,
                                  file_name="青岚市检查对象名录.csv", data=entities_csv())
        importer.import_directory(actor=office, agency=bureau, kind=DirectoryImport.Kind.INSPECTORS,
                                  file_name="青岚市执法检查人员名录.csv", data=inspectors_csv())
        partners = []
        if county_bureau is not None:
            importer.import_directory(actor=users.get("county"), agency=county_bureau,
                                      kind=DirectoryImport.Kind.INSPECTORS,
                                      file_name="石桥县执法检查人员名录.csv", data=county_inspectors_csv())
            partners = [county_bureau]
        inspectors = {i.name: i for i in Inspector.objects.filter(agency=bureau)}
        directory_services.inspector_set_active(actor=office, inspector=inspectors["傅晓梅"], active=False,
                                                reason="已调离执法岗位")
        plan = task_services.plan_create(
            actor=office, agency=bureau, year=year, title=f"青岚市市场监督管理局{year}年度双随机抽查工作计划",
            note="按照“双随机、一公开”监管要求，对本局随机抽查事项清单内的事项开展抽查，结果依法公示。")
        task_services.plan_publish(actor=office, plan=plan)

    food_shop = (Entity.objects.filter(agency=bureau, industry="食品销售", is_active=True)
                 .order_by("credit_code").first())
    with _on(begin + days(1)):
        directory_services.conflict_declare(actor=office, inspector=inspectors["张建国"],
                                            credit_code=food_shop.credit_code,
                                            reason="近亲属在该企业担任负责人")

    # 1. 食品销售: done, published on time, one follow-up case.
    t1_start, t1_end = begin + days(10), begin + days(70)
    with _on(begin + days(6)):
        food = task_services.task_create(
            actor=office, plan=plan, number="1", title="食品销售经营者监督检查", matters=[matters["QL-SP-01"]],
            departments=[departments["食品安全科"]], target_filter={"industry": ["食品销售"]}, sample_ratio="2",
            risk_weights={"高": 3, "中": 2, "低": 1}, avoid_same_grid=True, starts_on=t1_start, ends_on=t1_end)
        task_services.task_commit(actor=office, task=food, seed_mode=SeedMode.COMMITMENT)
    with _on(begin + days(8)):
        task_services.task_draw(actor=office, task=food)
    food_results = _enter(food, officer, ["no_problem", "no_problem", "corrected", "no_problem", "pending",
                                          "no_problem", "not_contactable", "no_problem", "refused",
                                          "no_activity"], t1_start, t1_end)
    with _on(t1_end + days(5)):
        result_services.results_publish(actor=office, task=food)
    pending = next(r for r in food_results if r.finding == "pending")
    with _on(pending.inspected_on + days(3)):
        case = result_services.followup_open(actor=office, result=pending,
                                             case_number=f"青市监立〔{pending.inspected_on.year}〕{27}号",
                                             opened_on=pending.inspected_on + days(3),
                                             note="涉嫌销售超过保质期的食品，已立案调查。")
    with _on(t1_end + days(30)):
        result_services.followup_close(actor=office, case=case, closed_on=t1_end + days(30),
                                       note="已作出行政处罚决定。")
        decision = _published_penalty(bureau, pending.target.credit_code)
        if decision is not None:
            result_services.followup_link_decision(actor=office, case=case, decision=decision)

    # 2. 特种设备 / 产品质量: joint, of two departments and the county bureau, done.
    t2_start, t2_end = begin + days(45), begin + days(105)
    with _on(begin + days(40)):
        joint = task_services.task_create(
            actor=office, plan=plan, number="2", title="特种设备使用单位和产品质量联合抽查",
            matters=[matters["QL-TZ-01"], matters["QL-ZL-01"]],
            departments=[departments["质量监督科"], departments["执法稽查支队"]], partner_agencies=partners,
            target_filter={"industry": ["特种设备使用", "产品生产"]}, sample_count=16,
            inspectors_per_target=3 if partners else 2, starts_on=t2_start, ends_on=t2_end)
        task_services.task_commit(actor=office, task=joint, seed_mode=SeedMode.COMMITMENT)
    with _on(begin + days(42)):
        task_services.task_draw(actor=office, task=joint)
    _enter(joint, office, ["no_problem", "corrected", "no_problem", "no_problem", "not_contactable",
                           "no_problem", "corrected", "no_problem"], t2_start, t2_end, count=8)
    _enter_rest(joint, users.get("county") if partners else office, ["no_problem", "refused", "no_problem"],
                t2_start, t2_end)
    with _on(t2_end + days(7)):
        result_services.results_publish(actor=office, task=joint)

    # 3. 企业公示信息: drawn, re-drawn with a reason, in progress.
    t3_start, t3_end = today - days(20), today + days(40)
    with _on(today - days(30)):
        notice = task_services.task_create(
            actor=office, plan=plan, number="3", title="企业公示信息检查", matters=[matters["QL-DJ-01"]],
            departments=[departments["登记注册科"]], target_filter={"kind": ["企业"]}, sample_ratio="0.5",
            starts_on=t3_start, ends_on=t3_end)
        task_services.task_commit(actor=office, task=notice, seed_mode=SeedMode.COMMITMENT)
    with _on(today - days(28)):
        task_services.task_draw(actor=office, task=notice)
    with _on(today - days(26)):
        task_services.task_redraw(
            actor=office, task=notice, seed_mode=SeedMode.COMMITMENT,
            reason="抽取后发现名录中部分企业的登记信息有误，已更正名录，经局务会研究决定重新抽取。")
    with _on(today - days(24)):
        task_services.task_draw(actor=office, task=notice)
    _enter(notice, office, ["no_problem", "corrected", "no_problem"], t3_start, today - days(2), count=4)

    # 4. 餐饮服务: drawn, some results entered, none published, past the deadline.
    t4_start, t4_end = today - days(120), today - days(60)
    with _on(today - days(126)):
        catering = task_services.task_create(
            actor=office, plan=plan, number="4", title="餐饮服务提供者监督检查", matters=[matters["QL-SP-02"]],
            departments=[departments["食品安全科"]], target_filter={"industry": ["餐饮服务"]}, sample_count=10,
            risk_weights={"高": 2, "中": 1, "低": 1}, starts_on=t4_start, ends_on=t4_end)
        task_services.task_commit(actor=office, task=catering, seed_mode=SeedMode.COMMITMENT)
    with _on(today - days(123)):
        task_services.task_draw(actor=office, task=catering)
    _enter(catering, officer, ["no_problem", "corrected", "no_problem", "not_contactable", "no_problem",
                               "no_problem"], t4_start, t4_end, count=6)

    # 5. 价格行为: committed with a public value, waiting for the lottery draw.
    lottery_day = today + days(3)
    with _on(today - days(2)):
        prices = task_services.task_create(
            actor=office, plan=plan, number="5", title="商品和服务价格行为检查", matters=[matters["QL-JG-01"]],
            departments=[departments["价格监督检查科"]], target_filter={"industry": ["批发零售", "餐饮服务"]},
            sample_ratio="1", starts_on=today + days(7), ends_on=today + days(67))
        # 福彩3D, drawn that evening at 21:15; its period (期号) as the year and the day's
        # number in it (near enough for a demo: the real numbering skips the Spring Festival)
        task_services.task_commit(
            actor=office, task=prices, seed_mode=SeedMode.PUBLIC_VALUE, public_value_kind="fc3d",
            public_value_period=f"{lottery_day.year}{lottery_day.timetuple().tm_yday:03d}",
            public_value_due_at=dt.datetime(lottery_day.year, lottery_day.month, lottery_day.day, 21, 15, tzinfo=TZ))
    return InspectionTask.objects.filter(plan=plan).count()


def _enter_rest(task, actor, findings, start, end):
    """Enter the results of the targets that have none yet (a partner agency's share)."""
    rest = [t for t in _targets(task) if not hasattr(t, "result")]
    for i, target in enumerate(rest):
        finding = findings[i % len(findings)]
        day = _spread(start, end, i, len(rest))
        with _on(day, 15):
            result_services.result_enter(actor=actor, target=target, finding=finding, inspected_on=day,
                                         summary=SUMMARIES.get(finding, ""))


def _published_penalty(bureau, credit_code: str):
    """A published penalty decision of the bureau: the entity's own if there is one, else none."""
    from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus

    return (Decision.objects.filter(agency=bureau, kind=DecisionKind.PENALTY, status=DecisionStatus.PUBLISHED,
                                    party_uscc=credit_code).order_by("-decision_date").first())
