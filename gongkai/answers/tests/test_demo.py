"""The demo FAQs on top of core's demo province, and a few of the evaluation's questions
end to end on the full demo (bench/answers_eval.py asks them all)."""

import pytest

from gongkai.answers import engine
from gongkai.answers.demo import FAQS, load_demo_faqs
from gongkai.answers.models import Faq, FaqStatus
from gongkai.core import demo
from gongkai.core.models import Agency

pytestmark = pytest.mark.django_db


def test_the_demo_faqs_load_once_through_the_workflow():
    demo.load_demo()
    assert load_demo_faqs() == len(FAQS) + 2
    assert load_demo_faqs() == 0
    bureau = Agency.objects.get(name="青岚市市场监督管理局")
    faqs = Faq.objects.filter(agency=bureau)
    assert faqs.filter(status=FaqStatus.PUBLISHED).count() == len(FAQS)
    assert faqs.filter(status=FaqStatus.SUBMITTED).count() == 1
    assert faqs.filter(status=FaqStatus.DRAFT).count() == 1
    published = faqs.filter(status=FaqStatus.PUBLISHED).first()
    assert list(published.events.values_list("action", flat=True).order_by("id")) == [
        "create", "submit", "approve"]
    assert published.events.get(action="approve").actor.username == "leader"


@pytest.mark.parametrize("question, expected", [
    ("申请公开政府信息要交钱不？", "申请政府信息公开收费吗？"),
    ("执照丢了咋补", "营业执照丢了怎么补办？"),
    ("举报违法的给奖金吗", "举报违法行为有奖励吗？"),
    ("食品经营许可证几年有效", "食品经营许可证的有效期是多久？到期了怎么办？"),
])
def test_demo_questions_end_to_end(question, expected):
    from gongkai.publishing.demo import load_demo_publications

    demo.load_demo()
    load_demo_publications()
    load_demo_faqs()
    bureau = Agency.objects.get(name="青岚市市场监督管理局")
    result = engine.answer(question, agency=bureau)
    assert result.answers[0].sources[0].title == expected
