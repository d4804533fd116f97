"""政务新媒体 in the self-inspection: an account in operation silent for more than 14 days,
or without an interaction function, is a single veto; an agency's stricter rhythm flags
the account on its desk earlier but does not fail the inspection earlier."""

import datetime as dt

import pytest

from gongkai.channels.models import Account, Platform
from gongkai.core import clock
from gongkai.inspection import checks
from gongkai.inspection.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def account(bureau, office, name, *, last_post_days_ago=None, interaction=True, active=True):
    return Account.objects.create(
        agency=bureau, platform=Platform.choices[0][0], name=name, handle=name,
        is_active=active, has_interaction=interaction, created_by=office, created_at=clock.now(),
        last_post_on=None if last_post_days_ago is None else TODAY - dt.timedelta(days=last_post_days_ago),
    )


def new_media_findings(bureau):
    ctx = checks.Context(agency=bureau, today=TODAY, rules=checks.rules())
    return [(f.indicator, f.detail) for f in checks.new_media(ctx)]


def test_an_account_silent_for_15_days_fails_and_14_days_does_not(bureau, office, today):
    account(bureau, office, "青岚发布", last_post_days_ago=14)
    account(bureau, office, "青岚市场", last_post_days_ago=15)
    account(bureau, office, "旧号", last_post_days_ago=400, active=False)  # closed: not checked
    [(indicator, detail)] = new_media_findings(bureau)
    assert indicator == "new_media_not_updated"
    assert "青岚市场" in detail and "已15天未更新" in detail


def test_an_account_never_updated_fails(bureau, office, today):
    account(bureau, office, "新开账号")
    assert new_media_findings(bureau) == [
        ("new_media_not_updated", f"{Account.objects.get().__str__()}从未更新")]


def test_an_account_without_interaction_fails(bureau, office, today):
    account(bureau, office, "只发不回", last_post_days_ago=1, interaction=False)
    [(indicator, detail)] = new_media_findings(bureau)
    assert indicator == "new_media_no_interaction" and "只发不回" in detail


def test_a_stricter_agency_rhythm_does_not_fail_the_inspection_earlier(bureau, office, today):
    from gongkai.channels.models import AgencyChannelSettings

    AgencyChannelSettings.objects.create(agency=bureau, stale_after_days=10)
    account(bureau, office, "十一天", last_post_days_ago=11)
    assert new_media_findings(bureau) == []


def test_the_new_media_veto_fails_the_whole_site(bureau, office, today):
    account(bureau, office, "沉默账号", last_post_days_ago=30)
    result = checks.inspect(bureau, today=TODAY, use_configured_fetcher=False)
    assert "new_media_not_updated" in [f.indicator for f in result.veto]
    assert not result.passed
