"""The life of an item of proactive disclosure: draft, secrecy review, leak screening,
leader approval, publication (now or scheduled), withdrawal (条例 Art. 17, 19–26)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, clock, listeners
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, Department
from gongkai.core.sequences import next_number
from gongkai.publishing import permissions
from gongkai.publishing.models import (
    AgencyPublishingSettings,
    Approval,
    DisclosureAttribute,
    Publication,
    PublicationEvent,
    PublicationRevision,
    PublicationStatus,
    ReviewConclusion,
    ScreeningRun,
    SecrecyReview,
)
from gongkai.publishing.sanitise import sanitise_html
from gongkai.publishing.workflow import Action, next_status

EDITABLE_FIELDS = (
    "title",
    "issuing_agency",
    "department",
    "doc_number",
    "written_on",
    "topic",
    "disclosure_attribute",
    "non_disclosure_reason",
    "validity",
    "body",
    "keywords",
)

# Attachment kinds whose content cannot be screened automatically.
UNSCREENABLE_KINDS = frozenset({"JPEG", "PNG"})

# Called inside the publishing transaction with (publication, visible: bool), so that
# whatever mirrors the public set (the search index) changes with it or not at all: the
# subscribers of core.listeners' "publication visibility" event, under their old name.
visibility_listeners: list[Callable[[Publication, bool], None]] = listeners.subscribers(
    listeners.PUBLICATION_VISIBILITY)


def _deny(message: str):
    raise PermissionDenied(message)


def new_index_number(agency: Agency, year: int) -> str:
    """`{agency code}/{year}-{sequence}`: unique, gap-free per agency and year, never reused."""
    return f"{agency.code}/{year}-{next_number(f'publishing.index.{agency.pk}', year):05d}"


def _locked(publication: Publication, action: Action | None = None) -> Publication:
    publication = (
        Publication.objects.select_for_update().select_related("agency").get(pk=publication.pk)
    )
    if action is not None:
        next_status(publication.status, action)
    return publication


def _event(
    publication: Publication,
    *,
    action: Action,
    actor,
    from_status: str = "",
    reason: str = "",
    data: dict | None = None,
) -> None:
    PublicationEvent.objects.create(
        publication=publication,
        action=action,
        from_status=from_status,
        to_status=publication.status,
        at=clock.now(),
        actor=actor,
        reason=reason,
        data=data or {},
    )
    audit.record(
        actor=actor,
        action=f"publishing.{action}",
        obj=publication,
        agency=publication.agency,
        reason=reason,
        before={"status": from_status} if from_status else None,
        after={"status": publication.status, **(data or {})},
    )


def _transition(
    publication: Publication,
    action: Action,
    *,
    actor,
    reason: str = "",
    data: dict | None = None,
    to: PublicationStatus | None = None,
    save_fields: tuple[str, ...] = (),
) -> None:
    previous = publication.status
    publication.status = to or next_status(previous, action)
    publication.save(update_fields=["status", "updated_at", *save_fields])
    _event(publication, action=action, actor=actor, from_status=previous, reason=reason, data=data)


def _snapshot(publication: Publication, actor) -> PublicationRevision:
    number = (
        publication.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    return PublicationRevision.objects.create(
        publication=publication,
        number=number,
        title=publication.title,
        doc_number=publication.doc_number,
        body=publication.body,
        metadata={
            "issuing_agency": publication.issuing_agency,
            "department_id": publication.department_id,
            "written_on": publication.written_on.isoformat(),
            "topic_id": publication.topic_id,
            "disclosure_attribute": publication.disclosure_attribute,
            "validity": publication.validity,
            "keywords": publication.keywords,
            "column_ids": sorted(publication.columns.values_list("pk", flat=True)),
            "attachment_ids": sorted(
                publication.attachments.filter(is_active=True).values_list("pk", flat=True)
            ),
        },
        created_by=actor,
    )


def current_revision(publication: Publication) -> PublicationRevision:
    return publication.revisions.order_by("-number").first()


def _validate(fields: dict) -> None:
    attribute = fields.get("disclosure_attribute")
    if (
        attribute
        and attribute != DisclosureAttribute.PROACTIVE
        and not (fields.get("non_disclosure_reason") or "").strip()
    ):
        raise DomainError("公开属性为依申请公开或不予公开的，应说明理由")
    written_on = fields.get("written_on")
    if written_on and written_on > clock.today():
        raise DomainError("成文日期不能晚于今天")


@transaction.atomic
def publication_create(
    *,
    actor,
    agency: Agency,
    title: str,
    written_on: dt.date,
    disclosure_attribute: str,
    department: Department | None = None,
    columns=(),
    **fields,
) -> Publication:
    """Start an item: the index number is taken now and stays with it for good."""
    if not permissions.can_draft(actor, agency, department):
        _deny("您无权为该机关或科室起草政府信息")
    if department is not None and department.agency_id != agency.pk:
        raise DomainError("起草科室不属于该机关")
    values = {
        "title": title.strip(),
        "written_on": written_on,
        "disclosure_attribute": disclosure_attribute,
        **fields,
    }
    _validate(values)
    if not values["title"]:
        raise DomainError("请填写标题")
    values["body"] = sanitise_html(values.get("body", ""))
    values.setdefault("issuing_agency", agency.name)
    publication = Publication.objects.create(
        agency=agency,
        index_number=new_index_number(agency, clock.today().year),
        department=department,
        created_by=actor,
        **values,
    )
    _set_columns(publication, columns)
    revision = _snapshot(publication, actor)
    _event(publication, action=Action.CREATE, actor=actor, data={"revision": revision.number})
    return publication


def _set_columns(publication: Publication, columns) -> None:
    columns = list(columns)
    if any(c.agency_id != publication.agency_id for c in columns):
        raise DomainError("只能选择本机关的栏目")
    publication.columns.set(columns)


@transaction.atomic
def publication_update(*, actor, publication: Publication, columns=None, **fields) -> Publication:
    """Edit a draft; every save is kept as a new version."""
    publication = _locked(publication, Action.EDIT)
    if not permissions.can_edit(actor, publication):
        _deny("您无权修改该信息")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    merged = {f: getattr(publication, f) for f in EDITABLE_FIELDS} | fields
    _validate(merged)
    if "body" in fields:
        fields["body"] = sanitise_html(fields["body"])
    for key, value in fields.items():
        setattr(publication, key, value)
    publication.save()
    if columns is not None:
        _set_columns(publication, columns)
    revision = _snapshot(publication, actor)
    _event(publication, action=Action.EDIT, actor=actor, data={"revision": revision.number})
    return publication


# --- leak screening ----------------------------------------------------------------------


def _agency_patterns(agency: Agency):
    from gongkai.core.masking import DEFAULT_PATTERNS, MaskPattern

    patterns = dict(DEFAULT_PATTERNS)
    settings = AgencyPublishingSettings.objects.filter(agency=agency).first()
    for kind, keep in ((settings.mask_patterns if settings else None) or {}).items():
        patterns[kind] = MaskPattern(int(keep[0]), int(keep[1]))
    return patterns


def _run_screening(publication: Publication, actor) -> ScreeningRun:
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
            findings.append({"source": attachment.original_name, "kind": "unscreened_image",
                             "excerpt": "图片无法自动筛查，须人工核对后放行", "position": 0})
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
    _event(
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
    publication = _locked(publication, Action.SCREEN)
    if not (
        permissions.can_edit(actor, publication)
        or permissions.can_review(actor, publication)
        or permissions.can_publish(actor, publication)
    ):
        _deny("您无权对该信息进行筛查")
    return _run_screening(publication, actor)


@transaction.atomic
def publication_redact(*, actor, publication: Publication, kinds: set[str]) -> ScreeningRun:
    """One-click masking of the body for the chosen finding kinds, with the agency's
    masking patterns; a new version, screened again. Attachments cannot be masked here:
    replace them, or a reviewer overrides with a reason."""
    from gongkai.publishing import redaction

    publication = _locked(publication)
    if publication.status == PublicationStatus.DRAFT:
        allowed = permissions.can_edit(actor, publication)
    else:
        next_status(publication.status, Action.OVERRIDE_SCREENING)
        allowed = permissions.can_review(actor, publication)
    if not allowed:
        _deny("您无权对该信息进行脱敏处理")
    publication.body = redaction.redact_body(
        publication.body, kinds=kinds, patterns=_agency_patterns(publication.agency)
    )
    publication.save(update_fields=["body", "updated_at"])
    revision = _snapshot(publication, actor)
    _event(
        publication,
        action=Action.EDIT,
        actor=actor,
        from_status=publication.status,
        reason="一键脱敏",
        data={"revision": revision.number, "kinds": sorted(kinds)},
    )
    return _run_screening(publication, actor)


@transaction.atomic
def publication_override_screening(*, actor, publication: Publication, reason: str) -> ScreeningRun:
    """A reviewer decides that the findings may be published as they are (e.g. a public
    official's office phone), with the reason on record."""
    publication = _locked(publication, Action.OVERRIDE_SCREENING)
    if not permissions.can_review(actor, publication):
        _deny("只有保密审查员可以确认放行筛查结果")
    if not reason.strip():
        raise DomainError("放行筛查结果必须说明理由")
    run = latest_screening(publication)
    if run is None or not run.findings:
        raise DomainError("当前版本没有需要放行的筛查结果")
    run.override_by, run.override_reason, run.override_at = actor, reason.strip(), clock.now()
    run.save(update_fields=["override_by", "override_reason", "override_at"])
    _event(
        publication,
        action=Action.OVERRIDE_SCREENING,
        actor=actor,
        from_status=publication.status,
        reason=reason,
        data={"findings": len(run.findings)},
    )
    return run


def _require_clear_screening(publication: Publication) -> None:
    run = latest_screening(publication)
    if run is None:
        raise DomainError("当前版本尚未进行泄密筛查")
    if not run.clears_publication:
        raise DomainError(
            f"泄密筛查发现{len(run.findings)}处疑似个人信息或密级标志，"
            "须经保密审查员脱敏处理或说明理由放行后方可继续"
        )


# --- review and approval ------------------------------------------------------------------


@transaction.atomic
def publication_submit(*, actor, publication: Publication) -> Publication:
    """Send the current version to the secrecy review; it is screened on the way."""
    publication = _locked(publication, Action.SUBMIT)
    if not permissions.can_edit(actor, publication):
        _deny("您无权提交该信息")
    if (
        not publication.columns.exists()
        and publication.disclosure_attribute == DisclosureAttribute.PROACTIVE
    ):
        raise DomainError("主动公开的信息至少要选择一个栏目")
    _run_screening(publication, actor)
    _transition(publication, Action.SUBMIT, actor=actor)
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
    publication = _locked(publication, Action.REVIEW_PASS)
    if not permissions.can_review(actor, publication):
        _deny("只有保密审查员可以进行保密审查")
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
        _require_clear_screening(publication)
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
        _transition(
            publication,
            Action.REVIEW_PASS,
            actor=actor,
            reason=opinion,
            to=to,
            data={"review": review.pk},
        )
    else:
        _transition(
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
    publication = _locked(publication, Action.APPROVE)
    if not permissions.can_approve(actor, publication):
        _deny("只有审批领导可以审批")
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
    _transition(
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
    publication = _locked(publication, Action.RETURN)
    if not (
        permissions.can_review(actor, publication)
        or permissions.can_approve(actor, publication)
        or permissions.can_publish(actor, publication)
    ):
        _deny("您无权退回该信息")
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
    _transition(
        publication, Action.RETURN, actor=actor, reason=reason, save_fields=("scheduled_for",)
    )
    return publication


# --- publication -------------------------------------------------------------------------


def _go_public(publication: Publication, *, actor, action: Action) -> None:
    _require_clear_screening(publication)
    publication.published_on = clock.today()
    publication.published_revision = current_revision(publication)
    publication.scheduled_for = None
    _transition(
        publication,
        action,
        actor=actor,
        save_fields=("published_on", "published_revision", "scheduled_for"),
        data={"revision": publication.published_revision.number},
    )
    listeners.emit(listeners.PUBLICATION_VISIBILITY, publication, True)


@transaction.atomic
def publication_publish(*, actor, publication: Publication) -> Publication:
    publication = _locked(publication, Action.PUBLISH)
    if not permissions.can_publish(actor, publication):
        _deny("只有本机关公开办可以发布")
    if publication.disclosure_attribute != DisclosureAttribute.PROACTIVE:
        raise DomainError("只有公开属性为主动公开的信息可以发布")
    _go_public(publication, actor=actor, action=Action.PUBLISH)
    return publication


@transaction.atomic
def publication_schedule(*, actor, publication: Publication, at: dt.datetime) -> Publication:
    publication = _locked(publication, Action.SCHEDULE)
    if not permissions.can_publish(actor, publication):
        _deny("只有本机关公开办可以发布")
    if at <= clock.now():
        raise DomainError("定时发布时间应晚于当前时间")
    _require_clear_screening(publication)
    publication.scheduled_for = at
    _transition(
        publication,
        Action.SCHEDULE,
        actor=actor,
        save_fields=("scheduled_for",),
        data={"at": at.isoformat()},
    )
    return publication


def publications_release_due(*, now: dt.datetime | None = None) -> list[Publication]:
    """Publish every scheduled item whose time has come (idempotent; run it every few
    minutes). Each item goes out in its own transaction."""
    now = now or clock.now()
    released = []
    for pk in Publication.objects.filter(
        status=PublicationStatus.SCHEDULED, scheduled_for__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            publication = Publication.objects.select_for_update().get(pk=pk)
            if publication.status != PublicationStatus.SCHEDULED or publication.scheduled_for > now:
                continue
            _go_public(publication, actor=None, action=Action.RELEASE)
            released.append(publication)
    return released


@transaction.atomic
def publication_withdraw(*, actor, publication: Publication, reason: str) -> Publication:
    """Take an item down (it stays in history with the reason)."""
    publication = _locked(publication, Action.WITHDRAW)
    if not permissions.can_publish(actor, publication):
        _deny("只有本机关公开办可以撤回")
    if not reason.strip():
        raise DomainError("撤回必须说明理由")
    publication.withdrawal_reason = reason.strip()
    was_public = publication.status == PublicationStatus.PUBLISHED
    _transition(
        publication, Action.WITHDRAW, actor=actor, reason=reason, save_fields=("withdrawal_reason",)
    )
    if was_public:
        listeners.emit(listeners.PUBLICATION_VISIBILITY, publication, False)
    return publication


@transaction.atomic
def publication_revise(*, actor, publication: Publication) -> Publication:
    """Reopen a withdrawn item as a draft (same index number); it must pass review again."""
    publication = _locked(publication, Action.REVISE)
    if not permissions.can_publish(actor, publication):
        _deny("只有本机关公开办可以重新编辑已撤回的信息")
    _transition(publication, Action.REVISE, actor=actor)
    return publication


# --- attachments and other channels ----------------------------------------------------------


@transaction.atomic
def publication_add_attachment(*, actor, publication: Publication, upload):
    """Attach a file to a draft. The type is judged by the content (PDF, DOCX, XLSX, JPEG,
    PNG; at most 20 MB); the text a reader can get at is extracted and kept, so that leak
    screening (run again on submit) covers it with the body (Art. 17). Images carry no
    text. A file whose text cannot be read (a scan without a text layer, an encrypted or
    corrupt file) is refused: it could not be screened. A new version."""
    import os
    import uuid

    from django.core.files.base import ContentFile

    from gongkai.core.uploads import sniff
    from gongkai.publishing import extract
    from gongkai.publishing.models import PublicationAttachment

    max_bytes = 20 * 1024 * 1024
    publication = _locked(publication, Action.EDIT)
    if not permissions.can_edit(actor, publication):
        _deny("您无权修改该信息")
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip()[:200] or "附件"
    if upload.size is not None and upload.size > max_bytes:
        raise DomainError(f"文件“{name}”超过20MB的大小限制")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError(f"文件“{name}”超过20MB的大小限制")
    if not data:
        raise DomainError(f"文件“{name}”是空文件")
    not_allowed = f"文件“{name}”的内容不是允许的类型（仅限PDF、DOCX、XLSX、JPG、PNG）"
    image = sniff(data[:16])
    if image is not None and image.name in ("JPEG", "PNG"):
        kind, extension, text = image.name, image.extension, ""
    else:
        try:
            file_type = extract.detect_type(data)
        except extract.UnreadableFile:
            raise DomainError(not_allowed) from None
        if file_type not in (extract.FileType.PDF, extract.FileType.DOCX, extract.FileType.XLSX):
            raise DomainError(not_allowed)
        try:
            text = extract.extract_text(data, filename=name).text
        except extract.UnreadableFile:
            raise DomainError(
                f"无法读取文件“{name}”中的文字（如无文字层的扫描件、加密或损坏的文件），"
                "无法进行泄密筛查；请上传可以复制文字的版本"
            ) from None
        kind, extension = file_type.value.upper(), file_type.value
    attachment = PublicationAttachment(
        publication=publication,
        original_name=name,
        kind=kind,
        size=len(data),
        text=text.replace("\x00", ""),
        uploaded_by=actor,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    attachment.save()
    revision = _snapshot(publication, actor)
    _event(
        publication,
        action=Action.EDIT,
        actor=actor,
        reason=f"上传附件：{name}",
        data={"revision": revision.number, "attachment_added": attachment.pk},
    )
    return attachment


@transaction.atomic
def publication_remove_attachment(*, actor, attachment, reason: str = ""):
    """Take an attachment off a draft. The row and the file stay for the history of the
    versions that carried it; a new version."""
    from gongkai.publishing.models import PublicationAttachment

    publication = _locked(attachment.publication, Action.EDIT)
    if not permissions.can_edit(actor, publication):
        _deny("您无权修改该信息")
    attachment = PublicationAttachment.objects.select_for_update().get(pk=attachment.pk)
    if not attachment.is_active:
        raise DomainError("该附件已经删除")
    attachment.is_active = False
    attachment.save(update_fields=["is_active"])
    revision = _snapshot(publication, actor)
    reason = reason.strip()
    _event(
        publication,
        action=Action.EDIT,
        actor=actor,
        reason=f"删除附件：{attachment.original_name}" + (f"（{reason}）" if reason else ""),
        data={"revision": revision.number, "attachment_removed": attachment.pk},
    )
    return attachment


@transaction.atomic
def channel_release_record(
    *, actor, publication: Publication, channel: str, released_on: dt.date, reference: str = ""
):
    """Record that a published item also went out through another channel (government
    new media, press, broadcast, the public reading rooms); the annual report counts
    releases per channel."""
    from gongkai.core.errors import InvalidTransition
    from gongkai.publishing.models import ChannelRelease, ReleaseChannel

    publication = _locked(publication)
    if not permissions.can_publish(actor, publication):
        _deny("只有本机关公开办可以登记其他渠道发布")
    if publication.status != PublicationStatus.PUBLISHED:
        raise InvalidTransition("只有已发布的信息可以登记其他渠道发布")
    if channel not in ReleaseChannel.values:
        raise DomainError("请选择发布渠道")
    if released_on > clock.today():
        raise DomainError("发布日期不能晚于今天")
    release = ChannelRelease.objects.create(
        publication=publication,
        channel=channel,
        released_on=released_on,
        reference=reference.strip(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="publishing.channel_release",
        obj=publication,
        agency=publication.agency,
        after={
            "channel": channel,
            "released_on": released_on.isoformat(),
            "reference": release.reference,
        },
    )
    return release
