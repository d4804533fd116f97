"""The demo message board on top of core's demo province."""

import datetime as dt

from gongkai.core import clock
from gongkai.core.demo import load_demo
from gongkai.core.tests.helpers import at
from gongkai.interaction import selectors
from gongkai.interaction.demo import load_demo_messages
from gongkai.interaction.models import Message
from gongkai.interaction.workflow import MessageStatus


def test_the_demo_loads_a_year_of_messages_in_every_state(db):
    at(dt.date(2026, 3, 16))
    assert load_demo()
    count = load_demo_messages()
    assert count == Message.objects.count() >= 250
    statuses = set(Message.objects.values_list("status", flat=True))
    assert statuses == set(MessageStatus.values)
    assert selectors.public_replies().count() >= 20
    assert Message.objects.exclude(rating="").count() >= 20
    assert Message.objects.filter(transferred_from__isnull=False).exists()
    oldest = Message.objects.order_by("submitted_at").first()
    assert (clock.today() - clock.localdate_of(oldest.submitted_at)).days <= 365
    rows = selectors.with_deadlines(Message.objects.filter(status__in=["received"]))
    assert any(r.deadline.alert.value == "three_months" for r in rows)
    assert clock.now() == clock.now()  # the clock is back where it was (frozen by the test)
    assert clock.today() == dt.date(2026, 3, 16)
    assert load_demo_messages() == 0  # once
