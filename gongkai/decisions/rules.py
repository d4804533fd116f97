"""The rules for publishing licensing, penalty and enforcement decisions (双公示).

Plain Python: dates, decimals and the working-day calendar; no database, no HTTP. The
services decide *when* to apply them, the selectors turn the period rules into queries
(``selectors.shown_q``, tested against :func:`last_day_shown` case by case).

Sources (each rule function names its provision on its ``依据：`` line; ``docs/rules.md``):

- 国办发〔2018〕118号 (administrative enforcement publicity): licensing and penalty
  decisions are public within **7 working days** of the decision, other enforcement
  decisions within **20 working days**. SAMR Order 45 gives market-supervision penalties
  20 working days; the stricter 7 applies here because an agency is bound by both.
- 《市场监督管理行政处罚信息公示规定》 (SAMR Order 45, in force 2021-09-01):
  - Art. 2: a penalty that is **only a warning** is not published;
  - personal data gets "necessary processing" (Art. 6; the pattern is ours:
    :func:`public_party_name`, ``core.masking``);
  - a decision that is changed or revoked is **withdrawn within 3 working days**, with
    the reason;
  - publication **ends 3 months** after it began for a penalty that is only a public
    reprimand (通报批评) or a small fine (较低数额罚款, the threshold is set by the
    province), **3 years** for every other penalty, longer where a ban (限制从业, 限制开展
    生产经营活动) lasts longer — the record then carries that end explicitly.
- 《民法典》 Art. 201–202 for periods in months and years: the day publication began is not
  counted, the period's last day is the corresponding day of the final month, or that
  month's last day when it has none (published 2024-11-30 + 3 months → last shown
  2025-02-28). Art. 203 (a last day falling on a holiday moves to the next working day)
  is *not* applied: it protects someone who must act by a deadline, and nobody acts at the
  end of a publication period; extending it would only keep personal data public longer.

Choices the regulation leaves open, made here:

- Licences, enforcement and other decisions have no end of publication unless the record
  carries one.
- "Only a reprimand or a small fine": the penalty types are within {warning, reprimand,
  fine} and include a reprimand or a fine, and any fine is within the limit. A warning
  beside them does not lengthen the period (it is the lightest penalty of all).
- The small-fine limit is inclusive (Chinese legal usage: "X元以下" includes X) and may
  differ for natural persons and for organisations; individual businesses (个体工商户) are
  counted with natural persons. The platform default is :data:`DEFAULT_SMALL_FINE_LIMIT`
  until an administrator enters the province's figure — **to be confirmed per province**.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import enum
import re
from dataclasses import dataclass
from decimal import Decimal

from gongkai.core.identifiers import is_valid_resident_id
from gongkai.core.masking import mask_name
from gongkai.core.rules import rule
from gongkai.core.workdays import WorkingDayCalendar, default_calendar

__all__ = [
    "DEFAULT_SMALL_FINE_LIMIT",
    "LONG_PERIOD_MONTHS",
    "PUBLICATION_LIMIT_DAYS",
    "SHORT_PERIOD_MONTHS",
    "WITHDRAWAL_LIMIT_DAYS",
    "FineLimits",
    "PenaltyType",
    "PublicationPeriod",
    "add_months",
    "earliest_start_shown_on",
    "is_publication_overdue",
    "is_published_late",
    "is_shown_on",
    "is_warning_only",
    "is_withdrawn_late",
    "last_day_shown",
    "must_publish",
    "penalty_type_labels",
    "public_party_name",
    "public_text",
    "publication_due",
    "publication_due_on",
    "publication_period",
    "withdrawal_due",
]

# Kinds and party types by value (the models' TextChoices carry the same values); the
# rules take plain strings so they can be tested without the database.
LICENCE, PENALTY, ENFORCEMENT, OTHER = "licence", "penalty", "enforcement", "other"
NATURAL_PERSON, ORGANISATION, INDIVIDUAL_BUSINESS = (
    "natural_person", "organisation", "individual_business",
)
PUBLISHED, WITHDRAWN = "published", "withdrawn"

# 国办发〔2018〕118号: working days from the decision to its publication.
PUBLICATION_LIMIT_DAYS = {LICENCE: 7, PENALTY: 7, ENFORCEMENT: 20, OTHER: 20}
WITHDRAWAL_LIMIT_DAYS = 3  # Order 45: changed or revoked → withdrawn within 3 working days
SHORT_PERIOD_MONTHS = 3  # Order 45: reprimand or small fine
LONG_PERIOD_MONTHS = 36  # Order 45: every other penalty (3 years)
DEFAULT_SMALL_FINE_LIMIT = Decimal("10000")  # yuan, inclusive; the province's figure to be confirmed


class PenaltyType(enum.IntFlag):
    """The kinds of administrative penalty (《行政处罚法》 2021 Art. 9), as a set of flags:
    a decision often imposes several (a fine and confiscation of illegal gains)."""

    WARNING = 1  # 警告
    REPRIMAND = 2  # 通报批评
    FINE = 4  # 罚款
    CONFISCATION = 8  # 没收违法所得、没收非法财物
    SUSPENSION = 16  # 暂扣许可证件
    DOWNGRADE = 32  # 降低资质等级
    REVOCATION = 64  # 吊销许可证件
    RESTRICTION = 128  # 限制开展生产经营活动
    SUSPEND_BUSINESS = 256  # 责令停产停业
    CLOSURE = 512  # 责令关闭
    EMPLOYMENT_BAN = 1024  # 限制从业
    DETENTION = 2048  # 行政拘留
    OTHER = 4096  # 法律、行政法规规定的其他行政处罚


PENALTY_TYPE_LABELS: dict[PenaltyType, str] = {
    PenaltyType.WARNING: "警告",
    PenaltyType.REPRIMAND: "通报批评",
    PenaltyType.FINE: "罚款",
    PenaltyType.CONFISCATION: "没收违法所得、没收非法财物",
    PenaltyType.SUSPENSION: "暂扣许可证件",
    PenaltyType.DOWNGRADE: "降低资质等级",
    PenaltyType.REVOCATION: "吊销许可证件",
    PenaltyType.RESTRICTION: "限制开展生产经营活动",
    PenaltyType.SUSPEND_BUSINESS: "责令停产停业",
    PenaltyType.CLOSURE: "责令关闭",
    PenaltyType.EMPLOYMENT_BAN: "限制从业",
    PenaltyType.DETENTION: "行政拘留",
    PenaltyType.OTHER: "其他行政处罚",
}
ALL_PENALTY_TYPES = PenaltyType(sum(PENALTY_TYPE_LABELS))
# A penalty of these types only (and at least one of reprimand or fine) may get the short period.
LIGHT_PENALTY_TYPES = PenaltyType.WARNING | PenaltyType.REPRIMAND | PenaltyType.FINE
SHORT_PERIOD_TYPES = PenaltyType.REPRIMAND | PenaltyType.FINE


def penalty_type_labels(types: int) -> list[str]:
    """Labels of a set of penalty types, in the statute's order."""
    return [label for flag, label in PENALTY_TYPE_LABELS.items() if types & flag]


