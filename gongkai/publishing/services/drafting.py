"""Drafting an item of proactive disclosure: create it (the index number is taken then),
edit the draft, attach, name and remove files. Every save is one new version: a form
saved with its fields and its files together is one version, not one per step, and a
save that changes nothing makes none."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongkai.core import clock
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, Department
from gongkai.core.sequences import next_number
from gongkai.publishing import permissions
from gongkai.publishing.models import DisclosureAttribute, Publication
from gongkai.publishing.sanitise import sanitise_html
from gongkai.publishing.services.history import (
    current_revision,
    deny,
    locked,
    record_event,
    same_content,
    snapshot,
)
from gongkai.publishing.workflow import Action

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


def new_index_number(agency: Agency, year: int) -> str:
    """`{agency code}/{year}-{sequence}`: unique, gap-free per agency and year, never reused."""
    return f"{agency.code}/{year}-{next_number(f'publishing.index.{agency.pk}', year):05d}"


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
    attachments=(),
    **fields,
) -> Publication:
    """Start an item: the index number is taken now and stays with it for good. Files
    uploaded with it belong to its first version."""
    if not permissions.can_draft(actor, agency, department):
        deny("您无权为该机关或科室起草政府信息")
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
    added = [_attach(publication, actor, upload) for upload in attachments]
    revision = snapshot(publication, actor)
    data = {"revision": revision.number}
    if added:
        data["attachments_added"] = [a.pk for a in added]
    record_event(publication, action=Action.CREATE, actor=actor, data=data)
    return publication


def _set_columns(publication: Publication, columns) -> None:
    columns = list(columns)
    if any(c.agency_id != publication.agency_id for c in columns):
        raise DomainError("只能选择本机关的栏目")
    publication.columns.set(columns)


@transaction.atomic
def publication_update(
    *, actor, publication: Publication, columns=None, attachments=(), **fields
) -> Publication:
    """Edit a draft, with the files uploaded on the same form: one save, one new version
    (none when nothing changed)."""
    publication = locked(publication, Action.EDIT)
    if not permissions.can_edit(actor, publication):
        deny("您无权修改该信息")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    merged = {f: getattr(publication, f) for f in EDITABLE_FIELDS} | fields
    _validate(merged)
    if "body" in fields:
        fields["body"] = sanitise_html(fields["body"])
    # Every editable field that changes is on record (a version and an event), whether or
    # not the version's snapshot happens to hold it.
    changed = sorted(key for key, value in fields.items() if getattr(publication, key) != value)
    for key, value in fields.items():
        setattr(publication, key, value)
    publication.save()
    if columns is not None:
        _set_columns(publication, columns)
    added = [_attach(publication, actor, upload) for upload in attachments]
    previous = current_revision(publication)
    if (previous is not None and not changed and not added
            and same_content(previous, publication)):
        return publication
    revision = snapshot(publication, actor)
    data = {"revision": revision.number}
    if changed:
        data["fields"] = changed
    if added:
        data["attachments_added"] = [a.pk for a in added]
    reason = "上传附件：" + "、".join(a.original_name for a in added) if added else ""
    record_event(publication, action=Action.EDIT, actor=actor, reason=reason, data=data)
    return publication


@transaction.atomic
def publication_add_attachment(*, actor, publication: Publication, upload):
    """Attach a file to a draft on its own: a new version (files uploaded with the form
    go through ``publication_create``/``publication_update`` instead, in one version)."""
    publication = locked(publication, Action.EDIT)
    if not permissions.can_edit(actor, publication):
        deny("您无权修改该信息")
    attachment = _attach(publication, actor, upload)
    revision = snapshot(publication, actor)
    record_event(
        publication,
        action=Action.EDIT,
        actor=actor,
        reason=f"上传附件：{attachment.original_name}",
        data={"revision": revision.number, "attachment_added": attachment.pk},
    )
    return attachment


def _attach(publication: Publication, actor, upload):
    """Store one uploaded file with the item (no version: the caller makes it). The type
    is judged by the content (PDF, DOCX, XLSX, JPEG, PNG; at most 20 MB); the text a
    reader can get at is extracted and kept, so that leak screening (run again on submit)
    covers it with the body (Art. 17). Images carry no text. A file whose text cannot be
    read (a scan without a text layer, an encrypted or corrupt file) is refused: it could
    not be screened."""
    import os
    import uuid

    from django.core.files.base import ContentFile

    from gongkai.core.uploads import sniff
    from gongkai.publishing import extract
    from gongkai.publishing.models import PublicationAttachment, default_display_name

    max_bytes = 20 * 1024 * 1024
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
        display_name=default_display_name(name),
        kind=kind,
        size=len(data),
        text=text.replace("\x00", ""),
        uploaded_by=actor,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def publication_rename_attachment(*, actor, attachment, display_name: str):
    """Give a draft's attachment the name readers see (the stored file keeps its name).
    Which files a version carries is unchanged, so this is an event, not a new version."""
    from gongkai.publishing.models import PublicationAttachment

    publication = locked(attachment.publication, Action.EDIT)
    if not permissions.can_edit(actor, publication):
        deny("您无权修改该信息")
    attachment = PublicationAttachment.objects.select_for_update().get(pk=attachment.pk)
    if not attachment.is_active:
        raise DomainError("该附件已经删除")
    display_name = " ".join((display_name or "").split())
    if not display_name:
        raise DomainError("请填写附件名称")
    if len(display_name) > 200:
        raise DomainError("附件名称不能超过200个字")
    previous = attachment.label
    if display_name == previous:
        return attachment
    attachment.display_name = display_name
    attachment.save(update_fields=["display_name"])
    record_event(
        publication,
        action=Action.EDIT,
        actor=actor,
        reason=f"附件更名：{previous} → {display_name}",
        data={"attachment_renamed": attachment.pk, "previous": previous, "name": display_name},
    )
    return attachment


@transaction.atomic
def publication_remove_attachment(*, actor, attachment, reason: str = ""):
    """Take an attachment off a draft. The row and the file stay for the history of the
    versions that carried it; a new version."""
    from gongkai.publishing.models import PublicationAttachment

    publication = locked(attachment.publication, Action.EDIT)
    if not permissions.can_edit(actor, publication):
        deny("您无权修改该信息")
    attachment = PublicationAttachment.objects.select_for_update().get(pk=attachment.pk)
    if not attachment.is_active:
        raise DomainError("该附件已经删除")
    attachment.is_active = False
    attachment.save(update_fields=["is_active"])
    revision = snapshot(publication, actor)
    reason = reason.strip()
    record_event(
        publication,
        action=Action.EDIT,
        actor=actor,
        reason=f"删除附件：{attachment.original_name}" + (f"（{reason}）" if reason else ""),
        data={"revision": revision.number, "attachment_removed": attachment.pk},
    )
    return attachment
