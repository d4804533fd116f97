"""The engine end to end on a small site: FAQs, a published item, the guide; what it
answers, from which source, and that it says nothing when nothing fits."""

import pytest

from gongkai.answers import engine, services
from gongkai.answers.engine import analysis
from gongkai.publishing.models import Column
from gongkai.publishing.services import catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(faqs, publisher, office):
    fee = faqs.publish("申请政府信息公开收费吗？", "依申请提供政府信息，原则上不收取费用。",
                       keywords="要钱吗 费用")
    licence = faqs.publish("开饭店怎么办理食品经营许可证？",
                           "开办餐饮等食品经营活动，应当取得食品经营许可证，可在政务服务网在线申请。")
    catalogue.catalogue_install_default(actor=office, agency=publisher.agency)
    item = publisher.publish(
        "关于第三季度食品安全监督抽检情况的通告",
        columns=[Column.objects.get(agency=publisher.agency, name="抽检计划及结果发布")],
        body="<p>本局共抽检食品样品1268批次，检出不合格样品17批次。</p>"
             "<p>对不合格食品，已责令下架召回并依法立案调查。</p>")
    return {"fee": fee, "licence": licence, "item": item}


def test_stop_words_go_and_colloquial_words_bring_the_published_ones():
    found = analysis.analyse("請問申請信息公開要錢嗎？")
    words = [c.word for c in found.concepts]
    assert "请问" not in words and "吗" not in words  # traditional input, simplified concepts
    assert "申请" in words
    money = next(c for c in found.concepts if c.word == "要钱")
    assert {"收费", "费用"} <= set(money.forms)


def test_an_faq_answers_a_question_phrased_otherwise(site, bureau):
    result = engine.answer("申请公开政府信息要交钱不？", agency=bureau)
    assert result.answers
    first = result.answers[0]
    assert first.kind == "faq"
    assert first.sources[0].title == "申请政府信息公开收费吗？"
    assert first.sources[0].url == site["fee"].get_absolute_url()
    assert len(result.answers) <= engine.MAX_ANSWERS


def test_a_published_item_answers_with_its_best_passage_marked(site, bureau):
    result = engine.answer("抽检不合格的有多少批次", agency=bureau)
    best = result.answers[0]
    assert best.sources[0].title == "关于第三季度食品安全监督抽检情况的通告"
    assert best.sources[0].url == f"/publications/{site['item'].pk}/"
    assert best.text == "本局共抽检食品样品1268批次，检出不合格样品17批次。"
    assert "<mark>批次</mark>" in best.text_html


def test_the_guide_answers_with_a_link_to_its_part(site, bureau):
    result = engine.answer("收到收费通知后几天内要缴纳", agency=bureau)
    guide = [a for a in result.answers if a.kind == "guide"]
    assert guide, [a.sources for a in result.answers]
    assert guide[0].sources[0].url.startswith(f"/agencies/{bureau.code}/guide/#")
    assert "20个工作日内缴纳" in guide[0].text


@pytest.mark.parametrize("question", ["明天天气怎么样", "护照怎么办理", "公积金怎么提取", "你好", "？？？", ""])
def test_nothing_fits_says_so(site, bureau, question):
    assert engine.answer(question, agency=bureau).answers == []


def test_a_withdrawn_faq_is_no_longer_an_answer(site, bureau, office):
    services.faq_withdraw(actor=office, faq=site["licence"], reason="流程调整")
    result = engine.answer("开饭店要办什么许可证", agency=bureau)
    assert all(s.title != "开饭店怎么办理食品经营许可证？" for a in result.answers for s in a.sources)


def test_another_agencys_faq_answers_only_on_the_portal_or_its_own_pages(site, bureau, other_agency):
    from gongkai.core.models import Role
    from gongkai.core.tests.factories import UserFactory, member

    drafter = member(UserFactory(username="o1"), other_agency, Role.OFFICE)
    approver = member(UserFactory(username="o2"), other_agency, Role.LEADER)
    faq = services.faq_create(actor=drafter, agency=other_agency, question="县局停车场在哪里？",
                              answer="县局大院东侧设有访客停车位。")
    services.faq_submit(actor=drafter, faq=faq)
    services.faq_approve(actor=approver, faq=faq)

    def titles(agency):
        return [s.title for a in engine.answer("县局停车场在哪", agency=agency).answers for s in a.sources]

    assert "县局停车场在哪里？" not in titles(bureau)
    assert "县局停车场在哪里？" in titles(other_agency)
    assert "县局停车场在哪里？" in titles(None)


def test_the_same_text_in_two_sources_is_one_answer_citing_both(faqs, bureau):
    text = "消费投诉举报请拨打全国12315热线，也可以登录全国12315平台在线提交。"
    faqs.publish("消费投诉电话是多少？", text)
    faqs.publish("投诉举报找谁？", text)
    result = engine.answer("投诉电话多少", agency=bureau)
    assert len(result.answers) == 1
    assert {s.title for s in result.answers[0].sources} == {"消费投诉电话是多少？", "投诉举报找谁？"}


def test_an_answer_takes_well_under_a_second(site, bureau):
    engine.answer("预热", agency=bureau)
    result = engine.answer("开饭店要办什么证，多久能办好", agency=bureau)
    assert result.answers
    assert result.elapsed_ms < 500


def test_a_replied_message_is_cited_only_by_its_published_masked_subject(bureau, office, officer, department):
    """The writer's own subject (which may name them or give a number) is never a title:
    a published message without a public subject is left out rather than shown raw."""
    from gongkai.answers.engine import sources
    from gongkai.interaction import services as board
    from gongkai.interaction.models import Message
    from gongkai.interaction.tests.conftest import data

    message, _ = board.message_submit(agency=bureau, data=data(subject="王小明13912345678投诉过期酸奶"))
    board.message_assign(actor=office, message=message, department=department)
    board.reply_submit(actor=officer, message=message, text="经核查，该超市销售过期酸奶，已立案查处。")
    board.reply_check(actor=office, message=message, passed=True)
    message.refresh_from_db()
    board.message_publish(actor=office, message=message, words_checked=True, text=board.PublicText(
        "某超市销售过期酸奶", "在某超市买的酸奶过期了。", "经核查，该超市销售过期酸奶，已立案查处。"))
    found = analysis.analyse("超市卖过期酸奶怎么处理")
    [source] = sources.message_sources(found, bureau)
    assert source.title == "某超市销售过期酸奶"
    Message.objects.filter(pk=message.pk).update(public_subject="")
    titles = [s.title for s in sources.message_sources(found, bureau)]
    assert not any("王小明" in t for t in titles)
