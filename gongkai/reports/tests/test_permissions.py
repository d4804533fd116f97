"""For every persona and every agency of the tree, the report checks agree with the lists
the pages offer: whose report the user compiles (``can_compile`` and
``agencies_compiled_by``), and whether they survey a subtree (``can_supervise`` and
``agencies_supervised_by``)."""

import pytest

from gongkai.core.tests.personas import AGENCIES, PERSONAS, make_people, make_places
from gongkai.reports import permissions

COMPILES = {"office": {"bureau"}, "other_office": {"other"}, "child_office": {"child"},
            "officer_and_other_office": {"other"}}
SUPERVISES = {"supervisor", "county_supervisor", "platform_admin"}


@pytest.fixture
def world(tree):
    places = make_places(tree)
    return make_people(places), {name: places[name] for name in AGENCIES}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_report_checks_agree_with_the_lists(world, persona):
    people, agencies = world
    user = people[persona]
    compiled = set(permissions.agencies_compiled_by(user))
    assert {name for name, a in agencies.items() if a in compiled} == COMPILES.get(persona, set())
    for name, agency in agencies.items():
        assert permissions.can_compile(user, agency) == (agency in compiled), name
    assert permissions.can_supervise(user) == permissions.agencies_supervised_by(user).exists()
    assert permissions.can_supervise(user) == (persona in SUPERVISES)
