"""Stale accounts, accounts without interaction, the supervisor's counts, the year's
totals and sentence, and the website's own figures counted from the records."""

import datetime as dt
import itertools

import pytest

from gongkai.channels import selectors, services
from gongkai.channels.tests.conftest import TODAY, fig
from gongkai.consultations.models import Consultation
from gongkai.core.identifiers import resident_id_check_char
from gongkai.core.models import Role
from gongkai.core.tests.factories import UserFactory, member
from gongkai.foi.models import FoiRequest
from gongkai.foi.services.requests import ApplicantData, request_register
from gongkai.interaction import services as interaction
from gongkai.interaction.models import Message
from gongkai.interaction.services import MessageData
from gongkai.publishing.models import Publication

pytestmark = pytest.mark.django_db
D = dt.date
_numbers = itertools.count(1)


def ago(days):
    return TODAY - dt.timedelta(days=days)


def test_stale_accounts_at_the_boundary(account, bureau):
    fresh = account("wechat", "十四天", last_post_on=ago(14))
    stale = account("weibo", "十五天", last_post_on=ago(15))
    never = account("douyin", "从未", last_post_on=None)
    account("toutiao", "已关停", last_post_on=ago(100), is_active=False)
    rows = selectors.stale_accounts(agency=bureau, today=TODAY)
    assert [r.account for r in rows] == [never, stale]
    assert (rows[1].last_post_on, rows[1].days) == (ago(15), 15)
    assert (rows[0].last_post_on, rows[0].days) == (None, None)
    assert fresh not in [r.account for r in rows]


def test_a_ten_day_agency_flags_an_account_the_national_rule_would_not(account, bureau, office):
    a = account(last_post_on=ago(11))
    assert selectors.stale_accounts(agency=bureau, today=TODAY) == []
    services.channel_settings_save(actor=office, agency=bureau, stale_after_days=10)
    assert [r.account for r in selectors.stale_accounts(agency=bureau, today=TODAY)] == [a]


def test_accounts_without_interaction(account, bureau):
    account("wechat", "有互动", last_post_on=TODAY)
    mute = account("douyin", "无互动", has_interaction=False, last_post_on=TODAY)
    account("weibo", "无互动已关停", has_interaction=False, is_active=False)
    assert selectors.accounts_without_interaction(agency=bureau) == [mute]


def test_the_supervisors_counts_use_each_agencys_own_interval(account, bureau, other_agency, tree,
                                                              other_office, office):
    account("wechat", "甲", last_post_on=ago(20))
    account("weibo", "乙", last_post_on=ago(3))
    account("wechat", "丙", agency=other_agency, actor=other_office, last_post_on=ago(12))
    account("weibo", "丁", agency=other_agency, actor=other_office, last_post_on=None)
    services.channel_settings_save(actor=other_office, agency=other_agency, stale_after_days=10)
    lines = selectors.stale_counts_under(tree["city"], TODAY)
    assert [(line.agency, line.stale) for line in lines] == [(other_agency, 2), (bureau, 1)]
    assert [(line.agency, line.stale) for line in selectors.stale_counts_under(tree["county"], TODAY)] == [
        (other_agency, 2)]


def test_annual_totals_sum_the_months_and_take_the_year_end_followers(account, bureau, office):
    w1 = account("wechat", "公众号一", "w1")
    w2 = account("wechat", "公众号二", "w2")
    weibo = account("weibo", "微博", "wb")
    account("douyin", "无数据", "dy")
    for month, posts in ((D(2024, 1, 1), 50), (D(2024, 6, 1), 60), (D(2024, 12, 1), 70)):
        services.figures_save(actor=office, agency=bureau, month=month, rows=[
            fig(w1, posts, 10_000 + posts, 100_000), fig(w2, 10, 2_000, 3_000)])
    services.figures_save(actor=office, agency=bureau, month=D(2024, 11, 1), rows=[fig(weibo, 5, 800, 900)])
    services.figures_save(actor=office, agency=bureau, month=D(2025, 1, 1), rows=[fig(w1, 999, 99_999, 9)])
    totals = selectors.annual_totals(agency=bureau, year=2024)
    by = {p.platform: p for p in totals.platforms}
    assert list(by) == ["wechat", "weibo"]
    assert (by["wechat"].accounts, by["wechat"].posts, by["wechat"].reads) == (2, 210, 309_000)
    assert by["wechat"].followers == 10_070 + 2_000  # December's, not January 2025's
    assert (by["weibo"].accounts, by["weibo"].posts, by["weibo"].followers) == (1, 5, 800)
    assert (totals.accounts, totals.posts) == (3, 215)
    assert totals.sentence == ("政务微信公众号2个发布信息210条，阅读量30.9万次，年末关注用户1.2万人；"
                               "政务微博发布信息5条，阅读量900次，年末关注用户800人。")


