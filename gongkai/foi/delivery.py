"""What the applicant receives, and how: the letters issued to them and the files
disclosed with the reply, downloadable with the tracking number and secret (status page
and API) or through a delivery link, and delivery by e-mail (送达, Art. 40: the
information is provided in the form and by the means the applicant asked for).

Every download by the applicant is audited (``foi.applicant.download``, who = 申请人)
and counted: the entry carries the running count for that file, taken under the
request's row lock so two downloads at once never get the same count.

Delivery by e-mail goes through an outbox (``DeliveryEmail``): the office's step writes
the row and a task of the task queue (``foi.delivery_email``, enqueued in the same
transaction) sends the message once that step has committed; ``foi.services.requests``
records the result. This module prepares the message and sends it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from gongkai.core import audit, clock
from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent
from gongkai.foi.models import DisclosedFile, FoiRequest, Letter
from gongkai.foi.workflow import RequestStatus
from gongkai.tasks.outbox import enqueue
from gongkai.tasks.registry import handler

logger = logging.getLogger(__name__)

APPLICANT = "申请人"
DOWNLOAD_ACTION = "foi.applicant.download"
# Disclosed files become the applicant's once the reply is made (Art. 36).
REPLIED_STATUSES = frozenset({RequestStatus.REPLIED, RequestStatus.DELIVERED, RequestStatus.ARCHIVED})
LINK_VALID_DAYS = 30
_LINK_SALT = "gongkai.foi.delivery.link"
NO_EMAIL = "申请人未提供电子邮箱，不能以电子邮件送达；请选择其他送达方式。"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


# --- the applicant's documents --------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantFile:
    """One downloadable file: ``ref`` names it in addresses and the audit trail
    (``letter-12.pdf``, ``letter-12.docx``, ``disclosed-5``)."""

    ref: str
    name: str
    content_type: str
    file: object  # FieldFile
    size: int | None
    format: str  # "pdf", "docx" or "file"


@dataclass(frozen=True)
class ApplicantLetter:
    letter: Letter
    files: list[ApplicantFile]


@dataclass(frozen=True)
class ApplicantDocuments:
    letters: list[ApplicantLetter] = field(default_factory=list)
    disclosed: list[ApplicantFile] = field(default_factory=list)

    def all_files(self) -> list[ApplicantFile]:
        return [f for letter in self.letters for f in letter.files] + list(self.disclosed)

    def get(self, ref: str) -> ApplicantFile | None:
        return next((f for f in self.all_files() if f.ref == ref), None)


def _safe_name(name: str) -> str:
    return _UNSAFE_NAME.sub("_", name).strip() or "文件"


def _size(file) -> int | None:
    try:
        return file.size
    except (OSError, ValueError):
        return None


_LETTER_FORMATS = (
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
)


def applicant_documents(request: FoiRequest) -> ApplicantDocuments:
    """The letters the applicant may see (``visible_to_applicant``: a consultation letter
    goes to the third party only) and, once the request is replied, the disclosed files."""
    letters = []
    for letter in Letter.objects.filter(request=request, visible_to_applicant=True).order_by("issued_on", "id"):
        stem = _safe_name(f"{letter.title}（{letter.document_number}）" if letter.document_number
                          else letter.title)
        files = [
            ApplicantFile(ref=f"letter-{letter.pk}.{fmt}", name=f"{stem}.{fmt}", content_type=ctype,
                          file=getattr(letter, fmt), size=_size(getattr(letter, fmt)), format=fmt)
            for fmt, ctype in _LETTER_FORMATS if getattr(letter, fmt)
        ]
        letters.append(ApplicantLetter(letter, files))
    disclosed = []
    if request.status in REPLIED_STATUSES:
        disclosed = [
            ApplicantFile(ref=f"disclosed-{f.pk}", name=_safe_name(f.display_name),
                          content_type=f.content_type or "application/octet-stream",
                          file=f.file, size=f.size, format="file")
            for f in DisclosedFile.objects.filter(request=request).order_by("added_at", "id")
        ]
    return ApplicantDocuments(letters, disclosed)


@transaction.atomic
def record_applicant_download(request: FoiRequest, item: ApplicantFile, *, via: str) -> int:
    """Audit one download by the applicant (via ``status``, ``api`` or ``link``) and
    return how many times that file has now been downloaded. The request's row is locked
    while counting, so simultaneous downloads are counted one after the other."""
    list(FoiRequest.objects.select_for_update().filter(pk=request.pk).values_list("pk", flat=True))
    previous = AuditEvent.objects.filter(
        action=DOWNLOAD_ACTION, object_type=request._meta.label_lower, object_id=str(request.pk),
        after__file=item.ref,
    ).count()
    count = previous + 1
    audit.record(actor=None, action=DOWNLOAD_ACTION, obj=request, agency=request.agency,
                 reason=f"{APPLICANT}下载{item.name}",
                 after={"who": APPLICANT, "file": item.ref, "name": item.name, "via": via,
                        "count": count})
    return count


# --- the delivery link -------------------------------------------------------------------------


def _link_signer() -> signing.Signer:
    return signing.Signer(salt=_LINK_SALT)


def delivery_token(request: FoiRequest, *, issued_on: dt.date | None = None) -> str:
    """A signed token naming the request and the day the link was issued (today by the
    platform clock), for the link in a delivery e-mail. It holds no secret; it is valid
    for 30 days from that day (``delivery_link_expires_on``)."""
    issued_on = issued_on or clock.today()
    return _link_signer().sign_object(
        {"r": request.pk, "n": request.tracking_number, "d": issued_on.isoformat()}, compress=True)


def delivery_link_expires_on(issued_on: dt.date) -> dt.date:
    """The last day a link issued on ``issued_on`` opens: 30 days later (gongkai's
    period, stated in the e-mail and on the page)."""
    return issued_on + dt.timedelta(days=LINK_VALID_DAYS)


@dataclass(frozen=True)
class DeliveryLink:
    request: FoiRequest
    issued_on: dt.date
    expires_on: dt.date


def delivery_link_open(token: str) -> DeliveryLink | None:
    """The request a delivery link names and the link's dates, or None if the link is
    forged or expired (compared with ``clock.today()``)."""
    try:
        data = _link_signer().unsign_object(token)
        issued_on = dt.date.fromisoformat(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    expires_on = delivery_link_expires_on(issued_on)
    if not issued_on <= clock.today() <= expires_on:
        return None
    request = FoiRequest.objects.select_related("agency").filter(
        pk=data.get("r"), tracking_number=data.get("n")).first()
    return DeliveryLink(request, issued_on, expires_on) if request else None


def delivery_request(token: str) -> FoiRequest | None:
    """The request a delivery link names, or None if the link is forged or expired."""
    link = delivery_link_open(token)
    return link.request if link else None


def delivery_link(request: FoiRequest) -> str:
    return settings.GONGKAI_BASE_URL.rstrip("/") + reverse("portal:delivery", args=[delivery_token(request)])


# --- delivery by e-mail ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedEmail:
    """A delivery e-mail ready to send: the message, its Message-ID, the refs of the
    attached files, and the link when the disclosed files were too large to attach."""

    message: EmailMessage
    message_id: str
    attached: list[str]
    link: str = ""


def _message_id() -> str:
    host = urlsplit(settings.GONGKAI_BASE_URL).hostname or "gongkai.localhost"
    return make_msgid(domain=host)


def _read(item: ApplicantFile) -> bytes:
    with item.file.open("rb") as handle:
        return handle.read()


def prepare_delivery_email(request: FoiRequest, *, message_id: str | None = None) -> PreparedEmail:
    """The message that delivers the letters (the PDF; the DOCX when no PDF was made) and
    the disclosed files: attached when all together stay within
    ``GONGKAI_DELIVERY_ATTACHMENT_LIMIT``, otherwise as a link valid for 30 days. Sends
    nothing. Refuses (``DomainError``) without an address or when a file cannot be read,
    so nothing is queued that could not go out. ``message_id``: the one recorded when the
    mail was queued (the task prepares the message again when it sends it)."""
    if not request.email:
        raise DomainError(NO_EMAIL)
    documents = applicant_documents(request)
    letters = [next((f for f in letter.files if f.format == "pdf"), letter.files[0])
               for letter in documents.letters if letter.files]
    disclosed = documents.disclosed
    total = sum(f.size or 0 for f in letters + disclosed)
    attach_files = total <= settings.GONGKAI_DELIVERY_ATTACHMENT_LIMIT
    attachments = letters + (disclosed if attach_files else [])
    link = "" if attach_files or not disclosed else delivery_link(request)

    lines = [f"{request.name}：", "",
             f"您向{request.agency.name}提出的政府信息公开申请（申请编号 {request.tracking_number}）已办结，"
             "现将有关文书送达。"]
    if letters:
        lines += ["", "告知文书（见附件）："] + [f"  {f.name}" for f in letters]
    if disclosed and attach_files:
        lines += ["", "公开的政府信息（见附件）："] + [f"  {f.name}" for f in disclosed]
    elif disclosed:
        expires_on = delivery_link_expires_on(clock.today())
        lines += ["", f"公开的政府信息文件较大，请在{LINK_VALID_DAYS}日内（{expires_on.year}年{expires_on.month}月"
                      f"{expires_on.day}日前）通过以下链接下载：", link]
    lines += ["", "凭申请编号和查询码也可在政府信息公开平台查询办理情况、下载上述文件。",
              f"如有疑问，请联系{request.agency.name}"
              + (f"（电话：{request.agency.phone}）。" if request.agency.phone else "。")]
    message_id = message_id or _message_id()
    message = EmailMessage(
        subject=f"政府信息公开申请答复送达（申请编号 {request.tracking_number}）",
        body="\n".join(lines), to=[request.email], headers={"Message-ID": message_id},
    )
    try:
        for item in attachments:
            message.attach(item.name, _read(item), item.content_type)
    except (OSError, ValueError):
        raise DomainError("送达的文件无法读取，请检查文书和公开文件后重试。") from None
    return PreparedEmail(message=message, message_id=message_id, attached=[f.ref for f in attachments],
                         link=link)


DELIVERY_EMAIL = "foi.delivery_email"
SENT_TOO_LATE = "未能在{minutes}分钟内发出"


class DeliveryEmailNotSent(Exception):
    """The mail server refused or failed: its text is the original error's class only,
    never the address or the server's reply (it ends up in the task's error and the
    request's history)."""


