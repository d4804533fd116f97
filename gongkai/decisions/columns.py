"""The column mapping of decision export files, and the reading of their values.

:data:`COLUMNS` lists, for each field of a decision, the header we document and the
aliases that typical business-system exports use (信用中国 "双公示" formats, provincial
enforcement platforms). Headers are compared after removing spaces and ``*`` and folding
full-width characters and case (:func:`normalise_header`). The upload page
shows this table.

The ``as_*`` functions turn one cell into a value or raise :class:`BadValue` with the
Chinese message for the report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gongkai.core.identifiers import normalise_id_number
from gongkai.core.tabular import CellError, Formula
from gongkai.decisions.models import DecisionKind, PartyType
from gongkai.decisions.rules import PenaltyType


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the header we document and suggest
    aliases: tuple[str, ...]
    required: str  # who must fill it in, for the documentation
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("number", "决定文书号", (
        "行政处罚决定书文号", "处罚决定书文号", "处罚决定文书号", "行政许可决定文书号",
        "许可决定书文号", "许可决定文书号", "许可文书号", "行政强制决定书文号",
        "强制决定书文号", "决定书文号", "文书号"), "必填", "本机关内不得重复"),
    Column("kind", "决定类别", ("类别", "决定类型", "执法类别", "公示类别", "信息类别"),
           "可选", "行政许可、行政处罚、行政强制或其他；缺此列时按表头判断"),
    Column("party_name", "行政相对人名称", (
        "当事人名称", "当事人", "相对人名称", "行政相对人", "被处罚人名称"), "必填"),
    Column("party_type", "行政相对人类别", (
        "相对人类别", "当事人类别", "当事人类型", "行政相对人类型"),
           "可选", "自然人、法人及非法人组织或个体工商户；缺省时按证件推断"),
    Column("party_uscc", "统一社会信用代码", (
        "行政相对人代码_1(统一社会信用代码)", "当事人统一社会信用代码", "社会信用代码"),
           "法人及非法人组织必填", "公开显示"),
    Column("party_id_number", "身份证号码", (
        "居民身份证号码", "证件号码", "当事人身份证号码", "当事人证件号码"),
           "可选（自然人、个体工商户经营者）", "加密保存，不公开；Excel中须设为文本格式"),
    Column("matter", "违法行为类型/许可事项", (
        "违法行为类型", "违法行为", "许可事项", "许可事项名称", "行政许可项目名称",
        "项目名称", "强制措施名称", "强制事项"), "必填"),
    Column("content", "处罚内容/许可内容", (
        "处罚内容", "行政处罚内容", "处罚结果", "许可内容", "行政许可内容", "强制内容",
        "决定内容"), "必填"),
    Column("basis", "处罚依据/许可依据", (
        "处罚依据", "行政处罚依据", "许可依据", "行政许可依据", "强制依据", "决定依据", "依据"),
           "可选"),
    Column("penalty_types", "处罚种类", ("处罚类别", "处罚类型", "行政处罚种类"),
           "行政处罚必填", "如“警告、罚款”；仅警告的不予公示"),
    Column("fine_amount", "罚款金额（元）", ("罚款金额", "罚款金额(元)", "罚款数额"),
           "处罚种类含罚款时必填"),
    Column("fine_amount_wan", "罚款金额（万元）", ("罚款金额(万元)",),
           "可代替“罚款金额（元）”", "按万元换算为元"),
    Column("deciding_body", "决定机关", (
        "处罚机关", "许可机关", "作出决定机关", "决定机关名称", "处罚决定机关", "许可决定机关",
        "实施机关"), "可选", "缺省为本机关名称"),
    Column("decision_date", "决定日期", (
        "处罚决定日期", "许可决定日期", "作出决定日期", "作出处罚决定日期", "决定作出日期",
        "强制决定日期"), "必填", "不得晚于今天"),
    Column("published_on", "公示日期", ("首次公示日期",), "可选",
           "已在其他网站公示的历史数据填写原公示日期，公示期从该日起算；缺省为导入当天"),
    Column("publication_ends_on", "公示截止日期", ("公示截止期", "公示截止时间"), "可选",
           "仅在不按默认期限时填写（如限制从业超过三年），为公示的最后一日"),
)
REQUIRED_FIELDS = ("number", "party_name", "matter", "content", "decision_date")
# Words in a recognised header that tell which kind of decision the file holds.
KIND_HINTS = {"处罚": DecisionKind.PENALTY, "违法": DecisionKind.PENALTY,
              "许可": DecisionKind.LICENCE, "强制": DecisionKind.ENFORCEMENT}


def normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s*]+", "", text).lower()


HEADER_FIELDS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.label, *_column.aliases):
        HEADER_FIELDS[normalise_header(_name)] = _column.field
LABELS = {c.field: c.label for c in COLUMNS}

KIND_VALUES = {
    "行政许可": DecisionKind.LICENCE, "许可": DecisionKind.LICENCE,
    "行政处罚": DecisionKind.PENALTY, "处罚": DecisionKind.PENALTY,
    "行政强制": DecisionKind.ENFORCEMENT, "强制": DecisionKind.ENFORCEMENT,
    "行政强制措施": DecisionKind.ENFORCEMENT, "行政强制执行": DecisionKind.ENFORCEMENT,
    "其他": DecisionKind.OTHER, "其他行政执法决定": DecisionKind.OTHER,
    **{k.value: k for k in DecisionKind},
}
PARTY_TYPE_VALUES = {
    "自然人": PartyType.NATURAL_PERSON, "个人": PartyType.NATURAL_PERSON,
    "公民": PartyType.NATURAL_PERSON,
    "法人及非法人组织": PartyType.ORGANISATION, "法人或其他组织": PartyType.ORGANISATION,
    "法人和其他组织": PartyType.ORGANISATION, "法人": PartyType.ORGANISATION,
    "非法人组织": PartyType.ORGANISATION, "其他组织": PartyType.ORGANISATION,
    "企业": PartyType.ORGANISATION, "单位": PartyType.ORGANISATION,
    "个体工商户": PartyType.INDIVIDUAL_BUSINESS, "个体": PartyType.INDIVIDUAL_BUSINESS,
    **{p.value: p for p in PartyType},
}
# Keywords of penalty types (行政处罚法 Art. 9); one entry may name several.
_PENALTY_KEYWORDS: tuple[tuple[str, PenaltyType], ...] = (
    ("警告", PenaltyType.WARNING), ("通报批评", PenaltyType.REPRIMAND),
    ("罚款", PenaltyType.FINE), ("没收", PenaltyType.CONFISCATION),
    ("暂扣", PenaltyType.SUSPENSION), ("降低资质", PenaltyType.DOWNGRADE),
    ("吊销", PenaltyType.REVOCATION), ("限制开展生产经营", PenaltyType.RESTRICTION),
    ("停产停业", PenaltyType.SUSPEND_BUSINESS), ("停业整顿", PenaltyType.SUSPEND_BUSINESS),
    ("责令关闭", PenaltyType.CLOSURE), ("限制从业", PenaltyType.EMPLOYMENT_BAN),
    ("拘留", PenaltyType.DETENTION), ("其他", PenaltyType.OTHER),
)
# Orders that often sit beside a penalty but are not one (行政命令): passed over.
_NOT_PENALTIES = ("责令改正", "责令限期改正", "限期改正")
# How exports write "nothing here" in optional columns.
BLANK_TOKENS = frozenset({"", "-", "—", "——", "/", "无", "暂无", "null", "none", "n/a"})


class BadValue(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def clean(text: str, *, multiline: bool = False) -> str:
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    if multiline:
        return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()
    return " ".join(text.split())


def as_text(value, *, multiline: bool = False) -> str:
    if isinstance(value, Formula):
        raise BadValue("是公式，不予计算，请在Excel中“粘贴为数值”后再导入")
    if isinstance(value, CellError):
        raise BadValue(f"是错误值{value.text}")
    if value is None:
        return ""
    if isinstance(value, bool):
        raise BadValue("不是文本")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(str(value), multiline=multiline)


def as_code(value) -> str:
    """An ID number or credit code: must be text in the spreadsheet, since Excel keeps
    only 15 significant digits of a number."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise BadValue("是数值格式，Excel会丢失长数字的精度；请将该列设为文本格式后重新录入")
    text = as_text(value)
    return "" if text.lower() in BLANK_TOKENS else normalise_id_number(text)


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise BadValue("是数值而不是日期，请使用“2025-01-31”格式或Excel日期格式")
    text = _TIME_SUFFIX.sub("", as_text(value))
    if text.lower() in BLANK_TOKENS:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                raise BadValue(f"日期“{text}”不存在") from None
    raise BadValue(f"日期“{text}”无法识别，应为2025-01-31、2025/1/31或2025年1月31日")


