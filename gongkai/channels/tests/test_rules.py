"""The staleness rule (国办秘函〔2019〕19号: no update in the 2 weeks before the check)."""

import datetime as dt

import pytest

from gongkai.channels import rules

TODAY = dt.date(2025, 6, 16)


@pytest.mark.parametrize(("days_ago", "stale"), [
    (0, False), (1, False), (13, False), (14, False), (15, True), (30, True), (400, True),
])
def test_an_account_is_stale_only_when_its_latest_post_is_more_than_14_days_ago(days_ago, stale):
    assert rules.is_stale(TODAY - dt.timedelta(days=days_ago), today=TODAY) is stale


def test_an_account_with_no_known_post_is_stale():
    assert rules.is_stale(None, today=TODAY) is True


@pytest.mark.parametrize(("days_ago", "stale"), [(10, False), (11, True)])
def test_a_ten_day_rule_moves_the_boundary(days_ago, stale):
    assert rules.is_stale(TODAY - dt.timedelta(days=days_ago), today=TODAY, days=10) is stale


def test_the_national_rule_is_the_default_and_the_loosest():
    assert rules.NOT_UPDATED_DEFAULT_DAYS == 14 == rules.NOT_UPDATED_MOST_DAYS
    assert rules.not_updated_days(None) == 14
    assert rules.not_updated_days(10) == 10
    assert rules.not_updated_days(30) == 14  # never looser than the national rule
    assert rules.not_updated_days(0) == 14


def test_the_cutoff_is_the_earliest_fresh_day():
    cutoff = rules.stale_cutoff(TODAY, 14)
    assert cutoff == dt.date(2025, 6, 2)
    assert not rules.is_stale(cutoff, today=TODAY)
    assert rules.is_stale(cutoff - dt.timedelta(days=1), today=TODAY)


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (9_999, "9999"), (10_000, "1万"), (123_000, "12.3万"), (45_000, "4.5万"), (1_234_567, "123.5万"),
])
def test_large_counts_are_written_in_wan(value, text):
    assert rules.wan(value) == text


def test_month_helpers():
    assert rules.month_end(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)
    assert rules.month_end(dt.date(2025, 12, 1)) == dt.date(2025, 12, 31)
    assert rules.months_of(2025)[0] == dt.date(2025, 1, 1) and len(rules.months_of(2025)) == 12
