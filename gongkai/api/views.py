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

from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from gongkai.api import params
from gongkai.api.openapi import document
from gongkai.core import hostile_input, idempotency
from gongkai.core import selectors as core_selectors
from gongkai.foi import delivery
from gongkai.foi import selectors as foi_selectors
from gongkai.foi.forms import LOOKUP_FAILED, STATUS_RATE, SUBMIT_RATE
from gongkai.foi.intake import receipt_json, submit_online, submit_online_once
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


def _json_body(request):
    """The JSON body, decoded by ``core.hostile_input.decode_json``: UTF-8, bounded
    nesting, no lone surrogates; anything else is ``BadRequestBody`` in Chinese."""
    try:
        return hostile_input.decode_json(request.body or b"")
    except RequestDataTooBig:
        raise BadRequestBody("请求体过大。", status=413) from None
    except hostile_input.HostileInput as exc:
        raise BadRequestBody(exc.message, status=exc.status) from None


def _submitted_data(request) -> tuple[dict, dict]:
    """The submitted fields (strings) and files, from a JSON or form-encoded body."""
    content_type = request.content_type or ""
    try:
        if content_type in FORM_CONTENT_TYPES:
            return request.POST.dict(), request.FILES
        if content_type not in JSON_CONTENT_TYPES:
            raise BadRequestBody("请求体应为 JSON（application/json）或表单格式。", status=415)
    except RequestDataTooBig:
        raise BadRequestBody("请求体过大。", status=413) from None
    payload = _json_body(request)
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


IDEMPOTENCY_HEADER = "Idempotency-Key"
SECRET_HEADER = "X-Tracking-Secret"  # noqa: S105 - a header name
SECRET_IN_QUERY = ("查询码不能放在地址中（会留在访问日志和浏览记录里）。"
                   f"请在请求头 {SECRET_HEADER} 中提供查询码，"
                   "或使用 POST /foi/requests/{tracking_number}/status 在 JSON 请求体中提供。")


def _submission_answer(submission) -> JsonResponse:
    if submission.accepted:
        return ok(submission.body, status=submission.status)
    return error(INVALID, status=400, errors=_form_errors(submission.form))


@csrf_exempt
@never_cache
@methods("POST")
def request_submit(request):
    """POST /foi/requests — submit a request online (Art. 29); it awaits the agency's
    confirmation of receipt (Art. 31). With an ``Idempotency-Key`` header the same key and
    body within 24 hours answer the first response again; another body is 409."""
    if not SUBMIT_RATE.allows(request):
        return _too_many(SUBMIT_RATE)
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not idempotency.valid_key(key):
        return error(idempotency.BAD_KEY_MESSAGE, status=400)
    try:
        data, files = _submitted_data(request)
    except BadRequestBody as exc:
        return error(exc.message, status=exc.status, errors=exc.errors)
    data = _with_defaults(data)
    if key is None:
        submission = submit_online(data, files)
        receipt = submission.receipt
        if receipt is None:
            return error(INVALID, status=400, errors=_form_errors(submission.form))
        return ok(receipt_json(receipt.request, receipt.secret), status=201)
    try:
        submission = submit_online_once(data, files, scope=idempotency.SCOPE_API, key=key)
    except idempotency.IdempotencyConflict as exc:
        return error(exc.message, status=409)
    response = _submission_answer(submission)
    if submission.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _download_path(request, foi_request, item) -> str:
    return reverse("api:foi-request-file", args=[foi_request.tracking_number, item.ref])


def _file_json(request, foi_request, item) -> dict:
    return {"ref": item.ref, "name": item.name, "format": item.format, "size": item.size,
            "content_type": item.content_type,
            "download_path": _download_path(request, foi_request, item)}


def status_json(foi_request, request=None) -> dict:
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
        "timeline": [{"on": step.on.isoformat(), "action": step.action, "label": step.label}
                     for step in public.timeline],
        "letters": [
            {"kind": entry.letter.kind, "kind_label": entry.letter.get_kind_display(),
             "title": entry.letter.title, "document_number": entry.letter.document_number,
             "issued_on": entry.letter.issued_on.isoformat(),
             "files": [_file_json(request, foi_request, f) for f in entry.files]}
            for entry in public.documents.letters
        ],
        "disclosed_files": [_file_json(request, foi_request, f) for f in public.documents.disclosed],
    }


def _looked_up(request, tracking_number: str, secret: str):
    """(request, None) when number and secret match, else (None, error response)."""
    if not STATUS_RATE.allows(request):
        return None, _too_many(STATUS_RATE)
    foi_request = foi_selectors.request_get_public(tracking_number=tracking_number, secret=secret)
    if foi_request is None:
        return None, error(LOOKUP_FAILED, status=404)
    return foi_request, None


