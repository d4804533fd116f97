"""The one shape of a back-office POST step (``core.views.actions``), used by the requests'
and the items' pages: 403 before the input is read, the form's errors and the service's
refusal on the page with status 400, a success redirected with its message."""

from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from gongkai.core.errors import DomainError
from gongkai.core.views.actions import ActionPage


class NoteForm(forms.Form):
    note = forms.CharField(max_length=10)


class Page:
    """A stand-in for an app's page: records what it was asked to render."""

    def __init__(self):
        self.loads, self.rendered = [], []

    def load(self, *, user, pk):
        self.loads.append(pk)
        return SimpleNamespace(pk=pk)

    def render(self, request, obj, *, bound, status, error):
        self.rendered.append({"obj": obj, "bound": bound, "error": error})
        return HttpResponse(error, status=status)


@pytest.fixture
def page():
    return Page()


@pytest.fixture
def post(rf):
    def make(data):
        request = rf.post("/", data)
        request.user = SimpleNamespace(is_authenticated=True)
        request.session = {}
        request._messages = FallbackStorage(request)
        return request

    return make


def take(page: Page, request, *, allowed=True, perform=lambda data: "已登记。"):
    action_page = ActionPage("staff:foi-detail", load=page.load, render=page.render)
    bound = []

    def bind(obj, **kw):
        bound.append(obj)
        return NoteForm(**kw)

    response = action_page.take(request, SimpleNamespace(pk=7), title="登记备注", allowed=allowed,
                                bind=bind, prefix="note", perform=perform)
    return response, bound


def test_the_wrong_role_is_refused_before_the_form_is_bound(page, post):
    with pytest.raises(PermissionDenied):
        take(page, post({"note-note": "好"}), allowed=False)
    assert page.rendered == []


def test_a_success_redirects_to_the_page_with_the_message(page, post):
    request = post({"note-note": "好"})
    seen = []
    response, bound = take(page, request, perform=lambda data: seen.append(data) or "已登记。")
    assert response.status_code == 302 and response.url.endswith("/7/")
    assert seen == [{"note": "好"}]
    assert [str(m) for m in get_messages(request)] == ["已登记。"]


def test_a_refusal_by_the_service_is_shown_on_the_page_reloaded(page, post):
    def refuse(data):
        raise DomainError("当前状态不能登记")

    response, _ = take(page, post({"note-note": "好"}), perform=refuse)
    assert response.status_code == 400
    (shown,) = page.rendered
    assert shown["error"] == "登记备注未完成：当前状态不能登记"
    assert page.loads == [7]  # fetched again through the selector, as it now stands
    assert shown["bound"]["note"].non_field_errors() == ["当前状态不能登记"]


def test_invalid_input_never_reaches_the_service(page, post):
    def must_not_run(data):
        raise AssertionError("the service ran on invalid input")

    response, _ = take(page, post({"note-note": "太长了" * 5}), perform=must_not_run)
    assert response.status_code == 400
    assert page.rendered[0]["error"] == "登记备注未完成：请检查填写的内容。"
    assert page.rendered[0]["bound"]["note"].errors["note"]
