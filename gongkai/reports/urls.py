"""Annual report routes: the back office (namespace ``staff:``) and the public pages
(namespace ``portal:``)."""

from gongkai.reports.urls_public import public_patterns
from gongkai.reports.urls_staff import staff_patterns

__all__ = ["public_patterns", "staff_patterns"]
