import datetime as dt

import pytest

from gongkai.core.tests.helpers import at
from gongkai.foi.services.requests import ApplicantData, request_register, request_submit_online

VALID_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Replies store their letters in the default storage: keep them out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


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
