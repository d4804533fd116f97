"""The public message, once for every way in (the portal's form and the API): validate
with the message form, submit through the service, hand back the receipt (number and
secret). A keyed submission (the API's ``Idempotency-Key``, the portal form's one-time
token) runs once; a repetition within 24 hours gets the first receipt
(``gongkai.core.idempotency``, under the message board's own scopes, so a key can never
replay a request's receipt)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from gongkai.core import clock, idempotency
from gongkai.core.errors import DomainError
from gongkai.core.models import IdempotencyRecord
from gongkai.interaction.forms import MessageForm
from gongkai.interaction.models import Message
from gongkai.interaction.services import message_submit

SCOPE_API = "api-messages"
SCOPE_WEB = "web-messages"
_NOT_CONTENT = {"csrfmiddlewaretoken", "form_token", "captcha", "captcha_token"}


def receipt_json(message: Message, secret: str) -> dict:
    return {"tracking_number": message.tracking_number, "secret": secret}


@dataclass(frozen=True)
class Submission:
    status: int
    body: dict
    replayed: bool = False
    form: MessageForm | None = None
    record: IdempotencyRecord | None = None

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


def submit(data, *, form_class=MessageForm, account=None) -> Submission:
    form = form_class(data)
    if form.is_valid():
        try:
            message, secret = message_submit(agency=form.cleaned_data["agency"],
                                             data=form.message_data(), account=account)
        except DomainError as exc:
            form.add_error("agency", exc.message)
        else:
            return Submission(201, receipt_json(message, secret), form=form)
    return Submission(400, {}, form=form)


def _canonical(data) -> str:
    fields = {k: v for k, v in dict(data).items() if k not in _NOT_CONTENT}
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)


def submit_once(data, *, scope: str, key: str, form_class=MessageForm,
                check_body: bool = True, account=None) -> Submission:
    def produce() -> idempotency.Result:
        submission = submit(data, form_class=form_class, account=account)
        if not submission.accepted:
            return idempotency.Result(400, {}, extra={"form": submission.form})
        return idempotency.Result(201, submission.body,
                                  reference=submission.body["tracking_number"])

    answer = idempotency.once(scope, key, _canonical(data), produce, check_body=check_body)
    return Submission(answer.status, answer.body, replayed=answer.replayed,
                      form=answer.extra.get("form"), record=answer.record)


def kept_receipt(*, record_pk: int | None, tracking_number: str) -> tuple[Message, str | None] | None:
    """The message a browser submitted (its session keeps the record's id) and, while the
    record is kept (24 hours), the secret from its encrypted answer."""
    message = Message.objects.select_related("agency").filter(tracking_number=tracking_number).first()
    if message is None or record_pk is None:
        return None
    record = IdempotencyRecord.objects.filter(
        pk=record_pk, scope=SCOPE_WEB, reference=tracking_number,
        created_at__gt=clock.now() - idempotency.RETENTION).first()
    if record is None:
        return None
    return message, idempotency.stored_body(record).get("secret")