@dataclass(frozen=True)
class FineLimits:
    """The province's "small fine" (较低数额罚款) limits in yuan, inclusive."""

    person: Decimal = DEFAULT_SMALL_FINE_LIMIT  # natural persons and individual businesses
    organisation: Decimal = DEFAULT_SMALL_FINE_LIMIT  # legal persons and other organisations

    def for_party(self, party_type: str) -> Decimal:
        return self.organisation if party_type == ORGANISATION else self.person


class PublicationPeriod(enum.Enum):
    SHORT = "short"  # 3 months: only a reprimand or a small fine
    LONG = "long"  # 3 years: every other penalty
    OPEN = "open"  # no end: licences, enforcement, other decisions
    EXPLICIT = "explicit"  # the record's own end (a longer ban, an early end on application)


# --- dates -----------------------------------------------------------------------------

@rule
def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later, or that month's last day when it has none
    (民法典 Art. 202).

    依据：民法典第二百零二条
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def earliest_start_shown_on(day: dt.date, months: int) -> dt.date:
    """The earliest publication date whose ``months``-long period still covers ``day``:
    ``add_months(p, months) >= day`` exactly when ``p >= earliest_start_shown_on(day, months)``
    (``add_months`` never decreases as ``p`` grows). Lets a query compare a stored date
    instead of doing month arithmetic in SQL."""
    candidate = add_months(day, -months)
    while add_months(candidate, months) < day:
        candidate += dt.timedelta(days=1)
    while add_months(candidate - dt.timedelta(days=1), months) >= day:
        candidate -= dt.timedelta(days=1)
    return candidate


