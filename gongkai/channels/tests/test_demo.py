"""The demo: three accounts of the city bureau on three platforms with twelve months of
figures; the Douyin account is stale and has no interaction function."""

import pytest

from gongkai.channels import selectors
from gongkai.channels.demo import load_demo_channels
from gongkai.channels.models import Account, MonthlyFigure
from gongkai.channels.tests.conftest import TODAY
from gongkai.core.demo import load_demo
from gongkai.core.models import Agency

pytestmark = pytest.mark.django_db


def test_the_demo_has_three_platforms_a_year_of_figures_and_one_stale_account():
    load_demo()
    assert load_demo_channels() == 36
    bureau = Agency.objects.get(name="青岚市市场监督管理局")
    assert set(Account.objects.filter(agency=bureau).values_list("platform", flat=True)) == {
        "wechat", "weibo", "douyin"}
    months = sorted(set(MonthlyFigure.objects.values_list("month", flat=True)))
    assert len(months) == 12 and months[-1].month == TODAY.month - 1
    [stale] = selectors.stale_accounts(agency=bureau, today=TODAY)
    assert stale.account.platform == "douyin" and stale.days == 20
    assert selectors.accounts_without_interaction(agency=bureau) == [stale.account]
    totals = selectors.annual_totals(agency=bureau, year=TODAY.year)
    assert totals.sentence.startswith("政务微信公众号发布信息") or totals.sentence.startswith("全年通过政府网站")
    assert load_demo_channels() == 0  # a second run adds nothing
