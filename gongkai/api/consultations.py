"""The API's consultations route: ``GET /consultations`` — the public consultations on
drafts (意见征集), open first, with the same reads as the portal's pages
(``consultations.selectors.public_consultations``)."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse

from gongkai.api import params
from gongkai.consultations import selectors
from gongkai.core import clock

PARAMETERS = ("agency", "status", "page")
STATUSES = ("open", "closed")
PHASES = ("upcoming", "open", "closed", "feedback_published")


# api.views imports api.openapi, which imports this module: its helpers are restated here.
def _json(body: dict, status: int = 200, **headers) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response.headers[name] = value
    return response


def _absolute(request, path: str) -> str:
    from gongkai.portal.feeds import absolute

    return absolute(path, request)


def consultation_json(request, c, today) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "agency": {"code": c.agency.code, "name": c.agency.name},
        "opens_on": c.opens_on.isoformat(),
        "closes_on": c.closes_on.isoformat(),
        "status": selectors.phase(c, today).value,
        "comments": c.displayed,
        "url": _absolute(request, reverse("portal:consultation-detail", args=[c.pk])),
    }


def consultation_list(request):
    """GET /consultations?agency=&status=open|closed&page= — 20 a page, open first."""
    if request.method not in ("GET", "HEAD"):
        return _json({"error": f"不支持 {request.method} 方法。"}, status=405, Allow="GET")
    try:
        found = params.filters(request, PARAMETERS)
        status = request.GET.get("status", "").strip()
        if status and status not in STATUSES:
            raise params.BadParameter(
                f"参数 status（状态）应为 open（征集中）或 closed（已截止），收到“{status[:20]}”。")
    except params.BadParameter as exc:
        return _json({"error": exc.message}, status=400)
    today = clock.today()
    qs = selectors.public_consultations(agency=found.agency, status=status, today=today)
    total = qs.count()
    try:
        num_pages = params.num_pages(total, found.page)
    except params.BadParameter as exc:
        return _json({"error": exc.message}, status=400)
    per_page = params.PER_PAGE
    rows = qs[(found.page - 1) * per_page: found.page * per_page]
    return _json({
        "total": total,
        "page": found.page,
        "num_pages": num_pages,
        "consultations": [consultation_json(request, c, today) for c in rows],
    })


_STRING = {"type": "string"}

OPENAPI_SCHEMAS: dict = {
    "ConsultationSummary": {
        "type": "object",
        "required": ["id", "title", "agency", "opens_on", "closes_on", "status", "comments", "url"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer", "description": "意见征集编号"},
            "title": {**_STRING, "description": "标题"},
            "agency": {
                "type": "object", "required": ["code", "name"], "additionalProperties": False,
                "properties": {"code": {**_STRING, "description": "机关代码"},
                               "name": {**_STRING, "description": "机关名称"}},
            },
            "opens_on": {**_STRING, "format": "date", "description": "征求意见开始日期"},
            "closes_on": {**_STRING, "format": "date", "description": "征求意见截止日期（含当日）"},
            "status": {**_STRING, "enum": list(PHASES),
                       "description": "`upcoming`：即将开始；`open`：征集中；`closed`：已截止，采纳情况待公布；"
                                      "`feedback_published`：已公布采纳情况"},
            "comments": {"type": "integer", "minimum": 0, "description": "经审核公开显示的公众意见数"},
            "url": {**_STRING, "format": "uri", "description": "门户网站上的意见征集页面"},
        },
    },
    "ConsultationList": {
        "type": "object",
        "required": ["total", "page", "num_pages", "consultations"],
        "additionalProperties": False,
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "num_pages": {"type": "integer", "minimum": 0},
            "consultations": {"type": "array", "items": {"$ref": "#/components/schemas/ConsultationSummary"}},
        },
    },
}

OPENAPI_PATHS: dict = {
    "/consultations": {
        "get": {
            "operationId": "listConsultations",
            "summary": "意见征集（决策预公开）：草案征求意见的列表",
            "description": "征集中的排在前面（截止日期近的在前），其次是即将开始的，最后是已截止的（截止日期新的在前）。"
                           "每页 20 条，返回总数。草稿和已撤回的不会出现。",
            "parameters": [
                {"name": "agency", "in": "query", "required": False, "schema": _STRING,
                 "description": "机关代码：只列该机关的意见征集"},
                {"name": "status", "in": "query", "required": False,
                 "schema": {**_STRING, "enum": list(STATUSES)},
                 "description": "`open`：征集中；`closed`：已截止（含已公布采纳情况的）"},
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "default": 1}, "description": "页码"},
            ],
            "responses": {
                "200": {"description": "一页意见征集及总数", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ConsultationList"}}}},
                "400": {"description": "参数有误（未知的机关代码或状态、页码不是正整数或超出范围、未知参数）",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"},
                            "example": {"error": "参数 status（状态）应为 open（征集中）或 closed（已截止），收到“x”。"}}}},
            },
        },
    },
}
