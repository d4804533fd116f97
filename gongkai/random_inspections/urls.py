"""URLs of random inspections. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py).
Each part's view module declares its own; every name starts with ``ri-``."""

from gongkai.random_inspections.views import directories, matters, public, results, tasks

staff_patterns: list = (
    tasks.staff_patterns + matters.staff_patterns + directories.staff_patterns + results.staff_patterns
)
public_patterns: list = (
    public.public_patterns + matters.public_patterns + tasks.public_patterns + results.public_patterns
)
