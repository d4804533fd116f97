import datetime as dt
import itertools
from decimal import Decimal

import pytest

from gongkai.core.tests.helpers import at
from gongkai.decisions import rules, selectors
from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus, PartyType
from gongkai.decisions.rules import FineLimits, PenaltyType

D = dt.date
P = PenaltyType


@pytest.fixture
def variety(make_decision):
    """Decisions covering every period rule and its boundaries, published on days that put
    their ends near month ends and leap days."""
    pen = {"kind": DecisionKind.PENALTY}
    shapes = [
        {**pen, "penalty_types": int(P.REPRIMAND), "fine_amount": None},
        {**pen, "penalty_types": int(P.FINE), "fine_amount": Decimal("3000")},
        {**pen, "penalty_types": int(P.FINE), "fine_amount": Decimal("10000")},
        {**pen, "penalty_types": int(P.FINE), "fine_amount": Decimal("20000")},
        {**pen, "penalty_types": int(P.FINE), "fine_amount": Decimal("20000"),
         "party_type": PartyType.NATURAL_PERSON, "party_uscc": "", "party_name": "张三"},
        {**pen, "penalty_types": int(P.FINE | P.WARNING), "fine_amount": Decimal("800"),
         "party_type": PartyType.INDIVIDUAL_BUSINESS},
        {**pen, "penalty_types": int(P.FINE | P.CONFISCATION), "fine_amount": Decimal("800")},
        {**pen, "penalty_types": int(P.REVOCATION), "fine_amount": None},
        {**pen, "penalty_types": int(P.EMPLOYMENT_BAN), "fine_amount": None,
         "publication_ends_on": D(2029, 11, 29)},
        {"kind": DecisionKind.LICENCE, "penalty_types": 0, "fine_amount": None},
        {"kind": DecisionKind.ENFORCEMENT, "penalty_types": 0, "fine_amount": None},
    ]
    published = [D(2023, 11, 30), D(2024, 2, 29), D(2024, 11, 30), D(2025, 1, 15)]
    statuses = [DecisionStatus.PUBLISHED, DecisionStatus.WITHDRAWN]
    made = []
    for shape, on, status in itertools.product(shapes, published, statuses):
        extra = {}
        if status == DecisionStatus.WITHDRAWN:
            extra = {"changed_on": on + dt.timedelta(days=20),
                     "withdrawn_on": on + dt.timedelta(days=21), "withdrawal_reason": "决定已撤销"}
        made.append(make_decision(decision_date=on - dt.timedelta(days=2), published_on=on,
                                  status=status, **shape, **extra))
    return made


DAYS = [D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1), D(2024, 5, 29), D(2024, 5, 30),
        D(2024, 5, 31), D(2025, 2, 28), D(2025, 3, 1), D(2025, 4, 15), D(2025, 4, 16),
        D(2026, 11, 30), D(2026, 12, 1), D(2027, 2, 28), D(2027, 3, 1), D(2028, 1, 15),
        D(2028, 1, 16), D(2029, 11, 29), D(2029, 11, 30)]


@pytest.mark.parametrize("limits", [FineLimits(), FineLimits(Decimal("3000"), Decimal("20000"))])
def test_query_agrees_with_the_rules_on_every_day(bureau, variety, limits):
    for day in DAYS:
        shown = set(selectors.public_decisions(agency=bureau, limits=limits, today=day)
                    .values_list("pk", flat=True))
        expected = {d.pk for d in variety if rules.is_shown_on(d, day, limits)}
        assert shown == expected, day
        notices = set(selectors.public_withdrawal_notices(agency=bureau, limits=limits, today=day)
                      .values_list("pk", flat=True))
        assert notices == {d.pk for d in variety
                           if rules.is_withdrawal_notice_shown_on(d, day, limits)}, day


def test_public_listing_shows_only_what_is_in_its_period_today(bureau, other_agency, make_decision):
    at(D(2025, 6, 1))
    current = make_decision(published_on=D(2025, 5, 1), fine_amount=Decimal("50000"))
    small_expired = make_decision(published_on=D(2025, 2, 28), fine_amount=Decimal("500"))
    small_current = make_decision(published_on=D(2025, 3, 1), fine_amount=Decimal("500"))
    make_decision(status=DecisionStatus.PENDING, published_on=None)
    make_decision(status=DecisionStatus.NOT_PUBLISHED, published_on=None, penalty_types=int(P.WARNING),
                  fine_amount=None)
    make_decision(published_on=D(2022, 5, 31), fine_amount=Decimal("50000"))  # three years over
    make_decision(agency=other_agency, published_on=D(2025, 5, 1))

    shown = selectors.public_decisions(agency=bureau, limits=FineLimits())

    assert set(shown) == {current, small_current}
    assert small_expired not in shown


def test_kind_filter(bureau, make_decision):
    at(D(2025, 6, 1))
    licence = make_decision(kind=DecisionKind.LICENCE, penalty_types=0, fine_amount=None)
    make_decision()
    assert list(selectors.public_decisions(agency=bureau, limits=FineLimits(),
                                           kind=DecisionKind.LICENCE)) == [licence]


