"""The notices of a request besides the reply (Art. 30, 32, 33, 42) and the sentence on
how the applicant gets the information, from ``data/notice_templates.toml`` (the law as
data, checked once at load: a missing or unknown table or key, a body without what its
notice must say, or an unknown placeholder fails at start, not in a letter).

Agencies cannot override these texts yet; the reply letters they can (``replies``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gongkai.foi import deadlines
from gongkai.foi.letters.fill import chinese_date, fields_of, fill, fill_lines
from gongkai.foi.models import Delivery, LetterKind

NOTICE_KINDS = (LetterKind.CORRECTION, LetterKind.EXTENSION, LetterKind.CONSULTATION, LetterKind.FEE)

# Placeholders every notice may use.
COMMON_PLACEHOLDERS: dict[str, str] = {
    "applicant": "申请人姓名或名称",
    "tracking_number": "申请编号",
    "received_on": "收到申请日期",
    "description": "申请人对所需信息的描述",
    "issued_on": "告知日期",
    "agency": "本机关名称",
    "agency_address": "本机关地址",
    "agency_phone": "本机关联系电话",
    "reply_limit_days": "答复期限（工作日）",
    "max_extension_days": "延长答复期限的上限（工作日）",
    "third_party_days": "第三方提出意见的期限（工作日）",
    "fee_payment_days": "缴纳信息处理费的期限（工作日）",
}

# Each notice's own placeholders, and what its body must carry (by the article).
OWN_PLACEHOLDERS: dict[str, dict[str, str]] = {
    LetterKind.CORRECTION: {"items": "需要补正的事项", "correct_by": "补正期限"},
    LetterKind.EXTENSION: {"reason": "延期理由", "days": "延长的工作日数", "new_due_on": "延长后的答复期限"},
    LetterKind.CONSULTATION: {"party": "第三方名称"},
    LetterKind.FEE: {
        "basis": "收费依据", "scale": "计收方式", "bands": "收费标准", "calculation": "计算过程",
        "amount": "应缴金额", "pay_by": "缴费期限", "payment": "缴纳方式", "pause": "期限中止的说明",
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    # 条例第三十条: the items, the period, the restart of the clock.
    LetterKind.CORRECTION: ("items", "correct_by", "reply_limit_days"),
    # 条例第三十三条第二款: the reason, the new date, the 20-day ceiling.
    LetterKind.EXTENSION: ("reason", "new_due_on", "max_extension_days"),
    # 条例第三十二条: the information concerned, the period to answer.
    LetterKind.CONSULTATION: ("party", "description", "third_party_days"),
    # 条例第四十二条; 国办函〔2020〕109号: basis, scale, amount, pay-by date, how to pay.
    LetterKind.FEE: ("basis", "bands", "calculation", "amount", "pay_by", "payment", "fee_payment_days"),
}
# Keys of a notice's table besides title and body (texts filled into the body).
EXTRA_KEYS: dict[str, tuple[str, ...]] = {LetterKind.FEE: ("payment", "pause")}


class NoticeTemplateError(ValueError):
    """``notice_templates.toml`` does not give a lawful text for every notice."""


@dataclass(frozen=True)
class NoticeTemplates:
    notices: dict[str, tuple[str, str]]  # kind -> (title, body)
    extras: dict[str, dict[str, str]]  # kind -> {key: text}
    delivery: dict[str, str]  # Delivery value -> text
    legacy_delivery: tuple[str, ...]


def placeholders_for(kind: str) -> dict[str, str]:
    return {**COMMON_PLACEHOLDERS, **OWN_PLACEHOLDERS[kind]}


def _read_notice_templates_text() -> str:
    return resources.files("gongkai.foi").joinpath("data", "notice_templates.toml").read_text(
        encoding="utf-8"
    )


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise NoticeTemplateError(f"{where}: must be non-empty text")
    return value.strip()


def _keys(table, where: str, expected: set[str]) -> None:
    if not isinstance(table, dict):
        raise NoticeTemplateError(f"{where}: must be a table")
    if missing := sorted(expected - set(table)):
        raise NoticeTemplateError(f"{where}: missing {', '.join(missing)}")
    if unknown := sorted(set(table) - expected):
        raise NoticeTemplateError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _unknown_placeholders(text: str, known: Mapping[str, str], where: str) -> None:
    if unknown := [name for name in dict.fromkeys(fields_of(text)) if name not in known]:
        raise NoticeTemplateError(f"{where}: 未知的占位符{'、'.join('{' + n + '}' for n in unknown)}")


def parse_notice_templates(text: str) -> NoticeTemplates:
    """Parse and check the notice texts: every notice with its title, body (carrying what
    its article requires) and extra keys, every way of delivery, nothing unknown."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NoticeTemplateError(f"notice_templates.toml: {exc}") from exc
    _keys(data, "notice_templates.toml", {*NOTICE_KINDS, "delivery", "delivery_legacy"})

    notices, extras = {}, {}
    for kind in NOTICE_KINDS:
        where = f"notice_templates.toml [{kind}]（{LetterKind(kind).label}）"
        table = data[kind]
        _keys(table, where, {"title", "body", *EXTRA_KEYS.get(kind, ())})
        title, body = _text(table["title"], f"{where} title"), _text(table["body"], f"{where} body")
        known = placeholders_for(kind)
        _unknown_placeholders(title, known, f"{where} title")
        _unknown_placeholders(body, known, f"{where} body")
        present = set(fields_of(body))
        if missing := [name for name in REQUIRED[kind] if name not in present]:
            raise NoticeTemplateError(
                f"{where} body: 缺少占位符{'、'.join('{' + n + '}' for n in missing)}"
                f"（{'、'.join(known[n] for n in missing)}）")
        extras[kind] = {}
        for key in EXTRA_KEYS.get(kind, ()):
            extras[kind][key] = _text(table[key], f"{where} {key}")
            _unknown_placeholders(extras[kind][key], COMMON_PLACEHOLDERS, f"{where} {key}")
        notices[kind] = (title, body)

    delivery_table = data["delivery"]
    _keys(delivery_table, "notice_templates.toml [delivery]", set(Delivery.values))
    delivery = {}
    for way in Delivery.values:
        where = f"notice_templates.toml [delivery.{way}]"
        _keys(delivery_table[way], where, {"text"})
        delivery[way] = _text(delivery_table[way]["text"], f"{where} text")
        _unknown_placeholders(delivery[way], COMMON_PLACEHOLDERS, where)
    legacy_table = data["delivery_legacy"]
    _keys(legacy_table, "notice_templates.toml [delivery_legacy]", {"starts_with"})
    legacy = legacy_table["starts_with"]
    if not isinstance(legacy, list) or not all(isinstance(s, str) and s.strip() for s in legacy):
        raise NoticeTemplateError("notice_templates.toml [delivery_legacy] starts_with: a list of text")
    return NoticeTemplates(notices, extras, delivery, tuple(s.strip() for s in legacy))


