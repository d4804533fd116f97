"""Back-office presentation shared by every app: the calendar names its built-in data as
staff know it (not the Python package), identifiers and dates never wrap in staff tables,
and the error-summary script is on every page."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from gongkai.core.tests.helpers import at

pytestmark = pytest.mark.django_db


def test_the_calendar_names_its_built_in_source_for_people(client_for, office):
    at(dt.date(2025, 3, 5))
    page = client_for(office).get(reverse("staff:calendar")).content.decode()
    source = page[page.index('data-testid="built-in-source"'):]
    source = source[source.index(">") + 1:source.index("</p>")]
    assert "（国务院办公厅节假日安排，随软件发布）" in source
    # one level of brackets: none opens inside another
    depth = 0
    for char in source:
        depth += {"（": 1, "）": -1}.get(char, 0)
        assert depth <= 1, source
    assert "chinesecalendar" not in page


def test_identifiers_and_dates_do_not_wrap_in_staff_tables(client_for, office):
    css = Path(finders.find("gongkai/site.css")).read_text(encoding="utf-8")
    assert "td.nowrap, th.nowrap, td.id, td.date" in css and "white-space: nowrap" in css
    at(dt.date(2025, 3, 5))
    page = client_for(office).get(reverse("staff:calendar")).content.decode()
    assert "gongkai/forms.js" in page


def test_the_error_summary_script_focuses_the_summary():
    script = Path(finders.find("gongkai/forms.js")).read_text(encoding="utf-8")
    assert "[data-error-summary]" in script and ".focus()" in script
