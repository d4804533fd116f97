"""Who may use the back office's checker for published reports: a supervising office
(it collects the reports of the agencies below it), an agency's disclosure office (to
check its own report as published), and platform administrators. Nothing is stored and
no agency's records are read, so no agency scope applies."""

from gongkai.core.models import Role
from gongkai.core.permissions import is_platform_admin, memberships_of

CHECKER_ROLES = frozenset({Role.SUPERVISOR, Role.OFFICE})


def can_use_checker(user) -> bool:
    return is_platform_admin(user) or any(m.role in CHECKER_ROLES for m in memberships_of(user))
