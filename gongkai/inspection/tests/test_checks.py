"""The checks, indicator by indicator, against the thresholds of the data file: stale and
blank columns as a veto at the threshold and as warnings below it, the home page, the
message left over three months, the service guides, and the score."""

import datetime as dt
from decimal import Decimal

import pytest

from gongkai.core.tests.helpers import at
from gongkai.inspection import checks, indicators
from gongkai.inspection.tests.conftest import TODAY
from gongkai.interaction import services as message_services
from gongkai.interaction.services import MessageData
from gongkai.publishing.models import ColumnKind

pytestmark = pytest.mark.django_db


def keys(findings):
    return [f.indicator for f in findings]


def run(bureau):
    # The crawl is not what these tests are about: the crawl-based checks still run.
    return checks.inspect(bureau, today=TODAY, use_configured_fetcher=False)


def test_stale_and_blank_columns_below_the_thresholds_are_warnings(bureau, column, publish, today):
    news = column("新闻动态")
    publish(news, "旧闻", days_ago=20)
    fresh = column("工作动态")
    publish(fresh, "新闻", days_ago=2)
    column("空白栏目甲", ColumnKind.STATIC)
    result = run(bureau)
    assert "columns_not_updated" not in keys(result.veto)
    stale = [f for f in result.warnings if f.indicator == "column_stale"]
    assert [("“新闻动态”" in f.detail and "20天" in f.detail) for f in stale] == [True]
    assert [f.detail for f in result.warnings if f.indicator == "column_blank"] == [
        "栏目“空白栏目甲”为空白栏目（没有任何信息）"]


def test_five_stale_dynamic_columns_are_a_veto(bureau, column, publish, today):
    for i in range(5):
        publish(column(f"动态{i}"), f"旧闻{i}", days_ago=15)
    publish(column("动态新"), "新闻", days_ago=0)
    result = run(bureau)
    [veto] = [f for f in result.veto if f.indicator == "columns_not_updated"]
    assert veto.name == "栏目不更新" and veto.detail.startswith("5个")
    assert "column_stale" not in keys(result.warnings)  # listed in the veto instead


def test_four_stale_columns_are_not_a_veto_and_14_days_is_still_fresh(bureau, column, publish, today):
    for i in range(4):
        publish(column(f"动态{i}"), f"旧闻{i}", days_ago=15)
    publish(column("动态边界"), "刚好两周", days_ago=14)
    result = run(bureau)
    assert "columns_not_updated" not in keys(result.veto)
    assert keys(result.warnings).count("column_stale") == 4


def test_stale_notice_sub_columns_count_towards_the_veto_only_at_the_top_level(bureau, column, publish,
                                                                                today):
    parent = column("政策文件", ColumnKind.NOTICE)
    for i in range(5):
        publish(column(f"文件{i}", ColumnKind.NOTICE, parent=parent), f"文件{i}", days_ago=200)
    result = run(bureau)
    assert "columns_not_updated" not in keys(result.veto)  # one top-level notice column
    assert keys(result.warnings).count("column_stale") == 6


def test_five_blank_columns_are_a_veto_naming_them(bureau, column, publish, today):
    publish(column("新闻动态"), "新闻")
    for i in range(5):
        column(f"空白{i}", ColumnKind.STATIC)
    result = run(bureau)
    [veto] = [f for f in result.veto if f.indicator == "columns_not_updated"]
    assert "5个空白栏目" in veto.detail and "“空白4”" in veto.detail
    assert "column_blank" not in keys(result.warnings)


def test_ten_long_overdue_columns_are_a_veto(bureau, column, publish, today):
    for i in range(10):
        publish(column(f"规划{i}", ColumnKind.PLAN), f"规划{i}", days_ago=400)
    publish(column("新闻动态"), "新闻")
    result = run(bureau)
    [veto] = [f for f in result.veto if f.indicator == "columns_not_updated"]
    assert "10个栏目超过365天未更新" in veto.detail


def test_a_home_page_without_news_for_over_two_weeks_is_a_veto(bureau, column, publish, today):
    publish(column("新闻动态"), "新闻", days_ago=15)
    assert "home_page_not_updated" in keys(run(bureau).veto)


def test_a_home_page_updated_two_weeks_ago_passes(bureau, column, publish, today):
    publish(column("新闻动态"), "新闻", days_ago=14)
    assert "home_page_not_updated" not in keys(run(bureau).veto)


def _message(bureau, day, subject="某超市销售过期酸奶"):
    at(day)
    message, _ = message_services.message_submit(agency=bureau, data=MessageData(
        kind="complaint", subject=subject, content="我在某超市买的酸奶过期了，请核查处理。"))
    at(TODAY)
    return message


def test_a_message_unanswered_for_over_three_months_is_a_veto(bureau, column, publish, today):
    publish(column("新闻动态"), "新闻")
    old = _message(bureau, TODAY - dt.timedelta(days=100))
    _message(bureau, TODAY - dt.timedelta(days=60))  # two months: not yet
    [veto] = [f for f in run(bureau).veto if f.indicator == "poor_interaction"]
    assert old.tracking_number in veto.detail and veto.name == "互动回应差"


