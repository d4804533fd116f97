from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from gongkai.core import permissions


def staff_required(view):
    """Signed in and holding at least one role (or platform administrator)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.is_staff_user(request.user):
            raise PermissionDenied("您没有后台岗位，请联系平台管理员。")
        return view(request, *args, **kwargs)

    return wrapper
