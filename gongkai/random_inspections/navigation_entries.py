"""The random inspections' entry in the back office's navigation (registered from
``RandomInspectionsConfig.ready``)."""

from gongkai.core.navigation import NavItem, register
from gongkai.random_inspections.permissions import can_view_area

register(NavItem("双随机抽查", "staff:ri-index", can_view_area, order=28))