def test_public_row_masks_a_person_and_never_carries_the_resident_id(make_decision):
    decision = make_decision(party_type=PartyType.NATURAL_PERSON, party_name="张三丰", party_uscc="",
                             party_id_number="33010219800101123X",
                             content="张三丰（身份证号33010219800101123X）罚款2000元")
    row = selectors.public_row(decision)
    assert row.party == "张**" and row.uscc == ""
    assert "张三丰" not in row.content and "33010219800101123X" not in str(row)


def test_public_row_shows_an_organisation_and_its_credit_code(make_decision):
    row = selectors.public_row(make_decision())
    assert row.party == "测试市某某贸易有限公司" and row.uscc == "91330100MA2XXXXX08"
    assert row.penalty_types == "罚款"


# --- back office -------------------------------------------------------------------------------

def test_staff_filters_shown_and_expired(office, bureau, make_decision):
    at(D(2025, 6, 1))
    shown = make_decision(published_on=D(2025, 5, 1))
    expired = make_decision(published_on=D(2025, 2, 1), fine_amount=Decimal("500"))
    pending = make_decision(status=DecisionStatus.PENDING, published_on=None)
    assert list(selectors.decision_list(user=office, agency=bureau, status="shown")) == [shown]
    assert list(selectors.decision_list(user=office, agency=bureau, status="expired")) == [expired]
    assert list(selectors.decision_list(user=office, agency=bureau, status="pending")) == [pending]


def test_decision_rows_derive_state_due_and_flags(bureau, make_decision):
    at(D(2025, 6, 1))
    late = make_decision(decision_date=D(2025, 1, 24), published_on=D(2025, 2, 11),
                         fine_amount=Decimal("50000"))
    overdue = make_decision(decision_date=D(2025, 5, 20), status=DecisionStatus.PENDING,
                            published_on=None)
    expired = make_decision(decision_date=D(2025, 1, 24), published_on=D(2025, 1, 27),
                            fine_amount=Decimal("500"))
    rows = {r.decision.pk: r for r in selectors.decision_rows([late, overdue, expired], agency=bureau)}
    assert rows[late.pk].due == D(2025, 2, 10) and rows[late.pk].late and rows[late.pk].state == "公示中"
    assert rows[overdue.pk].due == D(2025, 5, 29) and rows[overdue.pk].overdue
    assert rows[overdue.pk].state == "待公示"
    assert rows[expired.pk].state == "公示期满" and rows[expired.pk].last_day == D(2025, 4, 27)


# --- annual report -------------------------------------------------------------------------------

def test_decision_counts_by_decision_date_year(bureau, other_agency, make_decision):
    make_decision(kind=DecisionKind.LICENCE, penalty_types=0, fine_amount=None, decision_date=D(2024, 1, 1))
    make_decision(kind=DecisionKind.LICENCE, penalty_types=0, fine_amount=None, decision_date=D(2024, 12, 31))
    make_decision(decision_date=D(2024, 6, 1), published_on=D(2025, 1, 3))  # published the next year
    make_decision(decision_date=D(2024, 6, 2), status=DecisionStatus.NOT_PUBLISHED, published_on=None,
                  penalty_types=int(P.WARNING), fine_amount=None)  # decided, though not published
    make_decision(decision_date=D(2024, 6, 3), status=DecisionStatus.WITHDRAWN, changed_on=D(2024, 7, 1),
                  withdrawn_on=D(2024, 7, 2), withdrawal_reason="撤销", published_on=D(2024, 6, 4))
    make_decision(kind=DecisionKind.ENFORCEMENT, penalty_types=0, fine_amount=None,
                  decision_date=D(2024, 8, 8))
    make_decision(decision_date=D(2023, 12, 31), published_on=D(2024, 1, 2))  # the year before
    make_decision(decision_date=D(2025, 1, 1), published_on=D(2025, 1, 2))  # the year after
    make_decision(agency=other_agency, decision_date=D(2024, 5, 5))

    assert selectors.decision_counts([bureau.pk], 2024) == {
        "licence": 2, "penalty": 3, "enforcement": 1, "other": 0}
    assert selectors.decision_counts([bureau.pk, other_agency.pk], 2024)["penalty"] == 4
    assert selectors.decision_counts([], 2024) == {"licence": 0, "penalty": 0, "enforcement": 0,
                                                   "other": 0}
    assert selectors.yearly_counts(agency=bureau) == [(2025, [0, 1, 0, 0]), (2024, [2, 3, 1, 0]),
                                                      (2023, [0, 1, 0, 0])]


def test_decision_counts_query_count(bureau, make_decision, django_assert_num_queries):
    for _ in range(5):
        make_decision(decision_date=D(2024, 3, 3))
    with django_assert_num_queries(1):
        selectors.decision_counts([bureau.pk], 2024)


def test_report_rows_are_the_table_labels():
    assert list(selectors.REPORT_ROWS.values()) == ["行政许可", "行政处罚", "行政强制"]
    assert Decision._meta.get_field("kind").choices[:3] == [
        ("licence", "行政许可"), ("penalty", "行政处罚"), ("enforcement", "行政强制")]
