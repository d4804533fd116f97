"""Reads of messages for views, the desk, the API and the areas above (hot spots, the
question-answering engine). Deadlines are derived here from each message's receipt date,
its agency's setting and its history (``interaction.rules``, ``interaction.history``)."""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongkai.core import clock
from gongkai.core.masking import mask_email, mask_name, mask_phone
from gongkai.core.models import Agency
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.workdays import WorkingDayCalendar
from gongkai.foi.tracking import check_secret
from gongkai.interaction import history, permissions, rules
from gongkai.interaction.models import (
    AgencyMessageSettings,
    Message,
    MessageEvent,
    MessageReply,
    ReplyState,
)
from gongkai.interaction.services import PublicText
from gongkai.interaction.workflow import (
    ANSWERED_STATUSES,
    OPEN_STATUSES,
    Action,
    Kind,
    MessageStatus,
    Rating,
)
from gongkai.publishing import screening

S = MessageStatus


# --- deadlines ------------------------------------------------------------------------------------


class DueState(enum.Enum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ANSWERED = "answered"
    CLOSED = "closed"


@dataclass(frozen=True)
class MessageDeadline:
    due_on: dt.date
    reply_days: int
    extension_days: int
    pending_extension_days: int | None
    pending_extension_reason: str
    state: DueState
    days_left: int | None  # working days from today to the due date (negative: overdue)
    alert: rules.Alert

    @property
    def text(self) -> str:
        if self.state == DueState.OVERDUE:
            return f"已逾期{-self.days_left}个工作日"
        if self.state in (DueState.ON_TIME, DueState.DUE_SOON):
            return "今天到期" if self.days_left == 0 else f"还剩{self.days_left}个工作日"
        return ""


def reply_days_of(agency_ids) -> dict[int, int]:
    """Each agency's reply period (its setting, else the default), in one query."""
    ids = set(agency_ids)
    settings = dict(AgencyMessageSettings.objects.filter(agency_id__in=ids)
                    .values_list("agency_id", "reply_working_days"))
    return {pk: rules.reply_working_days(settings.get(pk)) for pk in ids}


def message_deadline(message: Message, *, events=None, reply_days: int | None = None,
                     as_of: dt.date | None = None,
                     calendar: WorkingDayCalendar | None = None) -> MessageDeadline:
    calendar = calendar or get_working_day_calendar()
    today = as_of or clock.today()
    events = list(message.events.all()) if events is None else events
    if reply_days is None:
        reply_days = reply_days_of([message.agency_id])[message.agency_id]
    extensions = history.extension_state(events)
    due_on = rules.reply_due_on(message.received_on, working_days=reply_days,
                                extension_days=extensions.approved_days, calendar=calendar)
    alert = rules.Alert.NONE
    days_left = None
    if message.status in OPEN_STATUSES:
        days_left = calendar.working_days_between(today, due_on)
        if due_on < today:
            state = DueState.OVERDUE
        elif days_left <= rules.DUE_SOON_WORKING_DAYS:
            state = DueState.DUE_SOON
        else:
            state = DueState.ON_TIME
        # The inspection counts from the day the public wrote, not from the last
        # transfer: handing a message on must not restart its three months.
        alert = rules.unanswered_alert(timezone.localdate(message.submitted_at), today)
    elif message.status in ANSWERED_STATUSES:
        state = DueState.ANSWERED
    else:
        state = DueState.CLOSED
    return MessageDeadline(due_on, reply_days, extensions.approved_days, extensions.pending_days,
                           extensions.pending_reason, state, days_left, alert)


@dataclass(frozen=True)
class MessageRow:
    message: Message
    deadline: MessageDeadline

    @property
    def on_time(self) -> bool | None:
        m = self.message
        if m.replied_on is None:
            return None
        return m.replied_on <= self.deadline.due_on


def _with_events(qs: QuerySet[Message]) -> QuerySet[Message]:
    return qs.select_related("agency", "department").prefetch_related(
        Prefetch("events", queryset=MessageEvent.objects.order_by("at", "id")))


def with_deadlines(messages, *, as_of: dt.date | None = None) -> list[MessageRow]:
    messages = list(messages)
    calendar = get_working_day_calendar()
    days = reply_days_of(m.agency_id for m in messages)
    return [MessageRow(m, message_deadline(m, events=list(m.events.all()),
                                           reply_days=days[m.agency_id], as_of=as_of,
                                           calendar=calendar))
            for m in messages]


# --- staff lists and queues ---------------------------------------------------------------------------

# Each desk queue is one of these filters of the list (``?queue=``).
QUEUES = {
    "received": "待分办",
    "to_check": "答复待审核",
    "extension": "待审批延期",
    "open": "办理中的留言",
    "overdue": "已逾期",
    "due_soon": "即将到期",
    "two_months": "超过2个月未答复",
    "three_months": "超过3个月未答复",
    "to_publish": "同意公开、待决定是否公开",
}


def _in_queue(row: MessageRow, queue: str) -> bool:
    m, d = row.message, row.deadline
    return {
        "received": m.status == S.RECEIVED,
        "to_check": m.status == S.AWAITING_CHECK,
        "extension": m.status in OPEN_STATUSES and d.pending_extension_days is not None,
        "open": m.status in OPEN_STATUSES,
        "overdue": d.state == DueState.OVERDUE,
        "due_soon": d.state == DueState.DUE_SOON,
        "two_months": d.alert == rules.Alert.TWO_MONTHS,
        "three_months": d.alert == rules.Alert.THREE_MONTHS,
        "to_publish": m.status == S.REPLIED and m.publish_consent,
    }.get(queue, True)


@dataclass(frozen=True)
class ListFilter:
    agency: Agency | None = None
    under: Agency | None = None
    status: str = ""
    kind: str = ""
    department_id: int | None = None
    queue: str = ""
    q: str = ""


# The queues that depend on the deadline (computed from the history, in Python); the
# others are plain filters of the database.
_DEADLINE_QUEUES = frozenset({"extension", "overdue", "due_soon", "two_months", "three_months"})


class LazyRows:
    """A message list the paginator reads one page at a time: the count in the database,
    and deadlines worked out only for the messages of the page shown."""

    def __init__(self, qs: QuerySet[Message], as_of: dt.date | None = None):
        self.qs, self.as_of = qs, as_of

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return with_deadlines(self.qs[index], as_of=self.as_of)
        return with_deadlines([self.qs[index]], as_of=self.as_of)[0]


def message_list_for_user(*, user, filters: ListFilter) -> list[MessageRow] | LazyRows:
    """The staff list, newest first. A queue that depends on the deadline is worked out
    over the matching open messages; every other list is read a page at a time."""
    qs = permissions.messages_visible_to(user)
    if filters.agency is not None:
        qs = qs.filter(Q(agency=filters.agency) | Q(transferred_from=filters.agency))
    if filters.under is not None:
        qs = qs.filter(agency__path__startswith=filters.under.path)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.department_id:
        qs = qs.filter(department_id=filters.department_id)
    if filters.q:
        qs = qs.filter(Q(subject__icontains=filters.q) | Q(tracking_number__icontains=filters.q))
    if filters.queue in ("received", "to_check"):
        qs = qs.filter(status={"received": S.RECEIVED, "to_check": S.AWAITING_CHECK}[filters.queue])
    elif filters.queue == "to_publish":
        qs = qs.filter(status=S.REPLIED, publish_consent=True)
    elif filters.queue in QUEUES:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.queue in QUEUES and filters.agency is not None:
        qs = qs.filter(agency=filters.agency)  # a queue is the agency's own work
    qs = _with_events(qs).order_by("-submitted_at", "-pk")
    if filters.queue not in _DEADLINE_QUEUES:
        return LazyRows(qs)
    return [r for r in with_deadlines(qs) if _in_queue(r, filters.queue)]


def queue_counts(*, user, agency: Agency, department_id: int | None = None,
                 under: Agency | None = None) -> dict[str, int]:
    """The desk's counts, each exactly what ``?queue=`` lists (two queries: the open and
    waiting messages of the agency, or the subtree, with their events)."""
    qs = permissions.messages_visible_to(user).filter(
        status__in=[*OPEN_STATUSES, S.REPLIED])
    qs = qs.filter(agency__path__startswith=under.path) if under else qs.filter(agency=agency)
    if department_id:
        qs = qs.filter(department_id=department_id)
    rows = with_deadlines(_with_events(qs))
    return {queue: sum(1 for r in rows if _in_queue(r, queue)) for queue in QUEUES}


@dataclass(frozen=True)
class ListedRow:
    """A row of the staff list with the subject as its reader may see it."""

    row: MessageRow
    subject: str

    @property
    def message(self) -> Message:
        return self.row.message

    @property
    def deadline(self) -> MessageDeadline:
        return self.row.deadline


def visible_subject(user, message: Message) -> str:
    """The subject in full for those who may see the writer's details, else masked."""
    if permissions.can_see_personal_data(user, message):
        return message.subject
    return masked_text(message, message.subject)


def message_get_for_user(*, user, pk: int) -> Message:
    message = (Message.objects.select_related("agency", "department", "transferred_from")
               .filter(pk=pk).first())
    if message is None or not permissions.can_view_message(user, message):
        raise Http404("留言不存在")
    return message


def message_history(message: Message) -> list[MessageEvent]:
    return list(message.events.select_related("agency", "actor").order_by("at", "id"))


def message_replies(message: Message) -> list[MessageReply]:
    return list(message.replies.select_related("written_by", "checked_by").order_by("written_at", "id"))


def pending_reply(message: Message) -> MessageReply | None:
    return message.replies.filter(state=ReplyState.SUBMITTED).order_by("written_at", "id").last()


def released_reply(message: Message) -> MessageReply | None:
    return message.replies.filter(state=ReplyState.RELEASED).order_by("written_at", "id").last()


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str
    full: bool


def writer_contact(message: Message, *, full: bool) -> Contact:
    if full:
        return Contact(message.name, message.phone, message.email, True)
    return Contact(mask_name(message.name) if message.name else "",
                   mask_phone(message.phone) if message.phone else "",
                   mask_email(message.email) if message.email else "", False)


def assignable_departments(agency: Agency):
    return agency.departments.filter(is_active=True).order_by("sort_order", "id")


def transfer_targets(agency: Agency) -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).exclude(pk=agency.pk).order_by("path")


