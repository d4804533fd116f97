"""Proactive disclosure's entry in the back office's navigation (registered from
``PublishingConfig.ready``): every staff member sees it; the list shows what their role
lets them read."""

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Role
from gongkai.core.navigation import NavItem, register


def _reads_statistics(user) -> bool:
    """The office, leaders and supervisors (as publishing.permissions.can_view_statistics)."""
    return core_permissions.is_platform_admin(user) or any(
        m.role in (Role.OFFICE, Role.LEADER, Role.SUPERVISOR)
        for m in core_permissions.memberships_of(user)
    )


register(NavItem("主动公开", "staff:publishing-list", core_permissions.is_staff_user, order=20))
register(NavItem("规范性文件", "staff:normative-list", core_permissions.is_staff_user, order=21))
register(NavItem("公开统计", "staff:publishing-statistics", _reads_statistics, order=22))
