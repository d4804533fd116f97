"""Administrative reviews and lawsuits against the handling of a request (Art. 51)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongkai.core import audit
from gongkai.core.errors import DomainError
from gongkai.core.models import Role
from gongkai.foi.models import Appeal, AppealKind, AppealOutcome, FoiRequest
from gongkai.foi.services.requests import _not_in_future, _require


@transaction.atomic
def appeal_record(*, actor, request: FoiRequest, kind: str, filed_on: dt.date, body: str,
                  case_number: str = "", note: str = "") -> Appeal:
    _require(actor, request, Role.OFFICE)
    _not_in_future(filed_on, "立案/申请日期")
    if not body.strip():
        raise DomainError("请填写复议机关或法院")
    appeal = Appeal.objects.create(request=request, kind=AppealKind(kind), filed_on=filed_on,
                                   body=body.strip(), case_number=case_number.strip(), note=note)
    audit.record(actor=actor, action="foi.appeal.record", obj=appeal, agency=request.agency,
                 after={"kind": kind, "filed_on": filed_on, "request": request.tracking_number})
    return appeal


@transaction.atomic
def appeal_decide(*, actor, appeal: Appeal, outcome: str, decided_on: dt.date, note: str = "") -> Appeal:
    appeal = Appeal.objects.select_for_update().select_related("request__agency").get(pk=appeal.pk)
    _require(actor, appeal.request, Role.OFFICE)
    outcome = AppealOutcome(outcome)
    if outcome == AppealOutcome.PENDING:
        raise DomainError("请选择审结结果")
    _not_in_future(decided_on, "决定/判决日期")
    if decided_on < appeal.filed_on:
        raise DomainError("决定日期不能早于立案日期")
    before = {"outcome": appeal.outcome}
    appeal.outcome, appeal.decided_on = outcome, decided_on
    if note:
        appeal.note = note
    appeal.save(update_fields=["outcome", "decided_on", "note"])
    audit.record(actor=actor, action="foi.appeal.decide", obj=appeal, agency=appeal.request.agency,
                 before=before, after={"outcome": outcome.value, "decided_on": decided_on})
    return appeal
