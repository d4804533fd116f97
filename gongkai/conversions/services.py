"""The office's decisions on proposals (条例第四十四条), and the agency's threshold. Each
service checks the role and the proposal's state, writes, records a ``ConversionEvent``
and appends the audit entry in the same transaction.

Converting creates the item through publishing's own service
(``publishing.services.publications.publication_create``), as a draft with its origin set
to 依申请转主动: it then goes through the secrecy review, leak screening, approval and
publication like any other draft. Nothing here publishes."""

from __future__ import annotations

import datetime as dt
import os

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gongkai.conversions import permissions, rules, selectors
from gongkai.conversions.models import (
    AgencyConversionSettings,
    Conversion,
    ConversionEvent,
    Dismissal,
)
from gongkai.conversions.workflow import Action, ProposalStatus, next_status
from gongkai.core import audit, clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.foi import repeats
from gongkai.publishing.models import Column, DisclosureAttribute
from gongkai.publishing.models.publication import PublicationOrigin
from gongkai.publishing.services import publications as publishing

CHANGED = "该建议已变化（有新的申请加入，或已被处理），请返回列表查看最新建议后重试。"
BODY = (
    "<p>本信息曾由多个申请人向本机关申请公开并已依申请予以公开。根据《中华人民共和国政府信息公开条例》"
    "第四十四条，现纳入主动公开范围。</p>"
)
_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
# A disclosed file is at most 20 MB (foi.services.replies.DISCLOSED_FILE_MAX_BYTES).
_READ_LIMIT = 20 * 1024 * 1024


def _require_office(actor, agency: Agency) -> None:
    if not permissions.can_decide(actor, agency):
        raise PermissionDenied("只有本机关的政府信息公开工作机构可以处理依申请转主动建议。")


def _locked_proposal(actor, agency: Agency, key: str, action: Action) -> selectors.Proposal:
    """The proposal as it stands now, with the agency's row locked so that two decisions
    on its proposals do not cross; refused if it changed or its state forbids ``action``."""
    _require_office(actor, agency)
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    proposal = selectors.proposal_for(agency, key)
    if proposal is None:
        raise DomainError(CHANGED)
    next_status(proposal.status, action)
    return proposal


def _record(*, actor, agency: Agency, proposal: selectors.Proposal, action: Action, to: ProposalStatus,
            obj, reason: str = "", data: dict | None = None, **links) -> None:
    cluster = proposal.cluster
    details = {
        "requests": [r.tracking_number for r in cluster.requests],
        "applicants": cluster.applicants,
        **(data or {}),
    }
    ConversionEvent.objects.create(
        agency=agency, cluster_key=cluster.key, action=action, from_status=ProposalStatus.PROPOSED,
        to_status=to, at=clock.now(), actor=actor, reason=reason, data=details, **links)
    audit.record(actor=actor, action=f"conversions.{action}", obj=obj, agency=agency, reason=reason,
                 before={"status": ProposalStatus.PROPOSED.value},
                 after={"status": to.value, "cluster": cluster.key, **details})


def _copies_of_disclosed_files(cluster: rules.Cluster) -> list[ContentFile]:
    """One copy of each distinct file disclosed to the cluster's requests (by hash),
    read through the encrypted storage, named as the applicants saw it."""
    copies, seen = [], set()
    for disclosed in repeats.disclosed_files_of(cluster.request_ids):
        if disclosed.sha256 in seen:
            continue
        seen.add(disclosed.sha256)
        with disclosed.file.open("rb") as f:
            data = f.read(_READ_LIMIT + 1)
        name = (disclosed.display_name or "公开文件").strip()
        extension = _EXTENSIONS.get(disclosed.content_type, "")
        if extension and not name.lower().endswith(extension):
            name += extension
        copies.append(ContentFile(data, name=os.path.basename(name)))
    return copies


@transaction.atomic
def proposal_convert(*, actor, agency: Agency, key: str, column: Column, title: str,
                     written_on: dt.date | None = None, include_files: bool = True) -> Conversion:
    """Turn the proposal's information into a draft item of proactive disclosure in
    ``column``, with the disclosed files as its attachments (unless ``include_files`` is
    off), linked to the proposal's requests. The draft goes through publishing's review."""
    proposal = _locked_proposal(actor, agency, key, Action.CONVERT)
    earlier = selectors.live_conversion(proposal)
    if earlier is not None:
        raise DomainError(
            f"该信息已于{timezone.localdate(earlier.created_at):%Y-%m-%d}转为主动公开"
            f"（{earlier.publication.index_number}，{earlier.publication.get_status_display()}），"
            "不能重复转化；新加入的申请请选择“不予转为主动公开”，理由注明已转化。")
    cluster = proposal.cluster
    if column is None or column.agency_id != agency.pk:
        raise DomainError("请选择本机关公开目录中的栏目")
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("请填写标题")
    files = _copies_of_disclosed_files(cluster) if include_files else []
    publication = publishing.publication_create(
        actor=actor, agency=agency, title=title, written_on=written_on or clock.today(),
        disclosure_attribute=DisclosureAttribute.PROACTIVE, columns=[column], attachments=files,
        body=BODY, origin=PublicationOrigin.CONVERTED_FROM_REQUESTS,
    )
    conversion = Conversion.objects.create(
        agency=agency, publication=publication, cluster_key=cluster.key,
        applicants=cluster.applicants, created_by=actor, created_at=clock.now())
    conversion.requests.set(cluster.request_ids)
    _record(actor=actor, agency=agency, proposal=proposal, action=Action.CONVERT,
            to=ProposalStatus.CONVERTED, obj=conversion, conversion=conversion,
            data={"publication": publication.index_number, "column": column.pk, "files": len(files)})
    return conversion


@transaction.atomic
def proposal_dismiss(*, actor, agency: Agency, key: str, reason: str) -> Dismissal:
    """Decide not to publish the proposal's information, with the reason; the same
    requests are not proposed again unless another request joins them."""
    reason = (reason or "").strip()
    proposal = _locked_proposal(actor, agency, key, Action.DISMISS)
    if not reason:
        raise DomainError("请填写不予转为主动公开的理由")
    cluster = proposal.cluster
    dismissal = Dismissal.objects.create(
        agency=agency, cluster_key=cluster.key, applicants=cluster.applicants, reason=reason,
        dismissed_by=actor, dismissed_at=clock.now())
    dismissal.requests.set(cluster.request_ids)
    _record(actor=actor, agency=agency, proposal=proposal, action=Action.DISMISS,
            to=ProposalStatus.DISMISSED, obj=dismissal, reason=reason, dismissal=dismissal)
    return dismissal


@transaction.atomic
def conversion_settings_save(*, actor, agency: Agency, min_applicants: int) -> AgencyConversionSettings:
    """Set how many distinct applicants make a proposal (``rules.min_applicants``)."""
    _require_office(actor, agency)
    if not rules.LEAST_MIN_APPLICANTS <= int(min_applicants) <= rules.MOST_MIN_APPLICANTS:
        raise DomainError(
            f"申请人数应在{rules.LEAST_MIN_APPLICANTS}至{rules.MOST_MIN_APPLICANTS}之间"
            "（条例第四十四条：多个申请人）")
    settings, _ = AgencyConversionSettings.objects.select_for_update().get_or_create(agency=agency)
    before = settings.min_applicants
    settings.min_applicants, settings.updated_by = int(min_applicants), actor
    settings.save()
    audit.record(actor=actor, action="conversions.settings", obj=settings, agency=agency,
                 before={"min_applicants": before}, after={"min_applicants": settings.min_applicants})
    return settings
