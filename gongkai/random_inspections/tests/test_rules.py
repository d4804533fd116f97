"""The 20-working-day rule for publishing results (国发〔2019〕5号), against the real
calendar: holidays (端午节 2026-06-19, 劳动节 2026-05-01…05) and make-up working days."""

import datetime as dt

import pytest

from gongkai.core.workdays import default_calendar
from gongkai.random_inspections import rules

D = dt.date


@pytest.mark.parametrize(("ends_on", "due"), [
    (D(2026, 5, 29), D(2026, 6, 29)),  # a Friday; 端午节 on 19 June is not counted
    (D(2026, 4, 30), D(2026, 6, 1)),  # 劳动节 1–5 May off, Saturday 9 May a make-up working day
    (D(2026, 6, 30), D(2026, 7, 28)),  # four plain weeks
    (D(2026, 9, 25), D(2026, 10, 29)),  # across the National Day holiday
])
def test_results_are_due_twenty_working_days_after_the_task_ends(ends_on, due):
    assert rules.results_due(ends_on, default_calendar()) == due
    assert default_calendar().working_days_between(ends_on, due) == rules.RESULTS_PUBLICATION_WORKING_DAYS


def test_the_end_day_itself_is_not_counted_even_when_it_is_a_working_day():
    # Friday 29 May is a working day; the first day counted is Monday 1 June
    assert rules.results_due(D(2026, 5, 29)) == default_calendar().add_working_days(D(2026, 6, 1), 19)


@pytest.mark.parametrize(("published_on", "as_of", "late"), [
    (D(2026, 6, 29), D(2026, 12, 1), False),  # on the due day: on time
    (D(2026, 6, 30), D(2026, 12, 1), True),  # the day after: late, for ever
    (D(2026, 6, 1), D(2026, 6, 2), False),
    (None, D(2026, 6, 29), False),  # unpublished, still the due day: not yet late
    (None, D(2026, 6, 30), True),  # unpublished past the due day: overdue
    (None, D(2026, 6, 10), False),
])
def test_a_result_is_late_when_published_or_still_unpublished_after_the_due_day(published_on, as_of, late):
    assert rules.is_result_late(D(2026, 5, 29), published_on, as_of, default_calendar()) is late


def test_working_days_left_count_down_to_the_due_day_and_below_zero_after_it():
    assert rules.working_days_left(D(2026, 5, 29), D(2026, 6, 26)) == 1
    assert rules.working_days_left(D(2026, 5, 29), D(2026, 6, 29)) == 0
    assert rules.working_days_left(D(2026, 5, 29), D(2026, 6, 30)) == -1
