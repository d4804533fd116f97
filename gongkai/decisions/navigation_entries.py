"""The decisions area's entry in the back office's navigation (registered from
``DecisionsConfig.ready``)."""

from gongkai.core.navigation import NavItem, register
from gongkai.decisions.permissions import can_view_decisions_area

register(NavItem("许可处罚公示", "staff:decision-list", can_view_decisions_area, order=20))
