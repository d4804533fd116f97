"""The hot-spot area's entry in the back office's navigation (registered from
``HotspotsConfig.ready``)."""

from gongkai.core.navigation import NavItem, register
from gongkai.hotspots.permissions import can_view_hotspots

register(NavItem("投诉举报热点", "staff:hotspots-analysis", can_view_hotspots, order=50))
