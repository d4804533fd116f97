"""Who may see and handle messages.

- office (公开办): every message of its agency; routes, transfers, replies itself, checks
  replies before release, publishes them; sees the writer's name and contact in full;
- officer: reads the messages assigned to their department; writes their replies, asks
  for extensions; sees the writer's contact in full while the message is assigned to
  their department (they may need to call the writer back);
- leader: reads the agency's messages; approves or refuses extensions;
- reviewer: reads the agency's messages (masked);
- supervisor: reads the messages of the agency subtree below (masked);
- an agency that transferred a message away keeps reading it (masked), to answer for it;
- platform administrator: reads everything (masked): runs the platform, not the cases.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Role
from gongkai.interaction.models import Message


def _visible_q(user) -> Q | None:
    q = core_permissions.records_scope_q(user)
    if q is None:
        return None
    earlier = core_permissions.agency_ids_with_role(
        user, Role.OFFICE, Role.LEADER, Role.REVIEWER)
    return q | Q(transferred_from_id__in=earlier) if earlier else q


def messages_visible_to(user) -> QuerySet[Message]:
    q = _visible_q(user)
    return Message.objects.all() if q is None else Message.objects.filter(q)


def can_view_message(user, message: Message) -> bool:
    return messages_visible_to(user).filter(pk=message.pk).exists()


def can_view_messages_area(user) -> bool:
    return core_permissions.is_staff_user(user)


def is_office(user, message: Message) -> bool:
    return core_permissions.has_role(user, message.agency, Role.OFFICE)


def is_assigned_officer(user, message: Message) -> bool:
    return message.department_id is not None and any(
        m.role == Role.OFFICER and m.agency_id == message.agency_id
        and m.department_id == message.department_id
        for m in core_permissions.memberships_of(user)
    )


def can_route(user, message: Message) -> bool:
    """Assign to a department, transfer, dismiss: the office."""
    return is_office(user, message)


def can_write_reply(user, message: Message) -> bool:
    return is_office(user, message) or is_assigned_officer(user, message)


def can_check_reply(user, message: Message) -> bool:
    return is_office(user, message)


def can_request_extension(user, message: Message) -> bool:
    return is_office(user, message) or is_assigned_officer(user, message)


def can_decide_extension(user, message: Message) -> bool:
    return core_permissions.has_role(user, message.agency, Role.LEADER)


def can_publish(user, message: Message) -> bool:
    return is_office(user, message)


def can_see_personal_data(user, message: Message) -> bool:
    return is_office(user, message) or is_assigned_officer(user, message)


def can_manage_settings(user, agency) -> bool:
    return core_permissions.has_role(user, agency, Role.OFFICE)


def agencies_for_statistics(user):
    """The agencies whose message statistics the user may read (as for the messages)."""
    return core_permissions.agencies_visible_to(user)