def message_settings_of(agency: Agency) -> AgencyMessageSettings:
    return (AgencyMessageSettings.objects.filter(agency=agency).first()
            or AgencyMessageSettings(agency=agency))


# --- the public text of a message -----------------------------------------------------------------------


def masked_text(message: Message, text: str) -> str:
    """``text`` with the screening's personal data and the writer's own details masked."""
    text = screening.redact(text, screening.screen_text(text))
    for value, masked in ((message.name, mask_name(message.name)),
                          (message.phone, mask_phone(message.phone)),
                          (message.email, mask_email(message.email))):
        if value and len(value) >= 2:
            text = text.replace(value, masked)
    return text


def proposed_public_text(message: Message) -> PublicText:
    """What the office is offered to publish: the texts with personal data masked (the
    screening's findings, and the writer's own name and contact wherever they appear)."""
    reply = released_reply(message)
    return PublicText(masked_text(message, message.subject), masked_text(message, message.content),
                      masked_text(message, reply.text if reply else ""))


def screening_notes(message: Message) -> dict:
    """For the office's look before publishing: the leak findings (safe excerpts) and the
    moderation words in the original texts."""
    reply = released_reply(message)
    texts = {"留言": f"{message.subject}\n{message.content}", "答复": reply.text if reply else ""}
    findings = [(label, f) for label, text in texts.items() for f in screening.screen_text(text)]
    return {
        "findings": [{"where": label, "kind": screening.KIND_LABELS[f.kind], "excerpt": f.excerpt}
                     for label, f in findings],
        "words": message.word_hits,
    }


