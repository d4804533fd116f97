from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.core import desk, permissions
from gongkai.core.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from gongkai.core.services import people
from gongkai.core.views.base import staff_required


@staff_required
def home(request):
    """The desk (工作台): the queues waiting on the active membership (``core.desk``)."""
    membership = request.membership
    return render(request, "staff/home.html", {
        "membership": membership,
        "desk": desk.desk_for(membership),
        # Nothing to change for someone who signs in through the identity platform only.
        "can_change_password": (people.local_passwords()
                                and request.user.has_usable_password()),
    })


@staff_required
@require_POST
def switch_membership(request):
    try:
        chosen = int(request.POST.get("membership", ""))
    except ValueError:
        chosen = None
    for m in permissions.memberships_of(request.user):
        if m.pk == chosen:
            request.session[ACTIVE_MEMBERSHIP_SESSION_KEY] = m.pk
            messages.success(request, f"已切换到：{m}")
            break
    else:
        messages.error(request, "无法切换到该岗位。")
    return redirect("staff:home")
