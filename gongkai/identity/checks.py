"""System checks of the staff sign-in through the identity platform: the configured
``User`` field a claim or CAS attribute is matched against must exist (else every sign-in
would fail with a server error instead of at start-up)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist


def _field_problem(field: str, variable: str) -> checks.Error | None:
    from gongkai.core.models import User

    try:
        User._meta.get_field(field)
    except FieldDoesNotExist:
        return checks.Error(f"{variable}={field!r} is not a field of the staff user",
                            hint="username, email or another User field", id="identity.E001")
    return None


@checks.register(checks.Tags.security)
def staff_match_fields(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from gongkai.identity.providers import STAFF, provider

    problems = []
    staff = provider(STAFF)
    if staff is not None:
        problems.append(_field_problem(staff.match_field, "GONGKAI_OIDC_STAFF_MATCH_FIELD"))
    if getattr(settings, "GONGKAI_CAS_SERVER_URL", ""):
        problems.append(_field_problem(settings.GONGKAI_CAS_MATCH_FIELD, "GONGKAI_CAS_MATCH_FIELD"))
    return [p for p in problems if p is not None]
