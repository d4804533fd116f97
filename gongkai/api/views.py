"""The public JSON API (/api/v1/): requests for information and published items. Thin views over the same form, services
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
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from gongkai.api.openapi import document
from gongkai.core import selectors as core_selectors
from gongkai.foi import selectors as foi_selectors
from gongkai.foi.forms import LOOKUP_FAILED, STATUS_RATE, SUBMIT_RATE
from gongkai.foi.intake import submit_online
from gongkai.foi.models import ApplicantType, IdDocumentType, InformationForm
from gongkai.portal import selectors as portal_selectors

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
    submission = submit_online(_with_defaults(data), files)
    receipt = submission.receipt
    if receipt is None:
        return error(INVALID, status=400, errors=_form_errors(submission.form))
    return ok({
        "tracking_number": receipt.request.tracking_number,
        "secret": receipt.secret,
        "status": receipt.request.status,
        "status_label": receipt.request.get_status_display(),
    }, status=201)


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
    agencies = core_selectors.agencies_accepting_requests()
    return ok({"agencies": [
        {"code": a.code, "name": a.name, "parent": a.parent.code if a.parent else None}
        for a in agencies
    ]})


@methods("GET")
def openapi(request):
    return ok(document())


# --- published items (proactive disclosure, Art. 19-26) ---------------------------------------

PUBLICATIONS_PER_PAGE = 20
MAX_QUERY_LENGTH = 100


class BadParameter(Exception):
    """A query parameter the API cannot use; answered 400 with ``message``."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _positive_int(request, name: str, label: str, default: int | None = None) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        raise BadParameter(f"参数 {name}（{label}）应为正整数，收到“{raw[:20]}”。")
    return int(raw)


def _publication_filters(request):
    """(text, agency, column, page) from the query string, or BadParameter."""
    unknown = set(request.GET) - {"q", "agency", "column", "page"}
    if unknown:
        raise BadParameter(f"不支持的参数：{'、'.join(sorted(unknown))}。可用参数为 q、agency、column、page。")
    text = request.GET.get("q", "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise BadParameter(f"检索词过长，最多 {MAX_QUERY_LENGTH} 个字符。")
    agency = None
    code = request.GET.get("agency", "").strip()
    if code:
        agency = core_selectors.agencies_public().filter(code=code).first()
        if agency is None:
            raise BadParameter(f"没有机关代码为“{code[:20]}”的机关（见 GET /agencies）。")
    column = None
    column_pk = _positive_int(request, "column", "栏目编号")
    if column_pk is not None:
        column = portal_selectors.public_columns().filter(pk=column_pk).first()
        if column is None:
            raise BadParameter(f"没有编号为 {column_pk} 的栏目。")
    page = _positive_int(request, "page", "页码", default=1)
    return text, agency, column, page


def _absolute(request, path: str) -> str:
    from gongkai.portal.feeds import absolute

    return absolute(path, request)


def _topic_json(topic) -> dict | None:
    return {"code": topic.code, "name": topic.name} if topic is not None else None


def publication_summary_json(request, publication) -> dict:
    return {
        "id": publication.pk,
        "index_number": publication.index_number,
        "title": publication.title,
        "agency": {"code": publication.agency.code, "name": publication.agency.name},
        "issuing_agency": publication.issuing_agency,
        "doc_number": publication.doc_number,
        "written_on": publication.written_on.isoformat(),
        "published_on": publication.published_on.isoformat(),
        "topic": _topic_json(publication.topic),
        "url": _absolute(request, reverse("portal:publication-detail", args=[publication.pk])),
        "api_url": _absolute(request, reverse("api:publication-detail", args=[publication.pk])),
    }


@methods("GET")
def publication_list(request):
    """GET /publications?q=&agency=&column=&page= — published items, 20 a page, with the
    total. With ``q`` the matches of the portal's full-text search in order of
    relevance; without it, newest first."""
    try:
        text, agency, column, page = _publication_filters(request)
    except BadParameter as exc:
        return error(exc.message, status=400)
    per_page = PUBLICATIONS_PER_PAGE
    if text:
        from gongkai.portal.search import SearchQuery, search_publications

        results = search_publications(SearchQuery(
            text=text, agency_id=agency.pk if agency else None, include_subtree=True,
            column_id=column.pk if column else None, order="relevance", page=page,
            per_page=per_page,
        ))
        total, items = results.total, [hit.publication for hit in results.hits]
        snippets = [hit.snippet_html for hit in results.hits]
    else:
        queryset = (portal_selectors.column_publications(column) if column is not None
                    else portal_selectors.public_publications())
        if agency is not None:
            queryset = queryset.filter(agency__path__startswith=agency.path)
        total = queryset.count()
        items = list(queryset[(page - 1) * per_page: page * per_page])
        snippets = [None] * len(items)
    num_pages = -(-total // per_page)
    if page > 1 and page > num_pages:
        return error(f"页码超出范围：共 {num_pages} 页。", status=400)
    return ok({
        "total": total,
        "page": page,
        "per_page": per_page,
        "num_pages": num_pages,
        "q": text,
        "results": [
            {**publication_summary_json(request, p), "snippet_html": snippet}
            for p, snippet in zip(items, snippets, strict=True)
        ],
    })


@methods("GET")
def publication_detail(request, id: int):  # noqa: A002 - the documented path parameter
    """GET /publications/{id} — one published item: its catalogue metadata, the body as
    text (and as the sanitised HTML the portal shows) and its attachments. A withdrawn
    or unpublished item is 404, as on the portal."""
    from gongkai.portal.feeds import plain_text
    from gongkai.publishing.sanitise import sanitise_html

    try:
        publication = portal_selectors.public_publication_get(pk=id)
    except Http404:
        return error("该信息不存在或已撤回。", status=404)
    return ok({
        **publication_summary_json(request, publication),
        "disclosure_attribute": publication.disclosure_attribute,
        "disclosure_attribute_label": publication.get_disclosure_attribute_display(),
        "validity": publication.validity,
        "validity_label": publication.get_validity_display(),
        "keywords": publication.keywords,
        "columns": [{"id": c.pk, "name": c.name} for c in publication.public_columns],
        "body_text": plain_text(publication.body),
        # Bodies are sanitised on save, but a row written another way (an import, the
        # shell, an old release) must not reach API clients with markup that runs.
        "body_html": sanitise_html(publication.body),
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "kind": a.kind,
                "size": a.size,
                "download_url": _absolute(request, reverse(
                    "portal:publication-attachment", args=[publication.pk, a.pk])),
            }
            for a in publication.public_attachments
        ],
    })
