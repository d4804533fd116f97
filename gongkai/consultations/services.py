"""Every change to consultations: drafting, approval and publication, withdrawal,
comments from the public and their screening, opinions, the feedback, the final
document, and the agencies' period settings.

Each service takes ``actor=`` (None: a member of the public), checks the actor and the
state, writes its workflow event (for the consultation's steps) and its audit entry in the
same transaction, and emits ``CONTENT_CHANGED`` when it changes what a public page shows.
Audit entries never carry a commenter's name, contact or text.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gongkai.consultations import permissions, rules, selectors
from gongkai.consultations.articles import parse_articles
from gongkai.consultations.models import (
    AgencyConsultationSettings,
    Comment,
    CommentStatus,
    Consultation,
    ConsultationAttachment,
    ConsultationEvent,
    ConsultationKind,
    ConsultationStatus,
    Disposition,
    Opinion,
    Phase,
)
from gongkai.consultations.workflow import Action, next_status
from gongkai.core import audit, clock, listeners, moderation
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.core.uploads import validate_upload
from gongkai.identity.models import PublicAccount
from gongkai.publishing import screening

S = ConsultationStatus
DRAFT_FIELDS = ("kind", "title", "draft_body", "explanation", "basis", "opens_on", "closes_on",
                "short_period_reason")
ATTACHMENT_KINDS = {"PDF", "JPEG", "PNG"}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
MAX_COMMENT_LENGTH = 5000
# A draft is open for at most a year and opens at most a year ahead: longer periods are a
# typing error (and a closing day in year 9999 has no working day after it).
MAX_PERIOD_DAYS = 365
MAX_DAYS_AHEAD = 365


def _require(allowed: bool, message: str = "只有本机关的政府信息公开工作人员可以办理") -> None:
    if not allowed:
        raise PermissionDenied(message)


def _locked(c: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().select_related("agency").get(pk=c.pk)


def _step(c: Consultation, *, actor, action: Action, reason: str = "", data: dict | None = None,
          changes: dict | None = None) -> Consultation:
    """Move ``c`` by ``action`` (refused in Chinese if the table does not allow it), save
    ``changes`` with the status, and record the event and the audit entry."""
    previous = c.status
    c.status = next_status(previous, action)
    for field, value in (changes or {}).items():
        setattr(c, field, value)
    c.save()
    ConsultationEvent.objects.create(consultation=c, action=action, from_status=previous,
                                     to_status=c.status, actor=actor, reason=reason,
                                     data=data or {})
    audit.record(actor=actor, action=f"consultations.{action}", obj=c, agency=c.agency,
                 reason=reason, before={"status": previous},
                 after={"status": c.status, **(data or {})})
    return c


def _content_changed() -> None:
    listeners.emit(listeners.CONTENT_CHANGED)


# --- drafting ------------------------------------------------------------------------------------

def _clean_draft(fields: dict) -> dict:
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    if fields.get("kind") not in ConsultationKind.values:
        raise DomainError("请选择草案类别")
    for key, label in (("title", "标题"), ("draft_body", "草案正文"), ("explanation", "起草说明")):
        if not fields.get(key):
            raise DomainError(f"请填写{label}")
    opens_on, closes_on = fields.get("opens_on"), fields.get("closes_on")
    if not opens_on or not closes_on:
        raise DomainError("请填写征求意见的开始和截止日期")
    if closes_on <= opens_on:
        raise DomainError("截止日期应晚于开始日期")
    if rules.period_days(opens_on, closes_on) > MAX_PERIOD_DAYS:
        raise DomainError(f"征求意见期限不能超过{MAX_PERIOD_DAYS}日，请检查截止日期")
    if opens_on > clock.today() + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise DomainError("征求意见开始日期不能晚于一年以后，请检查开始日期")
    return fields


@transaction.atomic
def consultation_create(*, actor, agency: Agency, **fields) -> Consultation:
    """Draft a consultation (the office)."""
    _require(permissions.can_manage(actor, agency))
    fields = _clean_draft({k: fields.get(k, "") for k in DRAFT_FIELDS})
    c = Consultation.objects.create(agency=agency, created_by=actor, **fields)
    ConsultationEvent.objects.create(consultation=c, action=Action.CREATE, from_status="",
                                     to_status=c.status, actor=actor)
    audit.record(actor=actor, action="consultations.create", obj=c, agency=agency,
                 after={"kind": c.kind, "opens_on": c.opens_on, "closes_on": c.closes_on})
    return c


@transaction.atomic
def consultation_update(*, actor, consultation: Consultation, **fields) -> Consultation:
    """Edit the draft, until it is published."""
    c = _locked(consultation)
    _require(permissions.can_manage(actor, c.agency))
    cleaned = _clean_draft({k: fields.get(k, getattr(c, k)) for k in DRAFT_FIELDS})
    changed = sorted(k for k, v in cleaned.items() if getattr(c, k) != v)
    return _step(c, actor=actor, action=Action.EDIT, data={"changed": changed}, changes=cleaned)


@transaction.atomic
def attachment_add(*, actor, consultation: Consultation, upload, name: str = "") -> ConsultationAttachment:
    c = _locked(consultation)
    _require(permissions.can_manage(actor, c.agency))
    next_status(c.status, Action.ATTACH)
    try:
        kind = validate_upload(upload, allowed=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    name = (name or "").strip() or (getattr(upload, "name", "") or "附件").rsplit(".", 1)[0]
    attachment = ConsultationAttachment.objects.create(
        consultation=c, file=upload, name=name[:200], kind=kind.name, size=upload.size,
        uploaded_by=actor)
    _step(c, actor=actor, action=Action.ATTACH, data={"attachment": attachment.pk, "name": attachment.name})
    return attachment


# --- approval and publication --------------------------------------------------------------------

def check_period(c: Consultation) -> None:
    """The draft may go out: its period is at least the minimum, or the shorter period has
    its reason; it does not open in the past."""
    periods = selectors.periods_for(c.agency, c.kind)
    if c.opens_on < clock.today():
        raise DomainError("征求意见开始日期已过，请修改开始日期后再发布")
    if rules.is_shorter_than_minimum(c.opens_on, c.closes_on, periods.minimum_days) \
            and not c.short_period_reason.strip():
        raise DomainError(
            f"征求意见期限为{rules.period_days(c.opens_on, c.closes_on)}日，少于{periods.minimum_days}日"
            "的最短期限：请延长期限，或填写缩短期限的理由（将向社会公开）")


@transaction.atomic
def consultation_submit(*, actor, consultation: Consultation, reason: str = "") -> Consultation:
    c = _locked(consultation)
    _require(permissions.can_manage(actor, c.agency))
    next_status(c.status, Action.SUBMIT)
    check_period(c)
    return _step(c, actor=actor, action=Action.SUBMIT, reason=reason.strip())


@transaction.atomic
def consultation_return(*, actor, consultation: Consultation, reason: str) -> Consultation:
    c = _locked(consultation)
    _require(permissions.can_approve(actor, c.agency), "只有本机关的审批领导可以退回")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回理由")
    return _step(c, actor=actor, action=Action.RETURN, reason=reason)


@transaction.atomic
def consultation_approve(*, actor, consultation: Consultation, reason: str = "") -> Consultation:
    """The leader approves, and the draft is published: public at once, open for
    comment from its opening day."""
    c = _locked(consultation)
    _require(permissions.can_approve(actor, c.agency), "只有本机关的审批领导可以审核发布")
    next_status(c.status, Action.APPROVE)
    check_period(c)
    periods = selectors.periods_for(c.agency, c.kind)
    days = rules.period_days(c.opens_on, c.closes_on)
    c = _step(c, actor=actor, action=Action.APPROVE, reason=reason.strip(),
              changes={"published_at": clock.now()},
              data={"period_days": days, "minimum_days": periods.minimum_days,
                    "shortened": days < periods.minimum_days})
    _content_changed()
    return c


@transaction.atomic
def consultation_withdraw(*, actor, consultation: Consultation, reason: str) -> Consultation:
    c = _locked(consultation)
    _require(permissions.can_withdraw(actor, c.agency), "只有本机关的公开办或审批领导可以撤回")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写撤回理由")
    was_public = c.status == S.PUBLISHED
    c = _step(c, actor=actor, action=Action.WITHDRAW, reason=reason,
              changes={"withdrawal_reason": reason})
    if was_public:
        _content_changed()
    return c


# --- comments --------------------------------------------------------------------------------------

def _finding_json(f: screening.Finding) -> dict:
    # The excerpt is masked; the value itself is not stored twice.
    return {"kind": str(f.kind), "label": screening.KIND_LABELS[f.kind], "start": f.start,
            "end": f.end, "excerpt": f.excerpt}


@transaction.atomic
def comment_submit(*, consultation: Consultation, body: str, article: int | None = None,
                   name: str = "", contact: str = "", account: PublicAccount | None = None) -> Comment:
    """A comment from the public, while the consultation is open. Screened at once: leak
    findings and word-list hits are stored with it for the member of staff who decides.
    ``account``: the signed-in government-service account, under which it is listed."""
    c = Consultation.objects.select_related("agency").get(pk=consultation.pk)
    if selectors.phase(c) != Phase.OPEN:
        raise DomainError("该意见征集不在征求意见期内，不能提交意见")
    body = (body or "").strip()
    if len(body) < 2:
        raise DomainError("请填写意见内容")
    if len(body) > MAX_COMMENT_LENGTH:
        raise DomainError(f"意见内容不能超过{MAX_COMMENT_LENGTH}字")
    if article is not None and article not in {a.number for a in parse_articles(c.draft_body)}:
        raise DomainError("草案中没有所选的条款")
    findings = screening.screen_text(body)
    hits = moderation.word_hits(body, agency=c.agency)
    comment = Comment.objects.create(
        consultation=c, article=article, body=body, name=(name or "").strip()[:50],
        contact=(contact or "").strip()[:100], leak_findings=[_finding_json(f) for f in findings],
        word_hits=[{"word": h.word, "start": h.start, "end": h.end} for h in hits],
        public_account=account)
    audit.record(actor=None, action="consultations.comment_submit", obj=comment, agency=c.agency,
                 after={"consultation": c.pk, "article": article, "findings": len(findings),
                        "word_hits": len(hits), "public_account": account.pk if account else None})
    return comment


def display_text(comment: Comment) -> str:
    """What the public will see: personal data masked (``selectors.masked_body``), listed words
    replaced by asterisks."""
    text = selectors.masked_body(comment)
    for hit in moderation.word_hits(text, agency=comment.consultation.agency):
        text = text[:hit.start] + "*" * (hit.end - hit.start) + text[hit.end:]
    return text


def _decide(comment: Comment, *, actor) -> Comment:
    comment = Comment.objects.select_for_update().select_related("consultation__agency").get(pk=comment.pk)
    _require(permissions.can_manage(actor, comment.consultation.agency))
    if comment.status != CommentStatus.PENDING:
        raise DomainError(f"该意见已审核（{comment.get_status_display()}）")
    if comment.consultation.status not in (S.PUBLISHED,):
        raise DomainError("该意见征集已公布采纳情况或已撤回，不能再审核意见")
    return comment


@transaction.atomic
def comment_accept(*, actor, comment: Comment) -> Comment:
    """Display the comment, personal data masked."""
    comment = _decide(comment, actor=actor)
    comment.status = CommentStatus.ACCEPTED
    comment.display_body = display_text(comment)
    comment.decided_by, comment.decided_at = actor, clock.now()
    comment.save(update_fields=["status", "display_body", "decided_by", "decided_at"])
    audit.record(actor=actor, action="consultations.comment_accept", obj=comment,
                 agency=comment.consultation.agency, before={"status": CommentStatus.PENDING},
                 after={"status": comment.status, "flagged": comment.flagged})
    _content_changed()
    return comment


@transaction.atomic
def comment_reject(*, actor, comment: Comment, reason: str) -> Comment:
    comment = _decide(comment, actor=actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写不予展示的理由")
    if "\x00" in reason:
        raise DomainError("不予展示的理由含有无效字符")
    reason = reason[:300]
    comment.status = CommentStatus.REJECTED
    comment.rejection_reason = reason
    comment.decided_by, comment.decided_at = actor, clock.now()
    comment.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
    audit.record(actor=actor, action="consultations.comment_reject", obj=comment,
                 agency=comment.consultation.agency, reason=reason,
                 before={"status": CommentStatus.PENDING}, after={"status": comment.status})
    return comment


# --- opinions and feedback --------------------------------------------------------------------------

def _check_opinion(c: Consultation, *, summary: str, disposition: str, reason: str,
                   article: int | None) -> tuple[str, str]:
    if selectors.phase(c) != Phase.CLOSED:
        raise DomainError("征求意见截止后、公布采纳情况前才能归纳意见")
    summary, reason = (summary or "").strip(), (reason or "").strip()
    if not summary:
        raise DomainError("请填写意见内容")
    if disposition not in Disposition.values:
        raise DomainError("请选择采纳情况")
    if disposition != Disposition.ADOPTED and not reason:
        raise DomainError("部分采纳或未采纳的意见须说明理由")
    if article is not None and article not in {a.number for a in parse_articles(c.draft_body)}:
        raise DomainError("草案中没有所选的条款")
    return summary, reason


def _assign(c: Consultation, opinion: Opinion, comment_ids: list[int]) -> None:
    comments = list(Comment.objects.filter(consultation=c, pk__in=comment_ids))
    if len(comments) != len(set(comment_ids)):
        raise DomainError("所选意见不属于该意见征集")
    if any(x.status != CommentStatus.ACCEPTED for x in comments):
        raise DomainError("只能归纳已审核展示的公众意见")
    Comment.objects.filter(pk__in=[x.pk for x in comments]).update(opinion=opinion)


@transaction.atomic
def opinion_create(*, actor, consultation: Consultation, summary: str, disposition: str,
                   reason: str = "", article: int | None = None,
                   comment_ids: list[int] | None = None) -> Opinion:
    c = _locked(consultation)
    _require(permissions.can_manage(actor, c.agency))
    summary, reason = _check_opinion(c, summary=summary, disposition=disposition, reason=reason,
                                     article=article)
    opinion = Opinion.objects.create(consultation=c, summary=summary, disposition=disposition,
                                     reason=reason, article=article, created_by=actor)
    _assign(c, opinion, comment_ids or [])
    audit.record(actor=actor, action="consultations.opinion_create", obj=opinion, agency=c.agency,
                 after={"consultation": c.pk, "disposition": disposition,
                        "comments": sorted(comment_ids or [])})
    return opinion


@transaction.atomic
def opinion_update(*, actor, opinion: Opinion, summary: str, disposition: str, reason: str = "",
                   article: int | None = None, comment_ids: list[int] | None = None) -> Opinion:
    c = _locked(opinion.consultation)
    _require(permissions.can_manage(actor, c.agency))
    opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
    before = {"disposition": opinion.disposition}
    opinion.summary, opinion.reason = _check_opinion(
        c, summary=summary, disposition=disposition, reason=reason, article=article)
    opinion.disposition, opinion.article = disposition, article
    opinion.save()
    if comment_ids is not None:
        Comment.objects.filter(opinion=opinion).update(opinion=None)
        _assign(c, opinion, comment_ids)
    audit.record(actor=actor, action="consultations.opinion_update", obj=opinion, agency=c.agency,
                 before=before, after={"disposition": disposition})
    return opinion


@transaction.atomic
def opinion_delete(*, actor, opinion: Opinion) -> None:
    c = _locked(opinion.consultation)
    _require(permissions.can_manage(actor, c.agency))
    if selectors.phase(c) != Phase.CLOSED:
        raise DomainError("采纳情况公布后不能删除归纳意见")
    audit.record(actor=actor, action="consultations.opinion_delete", obj=opinion, agency=c.agency,
                 before={"disposition": opinion.disposition})
    Comment.objects.filter(opinion=opinion).update(opinion=None)
    opinion.delete()


@transaction.atomic
def feedback_publish(*, actor, consultation: Consultation, summary: str = "") -> Consultation:
    """Publish the adoption feedback: every comment screened, every displayed comment in
    an opinion, every opinion with its disposition (and reason)."""
    c = _locked(consultation)
    _require(permissions.can_manage(actor, c.agency))
    next_status(c.status, Action.PUBLISH_FEEDBACK)
    if selectors.phase(c) != Phase.CLOSED:
        raise DomainError("征求意见尚未截止，不能公布采纳情况")
    pending = c.comments.filter(status=CommentStatus.PENDING).count()
    if pending:
        raise DomainError(f"还有{pending}条公众意见未审核")
    loose = c.comments.filter(status=CommentStatus.ACCEPTED, opinion__isnull=True).count()
    if loose:
        raise DomainError(f"还有{loose}条已展示的公众意见未归入任何归纳意见")
    today = clock.today()
    due = selectors.feedback_due_on(c)
    c = _step(c, actor=actor, action=Action.PUBLISH_FEEDBACK,
              changes={"feedback_summary": (summary or "").strip(), "feedback_published_on": today},
              data={"opinions": c.opinions.count(), "due_on": due.isoformat(), "late": today > due})
    _content_changed()
    return c


@transaction.atomic
def final_document_link(*, actor, consultation: Consultation, document) -> Consultation:
    """Link the final document in the normative register (None: unlink)."""
    c = _locked(consultation)
    _require(permissions.can_manage(actor, c.agency))
    if document is not None and document.agency_id != c.agency_id:
        raise DomainError("只能关联本机关规范性文件库中的文件")
    c = _step(c, actor=actor, action=Action.LINK_FINAL, changes={"final_document": document},
              data={"final_document": document.pk if document else None})
    _content_changed()
    return c


# --- settings ----------------------------------------------------------------------------------------

@transaction.atomic
def settings_set(*, actor, agency: Agency, kind: str, minimum_days: int | None,
                 feedback_working_days: int | None) -> AgencyConsultationSettings:
    _require(permissions.can_manage(actor, agency))
    if kind not in ConsultationKind.values:
        raise DomainError("请选择草案类别")
    for value, label in ((minimum_days, "最短征求意见期限"), (feedback_working_days, "公布采纳情况的期限")):
        if value is not None and not 1 <= value <= 365:
            raise DomainError(f"{label}应在1至365之间")
    row, _ = AgencyConsultationSettings.objects.get_or_create(agency=agency, kind=kind)
    before = {"minimum_days": row.minimum_days, "feedback_working_days": row.feedback_working_days}
    row.minimum_days, row.feedback_working_days = minimum_days, feedback_working_days
    row.save()
    audit.record(actor=actor, action="consultations.settings", obj=row, agency=agency, before=before,
                 after={"kind": kind, "minimum_days": minimum_days,
                        "feedback_working_days": feedback_working_days})
    return row


def default_dates(agency: Agency, kind: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A new draft's suggested dates: opening tomorrow, for the minimum period."""
    today = today or clock.today()
    opens = today + dt.timedelta(days=1)
    return opens, opens + dt.timedelta(days=selectors.periods_for(agency, kind).minimum_days)
