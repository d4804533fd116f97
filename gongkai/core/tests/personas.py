"""Every kind of reader the permission agreement tests vary, over the agency tree of
``gongkai/conftest.py`` with a child agency under the bureau and a second department:

    province
    └── city            supervisor
        ├── bureau      office, officer (食品安全科), officer_elsewhere (综合科), reviewer,
        │   │           leader; revoked (an office whose role was withdrawn); inactive (an
        │   │           office whose account is disabled)
        │   └── child   child_office
        └── county      county_supervisor
            └── other   other_office

plus ``officer_and_other_office`` (an officer of the bureau who is also the other
agency's office), ``platform_admin`` and ``anonymous``.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from gongkai.core.models import Membership, Role
from gongkai.core.services import agencies as agency_services
from gongkai.core.tests.factories import (
    AdminFactory,
    DepartmentFactory,
    UserFactory,
    make_agency,
    member,
)

PERSONAS = (
    "office", "officer", "officer_elsewhere", "reviewer", "leader", "supervisor",
    "county_supervisor", "other_office", "child_office", "officer_and_other_office", "revoked",
    "inactive", "platform_admin", "anonymous",
)


def make_places(tree: dict) -> dict:
    """The tree's agencies, the bureau's child agency and the departments."""
    bureau = tree["bureau"]
    child = make_agency(parent=bureau, name="测试市市场监督管理局城东分局")
    return {
        **tree,
        "child": child,
        "department": DepartmentFactory(agency=bureau, name="食品安全科"),
        "elsewhere": DepartmentFactory(agency=bureau, name="综合科"),
        "child_department": DepartmentFactory(agency=child, name="城东食品安全科"),
    }


def make_people(places: dict) -> dict:
    bureau = places["bureau"]
    people = {
        "office": member(UserFactory(), bureau, Role.OFFICE),
        "officer": member(UserFactory(), bureau, Role.OFFICER, places["department"]),
        "officer_elsewhere": member(UserFactory(), bureau, Role.OFFICER, places["elsewhere"]),
        "reviewer": member(UserFactory(), bureau, Role.REVIEWER),
        "leader": member(UserFactory(), bureau, Role.LEADER),
        "supervisor": member(UserFactory(), places["city"], Role.SUPERVISOR),
        "county_supervisor": member(UserFactory(), places["county"], Role.SUPERVISOR),
        "other_office": member(UserFactory(), places["other"], Role.OFFICE),
        "child_office": member(UserFactory(), places["child"], Role.OFFICE),
        "officer_and_other_office": member(
            member(UserFactory(), bureau, Role.OFFICER, places["department"]), places["other"], Role.OFFICE),
        "revoked": member(UserFactory(), bureau, Role.OFFICE),
        "inactive": member(UserFactory(is_active=False), bureau, Role.OFFICE),
        "platform_admin": AdminFactory(),
        "anonymous": AnonymousUser(),
    }
    agency_services.membership_revoke(
        actor=people["platform_admin"], reason="调离岗位",
        membership=Membership.objects.get(user=people["revoked"]),
    )
    assert set(people) == set(PERSONAS)
    return people


AGENCIES = ("province", "city", "bureau", "child", "county", "other")
_CITY_SUBTREE = frozenset({"city", "bureau", "child", "county", "other"})

# Which agencies' unpublished data each persona reads (the agency scope).
AGENCIES_READ: dict[str, frozenset[str]] = {
    **dict.fromkeys(("office", "officer", "officer_elsewhere", "reviewer", "leader"),
                    frozenset({"bureau"})),
    "supervisor": _CITY_SUBTREE,
    "county_supervisor": frozenset({"county", "other"}),
    "other_office": frozenset({"other"}),
    "child_office": frozenset({"child"}),
    "officer_and_other_office": frozenset({"bureau", "other"}),
    **dict.fromkeys(("revoked", "inactive", "anonymous"), frozenset()),
    "platform_admin": frozenset(AGENCIES),
}
