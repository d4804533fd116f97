"""The online request, once for every way in (the portal's form and the API): validate
with the intake form, submit through the service, hand back the receipt the applicant
keeps. The ways in differ only in how they read the input and answer.

A submission may be keyed (the API's ``Idempotency-Key``, the form's one-time token):
then it runs once, and a repetition within 24 hours gets the first receipt back
(``gongkai.core.idempotency``). The applicant is told the number and secret by e-mail
(and SMS, when a backend is configured) once the request is committed: by tasks of
``gongkai.tasks`` written with it, so that no submission waits for (or fails with) the
mail server or the SMS gateway, and a failed send is retried."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from gongkai.core import clock, crypto, idempotency, sms
from gongkai.core.errors import DomainError
from gongkai.core.identifiers import is_plausible_mobile
from gongkai.core.models import IdempotencyRecord
from gongkai.core.uploads import sha256_of
from gongkai.foi.forms import OnlineRequestForm
from gongkai.foi.models import FoiRequest
from gongkai.foi.services.requests import request_submit_online
from gongkai.tasks.outbox import enqueue
from gongkai.tasks.registry import handler

logger = logging.getLogger(__name__)

# Fields that are not the request itself: a resubmission differing only in these is the same.
_NOT_CONTENT = {"csrfmiddlewaretoken", "form_token"}


@dataclass(frozen=True)
class Receipt:
    """What the applicant keeps: the tracking number and the secret to look the request
    up with (stored only hashed; shown on the receipt page and sent by e-mail)."""

    request: FoiRequest
    secret: str


@dataclass(frozen=True)
class Submission:
    """The bound form (with its errors when refused) and, when accepted, the receipt."""

    form: OnlineRequestForm
    receipt: Receipt | None = None


def receipt_json(request: FoiRequest, secret: str) -> dict:
    """The receipt as the API answers it (and as a keyed submission keeps it)."""
    return {
        "tracking_number": request.tracking_number,
        "secret": secret,
        "status": request.status,
        "status_label": request.get_status_display(),
    }


def submit_online(data, files=None, *, form_class=OnlineRequestForm, account=None) -> Submission:
    """Validate ``data`` (and ``files``) with the intake form and submit the request. A
    refusal by the service (e.g. an agency that no longer accepts requests) is an error
    on the agency field, where the applicant chose it. ``account``: the signed-in
    government-service account, whose verified identity the request carries."""
    form = form_class(data, files, account=account)
    if form.is_valid():
        try:
            request, secret = request_submit_online(
                agency=form.cleaned_data["agency"], data=form.applicant_data(),
                attachments=form.cleaned_data["attachments"], account=account,
            )
        except DomainError as exc:
            form.add_error("agency", exc.message)
        else:
            # Tasks sent after the commit: a rolled-back submission tells no one a number.
            queue_receipt_notices(request, secret)
            return Submission(form, Receipt(request, secret))
    return Submission(form)


# --- keyed (repeatable) submissions -------------------------------------------------------


@dataclass(frozen=True)
class KeyedSubmission:
    """The answer to a keyed submission: the receipt's JSON (fresh or replayed), or the
    refused form."""

    status: int
    body: dict
    replayed: bool
    record: IdempotencyRecord | None = None
    form: OnlineRequestForm | None = None
    extra: dict = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


def canonical_submission(data, files=None) -> str:
    """The submission in a canonical form for comparing bodies: fields sorted, files by
    name, size and SHA-256 (a multipart boundary or key order must not make a retry
    "another body")."""
    fields = {name: value for name, value in dict(data).items() if name not in _NOT_CONTENT}
    uploads = []
    for name in sorted(files or {}):
        for upload in files.getlist(name) if hasattr(files, "getlist") else [files[name]]:
            uploads.append([name, upload.name, upload.size, sha256_of(upload)])
    return json.dumps({"fields": fields, "files": uploads}, sort_keys=True, ensure_ascii=False)


def submit_online_once(data, files=None, *, scope: str, key: str, form_class=OnlineRequestForm,
                       check_body: bool = True, account=None) -> KeyedSubmission:
    """Submit once for ``key`` in ``scope``: a repetition within 24 hours answers with the
    first receipt (``replayed``); with ``check_body``, a repetition with another body
    raises ``IdempotencyConflict``. Refused input keeps nothing."""

    def produce() -> idempotency.Result:
        submission = submit_online(data, files, form_class=form_class, account=account)
        if submission.receipt is None:
            return idempotency.Result(400, {}, extra={"form": submission.form})
        receipt = submission.receipt
        return idempotency.Result(201, receipt_json(receipt.request, receipt.secret),
                                  reference=receipt.request.tracking_number)

    answer = idempotency.once(scope, key, canonical_submission(data, files), produce,
                              check_body=check_body)
    return KeyedSubmission(status=answer.status, body=answer.body, replayed=answer.replayed,
                           record=answer.record, form=answer.extra.get("form"))


# --- telling the applicant -------------------------------------------------------------------


def status_url() -> str:
    return settings.GONGKAI_BASE_URL.rstrip("/") + reverse("portal:status")


def receipt_text(request: FoiRequest, secret: str) -> str:
    return (
        f"您向{request.agency.name}提交的政府信息公开申请已收到，尚待该机关确认收到。\n\n"
        f"申请编号：{request.tracking_number}\n"
        f"查询码：{secret}\n\n"
        f"凭申请编号和查询码可在 {status_url()} 查询办理进度、查看和下载告知文书。"
        "请妥善保存查询码，不要转发给他人。\n\n"
        "网上提交的申请，以行政机关确认之日为收到申请之日（《政府信息公开条例》第三十一条）。\n"
    )


RECEIPT_EMAIL, RECEIPT_SMS = "foi.receipt_email", "foi.receipt_sms"


def queue_receipt_notices(request: FoiRequest, secret: str) -> None:
    """E-mail the number and secret when the applicant gave an address; text them when
    the phone is a mobile and an SMS backend is configured: tasks written in the caller's
    transaction (each once per request), sent after its commit and retried on failure.
    The request stands whatever becomes of them: the receipt page has shown both already.
    The secret is stored only hashed with the request; in the tasks' arguments it is
    encrypted under the field key (``core.crypto``), and done tasks are deleted after 30
    days (``tasks.purge``)."""
    token = crypto.encrypt(secret)
    if request.email:
        enqueue(RECEIPT_EMAIL, args={"request": request.pk, "secret": token}, key=f"{RECEIPT_EMAIL}:{request.pk}")
    if sms.configured() and is_plausible_mobile(request.phone):
        enqueue(RECEIPT_SMS, args={"request": request.pk, "secret": token}, key=f"{RECEIPT_SMS}:{request.pk}")


@handler(RECEIPT_EMAIL)
def send_receipt_email(*, request: int, secret: str) -> None:
    found = FoiRequest.objects.select_related("agency").get(pk=request)
    EmailMessage(
        subject=f"政府信息公开申请已提交（申请编号 {found.tracking_number}）",
        body=receipt_text(found, crypto.decrypt(secret)), to=[found.email],
    ).send()


@handler(RECEIPT_SMS)
def send_receipt_sms(*, request: int, secret: str) -> None:
    found = FoiRequest.objects.select_related("agency").get(pk=request)
    sms.send_sms(found.phone, (
        f"【政府信息公开】您向{found.agency.name}提交的申请已收到，"
        f"申请编号{found.tracking_number}，查询码{crypto.decrypt(secret)}，请妥善保存。"))


def kept_receipt(*, record_pk: int | None, tracking_number: str) -> tuple[FoiRequest, str | None] | None:
    """The request a browser submitted (its server-side session keeps the record's id)
    and, while the record is kept (24 hours), the secret from its encrypted answer."""
    request = FoiRequest.objects.select_related("agency").filter(tracking_number=tracking_number).first()
    if request is None or record_pk is None:
        return None
    record = IdempotencyRecord.objects.filter(
        pk=record_pk, scope=idempotency.SCOPE_WEB, reference=tracking_number,
        created_at__gt=clock.now() - idempotency.RETENTION).first()
    return request, (idempotency.stored_body(record).get("secret") if record else None)
