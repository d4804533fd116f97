import datetime as dt

import pytest

from gongkai.consultations import rules
from gongkai.consultations.articles import chinese_numeral, numeral_text, parse_articles
from gongkai.core.workdays import default_calendar


def test_minimum_period_is_thirty_days_unless_the_agency_sets_its_own():
    assert rules.minimum_period_days("major_decision") == 30
    assert rules.minimum_period_days("normative", None) == 30
    assert rules.minimum_period_days("normative", 15) == 15


def test_period_does_not_count_the_first_day():
    assert rules.period_days(dt.date(2025, 3, 1), dt.date(2025, 3, 31)) == 30
    assert rules.is_shorter_than_minimum(dt.date(2025, 3, 1), dt.date(2025, 3, 30), 30)
    assert not rules.is_shorter_than_minimum(dt.date(2025, 3, 1), dt.date(2025, 3, 31), 30)


def test_feedback_due_counts_working_days_across_the_national_day_holiday():
    # Closed on Monday 29 September 2025: 1-8 October are holidays, 28 Sep and 11 Oct make-up days.
    due = rules.feedback_due_on(dt.date(2025, 9, 29), 5, calendar=default_calendar())
    assert due == dt.date(2025, 10, 13)  # 30 Sep, 9, 10, 11 (make-up), 13 Oct


def test_adoption_rate_counts_partly_adopted_and_is_none_without_opinions():
    assert rules.adoption_rate(1, 1, 4) == 50.0
    assert rules.adoption_rate(0, 0, 0) is None


@pytest.mark.parametrize(("text", "n"), [("一", 1), ("十", 10), ("十一", 11), ("二十六", 26),
                                         ("一百零三", 103), ("两", 2)])
def test_chinese_numerals(text, n):
    assert chinese_numeral(text) == n


@pytest.mark.parametrize("n", [1, 9, 10, 11, 20, 26, 100, 103, 110, 1001])
def test_numeral_text_round_trips(n):
    assert chinese_numeral(numeral_text(n)) == n
    assert numeral_text(10) == "十" and numeral_text(103) == "一百零三"


def test_articles_are_parsed_from_line_starts_and_chapter_headings_end_them():
    body = ("第一章 总则\n第一条 为了规范……\n第二条　本办法适用于\n全市。\n第二章 许可\n"
            "　　第三条 许可应当……依照第五条规定办理。\n第二条 重复的不算")
    articles = parse_articles(body)
    assert [a.number for a in articles] == [1, 2, 3]
    assert articles[1].text == "本办法适用于\n全市。"
    assert articles[2].label == "第三条"
    assert "第二章" not in articles[1].text


def test_a_body_without_articles_has_none():
    assert parse_articles("关于某事的决定（草案）\n一、总体要求") == []
