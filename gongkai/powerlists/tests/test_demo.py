"""The demo: the city bureau's list in two published versions whose change log shows
items added, cancelled and adjusted; a second run adds nothing."""

import pytest

from gongkai.core.demo import load_demo
from gongkai.core.models import Agency
from gongkai.powerlists import selectors
from gongkai.powerlists.demo import load_demo_powerlists

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_two_versions_with_a_change_log(client):
    load_demo()
    assert load_demo_powerlists() == 14 + 15
    bureau = Agency.objects.get(name="青岚市市场监督管理局")
    current, previous = selectors.published_versions(bureau)
    assert current.previous == previous
    assert (current.added_count, current.removed_count, current.changed_count) == (3, 2, 3)
    change = selectors.compare(previous, current)
    assert sorted(e.name for e in change.removed) == ["对擅自设置户外广告的处罚", "户外广告设施设置审批"]
    assert {c.new.name: c.labels for c in change.changed}["食品小作坊登记"] == ["行使层级"]
    html = client.get(f"/agencies/{bureau.code}/power-list/changes/").content.decode()
    assert "新增3项、取消2项、调整3项" in html
    assert load_demo_powerlists() == 0
