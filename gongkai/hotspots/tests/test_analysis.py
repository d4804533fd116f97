import datetime as dt

import pytest

from gongkai.hotspots.analysis import analyse, is_emerging
from gongkai.hotspots.periods import MONTH, WEEK, Period
from gongkai.hotspots.tests.conftest import csv_bytes, row

D = dt.date
WEEK10 = Period(WEEK, D(2026, 3, 2))


# --- the emerging-topic rule -----------------------------------------------------------------

@pytest.mark.parametrize(("count", "trailing", "emerging"), [
    (5, [0] * 8, True),  # new, at the minimum
    (4, [0] * 8, False),  # new, but fewer than five
    (15, [5] * 8, True),  # three times a steady level, z = 10 with σ floored at 1
    (14, [5] * 8, False),  # not three times the level
    (30, [0, 20, 0, 20, 0, 20, 0, 20], False),  # ≥ 3μ (30) but within its usual swings: z = 2
    (40, [0, 20, 0, 20, 0, 20, 0, 20], True),  # z = 3
])
def test_is_emerging(count, trailing, emerging):
    assert is_emerging(count, trailing)[0] is emerging


# --- the analysis over imported complaints ------------------------------------------------------

def _rows():
    rows, n = [], 0

    def add(day, summary, **kw):
        nonlocal n
        n += 1
        rows.append(row(f"T{n}", date=day.isoformat(), summary=summary, **kw))

    for back in range(1, 9):  # the eight weeks before week 10
        monday = WEEK10.start - dt.timedelta(weeks=back)
        add(monday, "外卖中吃出异物，退费。", category="食品")
        for _ in range(4):
            add(monday, "外卖配送超时。", category="食品", region="城西区")
    for _ in range(6):
        add(D(2026, 3, 3), "悦动健身闭店，预付卡无法退费。", category="预付卡")
    for _ in range(5):
        add(D(2026, 3, 4), "外卖配送超时。", category="食品", region="城西区")
    add(D(2025, 3, 4), "去年同周的一件外卖投诉。", category="食品")  # 2025-W10
    return rows


@pytest.fixture
def imported(import_file):
    return import_file(csv_bytes(_rows()))


def test_counts_by_dimension_with_previous_and_last_year(imported, bureau):
    a = analyse(agencies=[bureau], period=WEEK10, sources="complaints")
    assert (a.total, a.previous_total, a.last_year_total) == (11, 5, 1)
    assert a.change_previous == 120.0 and a.change_last_year == 1000.0
    categories = {r.label: (r.current, r.previous, r.last_year) for r in a.dimensions["category"]}
    assert categories == {"预付卡": (6, 0, 0), "食品": (5, 5, 1)}
    regions = {r.label: r.current for r in a.dimensions["region"]}
    assert regions == {"城东区": 6, "城西区": 5}


def test_trend_covers_twelve_weeks_with_last_year(imported, bureau):
    a = analyse(agencies=[bureau], period=WEEK10, sources="complaints")
    assert len(a.trend) == 12 and a.trend[-1].period == WEEK10
    assert [p.current for p in a.trend][-9:] == [5] * 8 + [11]
    assert a.trend[-1].last_year == 1


def test_top_terms_with_previous_counts(imported, bureau):
    a = analyse(agencies=[bureau], period=WEEK10, sources="complaints")
    terms = {t.term: (t.count, t.previous) for t in a.top_terms}
    assert terms["闭店"] == (6, 0) and terms["外卖"] == (5, 5)
    assert "消费者" not in terms and "外卖配送" in {t.term for t in a.top_phrases}


def test_emerging_topics_follow_the_rule_with_examples(imported, bureau):
    a = analyse(agencies=[bureau], period=WEEK10, sources="complaints")
    emerging = {e.term: e for e in a.emerging}
    assert "闭店" in emerging and "外卖" not in emerging and "退费" in emerging
    assert emerging["闭店"].count == 6 and emerging["闭店"].mean == 0
    assert emerging["闭店"].examples == ["悦动健身闭店，预付卡无法退费。"] * 3
    assert (emerging["退费"].count, emerging["退费"].mean) == (6, 1.0)  # once a week before
    assert "超时" not in emerging


def test_monthly_analysis(imported, bureau):
    a = analyse(agencies=[bureau], period=Period(MONTH, D(2026, 3, 1)), sources="complaints")
    assert a.total == 11
    assert a.previous_total == 20  # February: the weeks of Mondays 2, 9, 16, 23, five each
    assert {r.label: r.current for r in a.dimensions["category"]} == {"预付卡": 6, "食品": 5}


def test_another_agency_sees_none_of_it(imported, other_agency):
    a = analyse(agencies=[other_agency], period=WEEK10)
    assert a.total == 0 and not a.top_terms and not a.emerging


# --- messages from the message board ------------------------------------------------------------

@pytest.fixture
def messages(monkeypatch, bureau):
    """The message board's selector, answering with these messages of the bureau."""
    import gongkai.interaction.selectors as interaction_selectors

    calls = []

    def fake(*, agencies, start, end):
        calls.append(([a.pk for a in agencies], start, end))
        found = [
            {"received_on": D(2026, 3, 3), "kind": "complaint", "kind_label": "投诉",
             "department": "价格监督检查科", "category": "预付卡", "region": "城东区",
             "text": f"悦动健身闭店 第{i}位会员留言，电话13912345678"} for i in range(3)
        ] + [{"received_on": D(2026, 2, 24), "kind": "consult", "kind_label": "咨询",
              "department": "", "category": "", "region": "", "text": "营业执照怎么办理"}]
        return [m for m in found if start <= m["received_on"] <= end]

    monkeypatch.setattr(interaction_selectors, "messages_for_analysis", fake)
    return calls


def test_messages_are_added_to_the_complaints(imported, bureau, messages):
    a = analyse(agencies=[bureau], period=WEEK10, sources="all")
    assert a.by_source == {"complaints": 11, "messages": 3}
    assert a.total == 14 and a.previous_total == 6
    assert {r.label: r.current for r in a.dimensions["department"]}["价格监督检查科"] == 14
    assert {t.term: t.count for t in a.top_terms}["闭店"] == 9
    assert messages[0][0] == [bureau.pk]


def test_messages_alone(imported, bureau, messages):
    a = analyse(agencies=[bureau], period=WEEK10, sources="messages")
    assert a.total == 3 and a.by_source["complaints"] == 0
    assert {r.label: (r.current, r.previous) for r in a.dimensions["kind"]} == {"投诉": (3, 0), "咨询": (0, 1)}


def test_a_term_emerges_from_complaints_and_messages_together(import_file, bureau, messages):
    import_file(csv_bytes([row(f"M{i}", date="2026-03-04", summary="悦动健身闭店。") for i in range(2)]))
    a = analyse(agencies=[bureau], period=WEEK10, sources="all")
    emerging = {e.term: e for e in a.emerging}
    assert emerging["闭店"].count == 5  # 2 complaints + 3 messages
    examples = emerging["闭店"].examples
    assert examples[:2] == ["悦动健身闭店。"] * 2
    assert "13912345678" not in examples[2] and "139****5678" in examples[2]
