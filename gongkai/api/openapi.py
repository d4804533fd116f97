"""The OpenAPI 3.1 description of /api/v1/, served at /api/v1/openapi.json.

Enumerations come from the models' choices, so the document cannot drift from what the
API accepts; tests check that every route is described, that the examples are accepted
by the API and that the answers carry exactly the documented properties."""

from __future__ import annotations

import copy

from gongkai.api import answers, consultations, messages
from gongkai.foi.forms import STATUS_RATE, SUBMIT_RATE
from gongkai.foi.models import ApplicantType, Delivery, IdDocumentType, InformationForm, LetterKind
from gongkai.foi.outcomes import ReplyType
from gongkai.foi.workflow import RequestStatus
from gongkai.publishing.models import DisclosureAttribute, Validity


def _enum(choices) -> dict:
    return {"type": "string", "enum": [c.value for c in choices],
            "description": "；".join(f"`{c.value}`：{c.label}" for c in choices)}


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


_DATE = {"type": "string", "format": "date"}
_STRING = {"type": "string"}

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "中文错误说明"},
        "errors": {
            "type": "object",
            "description": "输入有误时，逐项列出各字段的中文错误信息（`__all__` 为整体错误）",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}

_SUBMISSION = {
    "type": "object",
    "required": ["agency", "applicant_type", "name", "id_number", "phone", "description",
                 "delivery"],
    "properties": {
        "agency": {**_STRING, "description": "受理机关的机关代码（见 `GET /agencies`）"},
        "applicant_type": _enum(ApplicantType),
        "name": {**_STRING, "maxLength": 200, "description": "申请人姓名或名称"},
        "contact_person": {**_STRING, "maxLength": 100,
                           "description": "联系人；法人或其他组织必填"},
        "id_type": {**_enum(IdDocumentType),
                    "description": "证件类型；省略时自然人为 `resident_id`，法人或其他组织为 `uscc`。"
                    + _enum(IdDocumentType)["description"]},
        "id_number": {**_STRING, "maxLength": 40,
                      "description": "证件号码；居民身份证和统一社会信用代码检查校验位"},
        "phone": {**_STRING, "maxLength": 40, "description": "手机号码或固定电话"},
        "email": {**_STRING, "format": "email", "description": "电子邮箱；以电子邮件获取信息时必填"},
        "address": {**_STRING, "maxLength": 300, "description": "通信地址；邮寄获取信息时必填"},
        "postal_code": {**_STRING, "pattern": "^[0-9]{6}$", "description": "邮政编码"},
        "description": {**_STRING, "minLength": 4, "maxLength": 5000,
                        "description": "所需政府信息的名称、文号或者便于查询的其他特征性描述"},
        "purpose": {**_STRING, "maxLength": 1000, "description": "用途（选填）"},
        "form": {**_enum(InformationForm),
                 "description": "获取信息的载体形式，默认 `electronic`。"
                 + _enum(InformationForm)["description"]},
        "delivery": _enum(Delivery),
    },
}

SUBMISSION_EXAMPLES = {
    "natural_person": {
        "summary": "自然人申请，以电子邮件获取",
        "value": {
            "agency": "11110000000000000X",
            "applicant_type": ApplicantType.NATURAL_PERSON.value,
            "name": "张三",
            "id_number": "11010519491231002X",
            "phone": "13800138000",
            "email": "zhangsan@example.com",
            "description": "2024年本市食品安全抽检结果的汇总表",
            "purpose": "了解本地食品安全状况",
            "delivery": Delivery.EMAIL.value,
        },
    },
    "organisation": {
        "summary": "企业申请，邮寄纸质文本",
        "value": {
            "agency": "11110000000000000X",
            "applicant_type": ApplicantType.COMMERCIAL_ENTERPRISE.value,
            "name": "某某科技有限公司",
            "id_number": "91350100M000100Y43",
            "contact_person": "李四",
            "phone": "010-12345678",
            "address": "北京市东城区某某路1号",
            "postal_code": "100010",
            "description": "关于本行业许可办理流程的规范性文件（文号：某市监发〔2024〕1号）",
            "form": InformationForm.PAPER.value,
            "delivery": Delivery.POST.value,
        },
    },
}

