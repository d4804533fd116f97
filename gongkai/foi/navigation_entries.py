"""The requests area's entry in the back office's navigation (registered from
``FoiConfig.ready``)."""

from gongkai.core import permissions as core_permissions
from gongkai.core.models import Role
from gongkai.core.navigation import NavItem, register
from gongkai.foi.permissions import can_view_requests_area

register(NavItem("依申请公开", "staff:foi-dashboard", can_view_requests_area, order=10))


def _is_an_office(user) -> bool:
    return any(m.role == Role.OFFICE for m in core_permissions.memberships_of(user))


register(NavItem("依申请公开设置", "staff:foi-settings", _is_an_office, order=11))
