"""Leak screening of an item's current version (Art. 17 secrecy review's automatic part):
run it, mask the body in one click, or let a reviewer override the findings with a reason;
no item goes on without a clear screening."""

from __future__ import annotations

from django.db import transaction

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.publishing import permissions
from gongkai.publishing.models import (
    AgencyPublishingSettings,
    Publication,
    PublicationStatus,
    ScreeningRun,
)
from gongkai.publishing.services.history import (
    current_revision,
    deny,
    locked,
    record_event,
    snapshot,
)
from gongkai.publishing.workflow import Action, next_status

# Attachment kinds whose content cannot be screened automatically.
UNSCREENABLE_KINDS = frozenset({"JPEG", "PNG"})


def _agency_patterns(agency: Agency):
    from gongkai.core.masking import DEFAULT_PATTERNS, MaskPattern

    patterns = dict(DEFAULT_PATTERNS)
    settings = AgencyPublishingSettings.objects.filter(agency=agency).first()
    for kind, keep in ((settings.mask_patterns if settings else None) or {}).items():
        patterns[kind] = MaskPattern(int(keep[0]), int(keep[1]))
    return patterns


def run_screening(publication: Publication, actor) -> ScreeningRun:
    from gongkai.publishing import redaction, screening

    revision = current_revision(publication)
    findings = []
    for finding in screening.screen_text(redaction.body_text(publication.body)):
        findings.append(
            {
                "source": "正文",
                "kind": finding.kind,
                "excerpt": finding.excerpt,
                "position": finding.start,
            }
        )
    for attachment in publication.attachments.filter(is_active=True):
        if attachment.kind in UNSCREENABLE_KINDS:
            # Nothing can be read out of an image: a reviewer must look and decide.
            findings.append(
                {
                    "source": attachment.original_name,
                    "kind": "unscreened_image",
                    "excerpt": "图片无法自动筛查，须人工核对后放行",
                    "position": 0,
                }
            )
            continue
        for finding in screening.screen_text(attachment.text):
            findings.append(
                {
                    "source": attachment.original_name,
                    "kind": finding.kind,
                    "excerpt": finding.excerpt,
                    "position": finding.start,
                }
            )
    run = ScreeningRun.objects.create(
        publication=publication, revision=revision, findings=findings, screened_at=clock.now()
    )
    record_event(
        publication,
        action=Action.SCREEN,
        actor=actor,
        from_status=publication.status,
        data={"findings": len(findings), "revision": revision.number},
    )
    return run


def latest_screening(publication: Publication) -> ScreeningRun | None:
    revision = current_revision(publication)
    return publication.screenings.filter(revision=revision).order_by("-id").first()


@transaction.atomic
def publication_screen(*, actor, publication: Publication) -> ScreeningRun:
    publication = locked(publication, Action.SCREEN)
    if not (
        permissions.can_edit(actor, publication)
        or permissions.can_review(actor, publication)
        or permissions.can_publish(actor, publication)
    ):
        deny("您无权对该信息进行筛查")
    return run_screening(publication, actor)


@transaction.atomic
def publication_redact(*, actor, publication: Publication, kinds: set[str]) -> ScreeningRun:
    """One-click masking of the body for the chosen finding kinds, with the agency's
    masking patterns; a new version, screened again. Attachments cannot be masked here:
    replace them, or a reviewer overrides with a reason."""
    from gongkai.publishing import redaction

    publication = locked(publication)
    if publication.status == PublicationStatus.DRAFT:
        allowed = permissions.can_edit(actor, publication)
    else:
        next_status(publication.status, Action.OVERRIDE_SCREENING)
        allowed = permissions.can_review(actor, publication)
    if not allowed:
        deny("您无权对该信息进行脱敏处理")
    publication.body = redaction.redact_body(
        publication.body, kinds=kinds, patterns=_agency_patterns(publication.agency)
    )
    publication.save(update_fields=["body", "updated_at"])
    revision = snapshot(publication, actor)
    record_event(
        publication,
        action=Action.EDIT,
        actor=actor,
        from_status=publication.status,
        reason="一键脱敏",
        data={"revision": revision.number, "kinds": sorted(kinds)},
    )
    return run_screening(publication, actor)


@transaction.atomic
def publication_override_screening(*, actor, publication: Publication, reason: str) -> ScreeningRun:
    """A reviewer decides that the findings may be published as they are (e.g. a public
    official's office phone), with the reason on record."""
    publication = locked(publication, Action.OVERRIDE_SCREENING)
    if not permissions.can_review(actor, publication):
        deny("只有保密审查员可以确认放行筛查结果")
    if not reason.strip():
        raise DomainError("放行筛查结果必须说明理由")
    run = latest_screening(publication)
    if run is None or not run.findings:
        raise DomainError("当前版本没有需要放行的筛查结果")
    run.override_by, run.override_reason, run.override_at = actor, reason.strip(), clock.now()
    run.save(update_fields=["override_by", "override_reason", "override_at"])
    record_event(
        publication,
        action=Action.OVERRIDE_SCREENING,
        actor=actor,
        from_status=publication.status,
        reason=reason,
        data={"findings": len(run.findings)},
    )
    return run


def require_clear_screening(publication: Publication) -> None:
    run = latest_screening(publication)
    if run is None:
        raise DomainError("当前版本尚未进行泄密筛查")
    if not run.clears_publication:
        raise DomainError(
            f"泄密筛查发现{len(run.findings)}处疑似个人信息或密级标志，"
            "须经保密审查员脱敏处理或说明理由放行后方可继续"
        )