# --- what must be published, and by when ----------------------------------------------------

def is_warning_only(penalty_types: int) -> bool:
    return PenaltyType(penalty_types) == PenaltyType.WARNING


@rule
def must_publish(kind: str, penalty_types: int) -> bool:
    """Every licensing, penalty and enforcement decision is published, except a penalty
    that is only a warning (Order 45 Art. 2).

    依据：市场监管总局令第45号第二条
    """
    return not (kind == PENALTY and is_warning_only(penalty_types))


@rule
def publication_due_on(kind: str, decision_date: dt.date, *,
                       calendar: WorkingDayCalendar | None = None) -> dt.date:
    """The last day to publish a decision: 7 working days after a licensing or penalty
    decision, 20 after any other (国办发〔2018〕118号); the decision's day is not counted.

    依据：国办发〔2018〕118号第二部分第（三）项
    """
    return (calendar or default_calendar()).add_working_days(
        decision_date, PUBLICATION_LIMIT_DAYS[kind])


def publication_due(decision, *, calendar: WorkingDayCalendar | None = None) -> dt.date:
    return publication_due_on(decision.kind, decision.decision_date, calendar=calendar)


@rule
def is_published_late(decision, *, calendar: WorkingDayCalendar | None = None) -> bool:
    """Published after its due date (a defect to report, not a reason to refuse).

    依据：国办发〔2018〕118号第二部分第（三）项
    """
    return (decision.published_on is not None
            and decision.published_on > publication_due(decision, calendar=calendar))


@rule
def is_publication_overdue(decision, *, today: dt.date,
                           calendar: WorkingDayCalendar | None = None) -> bool:
    """Must be published, is not yet, and its due date has passed.

    依据：国办发〔2018〕118号第二部分第（三）项；市场监管总局令第45号第二条
    """
    return (decision.published_on is None and decision.status not in (WITHDRAWN, "not_published")
            and must_publish(decision.kind, decision.penalty_types)
            and today > publication_due(decision, calendar=calendar))


@rule
def withdrawal_due(changed_on: dt.date, *, calendar: WorkingDayCalendar | None = None) -> dt.date:
    """A changed or revoked decision comes down within 3 working days (Order 45).

    依据：市场监管总局令第45号第十一条
    """
    return (calendar or default_calendar()).add_working_days(changed_on, WITHDRAWAL_LIMIT_DAYS)


@rule
def is_withdrawn_late(decision, *, calendar: WorkingDayCalendar | None = None) -> bool:
    """Taken down after the withdrawal deadline of its change or revocation.

    依据：市场监管总局令第45号第十一条
    """
    return (decision.withdrawn_on is not None and decision.changed_on is not None
            and decision.withdrawn_on > withdrawal_due(decision.changed_on, calendar=calendar))


# --- how long it stays public ------------------------------------------------------------

