"""The consultations area's entry in the back office's navigation (registered from
``ConsultationsConfig.ready``)."""

from gongkai.consultations.permissions import can_view_area
from gongkai.core.navigation import NavItem, register

register(NavItem("意见征集", "staff:consultation-list", can_view_area, order=35))
