"""The channels area's entry in the back office's navigation (registered from
``ChannelsConfig.ready``): the office and supervising offices."""

from gongkai.channels.permissions import can_view_area
from gongkai.core.navigation import NavItem, register

register(NavItem("政务新媒体", "staff:channel-list", can_view_area, order=29))
