"""The power list's entry in the back office's navigation (registered from
``PowerlistsConfig.ready``): the office and supervising offices."""

from gongkai.core.navigation import NavItem, register
from gongkai.powerlists.permissions import can_view_area

register(NavItem("权责清单", "staff:powerlist-list", can_view_area, order=27))