_SUBMITTED = {
    "type": "object",
    "required": ["tracking_number", "secret", "status", "status_label"],
    "properties": {
        "tracking_number": {**_STRING, "description": "申请编号", "examples": ["2025-0003-00001"]},
        "secret": {**_STRING, "description": "查询码：只在此返回一次，平台只保存其摘要，请提示申请人妥善保存"},
        "status": {**_enum(RequestStatus), "description": "总是 `awaiting_confirmation`（待确认收到）"},
        "status_label": _STRING,
    },
}

_STATUS = {
    "type": "object",
    "required": ["tracking_number", "agency", "status", "status_label", "received_on",
                 "deadline_state", "due_on", "working_days_left", "provisional", "reply_type",
                 "reply_type_label", "replied_on", "timeline", "letters", "disclosed_files"],
    "properties": {
        "tracking_number": _STRING,
        "agency": {**_STRING, "description": "受理机关的机关代码"},
        "status": _enum(RequestStatus),
        "status_label": {**_STRING, "description": "状态的中文名称"},
        "received_on": {**_nullable(_DATE),
                        "description": "收到申请日期（第三十一条）；行政机关确认收到之前为 null"},
        "deadline_state": {
            "type": ["string", "null"],
            "enum": ["running", "paused", "stopped_for_correction", "not_started", None],
            "description": "答复期限的计算状态：`running` 计算中；`paused` 征求意见或缴费期间中止"
                           "（第三十三条第三款）；`stopped_for_correction` 等待补正（第三十条）；"
                           "申请尚未收到或已办结时为 null",
        },
        "due_on": {**_nullable(_DATE),
                   "description": "答复期限（第三十三条）；仅在期限计算中时给出"},
        "working_days_left": {"type": ["integer", "null"],
                              "description": "剩余工作日（负数表示已超期）；期限未开始或已办结时为 null"},
        "provisional": {"type": "boolean",
                        "description": "期限涉及节假日安排尚未公布的年度，日期为暂定"},
        "reply_type": {**_nullable(_enum(ReplyType)), "enum": [*ReplyType.values, None],
                       "description": "答复类型（第三十六条）；答复前为 null"},
        "reply_type_label": {"type": ["string", "null"]},
        "replied_on": _nullable(_DATE),
        "timeline": {
            "type": "array",
            "description": "办理过程（从早到晚）：收到申请、补正、征求意见、延期、收费、答复、送达等；"
                           "不含机关内部环节和工作人员姓名",
            "items": {
                "type": "object",
                "required": ["on", "action", "label"],
                "properties": {
                    "on": {**_DATE, "description": "日期"},
                    "action": {**_STRING, "description": "环节代码"},
                    "label": {**_STRING, "description": "环节的中文说明"},
                },
            },
        },
        "letters": {
            "type": "array",
            "description": "向申请人出具的告知文书",
            "items": {
                "type": "object",
                "required": ["kind", "kind_label", "title", "document_number", "issued_on", "files"],
                "properties": {
                    "kind": {**_enum(LetterKind), "description": "文书类型。" + _enum(LetterKind)["description"]},
                    "kind_label": _STRING,
                    "title": {**_STRING, "description": "标题"},
                    "document_number": {**_STRING, "description": "文号"},
                    "issued_on": {**_DATE, "description": "落款日期"},
                    "files": {"type": "array", "items": {"$ref": "#/components/schemas/ApplicantFile"}},
                },
            },
        },
        "disclosed_files": {
            "type": "array",
            "description": "随答复公开的政府信息文件（答复后提供）",
            "items": {"$ref": "#/components/schemas/ApplicantFile"},
        },
    },
}

_APPLICANT_FILE = {
    "type": "object",
    "required": ["ref", "name", "format", "size", "content_type", "download_path"],
    "properties": {
        "ref": {**_STRING, "description": "文件标识，如 `letter-12.pdf`、`disclosed-5`"},
        "name": {**_STRING, "description": "文件名"},
        "format": {"type": "string", "enum": ["pdf", "docx", "file"],
                   "description": "`pdf`、`docx`（告知文书）或 `file`（公开的文件）"},
        "size": {"type": ["integer", "null"], "description": "字节数"},
        "content_type": _STRING,
        "download_path": {**_STRING, "description": "下载路径（不含查询码；下载时同样在请求头 "
                                                    "`X-Tracking-Secret` 中提供查询码）"},
    },
}