def _secret_in_query(request) -> bool:
    return any("secret" in name.lower() for name in request.GET)


@never_cache
@methods("GET")
def request_status(request, tracking_number: str):
    """GET /foi/requests/{tracking_number} with the secret in ``X-Tracking-Secret`` — the
    same 404 for an unknown number and a wrong (or missing) secret. A secret in the query
    string is refused (400): it would stay in access logs."""
    if _secret_in_query(request):
        return error(SECRET_IN_QUERY, status=400)
    foi_request, refusal = _looked_up(request, tracking_number, request.headers.get(SECRET_HEADER, ""))
    return refusal or ok(status_json(foi_request, request))


@csrf_exempt
@never_cache
@methods("POST")
def request_status_post(request, tracking_number: str):
    """POST /foi/requests/{tracking_number}/status with ``{"secret": …}`` — for clients
    that cannot set headers."""
    if _secret_in_query(request):
        return error(SECRET_IN_QUERY, status=400)
    if (request.content_type or "") not in JSON_CONTENT_TYPES:
        return error("请求体应为 JSON（application/json）。", status=415)
    try:
        payload = _json_body(request)
    except BadRequestBody as exc:
        return error(exc.message, status=exc.status)
    secret = payload.get("secret") if isinstance(payload, dict) else None
    if not isinstance(secret, str):
        return error("请在 JSON 请求体中以字符串提供 secret（查询码）。", status=400,
                     errors={"secret": ["应为字符串。"]})
    foi_request, refusal = _looked_up(request, tracking_number, secret)
    return refusal or ok(status_json(foi_request, request))


@never_cache
@methods("GET")
def request_file(request, tracking_number: str, ref: str):
    """GET /foi/requests/{tracking_number}/files/{ref} with ``X-Tracking-Secret`` — a
    letter or disclosed file; audited and counted."""
    if _secret_in_query(request):
        return error(SECRET_IN_QUERY, status=400)
    foi_request, refusal = _looked_up(request, tracking_number, request.headers.get(SECRET_HEADER, ""))
    if refusal:
        return refusal
    item = delivery.applicant_documents(foi_request).get(ref)
    if item is None:
        return error("文件不存在。", status=404)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError, OSError):
        return error("文件不存在。", status=404)
    response = FileResponse(handle, as_attachment=True, filename=item.name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    delivery.record_applicant_download(foi_request, item, via="api")
    return response


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

PUBLICATIONS = ("q", "agency", "column", "topic", "page")  # the parameters of /publications


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
        found = params.filters(request, PUBLICATIONS)
    except params.BadParameter as exc:
        return error(exc.message, status=400)
    page, per_page = found.page, params.PER_PAGE
    if found.text:
        from gongkai.portal.search import SearchQuery, search_publications

        results = search_publications(SearchQuery(
            text=found.text, agency_id=found.agency.pk if found.agency else None,
            include_subtree=True, column_id=found.column.pk if found.column else None,
            order="relevance", page=page, topic_id=found.topic.pk if found.topic else None,
            per_page=per_page,
        ))
        total, items = results.total, [hit.publication for hit in results.hits]
        snippets = [hit.snippet_html for hit in results.hits]
        estimated = results.estimated
    else:
        queryset = (portal_selectors.column_publications(found.column) if found.column is not None
                    else portal_selectors.public_publications())
        if found.agency is not None:
            queryset = queryset.filter(agency__path__startswith=found.agency.path)
        if found.topic is not None:
            queryset = queryset.filter(topic=found.topic)
        total, estimated = queryset.count(), False
        items = list(queryset[(page - 1) * per_page: page * per_page])
        snippets = [None] * len(items)
    try:
        num_pages = params.num_pages(total, page, per_page)
    except params.BadParameter as exc:
        return error(exc.message, status=400)
    return ok({
        "total": total,
        "total_estimated": estimated,
        "page": page,
        "per_page": per_page,
        "num_pages": num_pages,
        "q": found.text,
        "results": [
            {**publication_summary_json(request, p), "snippet_html": snippet}
            for p, snippet in zip(items, snippets, strict=True)
        ],
    })


@methods("GET")
def publication_detail(request, id: str):  # noqa: A002 - the documented path parameter
    """GET /publications/{id} — one published item: its catalogue metadata, the body as
    text (and as the sanitised HTML the portal shows) and its attachments. A withdrawn
    or unpublished item is 404, as on the portal, and so is an id that is not a number
    (or too long for one)."""
    from gongkai.portal.feeds import plain_text
    from gongkai.publishing.sanitise import sanitise_html

    if not (id.isascii() and id.isdigit() and len(id) <= 18):
        return error("该信息不存在或已撤回。", status=404)
    try:
        publication = portal_selectors.public_publication_get(pk=int(id))
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
