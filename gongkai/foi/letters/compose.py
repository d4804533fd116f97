"""What each letter says, as a ``LetterText``: the reply letter and the notices, from
the request and either the records (the issued letter) or the clerk's form fields (the
preview). One function for both, so the preview is the letter as it will be issued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.foi import deadlines, fees
from gongkai.foi.letters.dedup import normalise
from gongkai.foi.letters.document import LetterText
from gongkai.foi.letters.fill import chinese_date, chinese_ordinal
from gongkai.foi.letters.notices import common_values, notice_text
from gongkai.foi.letters.numbering import PREVIEW_NUMBER
from gongkai.foi.letters.replies import reply_text
from gongkai.foi.models import AgencyFoiSettings, Consultation, FeeNotice, LetterKind, Reply
from gongkai.foi.outcomes import REPLY_RULES, ReplyType


class LetterInputError(DomainError):
    """The fields do not make a letter (a preview of a half-filled form)."""


def reference(request) -> str:
    return f"（申请编号：{request.tracking_number}）"


def _without_salutation(paragraphs: list[str], clerk: list[bool], addressee: str):
    """The body without its first line when that is the salutation, which the layout
    prints on its own line."""
    if paragraphs and paragraphs[0].rstrip().endswith(("：", ":")) and \
            normalise(paragraphs[0]) == normalise(addressee):
        return paragraphs[1:], clerk[1:]
    return paragraphs, clerk


def _letter(kind, request, *, title, addressee, paragraphs, issued_on, clerk=None, dropped=(),
            document_number="") -> LetterText:
    clerk = list(clerk) if clerk is not None else [False] * len(paragraphs)
    paragraphs, clerk = _without_salutation(list(paragraphs), clerk, addressee)
    return LetterText(
        kind=str(kind), title=title, addressee=addressee, paragraphs=tuple(paragraphs),
        agency_name=request.agency.name, issued_on=issued_on, document_number=document_number,
        reference=reference(request), clerk=tuple(clerk), dropped=tuple(dropped),
    )


# --- input (preview fields are strings; issued letters pass values) ---------------------

def _date(value, label: str, default: dt.date | None = None) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        if default is None:
            raise LetterInputError(f"请填写{label}")
        return default
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise LetterInputError(f"{label}不是有效的日期（格式：年-月-日）") from None


def _int(value, label: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise LetterInputError(f"请填写{label}（整数）") from None
    if number < 1:
        raise LetterInputError(f"{label}应为正整数")
    return number


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) else ""


def _items(value) -> list[str]:
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    return [str(line).strip() for line in lines if str(line).strip()]


# --- the reply letter (Art. 36–39) ---------------------------------------------------------

def _reply_from_fields(request, fields: Mapping, on: dt.date) -> Reply:
    from gongkai.foi.services.replies import default_remedy

    value = _text(fields.get("reply_type"))
    if value not in ReplyType.values:
        raise LetterInputError("请选择答复类型")
    reply_type = ReplyType(value)
    remedy = _text(fields.get("remedy"))
    if not remedy and REPLY_RULES[reply_type].refusal:
        remedy = default_remedy(request)
    return Reply(
        request=request, reply_type=reply_type, replied_on=_date(fields.get("replied_on"), "答复日期", on),
        content=_text(fields.get("content")), legal_basis=_text(fields.get("legal_basis")),
        responsible_agency=_text(fields.get("responsible_agency")),
        responsible_agency_contact=_text(fields.get("responsible_agency_contact")), remedy=remedy,
    )


def reply_letter(reply: Reply, *, document_number: str = "") -> LetterText:
    text = reply_text(reply)
    request = reply.request
    return _letter(LetterKind.REPLY, request, title=text.title, addressee=request.name,
                   paragraphs=text.paragraphs, clerk=text.clerk, dropped=text.dropped,
                   issued_on=reply.replied_on, document_number=document_number)


# --- the notices ---------------------------------------------------------------------------

def correction_letter(request, fields: Mapping, *, on: dt.date, document_number: str = "") -> LetterText:
    """补正申请告知书 (条例第三十条)."""
    items = _items(fields.get("items"))
    if not items:
        raise LetterInputError("补正告知必须逐项列明需要补正的内容")
    correct_by = _date(fields.get("correct_by"), "补正期限")
    values = common_values(request, issued_on=on) | {
        "items": "\n".join(f"（{chinese_ordinal(i)}）{item}" for i, item in enumerate(items, 1)),
        "correct_by": chinese_date(correct_by),
    }
    title, paragraphs = notice_text(LetterKind.CORRECTION, values)
    clerk = [any(item in p for item in items) for p in paragraphs]
    return _letter(LetterKind.CORRECTION, request, title=title, addressee=request.name,
                   paragraphs=paragraphs, clerk=clerk, issued_on=on, document_number=document_number)


def extension_due_on(request, days: int, *, on: dt.date, recorded: bool) -> dt.date | None:
    """The reply deadline after an extension of ``days``: read from the records when the
    extension is recorded, else the current deadline moved by ``days`` working days."""
    from gongkai.core.selectors import get_working_day_calendar
    from gongkai.foi.selectors import request_deadline

    deadline = request_deadline(request, as_of=on)
    due = deadline.due_on or deadline.due_on_if_resumed_today
    if recorded or due is None:
        return due
    return get_working_day_calendar().add_working_days(due, days)


def extension_letter(request, fields: Mapping, *, on: dt.date, recorded: bool = False,
                     document_number: str = "") -> LetterText:
    """延期答复告知书 (条例第三十三条第二款)."""
    days = _int(fields.get("days"), "延长工作日数")
    if days > deadlines.MAX_EXTENSION_DAYS:
        raise LetterInputError(f"延长期限最长不得超过{deadlines.MAX_EXTENSION_DAYS}个工作日（第三十三条第二款）")
    reason = _text(fields.get("reason")).rstrip("。；;，,. ")
    if not reason:
        raise LetterInputError("延期答复必须说明理由")
    new_due_on = fields.get("new_due_on") or extension_due_on(request, days, on=on, recorded=recorded)
    if new_due_on is None:
        raise LetterInputError("尚不能确定延长后的答复期限")
    values = common_values(request, issued_on=on) | {
        "reason": reason, "days": str(days), "new_due_on": chinese_date(_date(new_due_on, "答复期限")),
    }
    title, paragraphs = notice_text(LetterKind.EXTENSION, values)
    clerk = [reason in p for p in paragraphs]
    return _letter(LetterKind.EXTENSION, request, title=title, addressee=request.name,
                   paragraphs=paragraphs, clerk=clerk, issued_on=on, document_number=document_number)


def consultation_letter(request, fields: Mapping, *, on: dt.date, consultation: Consultation | None = None,
                        document_number: str = "") -> LetterText:
    """第三方意见征询函 (条例第三十二条), addressed to the third party."""
    party = consultation.party_name if consultation else _text(fields.get("party_name"))
    if not party:
        raise LetterInputError("请填写征求意见的对象")
    values = common_values(request, issued_on=on) | {"party": party}
    title, paragraphs = notice_text(LetterKind.CONSULTATION, values)
    return _letter(LetterKind.CONSULTATION, request, title=title, addressee=party,
                   paragraphs=paragraphs, issued_on=on, document_number=document_number)


def _scale_text(rules: fees.ScaleRules) -> str:
    """The scale's bands as the measures state them."""
    parts = [band.label(rules.unit) for band in rules.bands]
    if (more := rules.open_ended) is not None:
        parts.append(f"第{more.first}{rules.unit}起以{more.band_width}{rules.unit}为一档，"
                     f"每增加一档，收费标准提高{more.increment}元/{rules.unit}")
    return "；".join(parts)


