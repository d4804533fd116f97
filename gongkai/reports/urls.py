"""Annual report routes: the back office (namespace ``staff:``: reports and the checker
for other systems' reports) and the public pages (namespace ``portal:``)."""

from gongkai.reports.urls_checker import checker_patterns
from gongkai.reports.urls_public import public_patterns
from gongkai.reports.urls_staff import staff_patterns as report_staff_patterns

staff_patterns = report_staff_patterns + checker_patterns

__all__ = ["public_patterns", "staff_patterns"]
