"""Every write to FAQs. Each service takes ``actor=``, checks the role and the state
(``workflow``), records the step as an ``FaqEvent`` and an audit entry in the same
transaction, and tells the page cache when what the public sees changed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.answers import permissions
from gongkai.answers.models import Faq, FaqEvent, FaqStatus
from gongkai.answers.workflow import Action, next_status
from gongkai.core import audit, clock, listeners
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency

MAX_QUESTION = 200
MAX_ANSWER = 5000


def _clean(question: str, answer: str, keywords: str) -> tuple[str, str, str]:
    question, answer, keywords = (question or "").strip(), (answer or "").strip(), (keywords or "").strip()
    if not question:
        raise DomainError("请填写问题。")
    if not answer:
        raise DomainError("请填写答案。")
    if len(question) > MAX_QUESTION:
        raise DomainError(f"问题最多{MAX_QUESTION}个字。")
    if len(answer) > MAX_ANSWER:
        raise DomainError(f"答案最多{MAX_ANSWER}个字。")
    return question, answer, keywords[:300]


def _locked(faq: Faq) -> Faq:
    return Faq.objects.select_for_update().select_related("agency").get(pk=faq.pk)


def _record(faq: Faq, *, actor, action: Action, from_status: str, reason: str = "",
            data: dict | None = None) -> None:
    FaqEvent.objects.create(faq=faq, action=action, from_status=from_status,
                            to_status=faq.status, actor=actor, at=clock.now(), reason=reason,
                            data=data or {})
    audit.record(actor=actor, action=f"answers.faq.{action.value}", obj=faq, agency=faq.agency,
                 reason=reason, before={"status": from_status} if from_status else None,
                 after={"status": faq.status, **(data or {})})


@transaction.atomic
def faq_create(*, actor, agency: Agency, question: str, answer: str, keywords: str = "",
               for_subtree: bool = False) -> Faq:
    """Draft a new FAQ for ``agency`` (office or officer)."""
    if not permissions.can_draft(actor, agency):
        raise PermissionDenied("只有本机关的公开办或信息员可以起草常见问题。")
    question, answer, keywords = _clean(question, answer, keywords)
    now = clock.now()
    faq = Faq.objects.create(agency=agency, question=question, answer=answer, keywords=keywords,
                             for_subtree=bool(for_subtree), status=FaqStatus.DRAFT,
                             created_by=actor, created_at=now, updated_at=now)
    _record(faq, actor=actor, action=Action.CREATE, from_status="")
    return faq


@transaction.atomic
def faq_update(*, actor, faq: Faq, question: str, answer: str, keywords: str = "",
               for_subtree: bool = False) -> Faq:
    """Change a draft's text."""
    faq = _locked(faq)
    if not permissions.can_edit(actor, faq):
        raise PermissionDenied("您不能修改该常见问题。")
    next_status(faq.status, Action.EDIT)
    question, answer, keywords = _clean(question, answer, keywords)
    changed = [name for name, value in (("question", question), ("answer", answer),
                                        ("keywords", keywords), ("for_subtree", bool(for_subtree)))
               if getattr(faq, name) != value]
    if not changed:
        raise DomainError("内容没有变化。")
    faq.question, faq.answer, faq.keywords, faq.for_subtree = question, answer, keywords, bool(for_subtree)
    faq.updated_at = clock.now()
    faq.save(update_fields=["question", "answer", "keywords", "for_subtree", "updated_at"])
    _record(faq, actor=actor, action=Action.EDIT, from_status=faq.status, data={"changed": changed})
    return faq


@transaction.atomic
def faq_submit(*, actor, faq: Faq) -> Faq:
    faq = _locked(faq)
    if not permissions.can_edit(actor, faq):
        raise PermissionDenied("您不能提交该常见问题。")
    previous = faq.status
    faq.status = next_status(previous, Action.SUBMIT)
    faq.submitted_by = actor
    faq.updated_at = clock.now()
    faq.save(update_fields=["status", "submitted_by", "updated_at"])
    _record(faq, actor=actor, action=Action.SUBMIT, from_status=previous)
    return faq


@transaction.atomic
def faq_approve(*, actor, faq: Faq, reason: str = "") -> Faq:
    """Approve a submitted FAQ: it is public from now on."""
    faq = _locked(faq)
    if not permissions.can_approve(actor, faq):
        if faq.submitted_by_id == getattr(actor, "pk", None):
            raise PermissionDenied("常见问题须由提交人以外的公开办人员或领导审核。")
        raise PermissionDenied("只有本机关的公开办或领导可以审核常见问题。")
    previous = faq.status
    faq.status = next_status(previous, Action.APPROVE)
    faq.published_on = clock.today()
    faq.updated_at = clock.now()
    faq.save(update_fields=["status", "published_on", "updated_at"])
    _record(faq, actor=actor, action=Action.APPROVE, from_status=previous, reason=(reason or "").strip(),
            data={"published_on": faq.published_on.isoformat()})
    listeners.emit(listeners.CONTENT_CHANGED)
    return faq


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(f"请填写{what}理由。")
    return reason


@transaction.atomic
def faq_return(*, actor, faq: Faq, reason: str) -> Faq:
    """Send a submitted FAQ back to its drafter, with the reason."""
    faq = _locked(faq)
    if not permissions.can_approve(actor, faq):
        raise PermissionDenied("只有提交人以外的公开办人员或领导可以退回常见问题。")
    reason = _reason(reason, "退回")
    previous = faq.status
    faq.status = next_status(previous, Action.RETURN)
    faq.updated_at = clock.now()
    faq.save(update_fields=["status", "updated_at"])
    _record(faq, actor=actor, action=Action.RETURN, from_status=previous, reason=reason)
    return faq


@transaction.atomic
def faq_withdraw(*, actor, faq: Faq, reason: str) -> Faq:
    """Take a published FAQ off the site (the question box no longer gives it)."""
    faq = _locked(faq)
    if not permissions.can_withdraw(actor, faq):
        raise PermissionDenied("只有本机关的公开办或领导可以撤回常见问题。")
    reason = _reason(reason, "撤回")
    previous = faq.status
    faq.status = next_status(previous, Action.WITHDRAW)
    faq.updated_at = clock.now()
    faq.save(update_fields=["status", "updated_at"])
    _record(faq, actor=actor, action=Action.WITHDRAW, from_status=previous, reason=reason)
    listeners.emit(listeners.CONTENT_CHANGED)
    return faq


@transaction.atomic
def faq_redraft(*, actor, faq: Faq) -> Faq:
    """Reopen a withdrawn FAQ as a draft, to correct it and submit it again."""
    faq = _locked(faq)
    if not permissions.can_redraft(actor, faq):
        raise PermissionDenied("只有本机关的公开办或信息员可以重新编辑常见问题。")
    previous = faq.status
    faq.status = next_status(previous, Action.REDRAFT)
    faq.submitted_by = None
    faq.updated_at = clock.now()
    faq.save(update_fields=["status", "submitted_by", "updated_at"])
    _record(faq, actor=actor, action=Action.REDRAFT, from_status=previous)
    return faq
