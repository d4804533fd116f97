"""Art. 26 in one place: the deadline of proactive disclosure on the real calendar, and the
staff list, the item's page and the statistics giving the same verdict for the same item,
a publication on a holiday after the deadline included."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from gongkai.core.tests.helpers import at
from gongkai.core.workdays import default_calendar
from gongkai.publishing import rules, selectors
from gongkai.publishing.models import Publication

D = dt.date
CAL = default_calendar()

# The holiday case: made on Thursday 2025-03-06, the 20th working day after it is Thursday
# 2025-04-03; Friday 2025-04-04 is 清明, a holiday. Only 20 working days have passed by
# then, but the period has ended: published that day, the item is late.
WRITTEN = D(2025, 3, 6)
DEADLINE = D(2025, 4, 3)
HOLIDAY = D(2025, 4, 4)


@pytest.mark.parametrize(
    ("written_on", "deadline"),
    [
        (D(2025, 1, 24), D(2025, 2, 27)),  # Sunday 01-26 worked; Spring Festival 01-28..02-04
        (WRITTEN, DEADLINE),  # an ordinary month of weekdays
        (D(2025, 9, 12), D(2025, 10, 16)),  # 09-28 and 10-11 worked; 10-01..10-08 off
        (D(2024, 4, 3), D(2024, 5, 6)),  # 清明 04-04..06 and 劳动节 05-01..05 off, 04-07 and 04-28 worked
    ],
)
def test_the_deadline_is_the_twentieth_working_day_after_the_written_date(written_on, deadline):
    assert rules.publication_deadline(written_on, calendar=CAL) == deadline
    assert CAL.working_days_between(written_on, deadline) == rules.PUBLICATION_LIMIT_DAYS


@pytest.mark.parametrize(
    ("published_on", "late"),
    [
        (WRITTEN, False),
        (DEADLINE, False),  # the last day is still on time
        (HOLIDAY, True),  # after the deadline, though no working day has passed since
        (D(2025, 4, 7), True),
    ],
)
def test_publication_after_the_deadline_is_late_even_on_a_holiday(published_on, late):
    assert rules.is_published_late(WRITTEN, published_on, calendar=CAL) is late


def test_the_holiday_case_has_only_twenty_working_days_between_the_dates():
    # The count the old statistics used: it called this item on time.
    assert CAL.working_days_between(WRITTEN, HOLIDAY) == rules.PUBLICATION_LIMIT_DAYS
    assert not CAL.is_working_day(HOLIDAY)


def test_an_unpublished_item_is_overdue_from_the_day_after_the_deadline():
    assert not rules.is_publication_overdue(WRITTEN, today=DEADLINE, calendar=CAL)
    assert rules.is_publication_overdue(WRITTEN, today=HOLIDAY, calendar=CAL)


def test_the_default_calendar_is_the_package_calendar():
    assert rules.publication_deadline(WRITTEN) == DEADLINE


# --- the pages and the statistics agree -------------------------------------------------------


def _published(agency, user, *, number, published_on, written_on=WRITTEN) -> Publication:
    return Publication.objects.create(
        agency=agency,
        index_number=f"{agency.code}/R-{number:05d}",
        title=f"关于第{number}批食品安全监督抽检情况的通告",
        status="published",
        written_on=written_on,
        published_on=published_on,
        issuing_agency=agency.name,
        disclosure_attribute="proactive",
        created_by=user,
    )


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture
def holiday_items(db, bureau, office):
    at(dt.date(2025, 12, 15))
    late = _published(bureau, office, number=1, published_on=HOLIDAY)
    on_time = _published(bureau, office, number=2, published_on=DEADLINE)
    return late, on_time


def test_the_staff_list_flags_the_holiday_publication_as_late(client_for, office, holiday_items):
    late, on_time = holiday_items
    page = client_for(office).get(reverse("staff:publishing-list"))
    assert page.status_code == 200
    rows = re.findall(r'<tr data-testid="publication-row">(.*?)</tr>', page.content.decode(), re.S)
    flags = {
        number: "逾期发布" in row
        for row in rows
        for number in (late.index_number, on_time.index_number)
        if number in row
    }
    assert flags == {late.index_number: True, on_time.index_number: False}
    assert "发布日期晚于成文日期后第20个工作日（第二十六条）" in _text(page.content.decode())


def test_the_item_page_flags_the_holiday_publication_as_late(client_for, office, holiday_items):
    late, on_time = holiday_items
    client = client_for(office)
    late_page = client.get(reverse("staff:publishing-detail", args=[late.pk])).content.decode()
    on_time_page = client.get(reverse("staff:publishing-detail", args=[on_time.pk])).content.decode()
    assert 'data-testid="late"' in late_page and 'data-testid="late"' not in on_time_page
    assert "应自成文之日起20个工作日内公开（第二十六条）" in _text(late_page)


def test_the_statistics_count_the_holiday_publication_as_late(bureau, holiday_items):
    late, _ = holiday_items
    result = selectors.publication_statistics(agency=bureau, year=2025)
    assert [(p.pk, p.due_on, p.working_days) for p in result.late] == [(late.pk, DEADLINE, 20)]


def test_the_statistics_page_shows_the_deadline_it_judged_by(client_for, office, holiday_items):
    page = client_for(office).get(reverse("staff:publishing-statistics"), {"year": 2025})
    assert page.status_code == 200
    content = page.content.decode()
    count = re.search(r'data-testid="late-count">(.*?)</p>', content, re.S)
    assert count and "晚于公开期限（成文日期后第20个工作日）发布的共 1 条" in _text(count.group(1))
    table = re.search(r'<table data-testid="late">(.*?)</table>', content, re.S)
    assert table and "2025-03-06 2025-04-03 2025-04-04 20" in _text(table.group(1))