# --- the writer's look-up -----------------------------------------------------------------------------------


def message_get_public(*, tracking_number: str, secret: str) -> Message | None:
    """For the writer: the message if the number and secret match, else None — the same
    answer for an unknown number and a wrong secret."""
    message = Message.objects.select_related("agency").filter(
        tracking_number=(tracking_number or "").strip().upper()).first()
    if message is None or not check_secret(secret or "", message.secret_hash):
        return None
    return message


def messages_of_account(account) -> QuerySet[Message]:
    """A signed-in writer's own messages ("我的申请"), newest first."""
    return Message.objects.filter(public_account=account).select_related("agency").order_by(
        "-submitted_at", "-pk")


def message_get_for_account(*, account, tracking_number: str) -> Message | None:
    """The message for its writer's account without the secret; None for anyone else."""
    if account is None:
        return None
    return Message.objects.select_related("agency").filter(
        public_account=account, tracking_number=(tracking_number or "").strip().upper()).first()


@dataclass(frozen=True)
class TimelineEntry:
    on: dt.date
    label: str


@dataclass(frozen=True)
class PublicStatus:
    message: Message
    deadline: MessageDeadline
    timeline: list[TimelineEntry]
    reply: MessageReply | None
    dismissed_reason: str
    may_rate: bool


_PUBLIC_STEPS = {
    Action.SUBMIT: "留言已提交",
    Action.ASSIGN: "已交承办科室办理",
    Action.TRANSFER: "已转交{to_agency}办理",
    Action.EXTEND: "答复期限已延长",
    Action.RELEASE_REPLY: "已答复",
    Action.PUBLISH: "答复已在网站公开",
    Action.UNPUBLISH: "答复已撤回公开",
    Action.RATE: "您已评价",
    Action.DISMISS: "不予处理",
}


def message_public_status(message: Message) -> PublicStatus:
    events = message_history(message)
    timeline = [TimelineEntry(e.on, _PUBLIC_STEPS[e.action].format(**{"to_agency": "", **e.data}))
                for e in events if e.action in _PUBLIC_STEPS]
    dismissed = next((e.reason for e in reversed(events) if e.action == Action.DISMISS), "")
    reply = released_reply(message) if message.status in ANSWERED_STATUSES else None
    return PublicStatus(message, message_deadline(message, events=events), timeline, reply,
                        dismissed, reply is not None and not message.rating)