_AGENCIES = {
    "type": "object",
    "required": ["agencies"],
    "properties": {
        "agencies": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name", "parent"],
                "properties": {
                    "code": {**_STRING, "description": "机关代码"},
                    "name": {**_STRING, "description": "机关名称"},
                    "parent": {"type": ["string", "null"], "description": "上级机关的机关代码"},
                },
            },
        },
    },
}


_NAMED = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": _STRING, "name": _STRING},
}

_PUBLICATION_SUMMARY = {
    "type": "object",
    "required": ["id", "index_number", "title", "agency", "issuing_agency", "doc_number",
                 "written_on", "published_on", "topic", "url", "api_url"],
    "properties": {
        "id": {"type": "integer", "description": "信息编号（用于 `GET /publications/{id}`）"},
        "index_number": {**_STRING, "description": "索引号"},
        "title": {**_STRING, "description": "标题"},
        "agency": {**_NAMED, "description": "公开机关（机关代码和名称）"},
        "issuing_agency": {**_STRING, "description": "发布机构"},
        "doc_number": {**_STRING, "description": "文号；没有文号时为空字符串"},
        "written_on": {**_DATE, "description": "成文日期"},
        "published_on": {**_DATE, "description": "发布日期"},
        "topic": {**_NAMED, "type": ["object", "null"], "description": "主题分类；未分类时为 null"},
        "url": {**_STRING, "format": "uri", "description": "门户网站上的页面地址"},
        "api_url": {**_STRING, "format": "uri", "description": "本 API 中的详情地址"},
    },
}

_PUBLICATION_LIST = {
    "type": "object",
    "required": ["total", "page", "per_page", "num_pages", "q", "results"],
    "properties": {
        "total": {"type": "integer", "description": "符合条件的信息总数"},
        "total_estimated": {"type": "boolean", "description": "总数是否为估计值（全站检索多个常见词或较长短语时显示“约 N 条”；各页结果均为实际结果，最后几页可能为空）"},
        "page": {"type": "integer", "description": "当前页码"},
        "per_page": {"type": "integer", "description": "每页条数（20）"},
        "num_pages": {"type": "integer", "description": "总页数；没有结果时为 0"},
        "q": {**_STRING, "description": "检索词（去掉首尾空白）；未检索时为空字符串"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [*_PUBLICATION_SUMMARY["required"], "snippet_html"],
                "properties": {
                    **_PUBLICATION_SUMMARY["properties"],
                    "snippet_html": {
                        "type": ["string", "null"],
                        "description": "检索时为命中处的摘要（已转义的 HTML，检索词以 `<mark>` 标出）；"
                                       "未检索时为 null",
                    },
                },
            },
        },
    },
}

_PUBLICATION = {
    "type": "object",
    "required": [*_PUBLICATION_SUMMARY["required"], "disclosure_attribute",
                 "disclosure_attribute_label", "validity", "validity_label", "keywords",
                 "columns", "body_text", "body_html", "attachments"],
    "properties": {
        **_PUBLICATION_SUMMARY["properties"],
        "disclosure_attribute": _enum(DisclosureAttribute),
        "disclosure_attribute_label": {**_STRING, "description": "公开属性的中文名称"},
        "validity": _enum(Validity),
        "validity_label": {**_STRING, "description": "有效性的中文名称"},
        "keywords": {**_STRING, "description": "关键词"},
        "columns": {
            "type": "array",
            "description": "所属栏目",
            "items": {"type": "object", "required": ["id", "name"],
                      "properties": {"id": {"type": "integer"}, "name": _STRING}},
        },
        "body_text": {**_STRING, "description": "正文的纯文本（每段一行）"},
        "body_html": {**_STRING, "description": "正文（经过安全过滤的 HTML，与门户网站显示的相同）"},
        "attachments": {
            "type": "array",
            "description": "附件",
            "items": {
                "type": "object",
                "required": ["id", "name", "kind", "size", "download_url"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {**_STRING, "description": "文件名"},
                    "kind": {**_STRING, "description": "文件类型，如 PDF、DOCX、XLSX"},
                    "size": {"type": "integer", "description": "字节数"},
                    "download_url": {**_STRING, "format": "uri", "description": "下载地址"},
                },
            },
        },
    },
}


