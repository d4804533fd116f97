"""GET /api/v1/answers?q=…[&agency=CODE] — the question box (智能问答) as JSON: at most
three answers from what is published (FAQs, items, the guide, interpretations, replied
messages), best first, each the best passage of its source(s); an empty list when
nothing fits. The same engine as the portal's page (``gongkai.answers.engine``).

The OpenAPI description sits here, beside the view (``openapi.py`` merges it). The
views' helpers are imported when the view runs: ``openapi`` imports this module while
``views`` is still being imported."""

from __future__ import annotations

PARAMETERS = ("q", "agency")
MAX_QUESTION = 200

_STRING = {"type": "string"}

OPENAPI_SCHEMAS: dict = {
    "AnswerList": {
        "type": "object",
        "required": ["answers"],
        "properties": {
            "answers": {
                "type": "array",
                "maxItems": 3,
                "description": "解答，最相关的在前，最多 3 条；没有合适的解答时为空列表",
                "items": {
                    "type": "object",
                    "required": ["text", "sources"],
                    "properties": {
                        "text": {**_STRING, "description": "解答：出处中最相关的一段原文（纯文本）"},
                        "sources": {
                            "type": "array",
                            "minItems": 1,
                            "description": "出处：常见问题、政府信息、公开指南、政策解读或留言答复",
                            "items": {
                                "type": "object",
                                "required": ["title", "url"],
                                "properties": {
                                    "title": {**_STRING, "description": "出处的标题"},
                                    "url": {**_STRING, "format": "uri",
                                            "description": "门户网站上的页面（公开指南带段落锚点）"},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}

OPENAPI_PATHS: dict = {
    "/answers": {
        "get": {
            "operationId": "listAnswers",
            "summary": "智能问答：根据已公开的信息回答问题",
            "description": (
                "从已发布的常见问题、政府信息、政策解读、规范性文件、公开指南和留言答复中找出最能回答问题的段落，"
                "附出处链接，最多 3 条，最相关的在前；没有合适的内容时返回空列表"
                "（此时可引导提问人在线留言或申请政府信息公开）。繁简体通用。不调用任何外部服务。"
            ),
            "parameters": [
                {"name": "q", "in": "query", "required": True,
                 "schema": {**_STRING, "minLength": 1, "maxLength": MAX_QUESTION},
                 "description": "问题（必填），例如“申请政府信息公开要收费吗”",
                 "examples": {"fees": {"summary": "收费", "value": "申请政府信息公开要收费吗"}}},
                {"name": "agency", "in": "query", "required": False, "schema": _STRING,
                 "description": "机关代码：在该机关的页面上提问（该机关及其上级适用于下级的常见问题、该机关及下级的信息、该机关的公开指南）"},
            ],
            "responses": {
                "200": {"description": "解答（可能为空列表）", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/AnswerList"},
                    "examples": {"answered": {"summary": "有解答", "value": {"answers": [{
                        "text": "依申请提供政府信息，原则上不收取费用。",
                        "sources": [{"title": "申请政府信息公开收费吗？",
                                     "url": "https://gongkai.example.invalid/answers/faq/1/"}],
                    }]}}, "none": {"summary": "没有合适的解答", "value": {"answers": []}}},
                }}},
                "400": {"description": "参数有误（缺少问题、问题过长、未知的机关代码、未知参数）",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"},
                            "example": {"error": "请提供问题 q。"}}}},
                "405": {"description": "不支持的方法", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
    },
}


def _question(request) -> str:
    from gongkai.api.params import BadParameter

    text = request.GET.get("q", "").strip()
    if not text:
        raise BadParameter("请提供问题 q。")
    if len(text) > MAX_QUESTION:
        raise BadParameter(f"问题过长，最多 {MAX_QUESTION} 个字符。")
    return text


def answer_list(request):
    """GET /answers?q=&agency= — at most three answers, best first ([] when nothing fits)."""
    from gongkai.answers import engine
    from gongkai.api import params
    from gongkai.api.views import error, ok
    from gongkai.portal.feeds import absolute

    if request.method != "GET":
        return error(f"不支持 {request.method} 方法。", status=405, Allow="GET")
    try:
        unknown = set(request.GET) - set(PARAMETERS)
        if unknown:
            raise params.BadParameter(
                f"不支持的参数：{'、'.join(sorted(unknown))}。可用参数为 {'、'.join(PARAMETERS)}。")
        question = _question(request)
        agency = params.public_agency(request)
    except params.BadParameter as exc:
        return error(exc.message, status=400)
    result = engine.answer(question, agency=agency)
    return ok({"answers": [
        {"text": a.text, "sources": [{"title": s.title, "url": absolute(s.url, request)} for s in a.sources]}
        for a in result.answers
    ]})
