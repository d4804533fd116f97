"""The checker's entry in the back office's navigation (import this module from
``ReportsConfig.ready`` to register it)."""

from gongkai.core.navigation import NavItem, register
from gongkai.reports.checker.access import can_use_checker

register(NavItem("年报检查", "staff:report-checker", can_use_checker, order=65))
