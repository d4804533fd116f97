"""Who may see and handle requests.

- office (公开办): every request of its agency; handles them; the only role that sees the
  applicant's ID number, phone and address in full (each such view is audited);
- leader: reads the agency's requests, decides extension requests and signs off replies
  and notices (where the agency's sign-off steps include it);
- reviewer: reads the agency's requests;
- officer: reads the requests assigned to their department; drafts their replies and
  notices (where the agency's sign-off steps include drafting) and asks for extensions;
- supervisor: reads the requests of the agency subtree below (masked);
- platform administrator: reads everything (masked): runs the platform, not the cases.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Role
from gongkai.foi.models import FoiRequest, SignoffStep
from gongkai.foi.models.signoff import signoff_steps_for


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


def is_assigned_officer(user, request: FoiRequest) -> bool:
    """An officer of the department the request is assigned to."""
    return request.department_id is not None and any(
        m.role == Role.OFFICER and m.agency_id == request.agency_id and m.department_id == request.department_id
        for m in core_permissions.memberships_of(user)
    )


def can_issue_directly(user, request: FoiRequest) -> bool:
    """The office issues replies and notices itself only where the agency uses no
    sign-off steps; otherwise they go through ``foi.services.signoff``."""
    return can_handle_request(user, request) and not signoff_steps_for(request.agency)


def can_draft(user, request: FoiRequest) -> bool:
    """Where the agency signs off its letters: the office drafts, and so does the
    assigned department's officer where drafting is one of the steps."""
    steps = signoff_steps_for(request.agency)
    if not steps:
        return False
    return can_handle_request(user, request) or (
        SignoffStep.DRAFT in steps and is_assigned_officer(user, request))


def can_check_draft(user, request: FoiRequest) -> bool:
    return can_handle_request(user, request)


def can_sign_off(user, request: FoiRequest) -> bool:
    return core_permissions.has_role(user, request.agency, Role.LEADER)


def can_request_extension(user, request: FoiRequest) -> bool:
    return can_handle_request(user, request) or is_assigned_officer(user, request)


def can_see_personal_data(user, request: FoiRequest) -> bool:
    """Full ID number, phone and address: the agency's disclosure office only."""
    return core_permissions.has_role(user, request.agency, Role.OFFICE)


def can_view_requests_area(user) -> bool:
    return core_permissions.is_staff_user(user)
