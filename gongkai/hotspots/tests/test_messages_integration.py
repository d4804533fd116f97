"""The message board's real selector (``interaction.selectors.messages_for_analysis``)
feeding the analysis: messages submitted through the message board's own service."""

import datetime as dt

import pytest

from gongkai.core.tests.helpers import at
from gongkai.hotspots.analysis import analyse
from gongkai.hotspots.periods import WEEK, Period
from gongkai.hotspots.tests.conftest import TODAY

pytestmark = pytest.mark.django_db
WEEK10 = Period(WEEK, dt.date(2026, 3, 2))


def test_messages_of_the_board_are_counted_and_their_terms_found(bureau):
    from gongkai.interaction import services
    from gongkai.interaction.services import MessageData

    for day in (dt.date(2026, 3, 3), dt.date(2026, 3, 4)):
        at(day)
        for i in range(3):
            services.message_submit(agency=bureau, data=MessageData(
                kind="complaint", subject="悦动健身闭店", content=f"悦动健身闭店，预付卡无法退费（{i}）。",
                name="王小明", phone="13912345678", email="", publish_consent=False))
    at(TODAY)
    a = analyse(agencies=[bureau], period=WEEK10, sources="messages")
    assert a.total == 6 and a.by_source == {"complaints": 0, "messages": 6}
    assert {t.term: t.count for t in a.top_terms}["闭店"] == 6
    assert "闭店" in {e.term for e in a.emerging}
    assert all("13912345678" not in s for e in a.emerging for s in e.examples)