def applicant(serial: int) -> ApplicantData:
    first17 = f"89010119850101{serial:03d}"
    return ApplicantData(
        applicant_type="natural_person", name=f"申请人{serial}", id_type="resident_id",
        id_number=first17 + resident_id_check_char(first17), phone=f"1390999{serial:04d}",
        description="请公开抽检结果", delivery="email", email=f"a{serial}@example.invalid")


def message_data(subject: str) -> MessageData:
    return MessageData(kind="complaint", subject=subject, content="某超市销售过期酸奶，请核查处理。",
                       name="王小明", phone="13912345678", email="wxm@example.com", publish_consent=True)


def publish(agency, user, published_on, status="published"):
    return Publication.objects.create(
        agency=agency, index_number=f"{agency.code}/C-{next(_numbers):05d}", title="通告",
        status=status, published_on=published_on, written_on=published_on, issuing_agency=agency.name,
        disclosure_attribute="proactive", created_by=user)


def test_the_sentence_starts_with_the_websites_items_and_is_empty_without_anything(bureau, office):
    assert selectors.annual_totals(agency=bureau, year=2024).sentence == ""
    for day in (D(2024, 3, 1), D(2024, 3, 9), D(2024, 12, 31)):
        publish(bureau, office, day)
    assert selectors.annual_totals(agency=bureau, year=2024).sentence == "全年通过政府网站发布信息3条。"


def test_the_websites_figures_come_from_the_records(bureau, office, other_agency):
    publish(bureau, office, D(2025, 3, 1))
    publish(bureau, office, D(2025, 3, 20))
    publish(bureau, office, D(2025, 4, 2))
    publish(bureau, office, D(2025, 4, 3), status="withdrawn")  # no longer public
    publish(bureau, office, D(2024, 4, 3))  # another year
    publish(other_agency, office, D(2025, 4, 3))  # another agency
    for serial, received in ((1, D(2025, 2, 5)), (2, D(2025, 2, 6)), (3, D(2025, 5, 7))):
        request_register(actor=office, agency=bureau, data=applicant(serial),
                         channel="in_person", received_on=received)
    assert FoiRequest.objects.count() == 3
    m1, _ = interaction.message_submit(agency=bureau, data=message_data("过期酸奶"))
    m2, _ = interaction.message_submit(agency=bureau, data=message_data("另一件"))
    Message.objects.filter(pk=m1.pk).update(received_on=D(2025, 1, 10), replied_on=D(2025, 2, 1))
    Message.objects.filter(pk=m2.pk).update(received_on=D(2025, 1, 20))
    Consultation.objects.create(agency=bureau, kind="normative", title="草案", draft_body="第一条 x",
                                explanation="说明", opens_on=D(2025, 6, 1), closes_on=D(2025, 7, 1),
                                status="published", created_by=office)
    Consultation.objects.create(agency=bureau, kind="normative", title="草稿", draft_body="第一条 x",
                                explanation="说明", opens_on=D(2025, 6, 1), closes_on=D(2025, 7, 1),
                                status="draft", created_by=office)
    w = selectors.website_figures(agency=bureau, year=2025)
    by_month = {m.month.month: m for m in w.months}
    assert (by_month[3].published, by_month[4].published) == (2, 1)
    assert (by_month[2].requests, by_month[5].requests) == (2, 1)
    assert (by_month[1].messages_received, by_month[2].messages_answered) == (2, 1)
    assert by_month[6].consultations == 1
    t = w.total
    assert (t.published, t.requests, t.messages_received, t.messages_answered, t.consultations) == (3, 3, 2, 1, 1)
    assert selectors.annual_totals(agency=bureau, year=2025).website.published == 3


