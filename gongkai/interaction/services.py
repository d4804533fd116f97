"""Every write of the message board: submit, route, transfer, reply and check, extend,
publish, rate. Each is atomic, checks the actor's role and the workflow table, and writes
the message's event and the audit entry in the same transaction (no personal data in
either). Services that change what a public page shows emit ``CONTENT_CHANGED``."""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, clock, listeners, moderation, sequences
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, Department
from gongkai.foi.tracking import hash_secret, new_secret
from gongkai.identity.models import PublicAccount
from gongkai.interaction import history, permissions, rules
from gongkai.interaction.models import (
    AgencyMessageSettings,
    Message,
    MessageEvent,
    MessageReply,
    ReplyState,
)
from gongkai.interaction.workflow import Action, Kind, MessageStatus, Rating, next_status
from gongkai.publishing import screening

WRITER = "留言人"


@dataclasses.dataclass(frozen=True)
class MessageData:
    """What the writer gives: the form's and the API's cleaned input."""

    kind: str
    subject: str
    content: str
    name: str = ""
    phone: str = ""
    email: str = ""
    publish_consent: bool = False


def new_tracking_number(*, agency: Agency, year: int) -> str:
    """`LY{year}-{agency id}-{sequence}`: unique across the platform, gap-free per agency
    and year, and never mistaken for a request's number."""
    seq = sequences.next_number(f"interaction.message.{agency.pk}", year)
    return f"LY{year}-{agency.pk:04d}-{seq:05d}"


def _actor_label(actor) -> str:
    if getattr(actor, "is_authenticated", False):
        return getattr(actor, "full_name", "") or actor.get_username()
    return WRITER


def _record(message: Message, *, action: Action, actor, from_status: str = "", reason: str = "",
            data: dict | None = None, audit_after: dict | None = None) -> MessageEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = MessageEvent.objects.create(
        message=message, agency=message.agency, action=action, from_status=from_status,
        to_status=message.status, on=clock.today(), at=clock.now(), actor=user,
        actor_label=_actor_label(actor), reason=reason, data=data or {},
    )
    audit.record(
        actor=actor, action=f"interaction.{action}", obj=message, agency=message.agency,
        reason=reason, before={"status": from_status} if from_status else None,
        after={"status": message.status, **(audit_after or {})},
    )
    return event


def _locked(message: Message, action: Action | None = None) -> Message:
    message = Message.objects.select_for_update().select_related("agency").get(pk=message.pk)
    if action is not None:
        next_status(message.status, action)
    return message


def _transition(message: Message, action: Action, *, actor, reason: str = "",
                data: dict | None = None, save_fields: tuple[str, ...] = (),
                audit_after: dict | None = None) -> MessageEvent:
    previous = message.status
    message.status = next_status(previous, action)
    message.save(update_fields=["status", "updated_at", *save_fields])
    return _record(message, action=action, actor=actor, from_status=previous, reason=reason,
                   data=data, audit_after=audit_after)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("您无权办理该留言")


def _required_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{what}。")
    return value


# --- the writer --------------------------------------------------------------------------------


@transaction.atomic
def message_submit(*, agency: Agency, data: MessageData,
                   account: PublicAccount | None = None) -> tuple[Message, str]:
    """A message through the portal or the API: received by the agency's office at once
    (the reply clock starts today). Returns the message and the writer's secret (shown
    once, stored only hashed). ``account``: the writer's signed-in government-service
    account, under which the message is listed ("我的申请")."""
    if not agency.is_active:
        raise DomainError("该机关不接收留言。")
    if data.kind not in Kind.values:
        raise DomainError("留言类型不正确。")
    secret = new_secret()
    subject = _required_text(data.subject, "标题")
    content = _required_text(data.content, "留言内容")
    hits = moderation.word_hits(f"{subject}\n{content}", agency=agency)
    message = Message.objects.create(
        agency=agency, tracking_number=new_tracking_number(agency=agency, year=clock.today().year),
        secret_hash=hash_secret(secret), kind=data.kind, subject=subject, content=content,
        name=data.name.strip(), phone=data.phone.strip(), email=data.email.strip(),
        publish_consent=bool(data.publish_consent), status=MessageStatus.RECEIVED,
        submitted_at=clock.now(), received_on=clock.today(),
        word_hits=sorted({h.word for h in hits}), public_account=account,
    )
    _record(message, action=Action.SUBMIT, actor=None,
            audit_after={"kind": data.kind, "publish_consent": message.publish_consent,
                         "public_account": account.pk if account else None})
    return message, secret


