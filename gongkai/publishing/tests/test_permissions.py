"""Who reads which item and whose statistics, for every persona: the statistics check
(``can_view_statistics``) agrees with its list (``statistics_agencies_for``), and the
items a persona reads in the back office are the policy of ``publishing/permissions.py``."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.tests.personas import AGENCIES, AGENCIES_READ, PERSONAS, make_people, make_places
from gongkai.publishing import permissions, selectors
from gongkai.publishing.services.drafting import publication_create

DAY = dt.date(2025, 3, 3)

BUREAU = frozenset({"agency", "department", "elsewhere"})
EVERY = BUREAU | {"child", "other"}

# An item is read as a request is: the agency's office, reviewer and leader read all of its
# items, an officer their department's, a supervisor the subtree's.
ITEMS_READ = {
    "office": BUREAU, "reviewer": BUREAU, "leader": BUREAU,
    "officer": {"department"}, "officer_elsewhere": {"elsewhere"},
    "supervisor": EVERY, "county_supervisor": {"other"}, "other_office": {"other"},
    "child_office": {"child"}, "officer_and_other_office": {"department", "other"},
    "revoked": set(), "inactive": set(), "anonymous": set(), "platform_admin": EVERY,
}

# Statistics: the agency's office and leaders, supervisors over the subtree.
STATISTICS_READ = {
    **{persona: frozenset() for persona in PERSONAS},
    "office": {"bureau"}, "leader": {"bureau"}, "other_office": {"other"},
    "child_office": {"child"}, "officer_and_other_office": {"other"},
    "supervisor": AGENCIES_READ["supervisor"], "county_supervisor": {"county", "other"},
    "platform_admin": set(AGENCIES),
}


@pytest.fixture
def world(tree):
    clock.freeze(timezone.make_aware(dt.datetime(DAY.year, DAY.month, DAY.day, 10)))
    places = make_places(tree)
    people = make_people(places)

    def draft(persona, agency, department=None):
        return publication_create(
            actor=people[persona], agency=places[agency], department=department and places[department],
            title="关于2025年第一季度食品安全监督抽检情况的通告", written_on=DAY,
            disclosure_attribute="proactive", body="<p>抽检结果。</p>",
        )

    items = {
        "agency": draft("office", "bureau"),
        "department": draft("officer", "bureau", "department"),
        "elsewhere": draft("officer_elsewhere", "bureau", "elsewhere"),
        "child": draft("child_office", "child"),
        "other": draft("other_office", "other"),
    }
    assert set(items) == EVERY
    return people, {name: places[name] for name in AGENCIES}, items


def test_every_persona_has_a_policy():
    assert set(ITEMS_READ) == set(STATISTICS_READ) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_statistics_check_agrees_with_its_list(world, persona):
    people, agencies, _ = world
    user = people[persona]
    listed = set(permissions.statistics_agencies_for(user).values_list("pk", flat=True))
    assert {name for name, a in agencies.items() if a.pk in listed} == STATISTICS_READ[persona]
    for name, agency in agencies.items():
        assert permissions.can_view_statistics(user, agency) == (agency.pk in listed), name


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_items_a_persona_reads_and_opens(world, persona):
    people, _, items = world
    user = people[persona]
    listed = set(permissions.publications_visible_to(user).values_list("pk", flat=True))
    assert {name for name, p in items.items() if p.pk in listed} == ITEMS_READ[persona]
    for name, item in items.items():
        try:
            found = selectors.publication_get_for_user(user=user, pk=item.pk) == item
        except Http404:
            found = False
        assert found == (item.pk in listed), name