@rule
def is_small_penalty(*, penalty_types: int, fine_amount: Decimal | None, party_type: str,
                     limits: FineLimits) -> bool:
    """Only a reprimand or a small fine (a warning beside them does not count).

    依据：市场监管总局令第45号第十三条
    """
    types = PenaltyType(penalty_types)
    if types & ~LIGHT_PENALTY_TYPES or not types & SHORT_PERIOD_TYPES:
        return False
    if types & PenaltyType.FINE:
        return fine_amount is not None and fine_amount <= limits.for_party(party_type)
    return True


def publication_period(decision, limits: FineLimits) -> PublicationPeriod:
    if decision.publication_ends_on is not None:
        return PublicationPeriod.EXPLICIT
    if decision.kind != PENALTY:
        return PublicationPeriod.OPEN
    if is_small_penalty(penalty_types=decision.penalty_types, fine_amount=decision.fine_amount,
                        party_type=decision.party_type, limits=limits):
        return PublicationPeriod.SHORT
    return PublicationPeriod.LONG


@rule
def last_day_shown(decision, limits: FineLimits) -> dt.date | None:
    """The last day the decision is public; None while unpublished or with no end.

    依据：市场监管总局令第45号第十三条
    """
    period = publication_period(decision, limits)
    if period is PublicationPeriod.EXPLICIT:
        return decision.publication_ends_on
    if decision.published_on is None or period is PublicationPeriod.OPEN:
        return None
    months = SHORT_PERIOD_MONTHS if period is PublicationPeriod.SHORT else LONG_PERIOD_MONTHS
    return add_months(decision.published_on, months)


def _within_period(decision, day: dt.date, limits: FineLimits) -> bool:
    if decision.published_on is None or decision.published_on > day:
        return False
    last = last_day_shown(decision, limits)
    return last is None or day <= last


def is_shown_on(decision, day: dt.date, limits: FineLimits) -> bool:
    """On the public page that day: published, and within its publication period. The
    period ends by itself, on the day, with no job to run."""
    return decision.status == PUBLISHED and _within_period(decision, day, limits)


def is_withdrawal_notice_shown_on(decision, day: dt.date, limits: FineLimits) -> bool:
    """A withdrawn decision that had been public leaves a notice (number, deciding body,
    date and reason, never the party) for the rest of the period it would have had:
    Order 45 asks for the reason to be given, and the notice must not outlive the
    publication it explains."""
    return (decision.status == WITHDRAWN and decision.withdrawn_on is not None
            and decision.withdrawn_on <= day and _within_period(decision, day, limits))


# --- personal data on the public page -----------------------------------------------------

# An individual business without a trade name is registered under its operator's own name
# (个体工商户无字号的，以经营者姓名为名称): a short all-Han name is then a person's name.
_PERSONAL_NAME = re.compile(r"[\u4e00-\u9fff·]{2,4}")


@rule
def public_party_name(party_type: str, name: str) -> str:
    """The party as the public sees it: a natural person's name masked (``张*``); an
    organisation's name in full; an individual business's trade name in full unless it
    is just the operator's name.

    依据：市场监管总局令第45号第六条
    """
    if party_type == NATURAL_PERSON or (
        party_type == INDIVIDUAL_BUSINESS and _PERSONAL_NAME.fullmatch(name.strip())
    ):
        return mask_name(name)
    return name


_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")


@rule
def public_text(text: str, *, party_type: str, party_name: str) -> str:
    """A summary field as the public sees it: a masked party's name, wherever the text
    repeats it, is masked the same way, and anything that is a valid resident ID number is
    blanked out entirely (the number is never shown publicly, not even masked).

    依据：市场监管总局令第45号第六条
    """
    shown = public_party_name(party_type, party_name)
    if shown != party_name and party_name.strip():
        text = text.replace(party_name.strip(), shown)
    return _ID_LIKE.sub(
        lambda m: "*" * len(m[0]) if is_valid_resident_id(m[0]) else m[0], text)
