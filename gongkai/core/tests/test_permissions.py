"""Whose agency data each persona reads: the list (``agencies_visible_to``), the object
check (``can_view_agency``) and the detail lookup (``agency_get_for_user``, one 404 for
missing and not yours) give the same answer, and it is the policy; the audit trail's area
check and its list agree too."""

import pytest
from django.http import Http404

from gongkai.core import permissions, selectors
from gongkai.core.tests.personas import AGENCIES, AGENCIES_READ, PERSONAS, make_people, make_places


@pytest.fixture
def world(tree):
    places = make_places(tree)
    return make_people(places), {name: places[name] for name in AGENCIES}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_agency_check_and_lookup_agree_with_the_list(world, persona):
    people, agencies = world
    user = people[persona]
    listed = set(permissions.agencies_visible_to(user).values_list("pk", flat=True))
    assert {name for name, a in agencies.items() if a.pk in listed} == AGENCIES_READ[persona]
    for name, agency in agencies.items():
        assert permissions.can_view_agency(user, agency) == (agency.pk in listed), name
        try:
            found = selectors.agency_get_for_user(user=user, pk=agency.pk) == agency
        except Http404:
            found = False
        assert found == (agency.pk in listed), name


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_audit_area_opens_to_whoever_reads_part_of_the_trail(world, persona):
    people, agencies = world
    user = people[persona]
    # Every agency of the tree has entries (its creation, at least).
    reads_entries = permissions.audit_events_visible_to(user).exists()
    assert permissions.can_view_audit(user) == reads_entries
    assert reads_entries == (persona in {"office", "other_office", "child_office",
                                         "officer_and_other_office", "platform_admin"})