def test_the_three_month_mark_is_interactions(bureau, column, publish, today):
    """Received on 16 March: the mark is 17 June (interaction.rules.inspection_veto_on)."""
    publish(column("新闻动态"), "新闻")
    _message(bureau, dt.date(2025, 3, 16))
    assert "poor_interaction" not in keys(run(bureau).veto)
    assert "poor_interaction" in keys(checks.inspect(bureau, today=dt.date(2025, 6, 17),
                                                     use_configured_fetcher=False).veto)


def test_a_message_left_over_three_months_before_the_last_year_no_longer_counts(bureau, column,
                                                                                 publish, today):
    publish(column("新闻动态"), "新闻")
    _message(bureau, TODAY - dt.timedelta(days=500))
    assert "poor_interaction" not in keys(run(bureau).veto)


def test_a_dismissed_message_is_not_a_valid_question(bureau, column, publish, office, today):
    publish(column("新闻动态"), "新闻")
    message = _message(bureau, TODAY - dt.timedelta(days=100))
    message_services.message_dismiss(actor=office, message=message, reason="广告")
    assert "poor_interaction" not in keys(run(bureau).veto)


GUIDE = ("<p>事项名称：食品经营许可</p><p>设定依据：食品安全法</p><p>申请条件：有场所</p>"
         "<p>申请材料：申请书</p><p>办理流程：受理、审查、决定</p><p>办理时限：5个工作日</p>"
         "<p>收费标准：不收费</p><p>咨询电话：12345</p><p>办理地点：政务服务中心</p>")


def test_a_service_guide_missing_a_required_element_is_a_veto(bureau, column, publish, today):
    guides = column("办事指南", ColumnKind.STATIC)
    publish(column("新闻动态"), "新闻")
    publish(guides, "完整的指南", body=GUIDE)
    publish(column("许可类", ColumnKind.STATIC, parent=guides), "缺材料的指南",
            body=GUIDE.replace("<p>申请材料：申请书</p>", ""))
    [veto] = [f for f in run(bureau).veto if f.indicator == "service_guide_incomplete"]
    assert veto.detail == "办事指南“缺材料的指南”缺少要素：申请材料"
    assert veto.name == "服务不实用" and "/publications/" in veto.url


def test_a_missing_optional_element_is_a_warning(bureau, column, publish, today):
    guides = column("服务指南", ColumnKind.STATIC)
    publish(column("新闻动态"), "新闻")
    publish(guides, "没写地点的指南", body=GUIDE.replace("<p>办理地点：政务服务中心</p>", ""))
    result = run(bureau)
    assert "service_guide_incomplete" not in keys(result.veto)
    assert [f.detail for f in result.warnings if f.indicator == "service_guide_element"] == [
        "办事指南“没写地点的指南”未写明：办理地点和时间"]


def test_without_a_guide_column_the_indicator_does_not_apply(bureau, column, publish, today):
    publish(column("新闻动态"), "没有任何要素的正文")
    result = run(bureau)
    assert "service_guide_incomplete" not in keys(result.veto)


def test_deductions_stop_at_the_indicators_cap(bureau, today):
    ctx = checks.Context(agency=bureau, today=TODAY, rules=indicators.rules())
    items = [(f"链接{i}", Decimal("1.0"), {}) for i in range(12)]
    found = checks._capped(ctx, "broken_links", items)
    assert sum(f.points for f in found) == Decimal(10)
    assert found[-1].points == 0 and "上限" in found[-1].detail


def test_the_score_is_100_minus_the_deductions_and_a_veto_fails(bureau, today):
    result = checks.Result(agency=bureau, checked_on=TODAY, findings=[
        checks.Finding("no_search", "搜索功能", indicators.DEDUCTION, "无", Decimal(5)),
        checks.Finding("broken_links", "链接可用性", indicators.DEDUCTION, "坏链", Decimal("0.1")),
    ])
    assert result.score == Decimal("94.9") and result.passed
    assert result.as_json() == {
        "agency": bureau.code, "score": 94.9, "veto": [],
        "deductions": [{"indicator": "搜索功能", "points": 5.0, "detail": "无"},
                       {"indicator": "链接可用性", "points": 0.1, "detail": "坏链"}],
        "warnings": []}
    result.findings.append(checks.Finding("home_page_not_updated", "首页不更新", indicators.VETO, "x"))
    assert not result.passed


def test_one_more_check_is_one_decorated_function(bureau, column, publish, today):
    """The registry: a check added with @check runs with the others (then removed)."""
    before = list(checks.CHECKS)
    try:
        @checks.check
        def new_media_accounts(ctx):
            return [ctx.finding("column_blank", "新媒体账号两周未更新")]

        assert "新媒体账号两周未更新" in [f.detail for f in run(bureau).warnings]
    finally:
        checks.CHECKS[:] = before
