"""Accounts, the monthly grid and the interval: each write audited; bad input saves
nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.channels import services
from gongkai.channels.models import Account, AgencyChannelSettings, MonthlyFigure
from gongkai.channels.tests.conftest import fig
from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db
MAY = dt.date(2025, 5, 1)


def test_registering_an_account_is_audited(account, office):
    a = account("wechat", "青岚市场监管", "qinglan")
    event = AuditEvent.objects.get(action="channels.account_create")
    assert event.actor == office and event.object_id == str(a.pk)
    assert event.after["handle"] == "qinglan" and event.after["has_interaction"] is True


def test_the_same_handle_twice_on_a_platform_is_refused(account):
    account("weibo", "甲", "same")
    with pytest.raises(DomainError, match="已登记"):
        account("weibo", "乙", "SAME")
    account("douyin", "丙", "same")  # another platform: fine
    assert Account.objects.count() == 2


def test_a_latest_post_date_in_the_future_is_refused(account):
    with pytest.raises(DomainError, match="晚于今天"):
        account(last_post_on=dt.date(2025, 6, 17))


def test_an_account_change_records_only_what_changed(account, office):
    a = account("wechat", "旧名", "h1")
    services.account_update(actor=office, account=a, data=services.AccountData(
        platform="wechat", name="新名", handle="h1", has_interaction=False))
    event = AuditEvent.objects.get(action="channels.account_update")
    assert event.before == {"name": "旧名", "has_interaction": True}
    assert event.after == {"name": "新名", "has_interaction": False}


def test_the_grid_enters_then_corrects_with_the_old_and_new_values(account, office, bureau):
    a = account()
    result = services.figures_save(actor=office, agency=bureau, month=MAY, rows=[fig(a, 10, 100, 1000)])
    assert (result.created, result.corrected) == (1, 0)
    result = services.figures_save(actor=office, agency=bureau, month=MAY, rows=[fig(a, 12, 100, 1000)])
    assert (result.created, result.corrected) == (0, 1)
    assert MonthlyFigure.objects.get().posts == 12
    correction = AuditEvent.objects.get(action="channels.figure_correct")
    assert correction.actor == office
    assert correction.before == {"account": a.pk, "month": "2025-05", "posts": 10}
    assert correction.after["posts"] == 12 and "reads" not in correction.after
    again = services.figures_save(actor=office, agency=bureau, month=MAY, rows=[fig(a, 12, 100, 1000)])
    assert again.unchanged == 1 and AuditEvent.objects.filter(action="channels.figure_correct").count() == 1


def test_a_half_typed_line_refuses_the_whole_grid(account, office, bureau):
    a, b = account("wechat"), account("weibo")
    with pytest.raises(DomainError, match="须同时填写"):
        services.figures_save(actor=office, agency=bureau, month=MAY,
                              rows=[fig(a, 1, 2, 3), fig(b, 1, None, 3)])
    assert not MonthlyFigure.objects.exists()


def test_an_entered_figure_cannot_be_emptied(account, office, bureau):
    a = account()
    services.figures_save(actor=office, agency=bureau, month=MAY, rows=[fig(a, 1, 2, 3)])
    with pytest.raises(DomainError, match="不能清空"):
        services.figures_save(actor=office, agency=bureau, month=MAY, rows=[fig(a, None, None, None)])


def test_a_month_not_yet_come_is_refused(account, office, bureau):
    with pytest.raises(DomainError, match="尚未到来"):
        services.figures_save(actor=office, agency=bureau, month=dt.date(2025, 7, 1), rows=[fig(account(), 1, 2, 3)])


def test_the_grid_sets_the_latest_post_date_and_audits_it(account, office, bureau):
    a = account(last_post_on=dt.date(2025, 5, 1))
    services.figures_save(actor=office, agency=bureau, month=MAY,
                          rows=[fig(a, None, None, None, last_post_on=dt.date(2025, 6, 10))])
    a.refresh_from_db()
    assert a.last_post_on == dt.date(2025, 6, 10)
    event = AuditEvent.objects.get(action="channels.last_post")
    assert event.before == {"last_post_on": "2025-05-01"} and event.after["last_post_on"] == "2025-06-10"


def test_another_agencys_account_cannot_be_typed_for(account, office, other_office, other_agency, bureau):
    foreign = account(agency=other_agency, actor=other_office)
    with pytest.raises(DomainError, match="不属于本机关"):
        services.figures_save(actor=office, agency=bureau, month=MAY, rows=[fig(foreign, 1, 2, 3)])


@pytest.mark.parametrize("who", ["officer", "reviewer", "leader", "supervisor", "other_office"])
def test_only_the_office_writes(request, who, account, bureau):
    a = account()
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.figures_save(actor=actor, agency=bureau, month=MAY, rows=[fig(a, 1, 2, 3)])
    with pytest.raises(PermissionDenied):
        services.channel_settings_save(actor=actor, agency=bureau, stale_after_days=10)


def test_the_interval_is_bounded_by_the_national_rule(office, bureau):
    services.channel_settings_save(actor=office, agency=bureau, stale_after_days=10)
    assert AgencyChannelSettings.objects.get(agency=bureau).stale_after_days == 10
    with pytest.raises(DomainError, match="1至14"):
        services.channel_settings_save(actor=office, agency=bureau, stale_after_days=15)
    event = AuditEvent.objects.get(action="channels.settings")
    assert event.before == {"stale_after_days": 14} and event.after == {"stale_after_days": 10}


def test_a_figure_too_large_for_its_column_is_refused_not_left_to_the_database(account, office, bureau):
    a = account()
    with pytest.raises(DomainError, match="数值过大"):
        services.figures_save(actor=office, agency=bureau, month=MAY, rows=[fig(a, 2_147_483_648, 1, 1)])
    assert not MonthlyFigure.objects.exists()
    # Reads are a 64-bit column: a large read count is fine.
    services.figures_save(actor=office, agency=bureau, month=MAY, rows=[fig(a, 1, 1, 5_000_000_000)])
    assert MonthlyFigure.objects.get().reads == 5_000_000_000