@transaction.atomic
def message_rate(*, message: Message, rating: str, comment: str = "") -> Message:
    """The writer's rating of the reply, once (through the secret look-up)."""
    message = _locked(message, Action.RATE)
    if rating not in Rating.values:
        raise DomainError("请选择评价（满意、基本满意或不满意）。")
    if message.rating:
        raise DomainError("您已评价过本次答复。")
    message.rating, message.rated_at = rating, clock.now()
    message.rating_comment = (comment or "").strip()[:1000]
    _transition(message, Action.RATE, actor=None, data={"rating": rating},
                save_fields=("rating", "rated_at", "rating_comment"),
                audit_after={"rating": rating})
    return message


# --- the office: routing -------------------------------------------------------------------------


@transaction.atomic
def message_assign(*, actor, message: Message, department: Department, category: str = "",
                   reason: str = "") -> Message:
    """Route the message to one of the agency's departments (分办), or to another one."""
    message = _locked(message, Action.ASSIGN)
    _require(permissions.can_route(actor, message))
    if department.agency_id != message.agency_id or not department.is_active:
        raise DomainError("请选择本机关的内设机构。")
    previous = message.department.name if message.department_id else ""
    message.department = department
    if category:
        message.category = category.strip()[:50]
    _transition(message, Action.ASSIGN, actor=actor, reason=reason,
                data={"department": department.name, "previous_department": previous},
                save_fields=("department", "category"),
                audit_after={"department_id": department.pk})
    return message


@transaction.atomic
def message_transfer(*, actor, message: Message, to_agency: Agency, reason: str) -> Message:
    """Transfer the message to another agency of the platform (转办): it arrives there as
    received today, in that agency's queue, with its history; this agency keeps read
    access."""
    message = _locked(message, Action.TRANSFER)
    _require(permissions.can_route(actor, message))
    reason = _required_text(reason, "转办理由")
    if to_agency.pk == message.agency_id:
        raise DomainError("不能转办给本机关。")
    if not to_agency.is_active:
        raise DomainError("该机关已停用，不能接收转办。")
    if message.replies.filter(state=ReplyState.SUBMITTED).exists():
        raise DomainError("该留言有待审核的答复，请先退回或审核后再转办。")
    from_agency = message.agency
    previous = message.status
    # The event in the old agency records the hand-over ...
    message.status = next_status(previous, Action.TRANSFER)
    _record(message, action=Action.TRANSFER, actor=actor, from_status=previous, reason=reason,
            data={"from_agency": from_agency.name, "to_agency": to_agency.name,
                  "to_agency_id": to_agency.pk},
            audit_after={"to_agency_id": to_agency.pk})
    # ... and the message now belongs to the new agency, received today.
    message.agency, message.transferred_from = to_agency, from_agency
    message.department = None
    message.received_on = clock.today()
    message.save(update_fields=["status", "agency", "transferred_from", "department",
                                "received_on", "updated_at"])
    audit.record(actor=actor, action="interaction.transfer_in", obj=message, agency=to_agency,
                 reason=reason, after={"from_agency_id": from_agency.pk})
    return message


@transaction.atomic
def message_dismiss(*, actor, message: Message, reason: str) -> Message:
    """Not handled (不予处理): an empty, abusive or duplicate message; the reason is kept
    and shown to the writer."""
    message = _locked(message, Action.DISMISS)
    _require(permissions.can_route(actor, message))
    _transition(message, Action.DISMISS, actor=actor, reason=_required_text(reason, "理由"))
    return message


