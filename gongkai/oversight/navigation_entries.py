"""The oversight area's entry in the back office's navigation (registered from
``OversightConfig.ready``): supervisors and the platform administrator."""

from gongkai.core.navigation import NavItem, register
from gongkai.oversight.permissions import can_view_area

register(NavItem("政务公开监督", "staff:oversight-compliance", can_view_area, order=60))
