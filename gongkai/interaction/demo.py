"""Demo messages for the fictional city bureau: a year of them, dated relative to today,
in every state — routed, replied, checked, published with the writer's consent, rated,
extended, transferred to the county bureau, not handled, and a few left unanswered long
enough to raise the inspection's two- and three-month alerts.

Every step goes through the services with the platform clock set to the step's moment,
so the history, the audit trail and the derived deadlines are the real ones."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.models import Agency, Department, User
from gongkai.core.selectors import get_working_day_calendar
from gongkai.interaction import selectors, services
from gongkai.interaction.models import Message
from gongkai.interaction.services import MessageData

COUNT = 300
SEED = 2026
REGIONS = ["滨河区", "城东区", "城西区", "高新区", "石桥县", "青山镇"]

# (kind, department, category, subject, content, reply)
TOPICS = [
    ("complaint", "食品安全科", "食品安全", "{region}某超市销售过期酸奶",
     "我在{region}一家超市购买的酸奶已超过保质期三天，向店员反映后对方拒绝退换，请监管部门核查处理。",
     "经核查，该超市确有销售超过保质期食品的行为。我局已依据《中华人民共和国食品安全法》立案调查，"
     "责令其立即下架相关商品并对您予以退换。感谢您的监督。"),
    ("complaint", "食品安全科", "餐饮服务", "{region}一餐馆后厨卫生脏乱",
     "{region}美食街一家餐馆后厨地面油污严重，生熟食品混放，还看到有老鼠，希望尽快检查。",
     "接到您的反映后，执法人员对该餐馆进行了现场检查，发现其存在生熟混放、防鼠设施不完善等问题，"
     "已责令限期整改，并将开展复查。"),
    ("inquiry", "登记注册科", "登记注册", "个体工商户登记需要哪些材料",
     "我想在{region}开一家小吃店，请问办理个体工商户登记需要准备哪些材料，能否网上办理？",
     "办理个体工商户登记需提交经营者身份证明、经营场所使用证明等材料，可通过云泽省政务服务网全程网上办理，"
     "一般当场办结。食品经营还需另行申请食品经营许可。"),
    ("inquiry", "登记注册科", "登记注册", "公司经营范围变更怎么办理",
     "我们公司想增加经营范围，请问需要到窗口办理吗？需要多长时间？",
     "公司变更经营范围可通过企业登记网上服务平台申请，材料齐全、符合法定形式的，一般一个工作日内办结。"
     "涉及许可项目的，取得许可后方可开展经营。"),
    ("complaint", "价格监督检查科", "价格监管", "{region}停车场收费不明码标价",
     "{region}某商场地下停车场收费没有公示收费标准，出场时收了20元，询问标准时工作人员态度很差。",
     "经检查，该停车场未在显著位置公示收费标准，违反明码标价规定。我局已责令其立即改正，并依法予以警告。"),
    ("complaint", "价格监督检查科", "价格监管", "节日期间{region}酒店加价",
     "国庆期间{region}一家酒店房价比平时高出三倍，且没有提前告知，是否属于价格违法？",
     "经调查，该酒店已按规定公示房价，但存在未按公示价格收费的情况，已责令退还多收价款，并立案调查。"),
    ("complaint", "质量监督科", "产品质量", "网购电热水壶存在质量问题",
     "在{region}一家门店购买的电热水壶使用一周就漏电，怀疑是不合格产品，请帮忙检测。",
     "我局已对该门店销售的同批次电热水壶进行抽样送检，检验结果为不合格。已责令停止销售，并依法处理。"
     "您可凭购物凭证要求商家退货并赔偿损失。"),
    ("suggestion", "质量监督科", "特种设备", "建议加强老旧小区电梯安全检查",
     "{region}不少老旧小区电梯经常故障，建议加大检查频次，并公布维保单位和检验日期。",
     "感谢您的建议。我局将把老旧小区电梯列入重点检查对象，督促使用单位和维保单位落实责任，"
     "并在电梯轿厢内张贴检验合格标志和维保信息。"),
    ("complaint", "执法稽查支队", "虚假宣传", "{region}保健品店虚假宣传",
     "{region}一家保健品店向老年人宣传产品能治疗高血压、糖尿病，价格很高，请查处。",
     "经查，该店存在宣传保健食品具有疾病治疗功能的违法行为。我局已依法立案调查，并将结果向社会公示。"),
    ("help", "食品安全科", "消费维权", "预付卡商家关门无法退款",
     "我在{region}一家健身房办了年卡，现在商家突然关门，还剩八个月，怎么维权？",
     "我局已联系该健身房经营者，督促其制定退费方案。您可通过12315平台登记诉求，"
     "必要时可向人民法院提起诉讼。我局将持续跟进。"),
    ("help", "登记注册科", "登记注册", "营业执照遗失如何补领",
     "营业执照正本遗失了，请问怎么补领？需要登报吗？",
     "营业执照遗失的，可在国家企业信用信息公示系统自行公示遗失声明，无需登报，随后申请补领即可。"),
    ("suggestion", "政策法规科", "政务服务", "建议延长政务服务窗口服务时间",
     "上班族白天很难请假办事，建议市场监管窗口周末或晚上提供服务。",
     "感谢您的建议。我局已在政务服务中心推行“周六不打烊”服务，并进一步扩大网上办理事项范围。"),
    ("inquiry", "政策法规科", "行政执法", "小微企业首次违法能否不处罚",
     "听说市场监管有首违不罚清单，请问具体包括哪些情形？",
     "我局已公布市场监管领域轻微违法行为免罚清单，首次违法且危害后果轻微并及时改正的，可以不予处罚。"
     "清单可在本局网站“法定主动公开内容”栏目查阅。"),
    ("complaint", "食品安全科", "食品安全", "{region}学校周边小卖部卖三无零食",
     "{region}一所小学门口的小卖部在卖没有标签的辣条，孩子吃了肚子疼，请管一管。",
     "我局已对该小卖部开展检查，查扣无标签食品，并对其立案查处，同时开展校园周边食品安全专项整治。"),
    ("other", "办公室", "其他", "对窗口工作人员服务的表扬",
     "上周在政务服务中心办理登记，{region}窗口工作人员耐心细致，特此表扬。",
     "感谢您的肯定与鼓励，我们将继续提升服务质量。"),
]


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


@transaction.atomic
def load_demo_messages() -> int:
    """Load the demo messages once (when the bureau has none); returns how many."""
    bureau = Agency.objects.filter(name="青岚市市场监督管理局").first()
    if bureau is None or Message.objects.filter(agency=bureau).exists():
        return 0
    county = Agency.objects.filter(name="石桥县市场监督管理局").first()
    office = User.objects.get(username="office")
    officer = User.objects.get(username="officer")
    leader = User.objects.get(username="leader")
    county_office = User.objects.filter(username="county").first()
    departments = {d.name: d for d in Department.objects.filter(agency=bureau)}
    food = departments.get("食品安全科")
    calendar = get_working_day_calendar()
    rng = random.Random(SEED)
    today = clock.today()
    previously_frozen = getattr(clock, "_frozen", None)
    try:
        # Oldest first, so that sequence numbers follow the dates.
        days = sorted(today - dt.timedelta(days=rng.randint(0, 364)) for _ in range(COUNT))
        # A few old ones left unanswered: the inspection's alerts.
        stuck = {rng.randrange(COUNT // 4, COUNT // 2) for _ in range(2)} | {rng.randrange(COUNT // 2, COUNT * 3 // 4)}
        for i, day in enumerate(days):
            _one(i, day, rng=rng, bureau=bureau, county=county, county_office=county_office,
                 office=office, officer=officer, leader=leader, departments=departments, food=food,
                 calendar=calendar, today=today, stuck=i in stuck)
    finally:
        clock.freeze(previously_frozen)
    return Message.objects.filter(agency=bureau).count() + (
        Message.objects.filter(transferred_from=bureau).count())


def _one(i, day, *, rng, bureau, county, county_office, office, officer, leader, departments, food,
         calendar, today, stuck):
    kind, department_name, category, subject, content, reply = TOPICS[rng.randrange(len(TOPICS))]
    region = rng.choice(REGIONS)
    consent = rng.random() < 0.7
    named = rng.random() < 0.6
    clock.freeze(_moment(day, rng.randint(8, 21), rng.randint(0, 59)))
    message, _ = services.message_submit(agency=bureau, data=MessageData(
        kind=kind, subject=subject.format(region=region), content=content.format(region=region),
        name=rng.choice(["张", "王", "李", "赵", "陈", "刘"]) + rng.choice(["先生", "女士"]) if named else "",
        phone=f"1390999{i:04d}" if named else "", publish_consent=consent))
    message.region = region
    message.save(update_fields=["region"])

    def at(working_days: int, hour: int) -> bool:
        """Move the clock ``working_days`` after receipt; False if that is after today."""
        target = calendar.add_working_days(day, working_days) if working_days else day
        if target > today:
            return False
        clock.freeze(_moment(target, hour, rng.randint(0, 59)))
        return True

    if stuck:
        return  # never routed: unanswered for months
    if rng.random() < 0.03:
        if at(1, 9):
            services.message_dismiss(actor=office, message=message,
                                     reason="留言内容与本机关职责无关且无具体诉求，不予处理。")
        return
    if county is not None and county_office is not None and region == "石桥县" and rng.random() < 0.5:
        if not at(1, 9):
            return
        services.message_transfer(actor=office, message=message, to_agency=county,
                                  reason="所反映问题位于石桥县，属石桥县市场监督管理局管辖。")
        if at(3, 10):
            services.reply_submit(actor=county_office, message=message, text=reply)
            services.reply_check(actor=county_office, message=message, passed=True)
        return
    if not at(0 if rng.random() < 0.5 else 1, 16):
        return
    department = departments.get(department_name) or food
    services.message_assign(actor=office, message=message, department=department, category=category)
    writer = officer if department == food else office
    late = rng.random() < 0.1
    if late and at(2, 11):
        services.extension_request(actor=writer, message=message, days=5,
                                   reason="需现场核查并调取相关台账，难以在期限内答复。")
        if at(3, 9):
            services.extension_decide(actor=leader, message=message, approve=True,
                                      note="同意延期，请按期答复。")
    reply_day = rng.randint(6, 9) if late else rng.randint(1, 4)
    if not at(reply_day, 15):
        return
    if rng.random() < 0.1:
        services.reply_submit(actor=writer, message=message, text=reply[: len(reply) // 2])
        services.reply_check(actor=office, message=message, passed=False,
                             note="请写明核查结果和处理依据。")
    services.reply_submit(actor=writer, message=message, text=reply)
    if not at(reply_day + 1, 10):
        return
    services.reply_check(actor=office, message=message, passed=True)
    if consent and rng.random() < 0.8 and at(reply_day + 2, 10):
        message.refresh_from_db()
        services.message_publish(actor=office, message=message,
                                 text=selectors.proposed_public_text(message), words_checked=True)
    if rng.random() < 0.5 and at(reply_day + 4, 20):
        rating = rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], weights=[7, 2, 1])[0]
        services.message_rate(message=message, rating=rating)
