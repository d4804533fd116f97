"""Demo publications for the fictional city bureau: the default catalogue, published
items in several columns, one item held by leak screening, a draft, and a normative
document with its interpretation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongkai.core import clock
from gongkai.core.models import Agency, Department, User
from gongkai.publishing.models import Column, Publication, Topic
from gongkai.publishing.services import catalogue
from gongkai.publishing.services import publications as svc

ITEMS = [
    (
        "关于2026年第三季度食品安全监督抽检情况的通告",
        "抽检计划及结果发布",
        "青市监通〔2026〕31号",
        "<p>为保障公众饮食安全，本局于2026年第三季度组织开展食品安全监督抽检，共抽检食品样品1,268批次，"
        "检出不合格样品17批次。</p><p>对抽检中发现的不合格食品，本局已责令相关生产经营者立即采取下架、召回等措施，"
        "并依法立案调查。</p>",
    ),
    (
        "某品牌儿童电动自行车召回信息",
        "产品召回信息",
        "",
        "<p>经本局约谈，某电动车有限公司决定自即日起召回部分批次儿童电动自行车，涉及数量约1,200辆。</p>",
    ),
    (
        "青岚市市场监管局开展“守护消费”专项行动",
        "新闻动态",
        "",
        "<p>近日，青岚市市场监督管理局在全市范围内开展“守护消费”专项行动，重点检查商场超市、网络交易平台。</p>",
    ),
    (
        "关于征求《青岚市网络订餐食品安全管理办法（征求意见稿）》意见的公告",
        "意见征集",
        "",
        "<p>为规范网络订餐经营行为，本局起草了《青岚市网络订餐食品安全管理办法（征求意见稿）》，现公开征求社会公众意见。</p>",
    ),
    (
        "2026年第三季度行政许可办理结果",
        "审批结果",
        "",
        "<p>2026年第三季度，本局共办理食品经营许可新办、变更、延续、注销事项共计842件。</p>",
    ),
]


def _days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


@transaction.atomic
def load_demo_publications() -> int:
    bureau = Agency.objects.filter(name="青岚市市场监督管理局").first()
    if bureau is None or Publication.objects.filter(agency=bureau).exists():
        return 0
    admin = User.objects.get(username="admin")
    office = User.objects.get(username="office")
    officer = User.objects.get(username="officer")
    reviewer = User.objects.get(username="reviewer")
    leader = User.objects.get(username="leader")
    food = Department.objects.get(agency=bureau, name="食品安全科")
    catalogue.catalogue_install_default(actor=admin, agency=bureau)
    topic = Topic.objects.filter(code="08").first()

    def column(name):
        return Column.objects.get(agency=bureau, name=name)

    for n, (title, column_name, doc_number, body) in enumerate(ITEMS):
        item = svc.publication_create(
            actor=officer,
            agency=bureau,
            department=food,
            title=title,
            doc_number=doc_number,
            written_on=_days_ago(20 - n * 3),
            disclosure_attribute="proactive",
            topic=topic,
            body=body,
            columns=[column(column_name)],
        )
        svc.publication_submit(actor=officer, publication=item)
        svc.publication_review(
            actor=reviewer,
            publication=item,
            involves_state_secrets=False,
            involves_privacy_or_trade_secrets=False,
            endangers_security_or_stability=False,
            conclusion="may_publish",
        )
        svc.publication_approve(actor=leader, publication=item, opinion="同意")
        svc.publication_publish(actor=office, publication=item)

    held = svc.publication_create(
        actor=officer,
        agency=bureau,
        department=food,
        title="青岚市某餐饮店行政处罚决定书",
        doc_number="青市监处罚〔2026〕88号",
        written_on=_days_ago(4),
        disclosure_attribute="proactive",
        topic=topic,
        columns=[column("处罚结果")],
        body="<p>当事人：王某，公民身份号码：890101198501010164，住所：青岚市滨河区示例路9号。</p>"
        "<p>当事人经营超过保质期的食品，违反了《中华人民共和国食品安全法》第三十四条第十项的规定。</p>",
    )
    svc.publication_submit(actor=officer, publication=held)
    svc.publication_create(
        actor=officer,
        agency=bureau,
        department=food,
        title="关于开展2027年元旦春节食品安全专项检查的通知（草稿）",
        written_on=_days_ago(1),
        disclosure_attribute="proactive",
        columns=[column("通知公告")],
        body="<p>（草稿）</p>",
    )
    _demo_normative_documents(bureau, office, food)
    return Publication.objects.filter(agency=bureau).count()


def _demo_normative_documents(bureau, office, food) -> None:
    from gongkai.publishing.services.normative import (
        interpretation_add,
        normative_document_register,
    )

    with_interpretation = normative_document_register(
        actor=office, agency=bureau, kind="normative_document",
        title="青岚市食品生产加工小作坊监督管理办法", doc_number="青市监规〔2026〕2号",
        issued_on=_days_ago(60), drafting_department=food,
    )
    interpretation_add(actor=office, document=with_interpretation, form="graphic",
                       title="一图读懂《青岚市食品生产加工小作坊监督管理办法》",
                       published_on=_days_ago(58))
    # Issued three weeks ago and still without an interpretation: flagged on the register.
    normative_document_register(
        actor=office, agency=bureau, kind="normative_document",
        title="青岚市电动自行车产品质量监督抽查实施细则", doc_number="青市监规〔2026〕3号",
        issued_on=_days_ago(21), drafting_department=food,
    )
