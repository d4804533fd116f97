import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongkai.consultations import services
from gongkai.core import clock

TZ = ZoneInfo("Asia/Shanghai")
# A Monday; the draft opens on Tuesday 4 March and closes on Thursday 3 April (30 days).
START = dt.date(2025, 3, 3)

DRAFT = """第一条 为了规范食品经营许可，制定本办法。
第二条 本办法适用于本市行政区域内的食品经营许可。
第三条 市场监督管理部门应当在二十个工作日内作出决定。
第十一条 本办法自发布之日起施行。"""


def at(day: dt.date, hour: int = 10) -> None:
    clock.freeze(dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ))


@pytest.fixture
def today():
    at(START)
    return START


@pytest.fixture
def draft_fields():
    return {
        "kind": "normative", "title": "某市食品经营许可办法（征求意见稿）", "draft_body": DRAFT,
        "explanation": "为落实食品安全法，起草本办法。", "basis": "《中华人民共和国食品安全法》",
        "opens_on": START + dt.timedelta(days=1), "closes_on": START + dt.timedelta(days=31),
        "short_period_reason": "",
    }


@pytest.fixture
def draft(today, bureau, office, draft_fields):
    return services.consultation_create(actor=office, agency=bureau, **draft_fields)


@pytest.fixture
def published(draft, office, leader):
    services.consultation_submit(actor=office, consultation=draft)
    return services.consultation_approve(actor=leader, consultation=draft)


@pytest.fixture
def open_now(published):
    at(published.opens_on + dt.timedelta(days=2))
    return published


def close(c):
    at(c.closes_on + dt.timedelta(days=1))
