"""A supervised subtree with one known defect of each kind (today: Monday 15 June 2026).

    province
    └── city (the supervisor's agency; a department: report due 31 January)
        ├── bureau: an overdue and a fresh open request, a reply on time and a late one,
        │           a late publication, a stale and a blank column, an uninterpreted
        │           normative document, a late decision, a report on time, an old message
        └── county (a county people's government: report due 31 March; none)
            └── other: an overdue open request, a reply on time, a draft report
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.core import clock
from gongkai.core.models import AgencyKind
from gongkai.core.tests.factories import UserFactory
from gongkai.oversight.tests import records as r
from gongkai.publishing.models import ColumnKind
from gongkai.reports.models import ReportState

TODAY = dt.date(2026, 6, 15)
D = dt.date


@pytest.fixture
def today():
    clock.freeze(r.noon(TODAY))
    yield TODAY
    clock.freeze(None)


def save_request(agency, n, **kwargs):
    req = r.request(agency, n, **kwargs)
    req.save()
    for e in r.request_events(req):
        e.save()
    return req


@pytest.fixture
def seeded(tree, today):
    user = UserFactory(username="writer")
    city, bureau, county, other = tree["city"], tree["bureau"], tree["county"], tree["other"]
    county.kind = AgencyKind.PEOPLES_GOVERNMENT
    county.save()
    city.kind = AgencyKind.DEPARTMENT
    city.save()
    s = {"tree": tree}
    # Requests
    s["overdue"] = save_request(bureau, 1, received_on=D(2026, 4, 1))
    save_request(bureau, 2, received_on=D(2026, 6, 12))
    save_request(bureau, 3, received_on=D(2026, 3, 2), closed_on=D(2026, 3, 10))  # 6 working days
    save_request(bureau, 4, received_on=D(2026, 1, 5), closed_on=D(2026, 3, 2))  # late
    save_request(bureau, 5, received_on=D(2025, 3, 2), closed_on=D(2025, 3, 10))  # another year
    save_request(other, 1, received_on=D(2026, 3, 2), closed_on=D(2026, 3, 5))  # 3 working days
    save_request(other, 2, received_on=D(2026, 2, 2))  # overdue
    # Columns and publications
    dynamic = r.column(bureau, "工作动态", ColumnKind.DYNAMIC)
    notice = r.column(bureau, "通知公告", ColumnKind.NOTICE)
    blank = r.column(bureau, "机构职能", ColumnKind.STATIC)
    for c in (dynamic, notice, blank):
        c.save()
    late = r.publication(bureau, 1, written_on=D(2026, 1, 5), published_on=D(2026, 4, 1), user=user,
                         title="迟发的信息")
    on_time = r.publication(bureau, 2, written_on=D(2026, 6, 1), published_on=D(2026, 6, 10), user=user)
    old = r.publication(bureau, 3, written_on=D(2025, 10, 1), published_on=D(2025, 10, 1), user=user,
                        title="旧通知")
    for p, c in ((late, dynamic), (on_time, dynamic), (old, notice)):
        p.save()
        p.columns.add(c)
    s["late_publication"], s["stale_column"], s["blank_column"] = late, notice, blank
    # Normative documents: one without interpretation past the 5-day limit, one interpreted.
    doc = r.normative(bureau, 1, issued_on=D(2026, 5, 4), user=user)
    doc.save()
    interpreted = r.normative(bureau, 2, issued_on=D(2026, 5, 4), user=user)
    interpreted.save()
    r.interpretation(interpreted, published_on=D(2026, 5, 5), user=user).save()
    s["uninterpreted"] = doc
    # Decisions: one published 4 weeks after the decision, one the next day.
    s["late_decision"] = r.decision(bureau, 1, decision_date=D(2026, 3, 2), published_on=D(2026, 3, 30))
    s["late_decision"].save()
    r.decision(bureau, 2, decision_date=D(2026, 3, 2), published_on=D(2026, 3, 3)).save()
    # Annual reports on 2025
    r.report(bureau, 2025, published_on=D(2026, 1, 20)).save()
    r.report(city, 2025, published_on=D(2026, 3, 15)).save()  # late: a department's is due 31 January
    r.report(other, 2025, state=ReportState.DRAFT).save()
    # Messages: one open since February (over 3 months), one replied, one dismissed.
    r.message(bureau, 1, received_on=D(2026, 2, 1)).save()
    r.message(bureau, 2, received_on=D(2026, 5, 1), replied_on=D(2026, 5, 6)).save()
    r.message(bureau, 3, received_on=D(2026, 5, 2), status="dismissed").save()
    return s


@pytest.fixture
def count_queries():
    def run(func):
        with CaptureQueriesContext(connection) as ctx:
            result = func()
        return result, len(ctx.captured_queries)
    return run
