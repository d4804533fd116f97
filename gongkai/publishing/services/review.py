"""Review and approval of an item: submitted to the secrecy review (一文一审), passed to
the leaders' approval steps or sent back to its drafter with the reason."""

from __future__ import annotations

from django.db import transaction

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.publishing import permissions
from gongkai.publishing.models import (
    AgencyPublishingSettings,
    Approval,
    DisclosureAttribute,
    Publication,
    PublicationStatus,
    ReviewConclusion,
    SecrecyReview,
)
from gongkai.publishing.services.history import current_revision, deny, locked, transition
from gongkai.publishing.services.leak_screening import require_clear_screening, run_screening
from gongkai.publishing.workflow import Action


@transaction.atomic
def publication_submit(*, actor, publication: Publication) -> Publication:
    """Send the current version to the secrecy review; it is screened on the way."""
    publication = locked(publication, Action.SUBMIT)
    if not permissions.can_edit(actor, publication):
        deny("您无权提交该信息")
    if (
        not publication.columns.exists()
        and publication.disclosure_attribute == DisclosureAttribute.PROACTIVE
    ):
        raise DomainError("主动公开的信息至少要选择一个栏目")
    run_screening(publication, actor)
    transition(publication, Action.SUBMIT, actor=actor)
    return publication


@transaction.atomic
def publication_review(
    *,
    actor,
    publication: Publication,
    involves_state_secrets: bool,
    involves_privacy_or_trade_secrets: bool,
    endangers_security_or_stability: bool,
    conclusion: str,
    opinion: str = "",
) -> SecrecyReview:
    """The secrecy review form (一文一审). Anything but "may publish" sends the item back
    to its drafter with the opinion; "may publish" requires a clear screening and no
    ticked risk."""
    publication = locked(publication, Action.REVIEW_PASS)
    if not permissions.can_review(actor, publication):
        deny("只有保密审查员可以进行保密审查")
    conclusion = ReviewConclusion(conclusion)
    risky = (
        involves_state_secrets
        or involves_privacy_or_trade_secrets
        or endangers_security_or_stability
    )
    if conclusion == ReviewConclusion.MAY_PUBLISH and risky:
        raise DomainError(
            "审查认定涉及国家秘密、个人隐私或商业秘密、或危及“三安全一稳定”的，结论不能为“可以公开”"
        )
    if conclusion != ReviewConclusion.MAY_PUBLISH and not opinion.strip():
        raise DomainError("结论不是“可以公开”的，请填写审查意见")
    if conclusion == ReviewConclusion.MAY_PUBLISH:
        require_clear_screening(publication)
    review = SecrecyReview.objects.create(
        publication=publication,
        revision=current_revision(publication),
        reviewer=actor,
        involves_state_secrets=involves_state_secrets,
        involves_privacy_or_trade_secrets=involves_privacy_or_trade_secrets,
        endangers_security_or_stability=endangers_security_or_stability,
        conclusion=conclusion,
        opinion=opinion.strip(),
        reviewed_at=clock.now(),
    )
    if conclusion == ReviewConclusion.MAY_PUBLISH:
        steps = _approval_steps(publication.agency)
        to = PublicationStatus.IN_APPROVAL if steps else PublicationStatus.APPROVED
        transition(
            publication,
            Action.REVIEW_PASS,
            actor=actor,
            reason=opinion,
            to=to,
            data={"review": review.pk},
        )
    else:
        transition(
            publication,
            Action.REVIEW_REJECT,
            actor=actor,
            reason=opinion,
            data={"review": review.pk, "conclusion": conclusion.value},
        )
    return review


def _approval_steps(agency: Agency) -> int:
    settings = AgencyPublishingSettings.objects.filter(agency=agency).first()
    return settings.approval_steps if settings else 1


@transaction.atomic
def publication_approve(*, actor, publication: Publication, opinion: str = "") -> Approval:
    publication = locked(publication, Action.APPROVE)
    if not permissions.can_approve(actor, publication):
        deny("只有审批领导可以审批")
    revision = current_revision(publication)
    done = publication.approvals.filter(revision=revision, approved=True)
    if done.filter(approver=actor).exists():
        raise DomainError("同一领导不能重复审批同一版本")
    step = done.count() + 1
    approval = Approval.objects.create(
        publication=publication,
        revision=revision,
        step=step,
        approver=actor,
        approved=True,
        opinion=opinion,
        decided_at=clock.now(),
    )
    last = step >= _approval_steps(publication.agency)
    transition(
        publication,
        Action.APPROVE,
        actor=actor,
        reason=opinion,
        to=PublicationStatus.APPROVED if last else PublicationStatus.IN_APPROVAL,
        data={"step": step},
    )
    return approval


@transaction.atomic
def publication_return(*, actor, publication: Publication, reason: str) -> Publication:
    """Send an item back to its drafter (reviewer, leader or office), with the reason."""
    publication = locked(publication, Action.RETURN)
    if not (
        permissions.can_review(actor, publication)
        or permissions.can_approve(actor, publication)
        or permissions.can_publish(actor, publication)
    ):
        deny("您无权退回该信息")
    if not reason.strip():
        raise DomainError("退回必须说明理由")
    if publication.status == PublicationStatus.IN_APPROVAL and permissions.can_approve(
        actor, publication
    ):
        Approval.objects.create(
            publication=publication,
            revision=current_revision(publication),
            step=0,
            approver=actor,
            approved=False,
            opinion=reason,
            decided_at=clock.now(),
        )
    transition(
        publication, Action.RETURN, actor=actor, reason=reason, save_fields=("scheduled_for",)
    )
    return publication
