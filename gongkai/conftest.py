"""Shared fixtures: a small agency tree and the named personas of the style guide.

    province
    └── city (supervising office: `supervisor`)
        ├── bureau      (`office`, `officer`, `reviewer`, `leader`)
        └── county
            └── other   (`other_office`: the agency that must never see `bureau`'s data)
"""

import datetime as dt
import os

import pytest

from gongkai.core import clock
from gongkai.core.models import AgencyLevel, Role
from gongkai.core.tests.factories import (
    AdminFactory,
    DepartmentFactory,
    UserFactory,
    make_agency,
    member,
)


def pytest_addoption(parser):
    parser.addoption(
        "--today", metavar="YYYY-MM-DD", default=None,
        help="run the suite as if today were this date (sets GONGKAI_TODAY, which the "
        "commands run by the tests inherit too)",
    )


def pytest_configure(config):
    value = config.getoption("--today") or os.environ.get("GONGKAI_TODAY") or None
    if value:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise pytest.UsageError(f"--today / GONGKAI_TODAY: not a date: {value!r}") from None
        os.environ["GONGKAI_TODAY"] = day.isoformat()
        clock.pin_today(day)


def pytest_report_header(config):
    day = os.environ.get("GONGKAI_TODAY")
    return f"gongkai today: {day} (pinned)" if day else "gongkai today: the real date"


@pytest.fixture(autouse=True)
def _release_clock():
    yield
    clock.freeze(None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rate-limit and sign-in throttle counts, and
    cached pages, would otherwise carry from one test into the next and make a result
    depend on the order the tests ran in."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def tree(db):
    province = make_agency(name="测试省人民政府", level=AgencyLevel.PROVINCE)
    city = make_agency(parent=province, name="测试市人民政府办公室")
    bureau = make_agency(parent=city, name="测试市市场监督管理局")
    county = make_agency(parent=city, name="测试县人民政府办公室", level=AgencyLevel.COUNTY)
    other = make_agency(parent=county, name="测试县市场监督管理局", level=AgencyLevel.COUNTY)
    return {"province": province, "city": city, "bureau": bureau, "county": county, "other": other}


@pytest.fixture
def bureau(tree):
    return tree["bureau"]


@pytest.fixture
def other_agency(tree):
    return tree["other"]


@pytest.fixture
def department(bureau):
    return DepartmentFactory(agency=bureau, name="食品安全科")


@pytest.fixture
def office(bureau):
    return member(UserFactory(username="office"), bureau, Role.OFFICE)


@pytest.fixture
def officer(bureau, department):
    return member(UserFactory(username="officer"), bureau, Role.OFFICER, department)


@pytest.fixture
def reviewer(bureau):
    return member(UserFactory(username="reviewer"), bureau, Role.REVIEWER)


@pytest.fixture
def leader(bureau):
    return member(UserFactory(username="leader"), bureau, Role.LEADER)


@pytest.fixture
def supervisor(tree):
    return member(UserFactory(username="supervisor"), tree["city"], Role.SUPERVISOR)


@pytest.fixture
def other_office(other_agency):
    return member(UserFactory(username="other_office"), other_agency, Role.OFFICE)


@pytest.fixture
def platform_admin(db):
    return AdminFactory(username="platform_admin")


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def client_for(client):
    """`client_for(user)` → a test client signed in as that user, its session verified
    by the user's authenticator when two-factor sign-in applies to them."""
    from gongkai.core.tests.twofactor_helpers import verify_session

    def sign_in(user):
        client.force_login(user)
        verify_session(client, user)
        return client

    return sign_in