def _fee_calculation(request, fields: Mapping) -> tuple[fees.FeeScale, dict, Decimal]:
    """For a preview: the fee as the service would compute it from the form."""
    from gongkai.foi.services.requests import applicant_requests_in_month

    try:
        scale = fees.FeeScale(_text(fields.get("scale")))
    except ValueError:
        raise LetterInputError("请选择计收方式") from None
    if scale is fees.FeeScale.PER_REQUEST:
        calculation = fees.calculate_fee(scale=scale, rank_in_month=applicant_requests_in_month(request))
    else:
        calculation = fees.calculate_fee(scale=scale, pages=_int(fields.get("pages"), "页数"))
    return scale, {"basis": calculation.basis, "explanation": list(calculation.explanation)}, calculation.total


def fee_letter(request, fields: Mapping, *, on: dt.date, fee_notice: FeeNotice | None = None,
               document_number: str = "") -> LetterText:
    """收费通知书 (条例第四十二条; 国办函〔2020〕109号)."""
    from gongkai.core.selectors import get_working_day_calendar

    if fee_notice is not None:
        scale, calculation = fees.FeeScale(fee_notice.scale), fee_notice.calculation or {}
        amount, pay_by = fee_notice.amount, fee_notice.pay_by
    else:
        scale, calculation, amount = _fee_calculation(request, fields)
        pay_by = deadlines.fee_payment_deadline(on, get_working_day_calendar())
    try:
        amount = Decimal(amount).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError):
        raise LetterInputError("信息处理费金额无效") from None
    rules = fees.load_fee_schedule().rules(scale)
    settings = AgencyFoiSettings.objects.filter(agency=request.agency).first()
    pauses = settings.fee_notice_pauses_clock if settings else True
    values = common_values(request, issued_on=on) | {
        "basis": calculation.get("basis") or fees.load_fee_schedule().basis(scale),
        "scale": rules.method, "bands": _scale_text(rules),
        "calculation": "\n".join(calculation.get("explanation") or []),
        "amount": f"{amount}", "pay_by": chinese_date(pay_by),
    }
    if not pauses:
        values["pause"] = ""
    title, paragraphs = notice_text(LetterKind.FEE, values)
    return _letter(LetterKind.FEE, request, title=title, addressee=request.name,
                   paragraphs=paragraphs, issued_on=on, document_number=document_number)


