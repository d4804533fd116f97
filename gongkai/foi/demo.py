"""Demo requests for the fictional city bureau, in every kind of state, dated relative
to today so that the dashboard shows due-soon and overdue requests."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongkai.core import clock
from gongkai.core.identifiers import resident_id_check_char, uscc_check_char
from gongkai.core.models import Agency, Department, User
from gongkai.core.selectors import get_working_day_calendar
from gongkai.foi.models import AgencyFoiSettings, FoiRequest, SignoffStep
from gongkai.foi.services import replies, signoff
from gongkai.foi.services import requests as svc


def _resident_id(serial: int) -> str:
    first17 = f"89010119850101{serial:03d}"  # 8901xx: well-formed, but no real division
    return first17 + resident_id_check_char(first17)


def _uscc(serial: int) -> str:
    first17 = f"91990100MA{serial:07d}"
    return first17 + uscc_check_char(first17)


def _working_days_ago(n: int) -> dt.date:
    """The day n working days before today (so that today is its n-th working day)."""
    calendar = get_working_day_calendar()
    day = clock.today()
    while calendar.working_days_between(day, clock.today()) < n:
        day -= dt.timedelta(days=1)
    return day


def _person(serial: int, name: str, description: str, **extra) -> svc.ApplicantData:
    return svc.ApplicantData(
        applicant_type="natural_person", name=name, id_type="resident_id",
        id_number=_resident_id(serial), phone=f"1390999{serial:04d}", description=description,
        delivery="email", email=f"applicant{serial}@example.invalid",
        address=f"云泽省青岚市滨河区示例路{serial}号", **extra,
    )


@transaction.atomic
def load_demo_requests() -> int:
    """Load demo requests once (when the bureau has none); returns how many."""
    bureau = Agency.objects.filter(name="青岚市市场监督管理局").first()
    if bureau is None or FoiRequest.objects.filter(agency=bureau).exists():
        return 0
    office = User.objects.get(username="office")
    leader = User.objects.get(username="leader")
    food = Department.objects.get(agency=bureau, name="食品安全科")
    quality = Department.objects.get(agency=bureau, name="质量监督科")

    svc.request_submit_online(agency=bureau, data=_person(
        1, "张明", "请公开本局2025年第三季度食用农产品抽检不合格产品的核查处置情况。"))

    def register(serial, name, description, days_ago, department=None, **extra):
        request, _ = svc.request_register(
            actor=office, agency=bureau, data=_person(serial, name, description, **extra),
            channel="in_person", received_on=_working_days_ago(days_ago),
        )
        if department:
            svc.request_assign(actor=office, request=request, department=department)
        return request

    annual_report = register(2, "李华", "请提供本市2025年特种设备安全监察年度报告。", 18, quality)
    register(3, "王芳", "请公开2025年本局对辖区内餐饮单位开展“明厨亮灶”检查的结果。", 22, food)
    platform_plan = register(4, "赵强", "申请获取本局关于网络订餐平台监管的工作方案。", 5, food)

    unclear = register(5, "孙丽", "我要你们的文件。", 2)
    svc.request_ask_correction(
        actor=office, request=unclear, items=["请写明所需政府信息的名称、文号或其他特征性描述"],
        correct_by=clock.today() + dt.timedelta(days=15),
    )

    consulted = register(6, "周杰", "请公开某食品有限公司2025年行政处罚决定书全文。", 6, food)
    svc.request_start_consultation(actor=office, request=consulted, party_kind="third_party",
                                   party_name="青岚市某食品有限公司")

    extended = register(7, "吴敏", "请提供2021年至2025年本局全部行政许可档案目录。", 12, quality)
    asked = svc.extension_request(actor=office, request=extended, days=15,
                                  reason="所需信息跨越五个年度，需调阅大量档案。")
    svc.extension_approve(actor=leader, extension=asked, note="同意延期，请及时告知申请人。")

    org, _ = svc.request_register(
        actor=office, agency=bureau, channel="post_signed", received_on=_working_days_ago(15),
        data=svc.ApplicantData(
            applicant_type="legal_service_institution", name="云泽省示例律师事务所",
            contact_person="郑律师", id_type="uscc", id_number=_uscc(8), phone="0999-62310000",
            description="请公开2025年本局作出的产品质量类行政处罚案件数量及处罚依据。",
            delivery="post", address="青岚市人民路88号", purpose="法律研究",
        ),
    )
    replies.request_reply(
        actor=office, request=org, reply_type="disclosed", outcome="disclosed",
        content="经审查，您申请的信息属于公开范围，现将2025年产品质量类行政处罚案件统计表随本告知书提供。",
    )

    secret = register(9, "冯伟", "请公开本局内部关于干部考核的会议纪要。", 10)
    replies.request_reply(
        actor=office, request=secret, reply_type="not_disclosed",
        outcome="withheld_internal_affairs",
        content="经审查，您申请的信息属于人事管理类内部事务信息，本机关不予公开。",
        legal_basis="《中华人民共和国政府信息公开条例》第十六条第一款",
    )

    withdrawn = register(10, "陈晨", "请公开2024年本局收费项目目录。", 8)
    svc.request_withdraw(actor=office, request=withdrawn, reason="申请人来电称已在网站找到相关信息，书面撤回申请。")

    # From here on the bureau signs its letters off in three steps (drafted by the
    # department, checked by the office, signed by the leader): one reply waits for the
    # leader's signature, and the food safety officer has asked for an extension.
    AgencyFoiSettings.objects.update_or_create(
        agency=bureau, defaults={"signoff_steps": [step.value for step in SignoffStep]})
    draft = signoff.draft_save(actor=office, request=annual_report, kind="reply", fields={
        "reply_type": "already_published",
        "content": "您申请的《青岚市2025年特种设备安全监察年度报告》已由本局主动公开，"
                   "可在本局政府信息公开专栏“年度报告”栏目查阅。",
    })
    draft = signoff.draft_submit(actor=office, draft=draft)
    signoff.draft_check(actor=office, draft=draft, passed=True, note="内容与已公开信息一致。")
    svc.extension_request(actor=User.objects.get(username="officer"), request=platform_plan, days=10,
                          reason="工作方案涉及多个科室，需会同网络交易监管科核实可公开范围。")
    return FoiRequest.objects.filter(agency=bureau).count()
