"""Shared fixtures of the random inspections' tests: a frozen day, entities and inspectors
in the bureau's directories (written directly, so that every part's tests start from the
same rows without depending on the importer)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongkai.core import clock
from gongkai.core.identifiers import uscc_check_char
from gongkai.random_inspections.models import Entity, Inspector

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 15)  # a Monday
RISK_GRADES = ("高", "中", "低")
REGIONS = ("和平区", "河西区", "南开区")


def at(day: dt.date, hour: int = 10) -> None:
    clock.freeze(dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ))


def uscc(serial: int, prefix: str = "91120101MA") -> str:
    """A well-formed unified social credit code (valid check character), no real entity."""
    first17 = f"{prefix}{serial:07d}"[:17]
    return first17 + uscc_check_char(first17)


def make_entities(agency, n: int, *, start: int = 0, kind: str = "企业", industry: str = "食品销售"):
    """``n`` entities, risk grades and regions in rotation."""
    now = clock.now()
    rows = [
        Entity(agency=agency, credit_code=uscc(start + i), name=f"测试商贸有限公司{start + i:05d}",
               kind=kind, industry=industry, region=REGIONS[i % len(REGIONS)],
               grid=f"{REGIONS[i % len(REGIONS)]}第{i % 4 + 1}网格", address=f"测试路{i + 1}号",
               risk_grade=RISK_GRADES[i % len(RISK_GRADES)], credit_grade="A", updated_at=now)
        for i in range(n)
    ]
    return Entity.objects.bulk_create(rows)


def make_inspectors(agency, n: int, *, department=None, start: int = 0):
    now = clock.now()
    rows = [
        Inspector(agency=agency, department=department, department_name=department.name if department else "",
                  name=f"执法员{start + i:03d}", certificate_number=f"12010{start + i:06d}",
                  region=REGIONS[i % len(REGIONS)], grid=f"{REGIONS[i % len(REGIONS)]}第{i % 4 + 1}网格",
                  expertise="食品安全", phone=f"1380000{start + i:04d}", updated_at=now)
        for i in range(n)
    ]
    return Inspector.objects.bulk_create(rows)


@pytest.fixture
def today():
    at(TODAY)
    return TODAY


@pytest.fixture
def entities(today, bureau):
    return make_entities(bureau, 60)


@pytest.fixture
def inspectors(today, bureau, department):
    return make_inspectors(bureau, 12, department=department)
