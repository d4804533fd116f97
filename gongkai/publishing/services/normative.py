"""The register of rules and normative documents (规章和规范性文件) and their policy
interpretations (政策解读).

The register is the source of the annual report's table 二, 第二十条第(一)项 (issued /
repealed / in force at 31 Dec, Art. 20(1), Art. 50), and of the "no interpretation"
flags (国办发〔2016〕80号: document and interpretation go out together). The agency's
disclosure office keeps it; everyone else in scope only reads it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.core import audit, clock, listeners
from gongkai.core import permissions as core_permissions
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import Agency, Department, Role
from gongkai.publishing.models import (
    Interpretation,
    InterpretationForm,
    NormativeDocument,
    NormativeKind,
    Publication,
)


def can_keep_register(user, agency: Agency) -> bool:
    """Only the agency's own disclosure office writes its register."""
    return core_permissions.has_role(user, agency, Role.OFFICE)


def _require_office(actor, agency: Agency) -> None:
    if not can_keep_register(actor, agency):
        raise PermissionDenied("只有本机关公开办可以维护规章和规范性文件登记。")


def _not_in_future(day: dt.date, what: str) -> None:
    if day > clock.today():
        raise DomainError(f"{what}不能晚于今天。")


def _check_publication(publication: Publication | None, agency: Agency) -> None:
    if publication is not None and publication.agency_id != agency.pk:
        raise DomainError("关联的政府信息不属于本机关。")


def _public_content_changed() -> None:
    """The register and its interpretations are public pages (an agency's normative
    documents, their validity, the items they link): whatever mirrors public pages must
    hear of it."""
    listeners.emit(listeners.CONTENT_CHANGED)


@transaction.atomic
def normative_document_register(
    *,
    actor,
    agency: Agency,
    kind: str,
    title: str,
    doc_number: str,
    issued_on: dt.date,
    effective_on: dt.date | None = None,
    drafting_department: Department | None = None,
    publication: Publication | None = None,
) -> NormativeDocument:
    """Enter an issued rule or normative document in the agency's register (Art. 20(1)).
    The document number is unique within the agency; a document is registered once it
    has been issued, so the issue date cannot lie in the future."""
    _require_office(actor, agency)
    if kind not in NormativeKind.values:
        raise DomainError("请选择文件类别（规章或行政规范性文件）。")
    title, doc_number = (title or "").strip(), (doc_number or "").strip()
    if not title:
        raise DomainError("请填写文件名称。")
    if not doc_number:
        raise DomainError("请填写文号。")
    _not_in_future(issued_on, "发布日期")
    # Rules and normative documents do not act backwards (不溯及既往); a date before the
    # issue date is a typing error far more often than a lawful exception.
    if effective_on is not None and effective_on < issued_on:
        raise DomainError("施行日期不能早于发布日期。")
    if drafting_department is not None and drafting_department.agency_id != agency.pk:
        raise DomainError("起草科室不属于本机关。")
    _check_publication(publication, agency)
    if (
        publication is not None
        and NormativeDocument.objects.filter(publication=publication).exists()
    ):
        raise DomainError("该政府信息已关联其他规范性文件。")
    if NormativeDocument.objects.filter(agency=agency, doc_number=doc_number).exists():
        raise DomainError(f"文号“{doc_number}”已经登记。")
    document = NormativeDocument.objects.create(
        agency=agency,
        kind=kind,
        title=title,
        doc_number=doc_number,
        issued_on=issued_on,
        effective_on=effective_on,
        drafting_department=drafting_department,
        publication=publication,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="publishing.normative.register",
        obj=document,
        agency=agency,
        after={
            "kind": kind,
            "doc_number": doc_number,
            "issued_on": issued_on,
            "effective_on": effective_on,
            "drafting_department_id": getattr(drafting_department, "pk", None),
            "publication_id": getattr(publication, "pk", None),
        },
    )
    _public_content_changed()
    if publication is not None:  # the item is a normative document now (search's kind)
        listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, publication, True)
    return document


@transaction.atomic
def normative_document_repeal(
    *, actor, document: NormativeDocument, repealed_on: dt.date, reason: str
) -> NormativeDocument:
    """Record that a document was repealed or lapsed (废止/失效) on a day, with the reason.
    A date after today is allowed: a document's term of validity (有效期) is known in
    advance. It stays in force up to the day before ``repealed_on``."""
    document = (
        NormativeDocument.objects.select_for_update().select_related("agency").get(pk=document.pk)
    )
    _require_office(actor, document.agency)
    if document.repealed_on is not None:
        raise InvalidTransition(
            f"该文件已于{document.repealed_on.isoformat()}废止或失效，不能重复登记。"
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写废止或失效的说明。")
    if repealed_on < document.issued_on:
        raise DomainError("废止/失效日期不能早于发布日期。")
    document.repealed_on = repealed_on
    document.repeal_reason = reason
    document.save(update_fields=["repealed_on", "repeal_reason"])
    audit.record(
        actor=actor,
        action="publishing.normative.repeal",
        obj=document,
        agency=document.agency,
        reason=reason,
        before={"repealed_on": None},
        after={"repealed_on": repealed_on},
    )
    _public_content_changed()
    return document


@transaction.atomic
def interpretation_add(
    *,
    actor,
    document: NormativeDocument,
    form: str,
    title: str,
    published_on: dt.date,
    publication: Publication | None = None,
    url: str = "",
) -> Interpretation:
    """Link a published interpretation to its document (谁起草、谁解读; 国办发〔2016〕80号).
    It cannot predate the document it explains; whether it came in time is derived by
    ``selectors.interpretation_status``, never stored."""
    document = NormativeDocument.objects.select_related("agency").get(pk=document.pk)
    _require_office(actor, document.agency)
    if form not in InterpretationForm.values:
        raise DomainError("请选择解读形式。")
    title = (title or "").strip()
    if not title:
        raise DomainError("请填写解读标题。")
    if published_on < document.issued_on:
        raise DomainError("解读的发布日期不能早于文件的发布日期。")
    _not_in_future(published_on, "解读的发布日期")
    _check_publication(publication, document.agency)
    interpretation = Interpretation.objects.create(
        document=document,
        form=form,
        title=title,
        published_on=published_on,
        publication=publication,
        url=(url or "").strip(),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="publishing.interpretation.add",
        obj=interpretation,
        agency=document.agency,
        after={
            "document_id": document.pk,
            "form": form,
            "published_on": published_on,
            "publication_id": getattr(publication, "pk", None),
        },
    )
    _public_content_changed()
    if publication is not None:  # the item is an interpretation now (search's kind)
        listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, publication, True)
    return interpretation
