"""The one shape of a back-office POST step on an object (a request, an item, ...).

Each step: the same 404 for a missing or foreign object (the app's selector); 403 for the
wrong role before the input is read; the form checks the input's shape; the service checks
the rules. A refusal re-renders the object's page with status 400 and the Chinese message
next to the form that was filled in; a success redirects to the page with a message.
Nothing is ever silently skipped.

An app describes its object's page once (``ActionPage``) and writes each step as
``perform(request, obj, data) -> message``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from gongkai.core.errors import DomainError
from gongkai.core.views.base import staff_required

WRONG_ROLE = "您的岗位不能办理此项操作。"

# (obj, *, data, files, prefix) -> the step's form, bound to the POST.
BindForm = Callable[..., forms.Form]
# (request, obj, data) -> the success message.
Perform = Callable[[Any, Any, dict], str]


def require(allowed: bool, message: str = WRONG_ROLE) -> None:
    """The wrong role gets 403 before any input is looked at."""
    if not allowed:
        raise PermissionDenied(message)


@dataclass(frozen=True)
class ActionPage:
    """An object's back-office page, as its POST steps see it.

    ``load(user=, pk=)`` is the app's selector (404 for a missing or foreign object);
    ``reload`` fetches it again the way the page shows it (``load`` when not given);
    ``render(request, obj, *, bound, status, error)`` renders the page, with ``bound``
    the refused step's form under its prefix; ``url_name`` is the page's URL (takes pk).
    """

    url_name: str
    load: Callable[..., Any]
    render: Callable[..., HttpResponse]
    reload: Callable[..., Any] | None = None

    def take(
        self, request, obj, *, title: str, allowed: bool, bind: BindForm, prefix: str,
        perform: Callable[[dict], str],
    ) -> HttpResponse:
        """Take one step on ``obj``, already loaded through the selector."""
        require(allowed)
        form = bind(obj, data=request.POST, files=request.FILES, prefix=prefix)
        if form.is_valid():
            try:
                message = perform(form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, message)
                return redirect(self.url_name, pk=obj.pk)
        # Nothing was written (the service's transaction rolled back): the page as it
        # stands, with this form and its errors.
        obj = (self.reload or self.load)(user=request.user, pk=obj.pk)
        first_error = next(iter(form.non_field_errors()), "") or "请检查填写的内容。"
        return self.render(request, obj, bound={prefix: form}, status=400,
                           error=f"{title}未完成：{first_error}")

    def step(self, *, title: str, may: Callable[[Any, Any], bool], bind: BindForm, prefix: str):
        """Decorate ``perform(request, obj, data) -> message`` into the staff-only POST
        view of one step on the object named by ``pk``."""

        def decorator(perform: Perform):
            @staff_required
            @require_POST
            def view(request, pk: int):
                obj = self.load(user=request.user, pk=pk)
                return self.take(
                    request, obj, title=title, allowed=may(request.user, obj), bind=bind,
                    prefix=prefix, perform=lambda data: perform(request, obj, data),
                )

            view.__name__ = view.__qualname__ = perform.__name__
            view.__doc__ = perform.__doc__
            view.__module__ = perform.__module__
            return view

        return decorator
