"""Versions of the bureau's list made through the services, for the powerlists tests."""

import datetime as dt

import pytest

from gongkai.core import clock
from gongkai.powerlists import services
from gongkai.powerlists.tests.helpers import LAW

NOW = dt.datetime(2025, 6, 16, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    clock.freeze(NOW)


def item(name, kind="licensing", basis=LAW, department_name="食品经营监管科", level="市级", code=""):
    return {"kind": kind, "name": name, "basis": basis, "department_name": department_name, "level": level,
            "code": code}


FIRST = [item("食品经营许可"), item("食品生产许可"), item("对生产不合格食品的处罚", kind="penalty"),
         item("广告发布登记", kind="confirmation")]
SECOND = [item("食品经营许可", basis="《食品安全法》第三十五条；《食品经营许可和备案管理办法》"),
          item("食品生产许可"), item("对生产不合格食品的处罚", kind="penalty", department_name="执法稽查局"),
          item("食品小作坊登记", kind="confirmation")]


def make_version(office, agency, items, *, title="2024年版", publish=False, effective_on=dt.date(2025, 1, 1)):
    version = services.version_create(actor=office, agency=agency, title=title)
    for fields in items:
        services.item_add(actor=office, version=version, **fields)
    if publish:
        version = services.version_publish(actor=office, version=version, effective_on=effective_on,
                                           adopted_by="青政发〔2025〕3号", reason="经局务会审定").version
    return version


@pytest.fixture
def published(office, bureau):
    """Two published versions of the bureau's list: 2024 then 2025 (new 1, removed 1, changed 2)."""
    first = make_version(office, bureau, FIRST, title="2024年版", publish=True)
    clock.freeze(NOW + dt.timedelta(days=30))
    second = make_version(office, bureau, SECOND, title="2025年版", publish=True, effective_on=dt.date(2025, 7, 1))
    return first, second


@pytest.fixture
def draft(office, bureau):
    return make_version(office, bureau, FIRST, title="2026年版（草稿）")
