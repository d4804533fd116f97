import datetime as dt

import pytest

from gongkai.core.tests.helpers import at
from gongkai.interaction import services
from gongkai.interaction.services import MessageData

D = dt.date
MONDAY = D(2025, 3, 3)  # March 2025 has no public holiday
WRITER_PHONE = "13912345678"


def data(**extra) -> MessageData:
    values = {"kind": "complaint", "subject": "某超市销售过期酸奶",
              "content": "我在某超市买的酸奶过期了，联系电话13912345678，请核查处理。",
              "name": "王小明", "phone": WRITER_PHONE, "email": "wxm@example.com",
              "publish_consent": True}
    values.update(extra)
    return MessageData(**values)


@pytest.fixture
def on_monday():
    at(MONDAY)
    return MONDAY


@pytest.fixture
def submitted(bureau, on_monday):
    """A message to the bureau, submitted on a Monday; returns (message, secret)."""
    return services.message_submit(agency=bureau, data=data())


@pytest.fixture
def message(submitted):
    return submitted[0]


@pytest.fixture
def replied(message, office, officer, department):
    services.message_assign(actor=office, message=message, department=department)
    services.reply_submit(actor=officer, message=message,
                          text="经核查，该超市确有销售过期酸奶的行为，已依法立案查处。")
    services.reply_check(actor=office, message=message, passed=True)
    message.refresh_from_db()
    return message
