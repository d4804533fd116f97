"""Reads of requests for views and the API. Deadlines are derived here from each
request's events and the platform calendar (``foi.deadlines``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from gongkai.core import clock
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.workdays import WorkingDayCalendar
from gongkai.foi import deadlines, permissions
from gongkai.foi.models import AgencyFoiSettings, FoiEvent, FoiRequest
from gongkai.foi.outcomes import report_row_for
from gongkai.foi.tracking import check_secret
from gongkai.foi.workflow import OPEN_STATUSES, Action, RequestStatus

CK = deadlines.ClockEventKind
_PAUSE_LABELS = {
    deadlines.PauseReason.THIRD_PARTY: "征求第三方意见",
    deadlines.PauseReason.OTHER_AGENCY: "征求其他机关意见",
    deadlines.PauseReason.FEE: "收费通知至缴费",
}


def clock_events(events: list[FoiEvent], *, fee_pauses: bool = True) -> list[deadlines.ClockEvent]:
    """The events that move the reply clock, from a request's history."""
    result = []
    for e in events:
        if e.action in (Action.REGISTER, Action.CONFIRM_RECEIPT):
            result.append(deadlines.ClockEvent(CK.RECEIVED, e.on, label="收到申请"))
        elif e.action == Action.REQUEST_CORRECTION:
            result.append(deadlines.ClockEvent(CK.CORRECTION_REQUESTED, e.on, label="告知补正"))
        elif e.action == Action.CORRECTION_RECEIVED:
            result.append(deadlines.ClockEvent(CK.CORRECTION_RECEIVED, e.on, label="收到补正"))
        elif e.action == Action.START_CONSULTATION:
            reason = deadlines.PauseReason(e.data.get("party_kind", "third_party"))
            result.append(deadlines.ClockEvent(
                CK.PAUSE_STARTED, e.on, key=f"consultation:{e.data.get('consultation_id')}",
                label=f"{_PAUSE_LABELS[reason]}（{e.data.get('party', '')}）", reason=reason,
            ))
        elif e.action == Action.END_CONSULTATION:
            result.append(deadlines.ClockEvent(
                CK.PAUSE_ENDED, e.on, key=f"consultation:{e.data.get('consultation_id')}"))
        elif e.action == Action.SEND_FEE_NOTICE and fee_pauses:
            result.append(deadlines.ClockEvent(
                CK.PAUSE_STARTED, e.on, key=f"fee:{e.data.get('fee_notice_id')}",
                label=_PAUSE_LABELS[deadlines.PauseReason.FEE], reason=deadlines.PauseReason.FEE))
        elif e.action == Action.RECORD_PAYMENT and fee_pauses:
            result.append(deadlines.ClockEvent(
                CK.PAUSE_ENDED, e.on, key=f"fee:{e.data.get('fee_notice_id')}"))
        elif e.action == Action.EXTEND:
            result.append(deadlines.ClockEvent(CK.EXTENDED, e.on, days=int(e.data["days"]), label="延期答复"))
    return result


def _fee_pauses(agency_id: int) -> bool:
    setting = AgencyFoiSettings.objects.filter(agency_id=agency_id).values_list(
        "fee_notice_pauses_clock", flat=True).first()
    return True if setting is None else setting


def request_deadline(request: FoiRequest, *, as_of: dt.date | None = None,
                     calendar: WorkingDayCalendar | None = None,
                     fee_pauses: bool | None = None) -> deadlines.Deadline:
    """The reply deadline as of a day (default today). For a finished request the clock
    is read as of the day it finished, so "was it on time" stays answerable."""
    as_of = as_of or clock.today()
    if request.closed_on and request.closed_on < as_of:
        as_of = request.closed_on
    events = list(request.events.all())
    return deadlines.reply_deadline(
        clock_events(events, fee_pauses=_fee_pauses(request.agency_id) if fee_pauses is None else fee_pauses),
        as_of=as_of, calendar=calendar or get_working_day_calendar(),
    )


@dataclass
class RequestRow:
    request: FoiRequest
    deadline: deadlines.Deadline


