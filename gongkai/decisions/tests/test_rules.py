"""Tests for gongkai.decisions.rules (pure Python, no database, the real calendar).

Expected dates are counted by hand from the State Council schedules carried by
chinesecalendar; test_calendar_facts pins the holidays and make-up days they rely on.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import chinese_calendar
import pytest

from gongkai.core.workdays import PACKAGE_YEARS, default_calendar
from gongkai.decisions import rules
from gongkai.decisions.rules import FineLimits, PenaltyType, PublicationPeriod

D = dt.date
P = PenaltyType
CAL = default_calendar()
LIMITS = FineLimits()  # 10,000 yuan for everyone


@dataclass
class Rec:
    """A decision as the rules see it."""

    kind: str = rules.PENALTY
    decision_date: dt.date = D(2025, 3, 3)
    penalty_types: int = int(P.FINE)
    fine_amount: Decimal | None = Decimal("5000")
    party_type: str = rules.ORGANISATION
    status: str = rules.PUBLISHED
    published_on: dt.date | None = D(2025, 3, 5)
    publication_ends_on: dt.date | None = None
    changed_on: dt.date | None = None
    withdrawn_on: dt.date | None = None


def test_calendar_facts():
    # Spring Festival 2025: 28 Jan – 4 Feb off, Sun 26 Jan and Sat 8 Feb worked.
    assert chinese_calendar.is_workday(D(2025, 1, 26)) and chinese_calendar.is_workday(D(2025, 2, 8))
    assert all(chinese_calendar.is_holiday(D(2025, 1, 28) + dt.timedelta(days=i)) for i in range(8))
    # National Day 2024: 1–7 Oct off, Sun 29 Sep and Sat 12 Oct worked.
    assert chinese_calendar.is_workday(D(2024, 9, 29)) and chinese_calendar.is_workday(D(2024, 10, 12))
    assert all(chinese_calendar.is_holiday(D(2024, 10, 1) + dt.timedelta(days=i)) for i in range(7))
    # Labour Day 2025: 1–5 May off, Sun 27 Apr worked.
    assert chinese_calendar.is_workday(D(2025, 4, 27))
    assert all(chinese_calendar.is_holiday(D(2025, 5, 1) + dt.timedelta(days=i)) for i in range(5))


# --- publication within 7 (or 20) working days, 国办发〔2018〕118号 ----------------------------

@pytest.mark.parametrize(("kind", "decided", "due"), [
    # Fri before Spring Festival: 26 Jan (Sun, worked) 1, 27 Jan 2, 5–7 Feb 3–5, 8 Feb (Sat, worked) 6, 10 Feb 7.
    (rules.PENALTY, D(2025, 1, 24), D(2025, 2, 10)),
    (rules.LICENCE, D(2025, 1, 24), D(2025, 2, 10)),
    # Fri before National Day: 29 Sep (Sun) 1, 30 Sep 2, 8–11 Oct 3–6, 12 Oct (Sat, worked) 7.
    (rules.PENALTY, D(2024, 9, 27), D(2024, 10, 12)),
    # Before Labour Day: 27 Apr (Sun) 1, 28–30 Apr 2–4, 6–8 May 5–7.
    (rules.LICENCE, D(2025, 4, 25), D(2025, 5, 8)),
    # An ordinary fortnight.
    (rules.PENALTY, D(2025, 3, 3), D(2025, 3, 12)),
    # Decided on a Saturday: the day itself never counts.
    (rules.PENALTY, D(2025, 3, 8), D(2025, 3, 18)),
    # Other enforcement decisions: 20 working days.
    (rules.ENFORCEMENT, D(2025, 3, 3), D(2025, 3, 31)),
    (rules.OTHER, D(2025, 3, 3), D(2025, 3, 31)),
])
def test_publication_due(kind, decided, due):
    assert rules.publication_due(Rec(kind=kind, decision_date=decided), calendar=CAL) == due


def test_published_on_the_due_day_is_on_time_and_the_next_day_late():
    decision = Rec(decision_date=D(2025, 1, 24), published_on=D(2025, 2, 10))
    assert not rules.is_published_late(decision, calendar=CAL)
    decision.published_on = D(2025, 2, 11)
    assert rules.is_published_late(decision, calendar=CAL)


def test_unpublished_decision_is_overdue_only_after_its_due_day():
    decision = Rec(decision_date=D(2025, 1, 24), status="pending", published_on=None)
    assert not rules.is_publication_overdue(decision, today=D(2025, 2, 10), calendar=CAL)
    assert rules.is_publication_overdue(decision, today=D(2025, 2, 11), calendar=CAL)


def test_warning_only_is_never_overdue():
    decision = Rec(penalty_types=int(P.WARNING), fine_amount=None, status="not_published",
                   published_on=None)
    assert not rules.is_publication_overdue(decision, today=D(2026, 1, 1), calendar=CAL)


@pytest.mark.skipif(2027 in PACKAGE_YEARS, reason="chinesecalendar now ships a 2027 schedule")
def test_due_date_in_an_unscheduled_year_is_provisional_not_an_error():
    due = rules.publication_due(Rec(decision_date=D(2026, 12, 31)), calendar=CAL)
    assert due == D(2027, 1, 12)  # holiday law: 1 Jan 2027 (元旦) is provisionally a rest day
    assert CAL.is_provisional(due)


# --- warning only: not published (Order 45 Art. 2) -------------------------------------------

@pytest.mark.parametrize(("kind", "types", "publish"), [
    (rules.PENALTY, P.WARNING, False),
    (rules.PENALTY, P.WARNING | P.FINE, True),
    (rules.PENALTY, P.WARNING | P.REPRIMAND, True),
    (rules.PENALTY, P.REPRIMAND, True),
    (rules.PENALTY, P.FINE | P.CONFISCATION, True),
    (rules.LICENCE, 0, True),
    (rules.ENFORCEMENT, 0, True),
])
def test_only_a_warning_only_penalty_is_withheld(kind, types, publish):
    assert rules.must_publish(kind, int(types)) is publish


# --- withdrawal within 3 working days -----------------------------------------------------

@pytest.mark.parametrize(("changed", "due"), [
    (D(2024, 9, 27), D(2024, 10, 8)),  # 29 Sep (Sun, worked), 30 Sep, 8 Oct
    (D(2025, 3, 6), D(2025, 3, 11)),  # Thu → Fri, Mon, Tue
    (D(2025, 1, 27), D(2025, 2, 7)),  # Mon before Spring Festival: 28 Jan – 4 Feb off → 5, 6, 7 Feb
])
def test_withdrawal_due(changed, due):
    assert rules.withdrawal_due(changed, calendar=CAL) == due


def test_withdrawal_after_three_working_days_is_late():
    decision = Rec(status=rules.WITHDRAWN, changed_on=D(2024, 9, 27), withdrawn_on=D(2024, 10, 8))
    assert not rules.is_withdrawn_late(decision, calendar=CAL)
    decision.withdrawn_on = D(2024, 10, 9)
    assert rules.is_withdrawn_late(decision, calendar=CAL)


# --- the end of publication ---------------------------------------------------------------

@pytest.mark.parametrize(("types", "fine", "party", "period"), [
    (P.REPRIMAND, None, rules.ORGANISATION, PublicationPeriod.SHORT),
    (P.WARNING | P.REPRIMAND, None, rules.NATURAL_PERSON, PublicationPeriod.SHORT),
    (P.FINE, Decimal("9999.99"), rules.ORGANISATION, PublicationPeriod.SHORT),
    (P.FINE, Decimal("10000"), rules.ORGANISATION, PublicationPeriod.SHORT),  # "以下" includes the figure
    (P.FINE, Decimal("10000.01"), rules.ORGANISATION, PublicationPeriod.LONG),
    (P.WARNING | P.FINE, Decimal("500"), rules.NATURAL_PERSON, PublicationPeriod.SHORT),
    (P.REPRIMAND | P.FINE, Decimal("500"), rules.ORGANISATION, PublicationPeriod.SHORT),
    (P.FINE | P.CONFISCATION, Decimal("500"), rules.ORGANISATION, PublicationPeriod.LONG),
    (P.REVOCATION, None, rules.ORGANISATION, PublicationPeriod.LONG),
    (P.FINE | P.EMPLOYMENT_BAN, Decimal("500"), rules.NATURAL_PERSON, PublicationPeriod.LONG),
])
def test_publication_period_of_a_penalty(types, fine, party, period):
    decision = Rec(penalty_types=int(types), fine_amount=fine, party_type=party)
    assert rules.publication_period(decision, LIMITS) is period


def test_small_fine_limits_differ_for_persons_and_organisations():
    limits = FineLimits(person=Decimal("3000"), organisation=Decimal("30000"))
    company = Rec(fine_amount=Decimal("20000"), party_type=rules.ORGANISATION)
    person = Rec(fine_amount=Decimal("20000"), party_type=rules.NATURAL_PERSON)
    shop = Rec(fine_amount=Decimal("3000"), party_type=rules.INDIVIDUAL_BUSINESS)
    assert rules.publication_period(company, limits) is PublicationPeriod.SHORT
    assert rules.publication_period(person, limits) is PublicationPeriod.LONG
    assert rules.publication_period(shop, limits) is PublicationPeriod.SHORT


@pytest.mark.parametrize(("published", "months", "last"), [
    (D(2025, 1, 15), 3, D(2025, 4, 15)),  # 民法典 Art. 202: the corresponding day
    (D(2024, 11, 30), 3, D(2025, 2, 28)),  # no 30 February: the month's last day
    (D(2023, 11, 30), 3, D(2024, 2, 29)),  # leap year
    (D(2024, 2, 29), 36, D(2027, 2, 28)),
    (D(2025, 3, 5), 36, D(2028, 3, 5)),
])
def test_add_months(published, months, last):
    assert rules.add_months(published, months) == last


def test_small_penalty_is_shown_for_three_months_then_stops_on_the_day():
    decision = Rec(penalty_types=int(P.REPRIMAND), fine_amount=None, published_on=D(2025, 1, 15))
    assert rules.last_day_shown(decision, LIMITS) == D(2025, 4, 15)
    assert rules.is_shown_on(decision, D(2025, 1, 15), LIMITS)
    assert rules.is_shown_on(decision, D(2025, 4, 15), LIMITS)
    assert not rules.is_shown_on(decision, D(2025, 4, 16), LIMITS)
    assert not rules.is_shown_on(decision, D(2025, 1, 14), LIMITS)


def test_other_penalty_is_shown_for_three_years():
    decision = Rec(fine_amount=Decimal("50000"), published_on=D(2025, 3, 5))
    assert rules.last_day_shown(decision, LIMITS) == D(2028, 3, 5)
    assert rules.is_shown_on(decision, D(2028, 3, 5), LIMITS)
    assert not rules.is_shown_on(decision, D(2028, 3, 6), LIMITS)


def test_explicit_end_replaces_the_default_period():
    # A five-year ban on holding office (限制从业) is published as long as it lasts.
    decision = Rec(penalty_types=int(P.EMPLOYMENT_BAN), fine_amount=None,
                   published_on=D(2025, 3, 5), publication_ends_on=D(2030, 3, 4))
    assert rules.publication_period(decision, LIMITS) is PublicationPeriod.EXPLICIT
    assert rules.is_shown_on(decision, D(2030, 3, 4), LIMITS)
    assert not rules.is_shown_on(decision, D(2030, 3, 5), LIMITS)


def test_licence_has_no_end_of_publication():
    licence = Rec(kind=rules.LICENCE, penalty_types=0, fine_amount=None, published_on=D(2015, 1, 1))
    assert rules.last_day_shown(licence, LIMITS) is None
    assert rules.is_shown_on(licence, D(2040, 1, 1), LIMITS)


def test_only_published_decisions_are_shown():
    for status in ("pending", "withdrawn", "not_published"):
        assert not rules.is_shown_on(Rec(status=status), D(2025, 3, 10), LIMITS)


def test_withdrawal_notice_lasts_as_long_as_the_publication_would_have():
    decision = Rec(penalty_types=int(P.REPRIMAND), fine_amount=None, status=rules.WITHDRAWN,
                   published_on=D(2025, 1, 15), changed_on=D(2025, 2, 3), withdrawn_on=D(2025, 2, 5))
    assert not rules.is_withdrawal_notice_shown_on(decision, D(2025, 2, 4), LIMITS)
    assert rules.is_withdrawal_notice_shown_on(decision, D(2025, 4, 15), LIMITS)
    assert not rules.is_withdrawal_notice_shown_on(decision, D(2025, 4, 16), LIMITS)
    decision.published_on = None  # withdrawn before it was ever public: no notice
    assert not rules.is_withdrawal_notice_shown_on(decision, D(2025, 2, 10), LIMITS)


@pytest.mark.parametrize("months", [3, 36])
def test_earliest_start_shown_on_inverts_add_months(months):
    day = D(2024, 1, 1)
    while day < D(2026, 1, 1):
        cutoff = rules.earliest_start_shown_on(day, months)
        assert rules.add_months(cutoff, months) >= day
        assert rules.add_months(cutoff - dt.timedelta(days=1), months) < day
        day += dt.timedelta(days=1)


# --- personal data on the public page ------------------------------------------------------

@pytest.mark.parametrize(("party", "name", "shown"), [
    (rules.NATURAL_PERSON, "张三丰", "张**"),
    (rules.NATURAL_PERSON, "欧阳娜娜", "欧***"),
    (rules.ORGANISATION, "青岚市某某食品有限公司", "青岚市某某食品有限公司"),
    (rules.INDIVIDUAL_BUSINESS, "滨河区老王小吃店", "滨河区老王小吃店"),
    (rules.INDIVIDUAL_BUSINESS, "王小二", "王**"),  # no trade name: the operator's own name
])
def test_public_party_name(party, name, shown):
    assert rules.public_party_name(party, name) == shown


def test_public_text_masks_the_party_and_blanks_resident_ids():
    text = "当事人张三丰（身份证号33010219800101123X）无证经营，营业执照注册号330100000012345。"
    shown = rules.public_text(text, party_type=rules.NATURAL_PERSON, party_name="张三丰")
    assert "张三丰" not in shown and "张**" in shown
    assert "33010219800101123X" not in shown and "*" * 18 in shown
    assert "330100000012345" in shown  # a 15-digit registration number is not an ID number


def test_penalty_type_labels_follow_the_statute():
    assert rules.penalty_type_labels(int(P.FINE | P.WARNING | P.CONFISCATION)) == [
        "警告", "罚款", "没收违法所得、没收非法财物"]
