"""The public JSON API for requests (/api/v1/). Thin views over the same form, services
and selectors as the portal, so both refuse the same input with the same Chinese
messages.

Every error answer is ``{"error": "<Chinese message>"}``, plus ``"errors": {field:
[messages]}`` when input was invalid.

Submitting is CSRF-exempt on purpose. CSRF protection stops another site from using a
visitor's cookies to act with that visitor's authority; this API reads no cookies, no
session and no signed-in user — a request submitted here is anonymous, exactly as if the
other site had sent it itself. Requiring a token would only stop legitimate clients that
have no cookie to get one from. (The portal's HTML form keeps its CSRF token.)
"""

from __future__ import annotations

import functools
import json

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from gongkai.api.openapi import document
from gongkai.core.errors import DomainError
from gongkai.foi import selectors as foi_selectors
from gongkai.foi.models import ApplicantType, IdDocumentType, InformationForm
from gongkai.foi.services.requests import request_submit_online
from gongkai.portal import selectors as portal_selectors
from gongkai.portal.forms import (
    LOOKUP_FAILED,
    STATUS_RATE,
    SUBMIT_RATE,
    OnlineRequestForm,
)

JSON_CONTENT_TYPES = ("application/json",)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
RATE_LIMITED = "请求过于频繁，请稍后再试。"
INVALID = "提交的申请有误，请按提示修改。"


def error(message: str, *, status: int, errors: dict | None = None, **headers) -> JsonResponse:
    body: dict = {"error": message}
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def ok(body: dict, *, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def methods(*allowed: str):
    """Like ``require_http_methods``, but the 405 answer is JSON in Chinese."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in allowed:
                return error(f"不支持 {request.method} 方法。", status=405, Allow=", ".join(allowed))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _too_many(rule) -> JsonResponse:
    return error(RATE_LIMITED, status=429, Retry_After=str(rule.window_seconds))


class BadRequestBody(Exception):
    """The body cannot be read as a request: answered with ``status`` and, for fields of
    the wrong JSON type, field errors."""

    def __init__(self, message: str, *, status: int = 400, errors: dict | None = None):
        super().__init__(message)
        self.message, self.status, self.errors = message, status, errors


def _submitted_data(request) -> tuple[dict, dict]:
    """The submitted fields (strings) and files, from a JSON or form-encoded body."""
    content_type = request.content_type or ""
    try:
        if content_type in FORM_CONTENT_TYPES:
            return request.POST.dict(), request.FILES
        if content_type not in JSON_CONTENT_TYPES:
            raise BadRequestBody("请求体应为 JSON（application/json）或表单格式。", status=415)
        payload = json.loads(request.body or b"")
    except RequestDataTooBig:
        raise BadRequestBody("请求体过大。", status=413) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequestBody("请求体不是有效的 JSON，请检查格式（应使用 UTF-8 编码）。") from None
    if not isinstance(payload, dict):
        raise BadRequestBody("请求体应为 JSON 对象。")
    wrong_type = {name: ["应为字符串。"] for name, value in payload.items()
                  if value is not None and not isinstance(value, str)}
    if wrong_type:
        raise BadRequestBody(INVALID, errors=wrong_type)
    return {name: value for name, value in payload.items() if value is not None}, {}


_ORGANISATIONS = {t.value for t in ApplicantType} - {ApplicantType.NATURAL_PERSON.value}


def _with_defaults(data: dict) -> dict:
    """The API's defaults: the usual document for the kind of applicant, and an
    electronic copy."""
    data = dict(data)
    if not data.get("id_type"):
        if data.get("applicant_type") == ApplicantType.NATURAL_PERSON:
            data["id_type"] = IdDocumentType.RESIDENT_ID.value
        elif data.get("applicant_type") in _ORGANISATIONS:
            data["id_type"] = IdDocumentType.USCC.value
    data.setdefault("form", InformationForm.ELECTRONIC.value)
    return data


def _form_errors(form) -> dict[str, list[str]]:
    return {field: [e["message"] for e in errs] for field, errs in form.errors.get_json_data().items()}


@csrf_exempt
@never_cache
@methods("POST")
def request_submit(request):
    """POST /foi/requests — submit a request online (Art. 29); it awaits the agency's
    confirmation of receipt (Art. 31)."""
    if not SUBMIT_RATE.allows(request):
        return _too_many(SUBMIT_RATE)
    try:
        data, files = _submitted_data(request)
    except BadRequestBody as exc:
        return error(exc.message, status=exc.status, errors=exc.errors)
    form = OnlineRequestForm(_with_defaults(data), files)
    if form.is_valid():
        try:
            foi_request, secret = request_submit_online(
                agency=form.cleaned_data["agency"], data=form.applicant_data(),
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            form.add_error("agency", exc.message)
        else:
            return ok({
                "tracking_number": foi_request.tracking_number,
                "secret": secret,
                "status": foi_request.status,
                "status_label": foi_request.get_status_display(),
            }, status=201)
    return error(INVALID, status=400, errors=_form_errors(form))


def status_json(foi_request) -> dict:
    """What the applicant may see of a request (foi.selectors.request_public_status)."""
    public = foi_selectors.request_public_status(foi_request)
    deadline, reply = public.deadline, public.reply
    return {
        "tracking_number": foi_request.tracking_number,
        "agency": foi_request.agency.code,
        "status": foi_request.status,
        "status_label": foi_request.get_status_display(),
        "received_on": foi_request.received_on.isoformat() if foi_request.received_on else None,
        "deadline_state": deadline.state.value if deadline else None,
        "due_on": deadline.due_on.isoformat() if deadline and deadline.due_on else None,
        "working_days_left": deadline.days_left if deadline else None,
        "provisional": bool(deadline and deadline.provisional),
        "reply_type": reply.reply_type if reply else None,
        "reply_type_label": reply.get_reply_type_display() if reply else None,
        "replied_on": reply.replied_on.isoformat() if reply else None,
    }


@never_cache
@methods("GET")
def request_status(request, tracking_number: str):
    """GET /foi/requests/{tracking_number}?secret=… — the same 404 for an unknown number
    and a wrong (or missing) secret."""
    if not STATUS_RATE.allows(request):
        return _too_many(STATUS_RATE)
    foi_request = foi_selectors.request_get_public(
        tracking_number=tracking_number, secret=request.GET.get("secret", ""))
    if foi_request is None:
        return error(LOOKUP_FAILED, status=404)
    return ok(status_json(foi_request))


@methods("GET")
def agency_list(request):
    """GET /agencies — the agencies that accept requests, in tree order."""
    agencies = portal_selectors.agencies_accepting_requests()
    return ok({"agencies": [
        {"code": a.code, "name": a.name, "parent": a.parent.code if a.parent else None}
        for a in agencies
    ]})


@methods("GET")
def openapi(request):
    return ok(document())