def send_delivery_email_later(outbox) -> None:
    """Have a worker send the queued delivery e-mail (``DeliveryEmail``) after the
    caller's commit: no request waits on the mail server. Once per row. The task's
    arguments hold only the row's id: the message (the applicant's name and address, the
    delivery link) is prepared again when it is sent, with the recorded Message-ID."""
    enqueue(DELIVERY_EMAIL, args={"delivery_email": outbox.pk}, key=f"{DELIVERY_EMAIL}:{outbox.pk}")


def _record_result(outbox_pk: int, *, error: str = "") -> None:
    # Through the module, so the record's own failure can be simulated in tests.
    from gongkai.foi.services import requests as request_services

    request_services.delivery_email_record_result(outbox_pk, error=error)


def delivery_email_gave_up(*, delivery_email: int, error: BaseException) -> None:
    """The task failed for good (every retry refused): the mail is recorded as failed, in
    the request's history, so the office can send again or deliver another way."""
    text = str(error) if isinstance(error, (DeliveryEmailNotSent, DomainError)) else type(error).__name__
    _record_result(delivery_email, error=text or type(error).__name__)


@handler(DELIVERY_EMAIL, on_give_up=delivery_email_gave_up)
def send_queued_delivery_email(*, delivery_email: int) -> None:
    """Send a queued delivery e-mail and record the result (a task).

    Idempotent: a row no longer ``queued`` (sent, or failed) sends nothing, so a second
    run of the task sends no second mail. A refusal by the mail server raises, and the
    queue retries with backoff; the last refusal is recorded as the failure
    (``delivery_email_gave_up``). A mail is sent within ``EMAIL_SEND_WINDOW`` of being
    queued or not at all: after that the office may queue another, and the applicant must
    not get both. Once the mail went, a failure to record the result is logged, not
    retried (a retry would send it again): the row stays ``queued`` with its Message-ID,
    which the office's page shows as "result unknown"."""
    from gongkai.foi.models import DeliveryEmail, DeliveryEmailState
    from gongkai.foi.services.requests import EMAIL_SEND_WINDOW

    outbox = DeliveryEmail.objects.select_related("request__agency").filter(pk=delivery_email).first()
    if outbox is None or outbox.state != DeliveryEmailState.QUEUED:
        return
    # Started only when it can end within the window (the SMTP timeout is its margin):
    # after the window the office may queue another, and the applicant must not get both.
    latest_start = EMAIL_SEND_WINDOW - dt.timedelta(seconds=settings.EMAIL_TIMEOUT or 0)
    if clock.now() - outbox.queued_at > latest_start:
        _record_result(outbox.pk, error=SENT_TOO_LATE.format(
            minutes=int(EMAIL_SEND_WINDOW.total_seconds() // 60)))
        return
    prepared = prepare_delivery_email(outbox.request, message_id=outbox.message_id)
    if (prepared.attached, bool(prepared.link)) != (outbox.attached, outbox.link_sent):
        # The files changed since the mail was queued: the record says what actually went.
        DeliveryEmail.objects.filter(pk=outbox.pk).update(attached=prepared.attached,
                                                          link_sent=bool(prepared.link))
    error = send_delivery_email(prepared)
    if error:
        raise DeliveryEmailNotSent(error)
    try:
        _record_result(outbox.pk)
    except Exception:
        logger.exception("the result of delivery e-mail %s could not be recorded", prepared.message_id)


def send_delivery_email(prepared: PreparedEmail) -> str:
    """Send a prepared delivery e-mail. Returns "" when it went, else what went wrong in
    a few words (the exception's class, never the address or the server's reply), and
    logs the failure; it never raises, so the caller always records the result."""
    try:
        prepared.message.send()
    except Exception as exc:  # SMTP and backend errors alike: nothing was delivered
        logger.exception("delivery e-mail %s failed", prepared.message_id)
        return type(exc).__name__
    return ""