def test_an_account_outside_the_scope_is_a_404(account, other_agency, other_office, office, supervisor):
    from django.http import Http404

    foreign = account(agency=other_agency, actor=other_office)
    with pytest.raises(Http404):
        selectors.account_get_for_user(user=office, pk=foreign.pk)
    assert selectors.account_get_for_user(user=supervisor, pk=foreign.pk) == foreign
    officer_elsewhere = member(UserFactory(username="x"), other_agency, Role.OFFICER)
    with pytest.raises(Http404):
        selectors.account_get_for_user(user=officer_elsewhere, pk=foreign.pk)


def test_the_websites_figures_equal_the_counts_of_the_apps_that_own_the_records(bureau, office):
    """The year's website totals are the same numbers publishing's statistics, the annual
    report's table 三 (一、本年新收) and interaction's statistics give for the agency."""
    from gongkai.interaction.selectors import message_statistics
    from gongkai.publishing.selectors.statistics import publication_statistics
    from gongkai.reports.computation import request_counts

    for day in (D(2025, 1, 2), D(2025, 3, 1), D(2025, 6, 15)):
        publish(bureau, office, day)
    publish(bureau, office, D(2024, 12, 31))
    publish(bureau, office, D(2025, 5, 5), status="withdrawn")
    for serial, received in ((11, D(2024, 12, 30)), (12, D(2025, 1, 2)), (13, D(2025, 6, 6))):
        request_register(actor=office, agency=bureau, data=applicant(serial), channel="in_person",
                         received_on=received)
    for subject, received, replied in (("甲", D(2025, 2, 1), D(2025, 2, 10)), ("乙", D(2025, 3, 1), None),
                                       ("丙", D(2024, 12, 1), D(2024, 12, 20))):
        m, _ = interaction.message_submit(agency=bureau, data=message_data(subject))
        Message.objects.filter(pk=m.pk).update(received_on=received, replied_on=replied,
                                               status="replied" if replied else "assigned")
    total = selectors.website_figures(agency=bureau, year=2025).total
    assert total.published == publication_statistics(agency=bureau, year=2025, today=TODAY).items.this_year == 3
    assert total.requests == sum(r["received"] for r in request_counts([bureau.pk], 2025)) == 2
    stats = message_statistics(agencies=[bureau], start=D(2025, 1, 1), end=D(2025, 12, 31)).total
    assert total.messages_received == stats.received == 2
    assert total.messages_answered == stats.replied == 1


def test_without_a_december_figure_the_year_end_followers_are_the_latest_month_of_the_year(
        account, bureau, office):
    a = account("wechat", "公众号", "w")
    b = account("wechat", "公众号二", "w2")
    for month, followers in ((D(2024, 9, 1), 1_000), (D(2024, 11, 1), 1_200)):
        services.figures_save(actor=office, agency=bureau, month=month, rows=[fig(a, 1, followers, 1)])
    services.figures_save(actor=office, agency=bureau, month=D(2024, 12, 1), rows=[fig(b, 1, 500, 1)])
    services.figures_save(actor=office, agency=bureau, month=D(2025, 1, 1), rows=[fig(a, 1, 9_999, 1)])
    [wechat] = selectors.annual_totals(agency=bureau, year=2024).platforms
    assert wechat.followers == 1_200 + 500  # November's for the first, December's for the second
    [series] = selectors.monthly_series(agency=bureau, year=2024)
    # A month without any figure is a gap; December keeps the first account's November
    # count, so the chart ends on the year-end total instead of dipping to 500.
    assert series.followers[8:] == [1_000, None, 1_200, 1_700]
    assert series.followers[11] == wechat.followers


def test_the_inspection_can_judge_by_its_own_days_whatever_the_agencys_setting(account, bureau, office):
    a = account(last_post_on=ago(12))
    assert selectors.stale_accounts(agency=bureau, today=TODAY) == []
    assert [r.account for r in selectors.stale_accounts(agency=bureau, today=TODAY, days=10)] == [a]
    services.channel_settings_save(actor=office, agency=bureau, stale_after_days=10)
    assert selectors.stale_accounts(agency=bureau, today=TODAY, days=14) == []
