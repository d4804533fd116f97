"""Who reads which request: for every persona and every kind of request, the list
(``requests_visible_to``), the object check (``can_view_request``), the batch check
(``request_ids_visible_among``) and the detail lookup (one 404 for missing and not yours)
give the same answer, and that answer is the policy of ``foi/permissions.py``."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.tests.personas import PERSONAS, make_people, make_places
from gongkai.foi import permissions, selectors
from gongkai.foi.services import requests as svc
from gongkai.foi.tests.conftest import applicant

DAY = dt.date(2025, 3, 3)

BUREAU = frozenset({"awaiting", "unassigned", "assigned_here", "assigned_elsewhere", "closed_here",
                    "voided"})
EVERY = BUREAU | {"child", "city", "county_office", "other", "province"}

# What each persona reads. Office, reviewer and leader: every request of their agency, in
# any state, not its child agency's; an officer: their department's; a supervisor: the
# subtree below, their own agency included; the platform administrator: everything.
READS = {
    "office": BUREAU, "reviewer": BUREAU, "leader": BUREAU,
    "officer": {"assigned_here", "closed_here"},
    "officer_elsewhere": {"assigned_elsewhere"},
    "supervisor": BUREAU | {"child", "city", "county_office", "other"},
    "county_supervisor": {"county_office", "other"},
    "other_office": {"other"},
    "child_office": {"child"},
    "officer_and_other_office": {"assigned_here", "closed_here", "other"},
    "revoked": set(), "inactive": set(), "anonymous": set(),
    "platform_admin": EVERY,
}


@pytest.fixture
def world(tree):
    clock.freeze(timezone.make_aware(dt.datetime(DAY.year, DAY.month, DAY.day, 10)))
    places = make_places(tree)
    people = make_people(places)
    office = people["office"]

    def online(agency):
        return svc.request_submit_online(agency=places[agency], data=applicant())[0]

    def registered(department=None, *, actor=office, agency="bureau"):
        request, _ = svc.request_register(actor=actor, agency=places[agency], data=applicant(),
                                          channel="in_person", received_on=DAY)
        if department:
            svc.request_assign(actor=actor, request=request, department=places[department])
        return request

    closed = registered("department")
    svc.request_withdraw(actor=office, request=closed, reason="申请人当面撤回")
    voided = online("bureau")
    svc.request_void(actor=office, request=voided, reason="重复提交")
    records = {
        "awaiting": online("bureau"),
        "unassigned": registered(),
        "assigned_here": registered("department"),
        "assigned_elsewhere": registered("elsewhere"),
        "closed_here": closed,
        "voided": voided,
        "child": registered("child_department", actor=people["child_office"], agency="child"),
        "city": online("city"),
        "county_office": online("county"),
        "other": online("other"),
        "province": online("province"),
    }
    assert set(records) == EVERY
    return people, records


def test_every_persona_has_a_policy():
    assert set(READS) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_object_check_agrees_with_the_list(world, persona):
    people, records = world
    user = people[persona]
    listed = set(permissions.requests_visible_to(user).values_list("pk", flat=True))
    assert {name for name, r in records.items() if r.pk in listed} == READS[persona]
    for name, request in records.items():
        assert permissions.can_view_request(user, request) == (request.pk in listed), name
    assert permissions.request_ids_visible_among(user, records.values()) == listed


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_detail_lookup_agrees_with_the_list(world, persona):
    people, records = world
    user = people[persona]
    listed = set(permissions.requests_visible_to(user).values_list("pk", flat=True))
    for name, request in records.items():
        try:
            found = selectors.request_get_for_user(user=user, pk=request.pk) == request
        except Http404:
            found = False
        assert found == (request.pk in listed), name


def test_a_request_moved_to_another_department_moves_between_officers(world):
    people, records = world
    request = records["assigned_here"]
    svc.request_assign(actor=people["office"], request=request,
                       department=request.agency.departments.get(name="综合科"))
    assert not permissions.can_view_request(people["officer"], request)
    assert permissions.can_view_request(people["officer_elsewhere"], request)
