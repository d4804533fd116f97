"""Faults for the self-inspection to find in the demo city bureau (青岚市市场监督管理局),
made through the services where there is one, with the platform clock moved to the day
each thing happened:

- a stale column: a 动态 column "执法动态" whose only item went up 40 days ago;
- a blank column: "专项整治" (动态), with nothing in it;
- a broken internal link: an item whose body links to an item that does not exist;
- a missing attachment: an item with an image attachment whose file is then lost;
- an unanswered message older than 3 months: received 100 days ago, never answered;
- a service guide missing a key element: a "办事指南" column with a complete guide and one
  that omits its 申请材料 (materials).

``DEMO_FAULTS`` names each, for the test that the self-inspection finds them all."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.models import Agency, Department, User
from gongkai.interaction import services as message_services
from gongkai.interaction.services import MessageData
from gongkai.publishing.models import Column, ColumnKind, Publication
from gongkai.publishing.services import catalogue
from gongkai.publishing.services import publications as svc

BUREAU = "青岚市市场监督管理局"
STALE_COLUMN = "执法动态"
BLANK_COLUMN = "专项整治"
GUIDE_COLUMN = "办事指南"
BROKEN_LINK_TITLE = "关于2026年冬季食品安全抽检情况的通报"
BROKEN_LINK_PATH = "/publications/987654321/"
ATTACHMENT_TITLE = "2026年11月价格监测图表"
ATTACHMENT_NAME = "价格监测图表.png"
MESSAGE_SUBJECT = "小区门口流动摊贩售卖散装白酒"
COMPLETE_GUIDE = "食品经营许可办事指南"
INCOMPLETE_GUIDE = "个体工商户设立登记办事指南"
MISSING_ELEMENT = "申请材料"

# A 1×1 PNG (the attachment rule judges images by their content).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

GUIDE_BODY = (
    "<h2>事项名称</h2><p>{name}</p>"
    "<h2>设定依据</h2><p>《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》。</p>"
    "<h2>申请条件</h2><p>具有与经营的食品品种、数量相适应的经营场所和设施设备。</p>"
    "{materials}"
    "<h2>办理流程</h2><p>申请、受理、审查、决定、发证。</p>"
    "<h2>办理时限</h2><p>法定时限二十个工作日，承诺时限五个工作日。</p>"
    "<h2>收费标准</h2><p>不收费。</p>"
    "<h2>办理地点</h2><p>青岚市政务服务中心一楼市场监管窗口，工作日9:00-17:00。</p>"
    "<h2>咨询方式</h2><p>咨询电话：0999-12345678。</p>"
)
MATERIALS = "<h2>申请材料</h2><p>食品经营许可申请书；营业执照复印件；经营场所平面图。</p>"

DEMO_FAULTS = {
    "stale_column": STALE_COLUMN,
    "blank_column": BLANK_COLUMN,
    "broken_link": BROKEN_LINK_PATH,
    "missing_attachment": ATTACHMENT_TITLE,
    "unanswered_message": MESSAGE_SUBJECT,
    "incomplete_guide": INCOMPLETE_GUIDE,
}


def _at(day: dt.date, hour: int = 10) -> None:
    clock.freeze(timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour)))


def _publish(*, bureau, column, title, body, people, attachments=()) -> Publication:
    officer, reviewer, leader, office, department = people
    item = svc.publication_create(
        actor=officer, agency=bureau, department=department, title=title, written_on=clock.today(),
        disclosure_attribute="proactive", body=body, columns=[column], attachments=list(attachments))
    svc.publication_submit(actor=officer, publication=item)
    if attachments:  # an image cannot be screened: the reviewer looked at it
        svc.publication_override_screening(actor=reviewer, publication=item,
                                           reason="图表为价格走势，不含个人信息，已人工核对")
    svc.publication_review(actor=reviewer, publication=item, involves_state_secrets=False,
                           involves_privacy_or_trade_secrets=False,
                           endangers_security_or_stability=False, conclusion="may_publish")
    svc.publication_approve(actor=leader, publication=item, opinion="同意")
    svc.publication_publish(actor=office, publication=item)
    return item


def _column(*, actor, bureau, name, kind, parent=None) -> Column:
    existing = Column.objects.filter(agency=bureau, parent=parent, name=name).first()
    if existing is not None:
        return existing
    return catalogue.column_create(actor=actor, agency=bureau, name=name, kind=kind, parent=parent,
                                   sort_order=900)


@transaction.atomic
def load_demo_site_faults() -> int:
    """Seed the faults once (when the bureau has no 办事指南 column yet); returns how many."""
    bureau = Agency.objects.filter(name=BUREAU).first()
    if bureau is None or Column.objects.filter(agency=bureau, name=GUIDE_COLUMN).exists():
        return 0
    office = User.objects.get(username="office")
    people = (User.objects.get(username="officer"), User.objects.get(username="reviewer"),
              User.objects.get(username="leader"), User.objects.get(username="office"),
              Department.objects.filter(agency=bureau, name="食品安全科").first())
    today = clock.today()
    previously_frozen = getattr(clock, "_frozen", None)
    try:
        _at(today - dt.timedelta(days=40))
        stale = _column(actor=office, bureau=bureau, name=STALE_COLUMN, kind=ColumnKind.DYNAMIC)
        _publish(bureau=bureau, column=stale, title="市场监管执法人员开展节前食品安全检查",
                 body="<p>执法人员对辖区商超开展了节前食品安全检查。</p>", people=people)

        _at(today - dt.timedelta(days=100))
        message, _ = message_services.message_submit(agency=bureau, data=MessageData(
            kind="complaint", subject=MESSAGE_SUBJECT,
            content="我家小区门口每天傍晚有流动摊贩售卖散装白酒，没有任何标签，请予查处。"))

        _at(today - dt.timedelta(days=3))
        _column(actor=office, bureau=bureau, name=BLANK_COLUMN, kind=ColumnKind.DYNAMIC)
        news = Column.objects.filter(agency=bureau, name="新闻动态").first() or stale
        _publish(bureau=bureau, column=news, title=BROKEN_LINK_TITLE,
                 body=f'<p>本次抽检结果详见<a href="{BROKEN_LINK_PATH}">抽检结果公告</a>。</p>',
                 people=people)
        with_file = _publish(bureau=bureau, column=news, title=ATTACHMENT_TITLE,
                             body="<p>本月主要农产品价格监测图表见附件。</p>", people=people,
                             attachments=[ContentFile(PNG, name=ATTACHMENT_NAME)])
        guides = _column(actor=office, bureau=bureau, name=GUIDE_COLUMN, kind=ColumnKind.STATIC)
        _publish(bureau=bureau, column=guides, title=COMPLETE_GUIDE,
                 body=GUIDE_BODY.format(name="食品经营许可", materials=MATERIALS), people=people)
        _publish(bureau=bureau, column=guides, title=INCOMPLETE_GUIDE,
                 body=GUIDE_BODY.format(name="个体工商户设立登记", materials=""), people=people)
    finally:
        clock.freeze(previously_frozen)
    # The file is lost after publication (a failed disk, a bad restore): the record says
    # there is an attachment, the storage has nothing.
    for attachment in with_file.attachments.all():
        attachment.file.storage.delete(attachment.file.name)
    assert message.pk
    return len(DEMO_FAULTS)
