"""What every service of an item does around its change: lock the item and check the
transition first, keep each version, and write the event with its audit row in the same
transaction (条例 Art. 17: who changed what, when, is on record)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongkai.core import audit, clock
from gongkai.publishing.models import (
    Publication,
    PublicationEvent,
    PublicationRevision,
    PublicationStatus,
)
from gongkai.publishing.workflow import Action, next_status


def deny(message: str):
    raise PermissionDenied(message)


def locked(publication: Publication, action: Action | None = None) -> Publication:
    publication = (
        Publication.objects.select_for_update().select_related("agency").get(pk=publication.pk)
    )
    if action is not None:
        next_status(publication.status, action)
    return publication


def record_event(
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


def transition(
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
    record_event(
        publication, action=action, actor=actor, from_status=previous, reason=reason, data=data
    )


def same_content(revision: PublicationRevision, publication: Publication) -> bool:
    """Whether the item as it stands is what ``revision`` holds (a save that changed
    nothing makes no version)."""
    return (
        revision.title == publication.title
        and revision.doc_number == publication.doc_number
        and revision.body == publication.body
        and revision.metadata == _metadata(publication)
    )


def snapshot(publication: Publication, actor) -> PublicationRevision:
    number = (
        publication.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    return PublicationRevision.objects.create(
        publication=publication,
        number=number,
        title=publication.title,
        doc_number=publication.doc_number,
        body=publication.body,
        metadata=_metadata(publication),
        created_by=actor,
    )


def _metadata(publication: Publication) -> dict:
    """The catalogue fields a version keeps beside its title, 文号 and body: with those,
    every field of ``drafting.EDITABLE_FIELDS``, and the columns and files."""
    return {
        "issuing_agency": publication.issuing_agency,
        "department_id": publication.department_id,
        "written_on": publication.written_on.isoformat(),
        "topic_id": publication.topic_id,
        "disclosure_attribute": publication.disclosure_attribute,
        "non_disclosure_reason": publication.non_disclosure_reason,
        "validity": publication.validity,
        "keywords": publication.keywords,
        "column_ids": sorted(publication.columns.values_list("pk", flat=True)),
        "attachment_ids": sorted(
            publication.attachments.filter(is_active=True).values_list("pk", flat=True)
        ),
    }


def current_revision(publication: Publication) -> PublicationRevision:
    return publication.revisions.order_by("-number").first()
