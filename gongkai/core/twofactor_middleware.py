"""The back office refuses a session that still owes its second factor.

The sign-in itself does not open such a session (``core.views.auth``: the password
leaves only a pending sign-in until the code is given). This middleware is the net under
it, for sessions that became unverified later or were opened another way: a platform
administrator reset the user's devices, a role or an agency policy that requires two
factors was granted mid-session, a user enrolled in one session while another was open,
or a future sign-in path forgot the second step. Such a session is sent to the code page
(it has a device) or to enrolment (it must have one), and sees no back-office page
before that. It sits after django-otp's ``OTPMiddleware``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse

from gongkai.core import twofactor

PROTECTED_PREFIXES = ("/staff/", "/admin/")
# Where an unverified session may still go: the steps themselves and the way out.
EXEMPT_URL_NAMES = ("staff:sign-in", "staff:sign-out", "staff:two-factor-verify",
                    "staff:two-factor-enrol")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt: frozenset[str] | None = None

    def exempt_paths(self) -> frozenset[str]:
        if self._exempt is None:
            self._exempt = frozenset(reverse(name) for name in EXEMPT_URL_NAMES)
        return self._exempt

    def __call__(self, request):
        path = request.path_info
        if (path.startswith(PROTECTED_PREFIXES) and path not in self.exempt_paths()
                and request.user.is_authenticated):
            state = twofactor.session_state(request.user, request.session)
            if state == twofactor.NEEDS_CODE:
                return self._to("staff:two-factor-verify", request)
            if state == twofactor.NEEDS_ENROLMENT:
                return self._to("staff:two-factor-enrol", request)
        return self.get_response(request)

    @staticmethod
    def _to(name: str, request) -> HttpResponseRedirect:
        target = reverse(name)
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
