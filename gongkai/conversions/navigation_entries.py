"""The conversions area's entry in the back office's navigation (registered from
``ConversionsConfig.ready``): the office and supervising offices."""

from gongkai.conversions.permissions import can_view_area
from gongkai.core.navigation import NavItem, register

register(NavItem("依申请转主动", "staff:conversion-list", can_view_area, order=23))
