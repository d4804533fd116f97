"""The reads other areas code against: messages_for_analysis and public_replies."""

import datetime as dt

from gongkai.interaction import selectors, services
from gongkai.interaction.selectors import messages_for_analysis, public_replies
from gongkai.interaction.tests.conftest import MONDAY


def test_messages_for_analysis_gives_the_agreed_keys_for_the_period(replied, bureau, other_agency):
    rows = list(messages_for_analysis(agencies=[bureau], start=MONDAY, end=MONDAY))
    assert rows == [{
        "received_on": MONDAY, "kind": "complaint", "kind_label": "投诉",
        "department": "食品安全科", "category": "", "region": "",
        "text": f"{replied.subject} {replied.content}",
    }]
    assert list(messages_for_analysis(agencies=[other_agency], start=MONDAY, end=MONDAY)) == []
    assert list(messages_for_analysis(agencies=[bureau], start=MONDAY + dt.timedelta(days=1),
                                      end=MONDAY + dt.timedelta(days=9))) == []


def test_public_replies_are_only_the_published_ones_with_masked_texts(replied, office, bureau, other_agency):
    assert not public_replies().exists()
    services.message_publish(actor=office, message=replied, text=selectors.proposed_public_text(replied))
    found = public_replies(agency=bureau).get()
    assert found.public_reply.startswith("经核查") and "13912345678" not in found.public_content
    assert found.replied_on == MONDAY and found.get_absolute_url().endswith(f"/{found.pk}/")
    assert not public_replies(agency=other_agency).exists()
