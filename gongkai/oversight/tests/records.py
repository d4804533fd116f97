"""Unsaved records of every area the compliance table reads, with only the fields it needs
filled in plausibly: the tests save them one by one, the province generator
(``bench/province.py``) in bulk. Dates are arguments: nothing here reads the clock."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from gongkai.core.models import Agency
from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus, PartyType
from gongkai.foi.models import FoiEvent, FoiRequest
from gongkai.foi.outcomes import Outcome
from gongkai.foi.workflow import Action, RequestStatus
from gongkai.interaction.models import Message
from gongkai.interaction.workflow import Kind, MessageStatus
from gongkai.publishing.models import (
    Column,
    ColumnKind,
    Interpretation,
    InterpretationForm,
    NormativeDocument,
    NormativeKind,
    Publication,
    PublicationStatus,
)
from gongkai.reports.models import AnnualReport, ReportState


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def request(agency: Agency, n: int, *, received_on: dt.date, closed_on: dt.date | None = None,
            status: str | None = None) -> FoiRequest:
    """A request registered on ``received_on``; replied (予以公开) on ``closed_on`` if given."""
    closed = closed_on is not None
    return FoiRequest(
        agency=agency, tracking_number=f"T{agency.pk}-{n}", secret_hash="x", channel="in_person",
        status=status or (RequestStatus.REPLIED if closed else RequestStatus.IN_PROGRESS),
        submitted_at=noon(received_on), received_on=received_on, applicant_type="natural_person",
        name="申请人", id_type="resident_id", id_number="110101199001011234",
        applicant_key=hashlib.sha256(f"{agency.pk}-{n}".encode()).hexdigest(), phone="13800000000",
        description="所需信息", delivery="email", closed_on=closed_on,
        outcome=Outcome.DISCLOSED if closed else "",
    )


def request_events(req: FoiRequest) -> list[FoiEvent]:
    """Its register event (which starts the clock) and, if replied, the reply."""
    events = [FoiEvent(request=req, action=Action.REGISTER, from_status="", to_status=RequestStatus.IN_PROGRESS,
                       at=noon(req.received_on), on=req.received_on)]
    if req.closed_on:
        events.append(FoiEvent(request=req, action=Action.REPLY, from_status=RequestStatus.IN_PROGRESS,
                               to_status=RequestStatus.REPLIED, at=noon(req.closed_on), on=req.closed_on))
    return events


def column(agency: Agency, name: str, kind: str = ColumnKind.DYNAMIC, parent: Column | None = None,
           sort_order: int = 0) -> Column:
    return Column(agency=agency, name=name, kind=kind, parent=parent, sort_order=sort_order)


def publication(agency: Agency, n: int, *, written_on: dt.date, published_on: dt.date | None, user,
                title: str = "") -> Publication:
    return Publication(
        agency=agency, index_number=f"{agency.code}-{n}", title=title or f"政府信息{n}",
        status=PublicationStatus.PUBLISHED if published_on else PublicationStatus.DRAFT,
        issuing_agency=agency.name, written_on=written_on, published_on=published_on,
        disclosure_attribute="proactive", created_by=user,
    )


def normative(agency: Agency, n: int, *, issued_on: dt.date, user) -> NormativeDocument:
    return NormativeDocument(agency=agency, kind=NormativeKind.NORMATIVE_DOCUMENT, title=f"规范性文件{n}",
                             doc_number=f"{agency.code}规〔{issued_on.year}〕{n}号", issued_on=issued_on,
                             created_by=user)


def interpretation(document: NormativeDocument, *, published_on: dt.date, user) -> Interpretation:
    return Interpretation(document=document, form=InterpretationForm.TEXT, title="解读",
                          published_on=published_on, created_by=user)


def decision(agency: Agency, n: int, *, decision_date: dt.date, published_on: dt.date | None,
             kind: str = DecisionKind.PENALTY) -> Decision:
    return Decision(
        agency=agency, kind=kind, number=f"{agency.code}罚〔{decision_date.year}〕{n}号",
        party_name="某某公司", party_type=PartyType.ORGANISATION, party_uscc="91110000000000000X",
        matter="事项", content="内容", penalty_types=2, deciding_body=agency.name, decision_date=decision_date,
        status=DecisionStatus.PUBLISHED if published_on else DecisionStatus.PENDING, published_on=published_on,
    )


def report(agency: Agency, year: int, *, state: str = ReportState.PUBLISHED,
           published_on: dt.date | None = None) -> AnnualReport:
    return AnnualReport(agency=agency, year=year, format_id="2021", state=state,
                        published_on=published_on if state == ReportState.PUBLISHED else None)


def message(agency: Agency, n: int, *, received_on: dt.date, replied_on: dt.date | None = None,
            status: str | None = None) -> Message:
    return Message(
        agency=agency, tracking_number=f"M{agency.pk}-{n}", secret_hash="x", kind=Kind.INQUIRY,
        subject="留言", content="内容", status=status or (MessageStatus.REPLIED if replied_on else MessageStatus.RECEIVED),
        submitted_at=noon(received_on), received_on=received_on, replied_on=replied_on,
    )
