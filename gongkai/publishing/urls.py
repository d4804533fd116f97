"""Back-office URLs for proactive disclosure, mounted under /staff/ in `staff:`."""

from gongkai.publishing.urls_registers import staff_patterns as register_patterns
from gongkai.publishing.urls_workflow import staff_patterns as workflow_patterns

staff_patterns = workflow_patterns + register_patterns
