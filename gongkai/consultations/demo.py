"""Demo consultations for the bureau of core's demo province: one in each state (a draft,
one open with comments some still awaiting screening, one closed awaiting its feedback,
one with its feedback published and linked to the final normative document, and one
withdrawn). Dates are relative to the platform's today; the earlier steps are taken at
their own (past) moments through the services, so events and audit entries read as a
real history would."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.db import transaction

from gongkai.consultations import services
from gongkai.consultations.models import Consultation, Disposition
from gongkai.core import clock
from gongkai.core.models import Agency, User

BUREAU = "青岚市市场监督管理局"
TZ = ZoneInfo("Asia/Shanghai")

_BODY = """第一条 为了{purpose}，根据有关法律法规，结合本市实际，制定本办法。
第二条 本办法适用于本市行政区域内的{scope}。
第三条 市场监督管理部门应当自受理之日起十五个工作日内作出决定。
第四条 申请人可以通过政务服务网在线办理，也可以到政务服务中心窗口办理。
第五条 本办法自发布之日起施行。"""


@contextmanager
def _on(day: dt.date, hour: int = 10):
    """Take the steps inside as on ``day`` (the services read the platform clock)."""
    previous = getattr(clock, "_frozen", None)
    clock.freeze(dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ))
    try:
        yield
    finally:
        clock.freeze(previous)


def _draft(bureau, office, title, purpose, scope, opens_on, closes_on, kind="normative"):
    return services.consultation_create(
        actor=office, agency=bureau, kind=kind, title=title,
        draft_body=_BODY.format(purpose=purpose, scope=scope),
        explanation=f"为{purpose}，我局起草了本办法征求意见稿，现向社会公开征求意见。",
        basis="《中华人民共和国行政许可法》《优化营商环境条例》", opens_on=opens_on, closes_on=closes_on)


def _publish(c, office, leader):
    services.consultation_submit(actor=office, consultation=c)
    return services.consultation_approve(actor=leader, consultation=c, reason="同意发布")


def _comments(c, office, texts, *, accept: int):
    made = []
    for i, (article, body, name) in enumerate(texts):
        comment = services.comment_submit(consultation=c, body=body, article=article, name=name,
                                          contact=f"1390999{8000 + i:04d}" if name else "")
        if i < accept:
            comment = services.comment_accept(actor=office, comment=comment)
        made.append(comment)
    return made


@transaction.atomic
def load_demo_consultations() -> int:
    """Load the demo consultations once (when the bureau has none); returns how many."""
    bureau = Agency.objects.filter(name=BUREAU).first()
    if bureau is None or Consultation.objects.filter(agency=bureau).exists():
        return 0
    office = User.objects.get(username="office")
    leader = User.objects.get(username="leader")
    today = clock.today()
    d = dt.timedelta

    # Feedback published, linked to the final document in the normative register.
    with _on(today - d(days=92)):
        done = _publish(_draft(bureau, office, "青岚市食品小作坊登记管理办法（征求意见稿）",
                               "规范食品小作坊登记管理", "食品小作坊登记", today - d(days=90),
                               today - d(days=60)), office, leader)
    with _on(today - d(days=75)):
        a, b, c = _comments(done, office, [
            (3, "建议将办理时限缩短为十个工作日。", "赵晓东"),
            (None, "支持出台本办法，建议配套发布办事指南。", ""),
            (4, "建议增加邮寄办理方式。", "钱芳"),
        ], accept=3)
    with _on(today - d(days=55)):
        services.opinion_create(actor=office, consultation=done, summary="缩短办理时限", article=3,
                                disposition=Disposition.PARTLY_ADOPTED,
                                reason="时限调整为十二个工作日，兼顾现场核查需要", comment_ids=[a.pk])
        services.opinion_create(actor=office, consultation=done, summary="配套发布办事指南",
                                disposition=Disposition.ADOPTED, comment_ids=[b.pk])
        services.opinion_create(actor=office, consultation=done, summary="增加邮寄办理方式", article=4,
                                disposition=Disposition.NOT_ADOPTED,
                                reason="登记需现场核验原件，已开通网上办理", comment_ids=[c.pk])
        services.feedback_publish(actor=office, consultation=done,
                                  summary="感谢社会各界的关心和支持，现将意见采纳情况公布如下。")
        from gongkai.publishing.models import NormativeDocument

        final = NormativeDocument.objects.filter(agency=bureau).order_by("-issued_on").first()
        if final is not None:
            services.final_document_link(actor=office, consultation=done, document=final)

    # Withdrawn while open.
    with _on(today - d(days=31)):
        withdrawn = _publish(_draft(bureau, office, "青岚市户外广告设置审批办法（征求意见稿）",
                                    "规范户外广告设置审批", "户外广告设置审批", today - d(days=30),
                                    today), office, leader)
    with _on(today - d(days=20)):
        services.consultation_withdraw(actor=office, consultation=withdrawn,
                                       reason="上位法正在修订，待修订完成后重新征求意见")

    # Closed, awaiting opinions and feedback.
    with _on(today - d(days=42)):
        closed = _publish(_draft(bureau, office, "青岚市重大活动食品安全保障规定（征求意见稿）",
                                 "做好重大活动食品安全保障", "重大活动食品安全保障",
                                 today - d(days=40), today - d(days=5), kind="major_decision"),
                          office, leader)
    with _on(today - d(days=20)):
        _comments(closed, office, [
            (2, "建议明确保障期间供餐单位的抽检频次。", "孙伟"),
            (None, "建议公开保障期间的抽检结果。", ""),
        ], accept=2)

    # Open, with comments, some awaiting screening.
    with _on(today - d(days=12)):
        opened = _publish(_draft(bureau, office, "青岚市食品经营许可审查细则（征求意见稿）",
                                 "优化食品经营许可审查", "食品经营许可审查",
                                 today - d(days=10), today + d(days=20)), office, leader)
    with _on(today - d(days=3)):
        _comments(opened, office, [
            (3, "建议对连锁门店实行告知承诺制。", "周敏"),
            (None, "我的电话13909998123，希望能电话回复。", "吴刚"),
            (4, "建议窗口延长周末服务时间。", ""),
        ], accept=1)

    # A draft still being written.
    _draft(bureau, office, "青岚市网络餐饮服务监督管理办法（征求意见稿）", "加强网络餐饮服务监督管理",
           "网络餐饮服务", today + d(days=7), today + d(days=37))
    return Consultation.objects.filter(agency=bureau).count()
