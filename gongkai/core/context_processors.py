from gongkai.core import navigation, permissions


def staff_shell(request):
    """What the back-office shell shows: the user's active agency and role, the roles to
    switch between, and the navigation for this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/staff/"):
        return {}
    return {
        "shell_membership": getattr(request, "membership", None),
        "shell_memberships": permissions.memberships_of(user),
        "shell_is_platform_admin": permissions.is_platform_admin(user),
        "shell_nav": navigation.items_for(user, request.path),
    }