# --- published replies ----------------------------------------------------------------------------------------


def public_replies(*, agency: Agency | None = None) -> QuerySet[Message]:
    """Published messages (consent given, reply checked and published), newest reply
    first; ``public_content`` and ``public_reply`` are the masked texts."""
    qs = (Message.objects.filter(status=S.PUBLISHED, publish_consent=True,
                                 published_at__isnull=False, agency__is_active=True)
          .select_related("agency").order_by("-replied_on", "-pk"))
    return qs if agency is None else qs.filter(agency=agency)


def public_reply_search(*, agency: Agency | None = None, q: str = "", kind: str = "") -> QuerySet[Message]:
    qs = public_replies(agency=agency)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    for word in (q or "").split()[:5]:
        qs = qs.filter(Q(public_subject__icontains=word) | Q(public_content__icontains=word)
                       | Q(public_reply__icontains=word))
    return qs


def public_message_get(*, code: str, pk: int) -> Message:
    message = public_replies().filter(agency__code=code, pk=pk).first()
    if message is None:
        raise Http404("留言不存在或未公开")
    return message


# --- statistics ------------------------------------------------------------------------------------------------------


@dataclass
class StatLine:
    label: str
    received: int = 0
    finished: int = 0  # replied or not handled (办结)
    replied: int = 0
    on_time: int = 0
    working_days: int = 0  # summed over replied messages
    rated: int = 0
    satisfied: int = 0  # 满意 + 基本满意
    ratings: dict = field(default_factory=lambda: dict.fromkeys(Rating.values, 0))

    @property
    def finish_rate(self) -> float | None:
        return round(100 * self.finished / self.received, 1) if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.replied, 1) if self.replied else None

    @property
    def average_working_days(self) -> float | None:
        return round(self.working_days / self.replied, 1) if self.replied else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


@dataclass(frozen=True)
class Statistics:
    start: dt.date
    end: dt.date
    total: StatLine
    by_kind: list[StatLine]
    by_department: list[StatLine]


def _count(line: StatLine, row: MessageRow, calendar: WorkingDayCalendar) -> None:
    m = row.message
    line.received += 1
    if m.status in (*ANSWERED_STATUSES, S.DISMISSED):
        line.finished += 1
    if m.replied_on is not None and m.status in ANSWERED_STATUSES:
        line.replied += 1
        line.on_time += bool(row.on_time)
        line.working_days += calendar.working_days_between(m.received_on, m.replied_on)
    if m.rating:
        line.rated += 1
        line.ratings[m.rating] += 1
        line.satisfied += m.rating in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


def message_statistics(*, agencies, start: dt.date, end: dt.date) -> Statistics:
    """Messages received in [start, end] by the agencies (now theirs), by type and by
    department: received, finished (办结), replied, on time, finish rate, average working
    days to the reply, satisfaction."""
    qs = Message.objects.filter(agency__in=agencies, received_on__gte=start, received_on__lte=end)
    calendar = get_working_day_calendar()
    total = StatLine("合计")
    kinds = {k: StatLine(label) for k, label in Kind.choices}
    departments: dict[str, StatLine] = defaultdict(lambda: StatLine(""))
    for row in with_deadlines(_with_events(qs)):
        m = row.message
        name = m.department.name if m.department_id else "（未分办）"
        departments[name].label = name
        for line in (total, kinds[m.kind], departments[name]):
            _count(line, row, calendar)
    return Statistics(start, end, total, list(kinds.values()),
                      sorted(departments.values(), key=lambda line: -line.received))


# --- for the areas above ---------------------------------------------------------------------------------------


def messages_for_analysis(*, agencies, start, end):
    """Messages received in [start, end] (dates) of the given agencies (a queryset or list
    of core Agency), for the hot-spot analysis: an iterable of dicts with keys
    received_on (date), kind (value), kind_label, department (name or ""),
    category (str, may be ""), region (str, may be ""), text (subject + " " + content)."""
    ids = [a.pk for a in agencies]
    qs = (Message.objects.filter(agency_id__in=ids, received_on__gte=start, received_on__lte=end)
          .select_related("department").order_by("received_on", "pk"))
    labels = dict(Kind.choices)
    for m in qs.iterator(chunk_size=500):
        yield {
            "received_on": m.received_on,
            "kind": m.kind,
            "kind_label": labels.get(m.kind, m.kind),
            "department": m.department.name if m.department_id else "",
            "category": m.category,
            "region": m.region,
            "text": f"{m.subject} {m.content}",
        }
