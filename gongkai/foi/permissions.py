"""Who may see and handle requests.

- office (公开办): every request of its agency; handles them; the only role that sees the
  applicant's ID number, phone and address in full (each such view is audited);
- leader: reads the agency's requests and approves extensions;
- reviewer: reads the agency's requests;
- officer: reads the requests assigned to their department;
- supervisor: reads the requests of the agency subtree below (masked);
- platform administrator: reads everything (masked): runs the platform, not the cases.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Role
from gongkai.foi.models import FoiRequest


def requests_visible_to(user) -> QuerySet[FoiRequest]:
    q = core_permissions.records_scope_q(user)
    return FoiRequest.objects.all() if q is None else FoiRequest.objects.filter(q)


def can_view_request(user, request: FoiRequest) -> bool:
    """Asked of ``requests_visible_to``, the one definition of who reads which request."""
    return requests_visible_to(user).filter(pk=request.pk).exists()


def request_ids_visible_among(user, requests) -> set[int]:
    """Which of ``requests`` the user may read, in one query (``can_view_request`` for a
    list)."""
    return set(requests_visible_to(user).filter(pk__in=[r.pk for r in requests])
               .values_list("pk", flat=True))


def can_handle_request(user, request: FoiRequest) -> bool:
    return core_permissions.has_role(user, request.agency, Role.OFFICE)


def can_approve_extension(user, request: FoiRequest) -> bool:
    return core_permissions.has_role(user, request.agency, Role.LEADER)


def can_see_personal_data(user, request: FoiRequest) -> bool:
    """Full ID number, phone and address: the agency's disclosure office only."""
    return core_permissions.has_role(user, request.agency, Role.OFFICE)


def can_view_requests_area(user) -> bool:
    return core_permissions.is_staff_user(user)
