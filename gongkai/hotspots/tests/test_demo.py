import pytest

from gongkai.core.demo import load_demo
from gongkai.core.models import Agency
from gongkai.hotspots.analysis import analyse
from gongkai.hotspots.demo import load_demo_complaints
from gongkai.hotspots.models import ComplaintImport
from gongkai.hotspots.selectors import default_period


@pytest.mark.django_db
def test_the_demo_year_imports_and_shows_its_emerging_topic():
    assert load_demo()
    imported = load_demo_complaints()
    assert 3000 <= imported <= 6000
    batch = ComplaintImport.objects.get()
    assert batch.bad == 2 and batch.imported_by.username == "office"
    bureau = Agency.objects.get(name="青岚市市场监督管理局")
    week = analyse(agencies=[bureau], period=default_period("W"), sources="complaints")
    assert {"闭店", "悦动"} <= {e.term for e in week.emerging}
    assert week.last_year_total > 0 and all(p.last_year for p in week.trend)
    assert {r.label for r in week.dimensions["category"]} >= {"预付卡", "食品"}
    assert load_demo_complaints() == 0  # a second run imports only duplicates
