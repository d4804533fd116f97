"""The inspection area's entries in the back office's navigation (registered from
``InspectionConfig.ready``): the office and supervising offices."""

from gongkai.core.navigation import NavItem, register
from gongkai.inspection.permissions import can_view_area

register(NavItem("网站自查", "staff:inspection-index", can_view_area, order=26))
register(NavItem("网站纠错", "staff:site-error-list", can_view_area, order=27))