def _json(schema_ref: str, description: str, example: dict | None = None) -> dict:
    content: dict = {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}
    if example is not None:
        content["example"] = example
    return {"description": description, "content": {"application/json": content}}


_RATE_LIMITED = {**_json("Error", "请求过于频繁（每个客户端每小时有次数限制）",
                         {"error": "请求过于频繁，请稍后再试。"}),
                 "headers": {"Retry-After": {"schema": {"type": "integer"},
                                             "description": "建议等待的秒数"}}}

_SECRET_HEADER = {
    "name": "X-Tracking-Secret", "in": "header", "required": True, "schema": _STRING,
    "description": "查询码（提交申请时获得；不区分大小写，忽略空格）",
}

_STATUS_RESPONSES = {
    "200": _json("RequestStatus", "办理进度"),
    "400": _json("Error", "查询码放在了地址中（`?secret=`）；请改用请求头 `X-Tracking-Secret`",
                 {"error": "查询码不能放在地址中（会留在访问日志和浏览记录里）。"
                           "请在请求头 X-Tracking-Secret 中提供查询码，"
                           "或使用 POST /foi/requests/{tracking_number}/status 在 JSON 请求体中提供。"}),
    "404": _json("Error", "申请编号或查询码不正确（两种情况的回答完全相同）",
                 {"error": "申请编号或查询码不正确。"}),
    "429": _RATE_LIMITED,
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "gongkai 政府信息公开平台 API",
        "version": "1.0.0",
        "description": (
            "依申请公开的网上申请、进度查询和受理机关目录，以及主动公开信息的检索和详情。"
            "所有错误均以中文说明返回。"
            "提交申请无需登录，也不使用 Cookie，因此不要求 CSRF 令牌。"
            f"每个客户端每小时最多提交{SUBMIT_RATE.limit}次、查询{STATUS_RATE.limit}次"
            "（与门户网站合并计算），超出返回 429。"
        ),
        "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/foi/requests": {
            "post": {
                "operationId": "submitRequest",
                "summary": "在线提交政府信息公开申请（第二十九条）",
                "description": (
                    "申请提交后状态为“待确认收到”；行政机关确认之日为收到申请之日，答复期限自该日起"
                    "计算（第三十一条）。返回的查询码只出现这一次。也接受表单格式"
                    "（`application/x-www-form-urlencoded`，或 `multipart/form-data` 附带 "
                    "`attachments` 文件）。"
                ),
                "parameters": [
                    {"name": "Idempotency-Key", "in": "header", "required": False,
                     "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                     "description": "幂等键（建议使用 UUID）：网络中断后可用同一键和同一请求体重试，"
                                    "24 小时内返回第一次的响应（状态码和内容，含查询码），不会重复提交；"
                                    "同一键用于不同请求体时返回 409"},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/RequestSubmission"},
                            "examples": SUBMISSION_EXAMPLES,
                        },
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": "#/components/schemas/RequestSubmission"},
                        },
                    },
                },
                "responses": {
                    "201": {**_json("RequestSubmitted", "申请已提交，待确认收到；以同一 Idempotency-Key 重试时为第一次的响应"),
                            "headers": {"Idempotent-Replayed": {
                                "schema": {"type": "string", "enum": ["true"]},
                                "description": "本响应是同一 Idempotency-Key 第一次请求的响应"}}},
                    "400": _json("Error", "输入有误（逐项说明），请求体不是有效的 JSON，或 Idempotency-Key 格式有误；不保存任何内容",
                                 {"error": "提交的申请有误，请按提示修改。",
                                  "errors": {"id_number": ["身份证号码校验位不正确"]}}),
                    "409": _json("Error", "该 Idempotency-Key 已用于内容不同的另一次提交",
                                 {"error": "该 Idempotency-Key 已用于内容不同的另一次提交；新的提交请使用新的 Idempotency-Key。"}),
                    "413": _json("Error", "请求体过大"),
                    "415": _json("Error", "请求体格式不受支持"),
                    "429": _RATE_LIMITED,
                },
            },
        },
        "/foi/requests/{tracking_number}": {
            "get": {
                "operationId": "getRequestStatus",
                "summary": "凭申请编号和查询码查询办理进度、告知文书和公开的文件",
                "description": "查询码放在请求头 `X-Tracking-Secret` 中，不得放在地址里"
                               "（`?secret=` 返回 400）：地址会留在访问日志和浏览记录中。",
                "parameters": [
                    {"name": "tracking_number", "in": "path", "required": True,
                     "schema": _STRING, "description": "申请编号"},
                    _SECRET_HEADER,
                ],
                "responses": _STATUS_RESPONSES,
            },
        },
        "/foi/requests/{tracking_number}/status": {
            "post": {
                "operationId": "postRequestStatus",
                "summary": "凭申请编号和查询码查询办理进度（查询码放在 JSON 请求体中）",
                "description": "供无法设置请求头的客户端使用；回答与 `GET /foi/requests/{tracking_number}` 相同。",
                "parameters": [
                    {"name": "tracking_number", "in": "path", "required": True,
                     "schema": _STRING, "description": "申请编号"},
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["secret"],
                        "properties": {"secret": {**_STRING, "description": "查询码"}},
                    }, "example": {"secret": "ABCDE23456"}}},
                },
                "responses": {**_STATUS_RESPONSES,
                              "415": _json("Error", "请求体不是 JSON")},
            },
        },
        "/foi/requests/{tracking_number}/files/{ref}": {
            "get": {
                "operationId": "getRequestFile",
                "summary": "下载告知文书或公开的政府信息文件",
                "description": "路径见办理进度中的 `download_path`；查询码同样放在请求头 `X-Tracking-Secret` 中。"
                               "每次下载都记入审计日志。",
                "parameters": [
                    {"name": "tracking_number", "in": "path", "required": True,
                     "schema": _STRING, "description": "申请编号"},
                    {"name": "ref", "in": "path", "required": True, "schema": _STRING,
                     "description": "文件标识（`ref`）"},
                    _SECRET_HEADER,
                ],
                "responses": {
                    "200": {"description": "文件内容（以附件形式下载）",
                            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                    "400": _STATUS_RESPONSES["400"],
                    "404": _json("Error", "申请编号或查询码不正确，或没有该文件"),
                    "429": _RATE_LIMITED,
                },
            },
        },
        "/agencies": {
            "get": {
                "operationId": "listAgencies",
                "summary": "受理政府信息公开申请的行政机关（按机关树顺序）",
                "responses": {"200": _json("AgencyList", "行政机关目录")},
            },
        },
        "/publications": {
            "get": {
                "operationId": "listPublications",
                "summary": "主动公开的政府信息：检索或按时间浏览",
                "description": (
                    "有检索词 `q` 时使用门户网站的全文检索（标题、文号、正文、附件文字；繁简体通用），"
                    "按相关度排序；没有检索词时按发布日期从新到旧排列。每页 20 条，返回总数。"
                    "已撤回的信息不会出现。"
                ),
                "parameters": [
                    {"name": "q", "in": "query", "required": False,
                     "schema": {**_STRING, "maxLength": 100},
                     "description": "检索词；以空格分隔的词须全部出现，引号内为短语"},
                    {"name": "agency", "in": "query", "required": False, "schema": _STRING,
                     "description": "机关代码：只列该机关及其下级机关公开的信息"},
                    {"name": "column", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1},
                     "description": "栏目编号：只列该栏目（含下级栏目）中的信息"},
                    {"name": "topic", "in": "query", "required": False, "schema": _STRING,
                     "description": "主题分类的代码或编号：只列该主题的信息"},
                    {"name": "page", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "default": 1},
                     "description": "页码"},
                ],
                "responses": {
                    "200": _json("PublicationList", "一页信息及总数"),
                    "400": _json("Error", "参数有误（未知的机关代码、栏目或主题分类、页码不是正整数或超出范围、检索词过长、未知参数）",
                                 {"error": "参数 page（页码）应为正整数，收到“abc”。"}),
                },
            },
        },
        "/publications/{id}": {
            "get": {
                "operationId": "getPublication",
                "summary": "一条主动公开的政府信息：目录信息、正文和附件",
                "parameters": [
                    {"name": "id", "in": "path", "required": True,
                     "schema": {"type": "integer"}, "description": "信息编号"},
                ],
                "responses": {
                    "200": _json("Publication", "信息详情"),
                    "404": _json("Error", "信息不存在、尚未发布或已撤回",
                                 {"error": "该信息不存在或已撤回。"}),
                },
            },
        },
        "/search": {
            "get": {
                "operationId": "search",
                "summary": "检索全部公开内容：政府信息、政策解读、规范性文件、年度报告、许可和处罚决定、公开指南",
                "description": (
                    "与门户网站的信息检索相同（繁简体通用，以空格分隔的词须全部出现，引号内为短语），"
                    "按相关度排序，每页 20 条，返回总数和各类别的结果数（`facets`，不受 `kind` 限制）。"
                    "行政许可和处罚决定只在公示期内出现，当事人为自然人的只显示打码后的姓名。"
                ),
                "parameters": [
                    {"name": "q", "in": "query", "required": True,
                     "schema": {**_STRING, "minLength": 1, "maxLength": 100},
                     "description": "检索词（必填）"},
                    {"name": "kind", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": ["publication", "interpretation", "normative",
                                                           "report", "decision", "guide"]},
                     "description": "信息类别：政府信息、政策解读、规范性文件、年度报告、许可和处罚决定、公开指南"},
                    {"name": "agency", "in": "query", "required": False, "schema": _STRING,
                     "description": "机关代码：只列该机关及其下级机关的内容"},
                    {"name": "page", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "default": 1},
                     "description": "页码"},
                ],
                "responses": {
                    "200": {"description": "一页结果、总数和各类别的结果数", "content": {"application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["total", "page", "per_page", "num_pages", "q", "facets", "results"],
                            "properties": {
                                "total": {"type": "integer", "description": "符合条件的结果总数"},
                                "total_estimated": {"type": "boolean", "description": "总数是否为估计值（全站检索多个常见词或较长短语时显示“约 N 条”；各页结果均为实际结果，最后几页可能为空）"},
                                "page": {"type": "integer", "description": "当前页码"},
                                "per_page": {"type": "integer", "description": "每页条数（20）"},
                                "num_pages": {"type": "integer", "description": "总页数；没有结果时为 0"},
                                "q": {**_STRING, "description": "检索词（去掉首尾空白）"},
                                "facets": {"type": "object", "additionalProperties": {"type": "integer"},
                                           "description": "各类别的结果数（类别 → 条数）"},
                                "results": {"type": "array", "items": {
                                    "type": "object",
                                    "required": ["kind", "title", "url", "agency", "date"],
                                    "properties": {
                                        "kind": {**_STRING, "description": "信息类别"},
                                        "kind_label": {**_STRING, "description": "信息类别的中文名称"},
                                        "title": _STRING,
                                        "url": {**_STRING, "format": "uri", "description": "门户网站上的页面"},
                                        "agency": {"type": "object", "required": ["code", "name"],
                                                   "properties": {"code": _STRING, "name": _STRING}},
                                        "date": {"type": ["string", "null"], "format": "date",
                                                 "description": "发布（公示）日期；公开指南为 null"},
                                        "snippet_html": {**_STRING, "description": "摘要，检索词以 <mark> 标出"},
                                    },
                                }},
                            },
                        },
                    }}},
                    "400": _json("Error", "参数有误（缺少检索词、未知的类别或机关代码、页码不是正整数或超出范围、检索词过长、未知参数）",
                                 {"error": "未知的信息类别“news”。"}),
                },
            },
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "本文档（OpenAPI 3.1）",
                "responses": {"200": {"description": "OpenAPI 文档",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            },
        },
    },
    "components": {
        "schemas": {
            "Error": _ERROR,
            "RequestSubmission": _SUBMISSION,
            "RequestSubmitted": _SUBMITTED,
            "RequestStatus": _STATUS,
            "ApplicantFile": _APPLICANT_FILE,
            "AgencyList": _AGENCIES,
            "PublicationSummary": _PUBLICATION_SUMMARY,
            "PublicationList": _PUBLICATION_LIST,
            "Publication": _PUBLICATION,
        },
    },
}


# The participation routes describe themselves beside their views.
for _module in (consultations, messages, answers):
    DOCUMENT["paths"].update(_module.OPENAPI_PATHS)
    DOCUMENT["components"]["schemas"].update(_module.OPENAPI_SCHEMAS)


def document() -> dict:
    return copy.deepcopy(DOCUMENT)
