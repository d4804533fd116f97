"""Replies (Art. 36–37) and their letters."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Role
from gongkai.core.uploads import sha256_of, validate_upload
from gongkai.foi.models import AgencyFoiSettings, DisclosedFile, FoiRequest, Reply
from gongkai.foi.outcomes import REMEDY_TEMPLATE, REPLY_RULES, Outcome, ReplyType
from gongkai.foi.services.requests import _locked, _not_in_future, _require, _transition
from gongkai.foi.workflow import Action


def default_remedy(request: FoiRequest) -> str:
    """The remedy sentence of a refusal: review body and court from the agency's
    settings, else the parent agency and the local people's court."""
    settings = AgencyFoiSettings.objects.filter(agency=request.agency).first()
    review_body = (settings and settings.review_body) or (
        request.agency.parent.name if request.agency.parent_id else "上一级行政机关"
    )
    court = (settings and settings.court) or "有管辖权的人民法院"
    return REMEDY_TEMPLATE.format(review_body=review_body, court=court)


def derive_outcome(reply_type: str, outcome: str | None = "") -> Outcome:
    """The report row of a reply: fixed by the reply type where the type allows one
    (国办公开办函〔2021〕30号; ``REPLY_RULES``), else the clerk's choice among the
    type's own rows (the grounds of 不予公开)."""
    reply_type = ReplyType(reply_type)
    rule = REPLY_RULES[reply_type]
    if outcome:
        return Outcome(outcome)
    if len(rule.outcomes) == 1:
        return rule.outcomes[0]
    allowed = "、".join(o.label for o in rule.outcomes)
    raise DomainError(f"“{reply_type.label}”请选择办理结果：{allowed}")


# What may be disclosed with a reply: judged by content (core.uploads), kept with its hash.
DISCLOSED_FILE_KINDS = {"PDF", "JPEG", "PNG"}
DISCLOSED_FILE_MAX_BYTES = 20 * 1024 * 1024


def validate_disclosed_file(upload):
    """The file's kind, or a DomainError in Chinese."""
    try:
        return validate_upload(upload, allowed=DISCLOSED_FILE_KINDS, max_bytes=DISCLOSED_FILE_MAX_BYTES)
    except ValidationError as exc:
        raise DomainError(exc.messages[0]) from None




def _add_disclosed_files(*, actor, request: FoiRequest, files) -> list[DisclosedFile]:
    added = []
    for upload, display_name in files:
        kind = validate_disclosed_file(upload)
        added.append(DisclosedFile.objects.create(
            request=request, file=upload, display_name=(display_name or upload.name).strip()[:200],
            content_type=kind.content_type, size=upload.size, sha256=sha256_of(upload), added_by=actor,
        ))
    return added


def validate_reply(
    *, reply_type: ReplyType, outcome: Outcome, content: str, legal_basis: str,
    responsible_agency: str, remedy: str,
) -> None:
    """The lawful-reply rules, so forms and the service refuse the same things."""
    rule = REPLY_RULES[reply_type]
    if outcome not in rule.outcomes:
        allowed = "、".join(o.label for o in rule.outcomes)
        raise DomainError(f"“{reply_type.label}”的办理结果只能是：{allowed}")
    if not content.strip():
        raise DomainError("请填写答复内容")
    if rule.needs_ground and not legal_basis.strip():
        raise DomainError("不予公开或部分公开必须说明理由并列明法律依据（第三十六条第三项、第三十七条）")
    if rule.names_agency and not responsible_agency.strip():
        raise DomainError("答复不属于本机关负责公开的，应告知负责公开的机关；确实无法确定的请写明“无法确定”")
    if rule.refusal and not remedy.strip():
        raise DomainError("不予公开、无法提供或不予处理的答复必须告知救济途径")


@transaction.atomic
def request_reply(
    *, actor, request: FoiRequest, reply_type: str, content: str, outcome: str | None = "",
    replied_on: dt.date | None = None, legal_basis: str = "", responsible_agency: str = "",
    responsible_agency_contact: str = "", remedy: str | None = None, disclosed_files=(),
) -> Reply:
    """Reply to the request with a lawful type; the request is finished (closed_on) and
    lands in one row of the annual report (derived from the type where the type fixes
    it). ``disclosed_files`` are (upload, display name) pairs sent with the reply. The
    reply letter is generated and attached."""
    request = _locked(request, Action.REPLY)
    _require(actor, request, Role.OFFICE)
    reply_type = ReplyType(reply_type)
    outcome = derive_outcome(reply_type, outcome)
    replied_on = replied_on or clock.today()
    _not_in_future(replied_on, "答复日期")
    if request.received_on and replied_on < request.received_on:
        raise DomainError("答复日期不能早于收到申请日期")
    rule = REPLY_RULES[reply_type]
    if remedy is None:
        remedy = default_remedy(request) if rule.refusal else ""
    validate_reply(reply_type=reply_type, outcome=outcome, content=content, legal_basis=legal_basis,
                   responsible_agency=responsible_agency, remedy=remedy)
    reply = Reply.objects.create(
        request=request, reply_type=reply_type, outcome=outcome, replied_on=replied_on,
        content=content.strip(), legal_basis=legal_basis.strip(),
        responsible_agency=responsible_agency.strip(),
        responsible_agency_contact=responsible_agency_contact.strip(), remedy=remedy.strip(),
        created_by=actor,
    )
    files = _add_disclosed_files(actor=actor, request=request, files=disclosed_files)
    request.closed_on, request.outcome = replied_on, outcome
    _transition(request, Action.REPLY, actor=actor, on=replied_on,
                data={"reply_type": reply_type.value, "outcome": outcome.value,
                      **({"disclosed_files": len(files)} if files else {})},
                save_fields=("closed_on", "outcome"),
                audit_after={"reply_type": reply_type.value, "outcome": outcome.value,
                             "disclosed_files": [f.sha256 for f in files]})
    from gongkai.foi.services.letters import issue_reply_letter

    issue_reply_letter(actor, reply)  # numbered DOCX and PDF; also sets reply.letter
    return reply
