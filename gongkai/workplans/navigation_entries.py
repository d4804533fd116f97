"""The work plans' entry in the back office's navigation (registered from
``WorkplansConfig.ready``)."""

from gongkai.core.navigation import NavItem, register
from gongkai.workplans.permissions import can_view_area

register(NavItem("工作要点", "staff:workplan-list", can_view_area, order=28))
