"""Reads of consultations for the back office, the public pages, the API, the desk and
the annual report.

Whether a published consultation is upcoming, open or closed is derived from its dates on
the day, in Python (:func:`phase`) and in SQL (:func:`public_consultations`'s filters);
the feedback due date from the agency's setting and the working-day calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from gongkai.consultations import permissions, rules
from gongkai.consultations.articles import Article, parse_articles
from gongkai.consultations.models import (
    AgencyConsultationSettings,
    Comment,
    CommentStatus,
    Consultation,
    ConsultationAttachment,
    ConsultationKind,
    ConsultationStatus,
    Disposition,
    Opinion,
    Phase,
)
from gongkai.core import clock
from gongkai.core.masking import mask_email, mask_name, mask_phone
from gongkai.core.models import Agency
from gongkai.core.selectors import get_working_day_calendar
from gongkai.publishing import screening

S = ConsultationStatus
PUBLIC_STATUSES = (S.PUBLISHED, S.FEEDBACK_PUBLISHED)


# --- settings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Periods:
    minimum_days: int
    feedback_working_days: int
    minimum_is_default: bool


def _ancestor_paths(agency: Agency) -> list[str]:
    parts = agency.path.split(".")[:-1]
    return [".".join(parts[:i]) + "." for i in range(1, len(parts) + 1)]


def periods_for(agency: Agency, kind: str) -> Periods:
    """The agency's periods for ``kind``: its own setting, else its nearest ancestor's,
    each figure separately, then the platform defaults."""
    minimum = feedback = None
    for s in (AgencyConsultationSettings.objects
              .filter(agency__path__in=_ancestor_paths(agency), kind=kind)
              .order_by("-agency__depth")):
        minimum = minimum if minimum is not None else s.minimum_days
        feedback = feedback if feedback is not None else s.feedback_working_days
    return Periods(
        minimum_days=rules.minimum_period_days(kind, minimum),
        feedback_working_days=feedback if feedback is not None else rules.DEFAULT_FEEDBACK_WORKING_DAYS,
        minimum_is_default=minimum is None,
    )


def settings_rows(agency: Agency) -> list[dict]:
    own = {s.kind: s for s in AgencyConsultationSettings.objects.filter(agency=agency)}
    return [{"kind": kind, "label": label, "own": own.get(kind), "effective": periods_for(agency, kind)}
            for kind, label in ConsultationKind.choices]


# --- phase and dates ---------------------------------------------------------------------------

def phase(c: Consultation, today: dt.date | None = None) -> Phase:
    today = today or clock.today()
    if c.status == S.PUBLISHED:
        if today < c.opens_on:
            return Phase.UPCOMING
        return Phase.OPEN if today <= c.closes_on else Phase.CLOSED
    return Phase(c.status)


def feedback_due_on(c: Consultation, periods: Periods | None = None) -> dt.date:
    periods = periods or periods_for(c.agency, c.kind)
    return rules.feedback_due_on(c.closes_on, periods.feedback_working_days,
                                 calendar=get_working_day_calendar())


def is_feedback_overdue(c: Consultation, today: dt.date | None = None) -> bool:
    today = today or clock.today()
    return c.status == S.PUBLISHED and today > c.closes_on and today > feedback_due_on(c)


def articles_of(c: Consultation) -> list[Article]:
    return parse_articles(c.draft_body)


def article_choices(c: Consultation) -> list[tuple[str, str]]:
    return [("", "对草案整体提出意见")] + [
        (str(a.number), f"{a.label} {a.excerpt}") for a in articles_of(c)]


def article_label(number: int | None) -> str:
    from gongkai.consultations.articles import numeral_text

    return "草案整体" if number is None else f"第{numeral_text(number)}条"


# --- back office -----------------------------------------------------------------------------

def consultation_get_for_user(*, user, pk: int) -> Consultation:
    c = (permissions.consultations_visible_to(user).select_related("agency", "final_document")
         .filter(pk=pk).first())
    if c is None:
        raise Http404("意见征集不存在")
    return c


def comment_get_for_user(*, user, pk: int) -> Comment:
    comment = (permissions.comments_visible_to(user).select_related("consultation__agency")
               .filter(pk=pk).first())
    if comment is None:
        raise Http404("意见不存在")
    return comment


def opinion_get_for_user(*, user, pk: int) -> Opinion:
    q = permissions.consultations_visible_to(user).values("pk")
    opinion = (Opinion.objects.select_related("consultation__agency")
               .filter(pk=pk, consultation__in=q).first())
    if opinion is None:
        raise Http404("归纳意见不存在")
    return opinion


# The desk's queues, each a filter of the list (``?queue=``).
QUEUES = {
    "awaiting_approval": "待领导审核",
    "pending_comments": "有待审核的公众意见",
    "awaiting_feedback": "已截止待公布采纳情况",
    "feedback_overdue": "采纳情况逾期未公布",
}


def _awaiting_feedback(qs: QuerySet[Consultation], today: dt.date) -> QuerySet[Consultation]:
    return qs.filter(status=S.PUBLISHED, closes_on__lt=today)


def _overdue_ids(qs: QuerySet[Consultation], today: dt.date) -> list[int]:
    """The consultations whose feedback is overdue: the periods looked up once per agency
    and kind, the calendar once (not once per consultation)."""
    rows = list(_awaiting_feedback(qs, today).select_related("agency"))
    calendar = get_working_day_calendar()
    periods: dict[tuple[int, str], Periods] = {}
    overdue = []
    for c in rows:
        key = (c.agency_id, c.kind)
        if key not in periods:
            periods[key] = periods_for(c.agency, c.kind)
        due = rules.feedback_due_on(c.closes_on, periods[key].feedback_working_days, calendar=calendar)
        if today > due:
            overdue.append(c.pk)
    return overdue


def consultation_list(*, user, agency: Agency, queue: str = "") -> QuerySet[Consultation]:
    today = clock.today()
    qs = (permissions.consultations_visible_to(user).filter(agency=agency)
          .annotate(pending=Count("comments", filter=Q(comments__status=CommentStatus.PENDING)),
                    received=Count("comments")))
    if queue == "awaiting_approval":
        qs = qs.filter(status=S.AWAITING_APPROVAL)
    elif queue == "pending_comments":
        qs = qs.filter(pending__gt=0)
    elif queue == "awaiting_feedback":
        qs = _awaiting_feedback(qs, today)
    elif queue == "feedback_overdue":
        qs = qs.filter(pk__in=_overdue_ids(qs, today))
    return qs.order_by("-opens_on", "-id")


def queue_counts(*, user, agency: Agency) -> dict[str, int]:
    today = clock.today()
    base = permissions.consultations_visible_to(user).filter(agency=agency)
    totals = base.aggregate(
        awaiting_approval=Count("pk", filter=Q(status=S.AWAITING_APPROVAL)),
        awaiting_feedback=Count("pk", filter=Q(status=S.PUBLISHED, closes_on__lt=today)),
    )
    pending = (Comment.objects.filter(consultation__in=base.values("pk"), status=CommentStatus.PENDING)
               .values("consultation").distinct().count())
    return {**totals, "pending_comments": pending, "feedback_overdue": len(_overdue_ids(base, today))}


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _mask_contact(contact: str) -> str:
    return mask_email(contact) if "@" in contact else mask_phone(contact)


def masked_body(comment: Comment) -> str:
    """The comment's text with personal data masked: what the screening finds (ID, mobile
    and bank card numbers), the commenter's own name and contact wherever they appear in
    it (a landline, say, which the screening does not know), and e-mail addresses."""
    text = screening.redact(comment.body, screening.screen_text(comment.body))
    for value, masked in ((comment.name, mask_name(comment.name)),
                          (comment.contact, _mask_contact(comment.contact or ""))):
        if value and len(value) >= 2:
            text = text.replace(value, masked)
    return _EMAIL.sub(lambda m: mask_email(m.group()), text)


@dataclass(frozen=True)
class CommentRow:
    comment: Comment
    article: str
    name: str
    contact: str
    body: str


def comment_rows(comments: Iterable[Comment], *, full: bool) -> list[CommentRow]:
    """The comments as the back office shows them: name, contact and text in full only
    for ``full`` (the office), personal data masked otherwise."""
    rows = []
    for c in comments:
        name, contact, body = c.name or "", c.contact or "", c.body
        if not full:
            name = mask_name(name) if name else ""
            contact = _mask_contact(contact) if contact else ""
            body = masked_body(c)
        rows.append(CommentRow(c, article_label(c.article), name, contact, body))
    return rows


def staff_comments(c: Consultation) -> QuerySet[Comment]:
    return c.comments.select_related("decided_by", "opinion").order_by(
        Case(When(status=CommentStatus.PENDING, then=Value(0)), default=Value(1),
             output_field=IntegerField()), "submitted_at", "id")


def opinions_of(c: Consultation) -> QuerySet[Opinion]:
    return c.opinions.annotate(comment_count=Count("comments")).order_by("article", "id")


def events_of(c: Consultation):
    return c.events.select_related("actor").order_by("id")


def attachments_of(c: Consultation) -> QuerySet[ConsultationAttachment]:
    return c.attachments.all()


# --- public ------------------------------------------------------------------------------------

def public_consultations(*, agency: Agency | None = None, status: str = "",
                         today: dt.date | None = None) -> QuerySet[Consultation]:
    """Published consultations (and those whose feedback is out), open ones first (closing
    soonest first), then upcoming, then closed newest first. ``status``: ``open`` or
    ``closed`` (closed includes those with feedback)."""
    today = today or clock.today()
    qs = Consultation.objects.filter(status__in=PUBLIC_STATUSES, agency__is_active=True)
    if agency is not None:
        qs = qs.filter(agency=agency)
    open_q = Q(status=S.PUBLISHED, opens_on__lte=today, closes_on__gte=today)
    closed_q = Q(status=S.FEEDBACK_PUBLISHED) | Q(status=S.PUBLISHED, closes_on__lt=today)
    if status == "open":
        qs = qs.filter(open_q)
    elif status == "closed":
        qs = qs.filter(closed_q)
    rank = Case(When(open_q, then=Value(0)), When(closed_q, then=Value(2)), default=Value(1),
                output_field=IntegerField())
    return (qs.select_related("agency")
            .annotate(rank=rank, displayed=Count("comments", filter=Q(comments__status=CommentStatus.ACCEPTED)))
            .order_by("rank", "closes_on" if status == "open" else "-closes_on", "-id"))


def public_get(*, pk: int) -> Consultation:
    c = (Consultation.objects.select_related("agency", "final_document")
         .filter(pk=pk, status__in=PUBLIC_STATUSES, agency__is_active=True).first())
    if c is None:
        raise Http404("意见征集不存在或已撤回")
    return c


def public_attachment_get(*, consultation_pk: int, pk: int) -> ConsultationAttachment:
    public_get(pk=consultation_pk)
    attachment = ConsultationAttachment.objects.filter(consultation_id=consultation_pk, pk=pk).first()
    if attachment is None:
        raise Http404("附件不存在")
    return attachment


def displayed_comments(c: Consultation) -> QuerySet[Comment]:
    return c.comments.filter(status=CommentStatus.ACCEPTED).order_by("submitted_at", "id")


def comments_of_account(account) -> QuerySet[Comment]:
    """A signed-in person's own comments ("我的申请"), newest first."""
    return Comment.objects.filter(public_account=account).select_related(
        "consultation", "consultation__agency").order_by("-submitted_at", "-pk")


