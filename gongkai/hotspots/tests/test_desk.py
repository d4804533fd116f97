import pytest

from gongkai.core import desk
from gongkai.core.models import Membership
from gongkai.hotspots.analysis import analyse
from gongkai.hotspots.selectors import default_period
from gongkai.hotspots.tests.conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


def _queues(user):
    membership = Membership.objects.get(user=user)
    return {q.key: q for q in desk.queues_for(membership)}


def test_last_weeks_emerging_topics_wait_on_the_office_and_the_supervisor(import_file, office, supervisor,
                                                                          leader, bureau):
    assert "hotspots.emerging" not in _queues(office)  # nothing imported: no queue
    import_file(csv_bytes([row(f"A{i}", summary="悦动健身闭店，预付卡退费。") for i in range(6)]))
    expected = analyse(agencies=[bureau], period=default_period("W")).emerging
    for user in (office, supervisor):
        queue = _queues(user)["hotspots.emerging"]
        assert queue.count == len(expected) > 0
        assert "period=2026-W10" in queue.url
    assert "hotspots.emerging" not in _queues(leader)


def test_the_desk_reuses_its_analysis_until_complaints_are_imported(import_file, office, monkeypatch):
    from gongkai.hotspots import selectors

    import_file(csv_bytes([row(f"A{i}", summary="悦动健身闭店，预付卡退费。") for i in range(6)]))
    runs = []
    real = selectors.analysis_for
    monkeypatch.setattr(selectors, "analysis_for", lambda **kw: runs.append(1) or real(**kw))
    first = _queues(office)["hotspots.emerging"]
    second = _queues(office)["hotspots.emerging"]
    assert len(runs) == 1 and (second.count, second.hint) == (first.count, first.hint)

    # A new import may add to the week: the next desk view analyses it again.
    import_file(csv_bytes([row(f"B{i}", summary="电动自行车电池起火，充电器过热。") for i in range(6)]))
    _queues(office)
    assert len(runs) == 2