def with_deadlines(requests, *, as_of: dt.date | None = None) -> list[RequestRow]:
    """Deadlines for a page of requests with one calendar and prefetched events."""
    calendar = get_working_day_calendar()
    settings = dict(AgencyFoiSettings.objects.values_list("agency_id", "fee_notice_pauses_clock"))
    return [
        RequestRow(r, request_deadline(r, as_of=as_of, calendar=calendar,
                                       fee_pauses=settings.get(r.agency_id, True)))
        for r in requests
    ]


def request_list_for_user(*, user, status: str = "", department_id: int | None = None,
                          open_only: bool = False, agency_id: int | None = None, under=None,
                          same_applicant_as: FoiRequest | None = None) -> QuerySet[FoiRequest]:
    """The user's requests, unconfirmed online submissions first (their clock has not
    started, and only the office's confirmation starts it: Art. 31), then newest first.
    ``agency_id``: that agency only; ``under``: an agency and its subtree;
    ``same_applicant_as``: the same applicant's requests to that request's agency."""
    qs = permissions.requests_visible_to(user).select_related("agency", "department").prefetch_related(
        Prefetch("events", queryset=FoiEvent.objects.order_by("id"))
    )
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES | {RequestStatus.AWAITING_CONFIRMATION})
    if department_id:
        qs = qs.filter(department_id=department_id)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    if under is not None:
        qs = qs.filter(agency__path__startswith=under.path)
    if same_applicant_as is not None:
        qs = qs.filter(agency_id=same_applicant_as.agency_id, applicant_key=same_applicant_as.applicant_key)
    unconfirmed_first = Case(When(status=RequestStatus.AWAITING_CONFIRMATION, then=Value(0)),
                             default=Value(1), output_field=IntegerField())
    return qs.order_by(unconfirmed_first, "-submitted_at", "-pk")


def request_get_for_user(*, user, pk: int) -> FoiRequest:
    request = (
        FoiRequest.objects.select_related("agency", "department").filter(pk=pk).first()
    )
    if request is None or not permissions.can_view_request(user, request):
        raise Http404("申请不存在")
    return request


def request_get_public(*, tracking_number: str, secret: str) -> FoiRequest | None:
    """For the applicant: the request if the number and secret match, else None — the
    same answer for an unknown number and a wrong secret."""
    request = FoiRequest.objects.select_related("agency").filter(
        tracking_number=(tracking_number or "").strip()).first()
    if request is None or not check_secret(secret or "", request.secret_hash):
        return None
    return request


def requests_of_account(account) -> list[RequestRow]:
    """A signed-in applicant's own requests ("我的申请"), newest first, with the deadlines
    of the open ones (a fixed number of queries however many there are)."""
    qs = (FoiRequest.objects.filter(public_account=account).select_related("agency")
          .prefetch_related(Prefetch("events", queryset=FoiEvent.objects.order_by("id")))
          .order_by("-submitted_at", "-pk"))
    return with_deadlines(qs)


def request_get_for_account(*, account, tracking_number: str) -> FoiRequest | None:
    """The request for its owner's account without the secret; None (the same answer as
    an unknown number) for anyone else's or for no account."""
    if account is None:
        return None
    return FoiRequest.objects.select_related("agency").filter(
        public_account=account, tracking_number=(tracking_number or "").strip()).first()


def report_row(request: FoiRequest) -> str | None:
    """The table 三 row a finished request is counted in; None for one never received
    (voided, or withdrawn before confirmation), which the report does not count."""
    if request.received_on is None:
        return None
    if not request.outcome:
        return None
    return report_row_for(request.outcome)


def similar_requests(request: FoiRequest, *, window_days: int | None = None) -> list[FoiRequest]:
    """Earlier requests of the same applicant to the same agency whose descriptions are
    alike, for staff to judge a repeat (Art. 36 item 6; report row (五)2)."""
    from gongkai.foi.similarity import description_similarity

    if window_days is None:
        setting = AgencyFoiSettings.objects.filter(agency_id=request.agency_id).first()
        window_days = setting.duplicate_window_days if setting else 365
    since = clock.localdate_of(request.submitted_at) - dt.timedelta(days=window_days)
    earlier = FoiRequest.objects.filter(
        agency_id=request.agency_id, applicant_key=request.applicant_key,
        submitted_at__lt=request.submitted_at, submitted_at__date__gte=since,
    ).exclude(status=RequestStatus.VOIDED).order_by("-submitted_at")[:50]
    return [r for r in earlier if description_similarity(r.description, request.description) >= 0.6]