# --- any kind ------------------------------------------------------------------------------

def compose(kind: str, request, fields: Mapping | None = None, *, on: dt.date | None = None,
            reply: Reply | None = None, consultation: Consultation | None = None,
            fee_notice: FeeNotice | None = None, recorded: bool = False,
            document_number: str = "") -> LetterText:
    """The letter of ``kind`` for ``request``: from ``reply`` / ``consultation`` /
    ``fee_notice`` where given, else from ``fields`` (a form's values)."""
    fields = fields or {}
    on = on or clock.today()
    try:
        kind = LetterKind(kind)
    except ValueError:
        raise LetterInputError("没有这种告知文书") from None
    number = {"document_number": document_number}
    if kind == LetterKind.REPLY:
        return reply_letter(reply or _reply_from_fields(request, fields, on), **number)
    if kind == LetterKind.CORRECTION:
        return correction_letter(request, fields, on=on, **number)
    if kind == LetterKind.EXTENSION:
        return extension_letter(request, fields, on=on, recorded=recorded, **number)
    if kind == LetterKind.CONSULTATION:
        return consultation_letter(request, fields, on=on, consultation=consultation, **number)
    return fee_letter(request, fields, on=on, fee_notice=fee_notice, **number)


def preview_letter(kind: str, request, fields: Mapping) -> LetterText:
    """The letter as it would be issued now from the form's fields, numbered
    ``PREVIEW_NUMBER`` (the number is taken only when it is issued)."""
    on = clock.today()
    for name in ("replied_on", "on", "decided_on", "sent_on"):
        if fields.get(name):
            on = _date(fields[name], "日期")
            break
    return compose(kind, request, fields, on=on, document_number=PREVIEW_NUMBER)

