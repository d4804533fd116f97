import datetime as dt

import pytest
from django.utils import timezone

from gongkai.core import clock
from gongkai.foi.services.requests import ApplicantData, request_register, request_submit_online

VALID_ID = "11010519491231002X"


def at(day: dt.date, hour: int = 10) -> None:
    """Freeze the platform clock at a time on ``day`` (Asia/Shanghai)."""
    clock.freeze(timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour)))


def applicant(**overrides) -> ApplicantData:
    values = {
        "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
        "id_number": VALID_ID, "phone": "13800138000", "description": "2024年度食品安全监督抽检结果",
        "delivery": "email", "email": "zhangsan@example.invalid", "address": "云泽省青岚市滨河区长安路18号",
    }
    values.update(overrides)
    return ApplicantData(**values)


@pytest.fixture
def register(bureau, office):
    """`register(received_on, **applicant fields)` → a request received in person."""

    def make(received_on: dt.date, **fields):
        at(received_on)
        request, _ = request_register(actor=office, agency=bureau, data=applicant(**fields),
                                      channel="in_person", received_on=received_on)
        return request

    return make


@pytest.fixture
def submit(bureau):
    def make(on: dt.date, **fields):
        at(on)
        return request_submit_online(agency=bureau, data=applicant(**fields))

    return make
