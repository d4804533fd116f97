"""Issuing the letters of a request (告知文书): the 文号 taken gap-free per agency and
year inside the issuing transaction, the DOCX and the PDF rendered and stored, the
``Letter`` row kept as issued, and an audit entry. The calling service records the
request's own event (``FoiEvent``); this one records only the letter.

The files are written to storage before the transaction commits; a rolled-back issue
gives its number back (``core.sequences``) and leaves at most an unreferenced file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction

from gongkai.core import audit
from gongkai.foi.letters import build_docx, build_pdf, compose, take_number
from gongkai.foi.models import (
    AgencyFoiSettings,
    Consultation,
    FeeNotice,
    FoiEvent,
    FoiRequest,
    Letter,
    LetterKind,
    Reply,
)
from gongkai.foi.permissions import can_view_request
from gongkai.foi.workflow import Action

LETTER_FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _pattern(agency) -> str | None:
    return (AgencyFoiSettings.objects.filter(agency=agency)
            .values_list("letter_number_pattern", flat=True).first())


def _file_name(request: FoiRequest, kind: str, serial: int) -> str:
    if kind == LetterKind.REPLY:
        return request.tracking_number
    return f"{request.tracking_number}-{kind}-{serial}"


@transaction.atomic
def issue_letter(*, actor, request: FoiRequest, kind: str, on: dt.date, fields: Mapping | None = None,
                 consultation: Consultation | None = None, fee_notice: FeeNotice | None = None,
                 reply: Reply | None = None, recorded: bool = True) -> Letter:
    """Issue one letter of ``kind`` for ``request`` dated ``on``: what it says comes from
    ``reply`` / ``consultation`` / ``fee_notice`` where given, else from ``fields``.
    Raises ``letters.LetterFontError`` (and issues nothing) if the PDF would lack a CJK
    font."""
    kind = LetterKind(kind)
    agency = request.agency
    # Composed first: a letter that cannot be written takes no number.
    draft = compose(kind, request, fields, on=on, reply=reply, consultation=consultation,
                    fee_notice=fee_notice, recorded=recorded)
    serial, number = take_number(agency, on.year, _pattern(agency))
    text = replace(draft, document_number=number)
    letter = Letter(
        agency=agency, request=request, kind=kind, year=on.year, serial=serial,
        document_number=number, title=text.title, addressee=text.addressee,
        paragraphs=list(text.paragraphs), issued_on=text.issued_on,
        consultation=consultation, fee_notice=fee_notice,
        # A consultation letter goes to the third party, not to the applicant (Art. 32).
        visible_to_applicant=kind != LetterKind.CONSULTATION,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    name = _file_name(request, kind, serial)
    letter.docx.save(f"{name}.docx", ContentFile(build_docx(text)), save=False)
    letter.pdf.save(f"{name}.pdf", ContentFile(build_pdf(text)), save=False)
    letter.save()
    audit.record(
        actor=actor, action="foi.letter.issue", obj=letter, agency=agency,
        after={"kind": kind.value, "document_number": number, "request": request.tracking_number,
               "issued_on": text.issued_on},
    )
    return letter


def issue_reply_letter(actor, reply: Reply) -> Letter:
    """The reply letter (答复告知书) of ``reply``, issued on the reply date; also kept as
    ``reply.letter`` (the DOCX), where older pages and the applicant's download look."""
    letter = issue_letter(actor=actor, request=reply.request, kind=LetterKind.REPLY,
                          on=reply.replied_on, reply=reply)
    reply.letter.name = letter.docx.name
    reply.save(update_fields=["letter"])
    return letter


def issue_extension_notice(actor, request: FoiRequest, event: FoiEvent) -> Letter:
    """The 延期答复告知书 (条例第三十三条第二款) of an approved extension, from its
    ``extend`` event (the days in ``data``, the reason, the day): called by
    ``extension_approve`` after the extension is recorded, so the new due date is read
    from the records. There is no notice without a recorded extension."""
    if event.action != Action.EXTEND or event.request_id != request.pk:
        raise ValueError("issue_extension_notice needs the request's extension event")
    return issue_letter(actor=actor, request=request, kind=LetterKind.EXTENSION, on=event.on,
                        fields={"days": event.data.get("days"), "reason": event.reason})


def letter_record_download(*, actor, letter: Letter, fmt: str) -> None:
    """Every download of an issued letter is in the audit trail."""
    if not can_view_request(actor, letter.request):
        raise PermissionDenied("您无权查看该申请的告知文书")
    audit.record(actor=actor, action="foi.letter.download", obj=letter, agency=letter.agency,
                 after={"format": fmt, "document_number": letter.document_number})