def public_commenter(comment: Comment) -> str:
    return mask_name(comment.name) if comment.name else "匿名"


@dataclass(frozen=True)
class Feedback:
    opinions: list[Opinion]
    received: int  # comments received
    displayed: int
    total: int  # opinions
    adopted: int
    partly: int
    not_adopted: int
    rate: float | None


def feedback_of(c: Consultation) -> Feedback:
    opinions = list(opinions_of(c))
    counts = {d: sum(1 for o in opinions if o.disposition == d) for d in Disposition.values}
    received = c.comments.aggregate(
        n=Count("pk"), shown=Count("pk", filter=Q(status=CommentStatus.ACCEPTED)))
    return Feedback(
        opinions=opinions, received=received["n"], displayed=received["shown"], total=len(opinions),
        adopted=counts[Disposition.ADOPTED], partly=counts[Disposition.PARTLY_ADOPTED],
        not_adopted=counts[Disposition.NOT_ADOPTED],
        rate=rules.adoption_rate(counts[Disposition.ADOPTED], counts[Disposition.PARTLY_ADOPTED],
                                 len(opinions)),
    )


def agency_column(agency: Agency, limit: int = 5) -> dict:
    """The consultations column of an agency's disclosure home: its newest public
    consultations, open first, and the link to all of them."""
    rows = list(public_consultations(agency=agency)[:limit])
    today = clock.today()
    return {"agency": agency, "consultations": [(c, phase(c, today)) for c in rows]}


