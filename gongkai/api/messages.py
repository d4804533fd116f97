"""The API's message board route: ``POST /messages`` — a message (留言) to an agency,
through the same form and service as the portal's (``interaction.intake``), with the
same rate limit for the client and, like requests, an optional ``Idempotency-Key``. No
CAPTCHA here (the rate limit stands in for it), as for requests. CSRF-exempt for the
reasons given in ``api.views``: the route reads no cookies and acts for nobody."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from gongkai.core import idempotency
from gongkai.interaction import intake
from gongkai.interaction.forms import CONTENT_MAX, SUBJECT_MAX, SUBMIT_RATE
from gongkai.interaction.workflow import Kind

INVALID = "提交的留言有误，请按提示修改。"
EXAMPLE_AGENCY = "11110000000000000X"  # the agency of the request examples (api.openapi)
_TEXT_FIELDS = ("agency", "kind", "subject", "content", "name", "phone", "email")
_TRUE, _FALSE = ("true", "1", "on", "yes"), ("false", "0", "off", "no", "")


def _error_ref(description: str, example: dict | None = None) -> dict:
    content: dict = {"schema": {"$ref": "#/components/schemas/Error"}}
    if example is not None:
        content["example"] = example
    return {"description": description, "content": {"application/json": content}}


_STRING = {"type": "string"}
MESSAGE_EXAMPLE = {
    "agency": EXAMPLE_AGENCY,
    "kind": Kind.COMPLAINT.value,
    "subject": "某超市销售过期酸奶",
    "content": "本人于本月在某超市购买的酸奶已超过保质期，希望监管部门核查处理。",
    "name": "张三",
    "phone": "13800138000",
    "publish_consent": True,
}

OPENAPI_SCHEMAS: dict = {
    "MessageSubmission": {
        "type": "object",
        "required": ["agency", "kind", "subject", "content"],
        "properties": {
            "agency": {**_STRING, "description": "留言对象机关的机关代码（见 `GET /agencies`）"},
            "kind": {**_STRING, "enum": list(Kind.values),
                     "description": "留言类型：" + "；".join(f"`{v}` {label}" for v, label in Kind.choices)},
            "subject": {**_STRING, "minLength": 2, "maxLength": SUBJECT_MAX, "description": "标题"},
            "content": {**_STRING, "minLength": 5, "maxLength": CONTENT_MAX, "description": "留言内容"},
            "name": {**_STRING, "maxLength": 50, "description": "姓名（选填，不公开）"},
            "phone": {**_STRING, "maxLength": 40, "description": "联系电话（选填，不公开）"},
            "email": {**_STRING, "format": "email", "description": "电子邮箱（选填，不公开）"},
            "publish_consent": {"type": "boolean", "default": False,
                                "description": "是否同意在网站公开留言及答复（公开时隐去个人信息）"},
        },
    },
    "MessageSubmitted": {
        "type": "object",
        "required": ["tracking_number", "secret"],
        "properties": {
            "tracking_number": {**_STRING, "description": "留言编号"},
            "secret": {**_STRING, "description": "查询码：凭留言编号和查询码在网站查看答复和评价；只返回这一次"},
        },
    },
}

OPENAPI_PATHS: dict = {
    "/messages": {
        "post": {
            "operationId": "submitMessage",
            "summary": "向机关留言（咨询、建议、投诉、求助）",
            "description": (
                "留言提交后即由该机关收到，按其承诺的工作日期限答复。返回的查询码只出现这一次。"
                "也接受表单格式（`application/x-www-form-urlencoded`）。"
            ),
            "parameters": [
                {"name": "Idempotency-Key", "in": "header", "required": False,
                 "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                 "description": "幂等键（建议使用 UUID）：24 小时内以同一键和同一请求体重试时返回第一次的响应；"
                                "同一键用于不同请求体时返回 409"},
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/MessageSubmission"},
                        "examples": {"complaint": {"summary": "投诉，同意公开", "value": MESSAGE_EXAMPLE}},
                    },
                    "application/x-www-form-urlencoded": {
                        "schema": {"$ref": "#/components/schemas/MessageSubmission"},
                    },
                },
            },
            "responses": {
                "201": {"description": "留言已提交",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/MessageSubmitted"},
                            "example": {"tracking_number": "LY2026-0003-00001", "secret": "ABCDE23456"}}},
                        "headers": {"Idempotent-Replayed": {
                            "schema": {"type": "string", "enum": ["true"]},
                            "description": "本响应是同一 Idempotency-Key 第一次请求的响应"}}},
                "400": _error_ref("输入有误（逐项说明），请求体不是有效的 JSON，或 Idempotency-Key 格式有误；不保存任何内容",
                                  {"error": INVALID, "errors": {"subject": ["请填写标题。"]}}),
                "409": _error_ref("该 Idempotency-Key 已用于内容不同的另一次提交"),
                "413": _error_ref("请求体过大"),
                "415": _error_ref("请求体格式不受支持"),
                "429": {**_error_ref("请求过于频繁（每个客户端每小时有次数限制）",
                                     {"error": "请求过于频繁，请稍后再试。"}),
                        "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                    "description": "建议等待的秒数"}}},
            },
        },
    },
}


def _message_data(request, views) -> dict:
    """The submitted fields as the form reads them: strings, and ``publish_consent`` a
    boolean (or its usual string forms). Anything else is ``BadRequestBody``."""
    content_type = request.content_type or ""
    if content_type in views.FORM_CONTENT_TYPES:
        try:
            return request.POST.dict()
        except RequestDataTooBig:
            raise views.BadRequestBody("请求体过大。", status=413) from None
    if content_type not in views.JSON_CONTENT_TYPES:
        raise views.BadRequestBody("请求体应为 JSON（application/json）或表单格式。", status=415)
    payload = views._json_body(request)
    if not isinstance(payload, dict):
        raise views.BadRequestBody("请求体应为 JSON 对象。")
    errors = {}
    data = {}
    for name, value in payload.items():
        if value is None:
            continue
        if name == "publish_consent":
            if isinstance(value, bool):
                data[name] = "true" if value else ""
            elif isinstance(value, str) and value.strip().lower() in (*_TRUE, *_FALSE):
                data[name] = "true" if value.strip().lower() in _TRUE else ""
            else:
                errors[name] = ["应为布尔值（true 或 false）。"]
        elif name in _TEXT_FIELDS:
            if isinstance(value, str):
                data[name] = value
            else:
                errors[name] = ["应为字符串。"]
    if errors:
        raise views.BadRequestBody(INVALID, errors=errors)
    return data


@csrf_exempt
@never_cache
def message_submit(request):
    """POST /messages — a message to an agency; 201 with the tracking number and secret."""
    from gongkai.api import views  # api.views imports the OpenAPI document, which imports this

    if request.method != "POST":
        return views.error(f"不支持 {request.method} 方法。", status=405, Allow="POST")
    if not SUBMIT_RATE.allows(request):
        return views.error(views.RATE_LIMITED, status=429, Retry_After=str(SUBMIT_RATE.window_seconds))
    key = request.headers.get(views.IDEMPOTENCY_HEADER)
    if key is not None and not idempotency.valid_key(key):
        return views.error(idempotency.BAD_KEY_MESSAGE, status=400)
    try:
        data = _message_data(request, views)
    except views.BadRequestBody as exc:
        return views.error(exc.message, status=exc.status, errors=exc.errors)
    replayed = False
    try:
        if key is None:
            submission = intake.submit(data)
        else:
            submission = intake.submit_once(data, scope=intake.SCOPE_API, key=key)
            replayed = submission.replayed
    except idempotency.IdempotencyConflict as exc:
        return views.error(exc.message, status=409)
    if not submission.accepted:
        return views.error(INVALID, status=400, errors=views._form_errors(submission.form))
    response = views.ok(submission.body, status=201)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
