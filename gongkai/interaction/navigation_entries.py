"""The message board's entries in the back office's navigation (registered from
``InteractionConfig.ready``)."""

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Role
from gongkai.core.navigation import NavItem, register
from gongkai.interaction.permissions import can_view_messages_area

register(NavItem("留言办理", "staff:message-list", can_view_messages_area, order=30))
register(NavItem("留言统计", "staff:message-statistics", can_view_messages_area, order=31))


def _is_an_office(user) -> bool:
    return any(m.role == Role.OFFICE for m in core_permissions.memberships_of(user))


register(NavItem("留言设置", "staff:message-settings", _is_an_office, order=32))