# --- statistics for the annual report ----------------------------------------------------------

@dataclass(frozen=True)
class ConsultationStatistics:
    consultations: int  # drafts whose comment period closed in the year
    comments: int  # comments received on them
    opinions: int
    adopted: int
    partly_adopted: int
    not_adopted: int
    adoption_rate: float | None  # adopted wholly or partly, percent of opinions


def consultation_statistics(agencies: Iterable[Agency | int], year: int) -> ConsultationStatistics:
    """The agencies' consultations whose comment period closed in ``year`` (withdrawn
    ones aside): how many, the comments received, the opinions and their dispositions."""
    ids = [a if isinstance(a, int) else a.pk for a in agencies]
    base = Consultation.objects.filter(agency_id__in=ids, closes_on__year=year,
                                       status__in=PUBLIC_STATUSES)
    n = base.count()
    comments = Comment.objects.filter(consultation__in=base.values("pk")).count()
    o = Opinion.objects.filter(consultation__in=base.values("pk")).aggregate(
        total=Count("pk"),
        adopted=Count("pk", filter=Q(disposition=Disposition.ADOPTED)),
        partly=Count("pk", filter=Q(disposition=Disposition.PARTLY_ADOPTED)),
        not_adopted=Count("pk", filter=Q(disposition=Disposition.NOT_ADOPTED)),
    )
    return ConsultationStatistics(
        consultations=n, comments=comments, opinions=o["total"], adopted=o["adopted"],
        partly_adopted=o["partly"], not_adopted=o["not_adopted"],
        adoption_rate=rules.adoption_rate(o["adopted"], o["partly"], o["total"]),
    )


def normative_documents_for(agency: Agency):
    from gongkai.publishing.models import NormativeDocument

    return NormativeDocument.objects.filter(agency=agency).order_by("-issued_on", "-id")