@cache
def notice_templates() -> NoticeTemplates:
    """The packaged notice texts, parsed and checked once."""
    return parse_notice_templates(_read_notice_templates_text())


# --- values ----------------------------------------------------------------------------

def common_values(request, *, issued_on) -> dict[str, str]:
    """What every notice may say: the request, the agency, the statutory periods (from
    ``foi.deadlines``, never typed) — never the ID number or the phone."""
    from gongkai.core import clock

    agency = request.agency
    received_on = request.received_on or clock.localdate_of(request.submitted_at)
    return {
        "applicant": request.name,
        "tracking_number": request.tracking_number,
        "received_on": chinese_date(received_on),
        "description": " ".join(request.description.split()),  # quoted in a sentence: one line
        "issued_on": chinese_date(issued_on),
        "agency": agency.name,
        "agency_address": agency.address or "",
        "agency_phone": agency.phone or "",
        "reply_limit_days": str(deadlines.REPLY_LIMIT_DAYS),
        "max_extension_days": str(deadlines.MAX_EXTENSION_DAYS),
        "third_party_days": str(deadlines.THIRD_PARTY_REPLY_DAYS),
        "fee_payment_days": str(deadlines.FEE_PAYMENT_DAYS),
    }


def delivery_sentence(request) -> str:
    """How the information reaches this applicant: the text for the way they chose
    (lines whose placeholders are empty left out, e.g. no pickup address on file)."""
    text = notice_templates().delivery.get(request.delivery, "")
    values = {"agency_address": request.agency.address or "", "agency_phone": request.agency.phone or "",
              "agency": request.agency.name}
    return "\n".join(fill_lines(text, values))


def is_legacy_delivery_line(line: str) -> bool:
    """An older template's fixed line describing one way of delivery for everybody."""
    stripped = line.strip()
    return any(stripped.startswith(prefix) for prefix in notice_templates().legacy_delivery)


def notice_text(kind: str, values: Mapping[str, str]) -> tuple[str, list[str]]:
    """The notice's title and paragraphs, filled with ``values`` (common and own)."""
    templates = notice_templates()
    title, body = templates.notices[kind]
    values = dict(values)
    for key, text in templates.extras.get(kind, {}).items():
        values.setdefault(key, fill(text, values))
    values = {name: (value or "").strip() for name, value in values.items()}
    return " ".join(fill(title, values).split()), fill_lines(body, values)