def as_amount(value, *, wan: bool) -> Decimal | None:
    if isinstance(value, bool):
        raise BadValue("不是金额")
    if isinstance(value, int | float | Decimal):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = as_text(value)
        if text.lower() in BLANK_TOKENS:
            return None
        text = re.sub(r"[\s,，元¥￥]", "", text)
        if text.endswith("万"):
            text, wan = text[:-1], True
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BadValue(f"金额“{text}”不是数字") from None
    if not amount.is_finite():
        raise BadValue(f"金额“{text}”不是数字")
    if wan:
        amount *= 10000
    if amount < 0:
        raise BadValue("金额不能为负数")
    if amount >= Decimal("1e12"):
        raise BadValue("金额过大")
    if amount != amount.quantize(Decimal("0.01")):
        raise BadValue("金额最多精确到分")
    return amount.quantize(Decimal("0.01"))


def parse_penalty_types(text: str) -> int:
    """The penalty types named in a cell such as “警告、罚款” or “没收违法所得并处罚款”."""
    flags = PenaltyType(0)
    for token in re.split(r"[,，;；、/\s]+", text):
        if not token:
            continue
        found = PenaltyType(0)
        for keyword, flag in _PENALTY_KEYWORDS:
            if keyword in token:
                found |= flag
        if not found:
            if token.startswith(_NOT_PENALTIES):
                continue
            raise BadValue(f"无法识别的处罚种类“{token}”（应为《行政处罚法》第九条所列种类，如警告、罚款、没收违法所得）")
        flags |= found
    return int(flags)


