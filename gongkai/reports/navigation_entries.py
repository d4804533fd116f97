"""The annual report's entry in the back office's navigation (registered from
``ReportsConfig.ready``): every staff member sees it; the list shows what their role lets
them read."""

from gongkai.core.navigation import NavItem, register
from gongkai.reports.permissions import can_view_reports_area

register(NavItem("年度报告", "staff:report-list", can_view_reports_area, order=30))