# --- replies ----------------------------------------------------------------------------------------


@transaction.atomic
def reply_submit(*, actor, message: Message, text: str) -> MessageReply:
    """Write the reply and submit it for the office's check."""
    message = _locked(message, Action.SUBMIT_REPLY)
    _require(permissions.can_write_reply(actor, message))
    text = _required_text(text, "答复内容")
    reply = MessageReply.objects.create(message=message, agency=message.agency, text=text,
                                        written_by=actor, written_at=clock.now())
    _transition(message, Action.SUBMIT_REPLY, actor=actor, data={"reply_id": reply.pk},
                audit_after={"reply_id": reply.pk})
    return reply


@transaction.atomic
def reply_check(*, actor, message: Message, passed: bool, note: str = "") -> MessageReply:
    """The office's check: release the reply to the writer, or return it for changes."""
    message = _locked(message, Action.RELEASE_REPLY if passed else Action.RETURN_REPLY)
    _require(permissions.can_check_reply(actor, message))
    reply = message.replies.select_for_update().filter(state=ReplyState.SUBMITTED).last()
    if reply is None:
        raise DomainError("没有待审核的答复。")
    note = (note or "").strip()
    if not passed and not note:
        raise DomainError("退回修改请写明审核意见。")
    reply.state = ReplyState.RELEASED if passed else ReplyState.RETURNED
    reply.checked_by, reply.checked_at, reply.check_note = actor, clock.now(), note
    reply.save(update_fields=["state", "checked_by", "checked_at", "check_note"])
    if passed:
        message.replied_on = clock.today()
        _transition(message, Action.RELEASE_REPLY, actor=actor, reason=note,
                    data={"reply_id": reply.pk}, save_fields=("replied_on",),
                    audit_after={"reply_id": reply.pk})
    else:
        _transition(message, Action.RETURN_REPLY, actor=actor, reason=note,
                    data={"reply_id": reply.pk}, audit_after={"reply_id": reply.pk})
    return reply


# --- extensions ------------------------------------------------------------------------------------


def _events(message: Message) -> list[MessageEvent]:
    return list(message.events.order_by("at", "id"))


@transaction.atomic
def extension_request(*, actor, message: Message, days: int, reason: str) -> Message:
    """Ask a leader to extend the reply deadline by ``days`` working days."""
    message = _locked(message, Action.REQUEST_EXTENSION)
    _require(permissions.can_request_extension(actor, message))
    reason = _required_text(reason, "延期理由")
    state = history.extension_state(_events(message))
    if state.pending_days is not None:
        raise DomainError("已有待审批的延期申请。")
    left = rules.MAX_EXTENSION_WORKING_DAYS - state.approved_days
    if days < 1 or days > left:
        raise DomainError(f"延期天数应为1至{left}个工作日（合计不超过"
                          f"{rules.MAX_EXTENSION_WORKING_DAYS}个工作日）。")
    _transition(message, Action.REQUEST_EXTENSION, actor=actor, reason=reason, data={"days": days},
                audit_after={"days": days})
    return message


@transaction.atomic
def extension_decide(*, actor, message: Message, approve: bool, note: str = "") -> Message:
    """A leader approves (the deadline moves) or refuses the pending extension request."""
    action = Action.EXTEND if approve else Action.REFUSE_EXTENSION
    message = _locked(message, action)
    _require(permissions.can_decide_extension(actor, message))
    state = history.extension_state(_events(message))
    if state.pending_days is None:
        raise DomainError("没有待审批的延期申请。")
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError("不同意延期请写明理由。")
    _transition(message, action, actor=actor, reason=note, data={"days": state.pending_days},
                audit_after={"days": state.pending_days})
    return message


# --- publication ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PublicText:
    subject: str
    content: str
    reply: str


def _writer_details(message: Message) -> list[str]:
    return [v for v in (message.name, message.phone, message.email) if v and len(v) >= 2]


