"""The requests area's entry in the back office's navigation (registered from
``FoiConfig.ready``)."""

from gongkai.core.navigation import NavItem, register
from gongkai.foi.permissions import can_view_requests_area

register(NavItem("依申请公开", "staff:foi-dashboard", can_view_requests_area, order=10))
