"""The fields of a complaint and the column headers of 12315 platform exports that name
them. The office maps the columns on every import (``mapping step``); this module only
guesses the mapping the page starts from, and the agency's last mapping wins over the
guess wherever its headers are in the file.

Headers are compared after :func:`normalise_header` (spaces, asterisks and brackets
removed, full-width folded), so ``* 登记日期``, ``登记日期（必填）`` and ``登记 日期`` are one
header.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool
    aliases: tuple[str, ...]
    note: str = ""


FIELDS: tuple[Field, ...] = (
    Field("received_on", "日期", True,
          ("登记日期", "受理日期", "登记时间", "受理时间", "接收日期", "来电日期", "诉求日期",
           "投诉日期", "举报日期", "创建时间", "日期"),
          "登记或受理的日期；可为2026-03-02、2026/3/2、2026年3月2日或带时间"),
    Field("summary", "内容摘要", True,
          ("内容摘要", "诉求内容", "投诉内容", "举报内容", "反映内容", "诉求描述", "问题描述",
           "事件描述", "摘要", "内容"),
          "用于分词统计热点；其中的手机号、身份证号、银行卡号在保存前遮盖"),
    Field("kind", "类型", False,
          ("类型", "诉求类型", "工单类型", "业务类型", "信息类型", "诉求类别")),
    Field("category", "问题类别", False,
          ("问题类别", "问题类型", "投诉问题", "举报问题", "问题分类", "类别", "问题")),
    Field("subject", "行业/客体", False,
          ("行业", "涉及行业", "所属行业", "行业分类", "客体", "客体类别", "商品或服务", "商品服务")),
    Field("region", "区域", False,
          ("区域", "属地", "所属区域", "所在区域", "行政区划", "区县", "发生地", "涉及区域")),
    Field("department", "承办部门", False,
          ("承办部门", "承办单位", "处理部门", "处理单位", "办理单位", "责任单位", "受理单位")),
    Field("source_id", "工单号", False,
          ("工单号", "工单编号", "编号", "登记编号", "投诉编号", "举报编号", "诉求编号", "流水号"),
          "有工单号时按工单号去重，否则按各列内容去重"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
REQUIRED = tuple(f.name for f in FIELDS if f.required)
LABELS = {f.name: f.label for f in FIELDS}
BY_NAME = {f.name: f for f in FIELDS}

# The dimensions the analysis counts by (field → label), in the page's order.
DIMENSIONS = {"kind": "类型", "category": "问题类别", "subject": "行业/客体", "region": "区域",
              "department": "承办部门"}
BLANK_LABEL = "未填写"

_STRIP = re.compile(r"[\s*＊:：()（）\[\]【】<>《》]")


def normalise_header(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return _STRIP.sub("", text).lower()


def guess_mapping(headers: list[str], remembered: dict[str, str] | None = None) -> dict[str, int]:
    """field name → column index, for the columns found: first the agency's remembered
    mapping (field → header as written), where that header is in the file; then each
    field's aliases in order, an exact header first, then a header containing the alias.
    A column is given to one field only."""
    normalised = [normalise_header(h) for h in headers]
    taken: set[int] = set()
    mapping: dict[str, int] = {}
    for name, header in (remembered or {}).items():
        if name in BY_NAME and header:
            key = normalise_header(header)
            if key in normalised and normalised.index(key) not in taken:
                mapping[name] = normalised.index(key)
                taken.add(mapping[name])
    for exact in (True, False):
        for field in FIELDS:
            if field.name in mapping:
                continue
            for alias in field.aliases:
                key = normalise_header(alias)
                found = next((i for i, h in enumerate(normalised) if i not in taken and h
                              and (h == key if exact else key in h)), None)
                if found is not None:
                    mapping[field.name] = found
                    taken.add(found)
                    break
    return mapping


def looks_like_header(cells: list) -> bool:
    """A row naming at least two of the fields (the header may sit below a title row)."""
    texts = [c for c in cells if isinstance(c, str) and c.strip()]
    return len(guess_mapping([str(c) for c in texts])) >= 2 if len(texts) >= 2 else False
