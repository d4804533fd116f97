"""Who reads which decision in the back office: for every persona and decisions of every
agency of the tree, in every state, the list (``decisions_visible_to``), the object check
(``can_view_decision``) and the detail lookup (one 404 for missing and not yours) agree,
and the answer is the agency scope: every role its own agency, a supervisor the subtree."""

import pytest
from django.http import Http404

from gongkai.core.tests.personas import AGENCIES, AGENCIES_READ, PERSONAS, make_people, make_places
from gongkai.decisions import permissions, selectors
from gongkai.decisions.models import DecisionStatus


@pytest.fixture
def world(tree, make_decision):
    places = make_places(tree)
    decisions = {
        (agency, status): make_decision(agency=places[agency], **fields)
        for agency in AGENCIES
        for status, fields in (
            ("published", {}),
            ("pending", {"status": DecisionStatus.PENDING, "published_on": None}),
        )
    }
    return make_people(places), decisions


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_object_check_and_lookup_agree_with_the_list(world, persona):
    people, decisions = world
    user = people[persona]
    listed = set(permissions.decisions_visible_to(user).values_list("pk", flat=True))
    assert {agency for (agency, _), d in decisions.items() if d.pk in listed} == AGENCIES_READ[persona]
    for key, decision in decisions.items():
        assert permissions.can_view_decision(user, decision) == (decision.pk in listed), key
        try:
            found = selectors.decision_get_for_user(user=user, pk=decision.pk) == decision
        except Http404:
            found = False
        assert found == (decision.pk in listed), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_manage_check_agrees_with_the_agencies_offered(world, persona):
    people, decisions = world
    user = people[persona]
    offered = set(permissions.agencies_managed_by(user))
    for agency in {d.agency for d in decisions.values()}:
        assert permissions.can_manage_decisions(user, agency) == (agency in offered), agency.name