def leaks_in(message: Message, text: PublicText) -> list[str]:
    """Why ``text`` may not go online as it stands: personal data or secrecy markings the
    screening finds, or the writer's own name or contact (in Chinese, one line each)."""
    problems = []
    for label, value in (("标题", text.subject), ("留言内容", text.content), ("答复内容", text.reply)):
        kinds = {screening.KIND_LABELS[f.kind] for f in screening.screen_text(value)}
        if kinds:
            problems.append(f"{label}仍含{'、'.join(sorted(kinds))}，请隐去后再公开。")
        if any(detail in value for detail in _writer_details(message)):
            problems.append(f"{label}含有留言人的姓名或联系方式，请隐去后再公开。")
    return problems


def words_in(message: Message, text: PublicText) -> list[str]:
    """Words of the moderation list in the public text (for the office to look at)."""
    joined = "\n".join((text.subject, text.content, text.reply))
    return sorted({h.word for h in moderation.word_hits(joined, agency=message.agency)})


@transaction.atomic
def message_publish(*, actor, message: Message, text: PublicText, words_checked: bool = False,
                    reason: str = "") -> Message:
    """Publish the message and its reply (a human decision on record): only with the
    writer's consent, after the reply was checked and released, in the masked form the
    office confirms; refused while the screening finds personal data or markings, and
    while moderation words are in it that the office has not confirmed it looked at."""
    message = _locked(message, Action.PUBLISH)
    _require(permissions.can_publish(actor, message))
    if not message.publish_consent:
        raise DomainError("留言人未同意公开，不能公开。")
    text = PublicText(_required_text(text.subject, "公开标题"),
                      _required_text(text.content, "公开的留言内容"),
                      _required_text(text.reply, "公开的答复内容"))
    problems = leaks_in(message, text)
    if problems:
        raise DomainError(problems[0])
    words = words_in(message, text)
    if words and not words_checked:
        raise DomainError(f"公开内容含有需关注的词语：{'、'.join(words)}。"
                          "请核对后勾选“已逐项核对”再公开。")
    message.public_subject, message.public_content, message.public_reply = (
        text.subject[:200], text.content, text.reply)
    message.published_at = clock.now()
    _transition(message, Action.PUBLISH, actor=actor, reason=reason, data={"words": words},
                save_fields=("public_subject", "public_content", "public_reply", "published_at"))
    listeners.emit(listeners.CONTENT_CHANGED)
    return message


@transaction.atomic
def message_unpublish(*, actor, message: Message, reason: str) -> Message:
    message = _locked(message, Action.UNPUBLISH)
    _require(permissions.can_publish(actor, message))
    reason = _required_text(reason, "撤回理由")
    message.published_at = None
    _transition(message, Action.UNPUBLISH, actor=actor, reason=reason, save_fields=("published_at",))
    listeners.emit(listeners.CONTENT_CHANGED)
    return message


# --- settings and personal data -----------------------------------------------------------------------


@transaction.atomic
def settings_update(*, actor, agency: Agency, reply_working_days: int) -> AgencyMessageSettings:
    _require(permissions.can_manage_settings(actor, agency))
    if not 1 <= reply_working_days <= rules.MAX_REPLY_WORKING_DAYS:
        raise DomainError(f"答复期限应为1至{rules.MAX_REPLY_WORKING_DAYS}个工作日。")
    current, _ = AgencyMessageSettings.objects.get_or_create(agency=agency)
    before = current.reply_working_days
    current.reply_working_days = reply_working_days
    current.save()
    audit.record(actor=actor, action="interaction.settings.update", obj=current, agency=agency,
                 before={"reply_working_days": before},
                 after={"reply_working_days": reply_working_days})
    return current


def personal_data_viewed(*, actor, message: Message) -> None:
    """Audit that ``actor`` was shown the writer's name and contact in full."""
    audit.record(actor=actor, action="interaction.personal_data.view", obj=message,
                 agency=message.agency)