def _request_day(request: FoiRequest) -> dt.date:
    """The day a request counts from: its receipt (Art. 31), or, not yet confirmed, the
    day it was submitted."""
    return request.received_on or clock.localdate_of(request.submitted_at)


def _submitted_between(first: dt.date, last: dt.date) -> Q:
    """Submitted on a local day in [first, last] (``submitted_at`` is a moment)."""
    return Q(submitted_at__gte=_local_midnight(first),
             submitted_at__lt=_local_midnight(last + dt.timedelta(days=1)))


def _local_midnight(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _counted_on_days(first: dt.date, last: dt.date) -> Q:
    """Requests whose counting day (``_request_day``) lies in [first, last]."""
    return (Q(received_on__gte=first, received_on__lte=last)
            | (Q(received_on__isnull=True) & _submitted_between(first, last)))


@dataclass(frozen=True)
class ApplicantCounts:
    """How many requests the same applicant (``applicant_key``) made to this agency:
    in this request's month — by receipt date, as the per-request fee counts them
    (国办函〔2020〕109号) — within the duplicate window before it, and in all; this one
    included. (The month count once mixed the receipt month with the submission time,
    so a request entered after the month it was received in counted nothing.)"""

    month_of: dt.date
    month: int
    window_days: int
    window: int
    total: int


def applicant_counts(request: FoiRequest) -> ApplicantCounts:
    same = FoiRequest.objects.filter(
        agency_id=request.agency_id, applicant_key=request.applicant_key,
    ).exclude(status=RequestStatus.VOIDED)
    day = _request_day(request)
    month_start = day.replace(day=1)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    setting = AgencyFoiSettings.objects.filter(agency_id=request.agency_id).first()
    window_days = setting.duplicate_window_days if setting else 365
    return ApplicantCounts(
        month_of=month_start,
        month=same.filter(_counted_on_days(month_start, month_end)).count(),
        window_days=window_days,
        window=same.filter(_counted_on_days(day - dt.timedelta(days=window_days), day)).count(),
        total=same.count(),
    )


@dataclass
class AgencyLine:
    """One agency's line of a supervising office's overview."""

    agency: object
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    unconfirmed: int = 0


@dataclass
class Dashboard:
    rows: list[RequestRow]
    by_status: Counter
    by_department: Counter
    overdue: int
    due_soon: int
    year_by_applicant_type: Counter
    year_by_outcome: Counter
    received_this_year: int
    by_agency: list[AgencyLine]


def _dashboard_order(row: RequestRow):
    """Unconfirmed submissions first (oldest first: each waits for the office to start
    its clock), then by due date."""
    if row.request.status == RequestStatus.AWAITING_CONFIRMATION:
        return (0, row.request.submitted_at.timestamp(), dt.date.min)
    return (1 if row.deadline.due_on else 2, 0, row.deadline.due_on or dt.date.max)


def office_dashboard(*, user, agency, year: int | None = None) -> Dashboard:
    """The overview of ``agency`` and the agencies below it, as far as the user may see
    them: an office sees its own agency, a supervising office its whole subtree (one
    line per agency with requests)."""
    year = year or clock.today().year
    open_requests = list(request_list_for_user(user=user, open_only=True, under=agency))
    rows = with_deadlines(open_requests)
    rows.sort(key=_dashboard_order)
    visible = permissions.requests_visible_to(user).filter(agency__path__startswith=agency.path)
    received = visible.filter(received_on__year=year)
    finished = visible.filter(closed_on__year=year, received_on__isnull=False).exclude(outcome="")
    lines: dict[int, AgencyLine] = {}
    for r in rows:
        line = lines.setdefault(r.request.agency_id, AgencyLine(r.request.agency))
        line.open += 1
        line.overdue += r.deadline.overdue
        line.due_soon += r.deadline.due_soon
        line.unconfirmed += r.request.status == RequestStatus.AWAITING_CONFIRMATION
    return Dashboard(
        rows=rows,
        by_status=Counter(r.request.get_status_display() for r in rows),
        by_department=Counter(r.request.department.name if r.request.department else "未分办" for r in rows),
        overdue=sum(1 for r in rows if r.deadline.overdue),
        due_soon=sum(1 for r in rows if r.deadline.due_soon),
        year_by_applicant_type=Counter(received.values_list("applicant_type", flat=True)),
        year_by_outcome=Counter(finished.values_list("outcome", flat=True)),
        received_this_year=received.count(),
        by_agency=sorted(lines.values(), key=lambda line: line.agency.path),
    )


def pending_signoff_work(*, user) -> dict[str, list]:
    """What waits on this user across the requests they may see: drafts to check (office),
    drafts to sign off and extension requests to decide (leader), drafts returned to or
    being written by them (the drafter)."""
    from gongkai.core import permissions as core_permissions
    from gongkai.core.models import Role
    from gongkai.foi.models import DraftState, ExtensionRequest, ExtensionState, LetterDraft

    office = core_permissions.agency_ids_with_role(user, Role.OFFICE)
    leader = core_permissions.agency_ids_with_role(user, Role.LEADER)
    visible = permissions.requests_visible_to(user).filter(status__in=OPEN_STATUSES)
    drafts = LetterDraft.objects.filter(request__in=visible).select_related(
        "request", "request__agency", "drafted_by").order_by("updated_at", "id")
    return {
        "to_check": list(drafts.filter(state=DraftState.AWAITING_CHECK, request__agency_id__in=office)),
        "to_sign": list(drafts.filter(state=DraftState.AWAITING_SIGNOFF, request__agency_id__in=leader)),
        "mine": list(drafts.filter(state__in=(DraftState.DRAFTING, DraftState.RETURNED),
                                   drafted_by=user)) if user.is_authenticated else [],
        "extensions": list(ExtensionRequest.objects.filter(
            request__in=visible, state=ExtensionState.REQUESTED, request__agency_id__in=leader,
        ).select_related("request", "request__agency", "requested_by").order_by("requested_at", "id")),
    }


def _drafts_qs():
    """A request's drafts, oldest first, with who took each step."""
    from gongkai.foi.models import LetterDraft

    return LetterDraft.objects.select_related("drafted_by", "checked_by", "signed_by").order_by("created_at", "id")


def _extension_requests_qs():
    from gongkai.foi.models import ExtensionRequest

    return ExtensionRequest.objects.select_related("requested_by", "decided_by").order_by("requested_at", "id")


def draft_get_for_user(*, user, pk: int):
    """A draft of a request the user may see; 404 otherwise."""
    from gongkai.foi.models import LetterDraft

    draft = LetterDraft.objects.select_related("request__agency", "request__department").filter(pk=pk).first()
    if draft is None or not permissions.can_view_request(user, draft.request):
        raise Http404("拟稿不存在")
    return draft


def extension_request_get_for_user(*, user, pk: int):
    """An extension request on a request the user may see; 404 otherwise."""
    from gongkai.foi.models import ExtensionRequest

    ext = ExtensionRequest.objects.select_related("request__agency").filter(pk=pk).first()
    if ext is None or not permissions.can_view_request(user, ext.request):
        raise Http404("延期申请不存在")
    return ext


# --- back-office pages (staff views) ----------------------------------------------------


def request_detail_for_user(*, user, pk: int) -> FoiRequest:
    """One request with everything its back-office page shows, prefetched so the events
    are read once (for the history and for the deadline). Same 404 as
    ``request_get_for_user`` for missing and foreign requests."""
    from django.db.models import prefetch_related_objects

    request = request_get_for_user(user=user, pk=pk)
    prefetch_related_objects(
        [request],
        Prefetch("events", queryset=FoiEvent.objects.select_related("actor").order_by("id")),
        "consultations", "fee_notices", "attachments", "appeals",
        Prefetch("drafts", queryset=_drafts_qs()),
        Prefetch("extension_requests", queryset=_extension_requests_qs()),
    )
    return request


def request_reply_of(request: FoiRequest):
    """The request's reply, or None."""
    from gongkai.foi.models import Reply

    return Reply.objects.filter(request=request).first()


def consultation_get_for_user(*, user, pk: int):
    """A consultation of a request the user may see; 404 otherwise."""
    from gongkai.foi.models import Consultation

    consultation = Consultation.objects.select_related("request__agency").filter(pk=pk).first()
    if consultation is None or not permissions.can_view_request(user, consultation.request):
        raise Http404("征求意见记录不存在")
    return consultation


def appeal_get_for_user(*, user, pk: int):
    """An administrative review or lawsuit on a request the user may see; 404 otherwise."""
    from gongkai.foi.models import Appeal

    appeal = Appeal.objects.select_related("request__agency").filter(pk=pk).first()
    if appeal is None or not permissions.can_view_request(user, appeal.request):
        raise Http404("复议诉讼记录不存在")
    return appeal


def attachment_get(*, request: FoiRequest, pk: int):
    """One of the request's attachments; 404 if it belongs to another request."""
    from gongkai.foi.models import RequestAttachment

    attachment = RequestAttachment.objects.filter(request=request, pk=pk).first()
    if attachment is None:
        raise Http404("附件不存在")
    return attachment


def assignable_departments(agency):
    """The agency's departments in use, for assigning a request."""
    from gongkai.core.models import Department

    return Department.objects.filter(agency=agency, is_active=True).order_by("sort_order", "id")


def departments_visible_to(user):
    """Departments of the agencies whose requests the user may see (list filter)."""
    from gongkai.core import permissions as core_permissions
    from gongkai.core.models import Department

    return Department.objects.filter(
        agency__in=core_permissions.agencies_visible_to(user)
    ).select_related("agency").order_by("agency__path", "sort_order", "id")


def request_rows_due(*, user, overdue: bool = False, due_soon: bool = False, status: str = "",
                     department_id: int | None = None, agency_id: int | None = None, under=None,
                     as_of: dt.date | None = None) -> list[RequestRow]:
    """Open requests visible to the user that are overdue and/or due within
    ``deadlines.DUE_SOON_DAYS`` working days, soonest first. Computed, never stored."""
    qs = request_list_for_user(user=user, status=status, department_id=department_id,
                               agency_id=agency_id, under=under).filter(status__in=OPEN_STATUSES)
    rows = [
        row for row in with_deadlines(qs, as_of=as_of)
        if (overdue and row.deadline.overdue) or (due_soon and row.deadline.due_soon)
    ]
    rows.sort(key=lambda r: (r.deadline.due_on is None, r.deadline.due_on or dt.date.max))
    return rows


def office_recipients(agency) -> list:
    """The agency's disclosure office staff who have an e-mail address (digests and
    notices go to them)."""
    from gongkai.core.models import Membership, Role

    emails = Membership.objects.filter(
        agency=agency, role=Role.OFFICE, is_active=True, user__is_active=True,
    ).exclude(user__email="").order_by("user__username").values_list("user__email", flat=True)
    return list(dict.fromkeys(emails))


def open_requests_with_deadlines(*, agency=None, as_of: dt.date | None = None) -> list[RequestRow]:
    """Open requests (of one agency, or all), with their deadlines as of a day."""
    qs = FoiRequest.objects.filter(status__in=OPEN_STATUSES).select_related(
        "agency", "department").prefetch_related(Prefetch("events", queryset=FoiEvent.objects.order_by("id")))
    if agency is not None:
        qs = qs.filter(agency=agency)
    return with_deadlines(qs.order_by("agency_id", "pk"), as_of=as_of)


def deadline_due_text(d: deadlines.Deadline) -> str:
    """The due date as a list shows it, whatever the clock's state."""
    S = deadlines.DeadlineState
    if d.state is S.NOT_STARTED:
        return "尚未开始计算"
    if d.state is S.STOPPED_FOR_CORRECTION:
        return "等待补正（期限停止计算）"
    if d.state is S.PAUSED:
        return f"中止计算中（如今日恢复：{d.due_on_if_resumed_today.isoformat()}）"
    return d.due_on.isoformat()


def deadline_left_text(d: deadlines.Deadline) -> str:
    """Working days left (or overdue) in words."""
    if d.days_left is None:
        return "—"
    if d.days_left < 0:
        return f"已逾期{-d.days_left}个工作日"
    if d.state is deadlines.DeadlineState.PAUSED:
        return f"剩余{d.days_left}个工作日（中止中）"
    return "今日到期" if d.days_left == 0 else f"剩余{d.days_left}个工作日"


@dataclass(frozen=True)
class PublicStatus:
    """What the applicant may see of a request (status page and API). The clock is
    shown only while it can run: before receipt and after the end there is none."""

    request: FoiRequest
    deadline: deadlines.Deadline | None
    reply: object | None  # Reply
    # The applicant's letters and (once replied) disclosed files; the timeline of steps.
    documents: object = None  # foi.delivery.ApplicantDocuments
    timeline: list = ()  # list[TimelineEntry]


def request_public_status(request: FoiRequest) -> PublicStatus:
    from gongkai.foi.delivery import applicant_documents

    running = request.status in OPEN_STATUSES
    return PublicStatus(
        request=request,
        deadline=request_deadline(request) if running else None,
        reply=getattr(request, "reply", None) if request.status not in OPEN_STATUSES else None,
        documents=applicant_documents(request),
        timeline=request_public_timeline(request),
    )


@dataclass(frozen=True)
class TimelineEntry:
    on: dt.date
    action: str
    label: str


# The steps the applicant is told of, in plain words. Anything else (assignment, drafts,
# sign-off, extension requests, archiving) is the agency's internal work and is not shown;
# nor are staff names, reasons or the consulted party (Art. 32 protects the third party).
_PUBLIC_STEPS = {
    Action.SUBMIT: "网上提交申请",
    Action.REGISTER: "行政机关收到申请",
    Action.CONFIRM_RECEIPT: "行政机关确认收到申请，开始计算答复期限",
    Action.VOID: "申请作废",
    Action.REQUEST_CORRECTION: "行政机关告知补正申请（答复期限自收到补正后的申请之日起重新计算）",
    Action.CORRECTION_RECEIVED: "收到补正后的申请",
    Action.CLOSE_NO_CORRECTION: "逾期未补正，视为放弃申请",
    Action.START_CONSULTATION: "征求第三方意见（征求意见期间不计入答复期限）",
    Action.END_CONSULTATION: "征求意见结束",
    Action.EXTEND: "延期答复",
    Action.SEND_FEE_NOTICE: "发出收费通知（缴费期间不计入答复期限）",
    Action.RECORD_PAYMENT: "已缴费",
    Action.CLOSE_FEE_UNPAID: "逾期未缴费，视为放弃申请",
    Action.REPLY: "作出答复",
    Action.DELIVER: "答复已送达",
    Action.WITHDRAW: "申请人撤回申请",
}


def request_public_timeline(request: FoiRequest) -> list[TimelineEntry]:
    """The request's history as the applicant sees it, oldest first (see _PUBLIC_STEPS)."""
    from gongkai.foi.models import ConsultationParty, Delivery

    entries = []
    for event in FoiEvent.objects.filter(request=request).order_by("id"):
        label = _PUBLIC_STEPS.get(event.action)
        if label is None:
            continue
        data = event.data or {}
        if event.action == Action.START_CONSULTATION and data.get("party_kind") == ConsultationParty.OTHER_AGENCY:
            label = "征求有关机关意见（征求意见期间不计入答复期限）"
        elif event.action == Action.EXTEND and str(data.get("days", "")).isdigit():
            label = f"延期答复，答复期限延长{data['days']}个工作日"
        elif event.action == Action.DELIVER and data.get("method") in Delivery.values:
            label = f"答复已送达（{Delivery(data['method']).label}）"
        entries.append(TimelineEntry(on=event.on, action=event.action, label=label))
    return entries


# --- delivery by e-mail ------------------------------------------------------------------------


def delivery_email_latest(request: FoiRequest):
    """The request's latest delivery e-mail (``DeliveryEmail``), or None."""
    from gongkai.foi.models import DeliveryEmail

    return DeliveryEmail.objects.filter(request=request).order_by("-queued_at", "-id").first()


# --- the desk's queues (foi.desk; the request list's ?queue=) ---------------------------------
# A queue is defined once, as a Q over requests: the desk counts it and the list filters by
# it, so the count on the desk is what its link lists. Drafts and extension requests wait
# only while their request is open (as ``pending_signoff_work``).

REQUEST_QUEUES: dict[str, str] = {
    "unconfirmed": "待确认收到",
    "open": "办理中",
    "to_check": "待核稿",
    "to_sign": "待签发",
    "extension": "延期待审批",
    "returned": "拟稿退回修改",
}


def request_queue_q(queue: str, *, user) -> Q | None:
    """The requests in one of ``REQUEST_QUEUES`` (None for anything else): unconfirmed
    submissions; open requests; open requests with a draft awaiting the office's check or
    a leader's sign-off, or an extension request awaiting a leader; or with a draft the
    user wrote that came back to them for changes."""
    from django.db.models import Exists, OuterRef

    from gongkai.foi.models import DraftState, ExtensionRequest, ExtensionState, LetterDraft

    is_open = Q(status__in=OPEN_STATUSES)
    drafts = LetterDraft.objects.filter(request=OuterRef("pk"))
    if queue == "unconfirmed":
        return Q(status=RequestStatus.AWAITING_CONFIRMATION)
    if queue == "open":
        return is_open
    if queue == "to_check":
        return is_open & Q(Exists(drafts.filter(state=DraftState.AWAITING_CHECK)))
    if queue == "to_sign":
        return is_open & Q(Exists(drafts.filter(state=DraftState.AWAITING_SIGNOFF)))
    if queue == "extension":
        return is_open & Q(Exists(ExtensionRequest.objects.filter(
            request=OuterRef("pk"), state=ExtensionState.REQUESTED)))
    if queue == "returned":
        if not getattr(user, "pk", None):
            return Q(pk__in=[])
        return is_open & Q(Exists(drafts.filter(state=DraftState.RETURNED, drafted_by_id=user.pk)))
    return None


def request_queue_counts(*, user, agency_id: int, queues, department_id: int | None = None) -> dict[str, int]:
    """How many of the agency's requests visible to the user (of one department, if
    given) are in each queue: one aggregate query."""
    from django.db.models import Count

    base = permissions.requests_visible_to(user).filter(agency_id=agency_id)
    if department_id:
        base = base.filter(department_id=department_id)
    wanted = {name: request_queue_q(name, user=user) for name in queues}
    if not wanted:
        return {}
    return base.aggregate(**{name: Count("pk", filter=q) for name, q in wanted.items()})


@dataclass
class AgencyDeadlineCounts:
    """One agency's open requests that are overdue or due soon."""

    agency: object
    overdue: int = 0
    due_soon: int = 0


def request_deadline_counts(*, user, agency_id: int | None = None, under=None,
                            as_of: dt.date | None = None) -> list[AgencyDeadlineCounts]:
    """Overdue and due-soon open requests per agency, counted as the list's ``?due=``
    filter finds them (``request_rows_due``: the same requests and the same derived
    deadlines), worst first. The deadlines are derived, never stored, so this reads the
    open requests and their events once (two queries) and counts in memory."""
    qs = request_list_for_user(user=user, agency_id=agency_id, under=under).filter(status__in=OPEN_STATUSES)
    lines: dict[int, AgencyDeadlineCounts] = {}
    for row in with_deadlines(qs, as_of=as_of):
        if row.deadline.overdue or row.deadline.due_soon:
            line = lines.setdefault(row.request.agency_id, AgencyDeadlineCounts(row.request.agency))
            line.overdue += row.deadline.overdue
            line.due_soon += row.deadline.due_soon
    return sorted(lines.values(), key=lambda line: (-line.overdue, -line.due_soon, line.agency.path))
