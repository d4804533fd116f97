"""The desk (工作台) in Chromium, on the demo site: the demo's office, leader, reviewer,
officer and supervising office each sign in, see their queues with the counts the records
give, and following a queue's link lists exactly the items counted; on a 1366 px desktop
and a 390 px phone, the desk no wider than the screen and without a serious axe finding.

The expected counts are worked out here from the records directly (the deadlines through
the one deadline rule), not through the desk's own code."""

import datetime as dt

import pytest
from django.db.models import Q

from gongkai.browser_tests.helpers import DESKTOP, PHONE, overflow, sign_in
from gongkai.core.models import Agency, Department, User
from gongkai.core.tests.helpers import at

pytestmark = pytest.mark.browser

TODAY = dt.date(2026, 3, 10)  # a Tuesday; the demo dates its requests back from today
BUREAU = "青岚市市场监督管理局"
MODELLED = ("foi.", "publishing.")  # the areas whose queues are worked out here
CITY = "青岚市人民政府办公室"


@pytest.fixture
def demo_site(transactional_db, settings, tmp_path):
    """What `gongkai demo` loads (its loaders, without the command's migrate)."""
    from gongkai.core.demo import load_demo
    from gongkai.foi.demo import load_demo_requests
    from gongkai.publishing.demo import load_demo_publications
    from gongkai.reports.demo import load_demo_reports

    settings.MEDIA_ROOT = tmp_path / "media"
    at(TODAY)
    assert load_demo()
    load_demo_requests()
    load_demo_publications()
    load_demo_reports()


# --- what each queue should hold, from the records ------------------------------------------

def _requests(**filters) -> set[str]:
    from gongkai.foi.models import FoiRequest

    return set(FoiRequest.objects.filter(**filters).values_list("tracking_number", flat=True))


def _by_deadline(agencies, which: str) -> set[str]:
    from gongkai.foi import selectors
    from gongkai.foi.models import FoiRequest
    from gongkai.foi.workflow import OPEN_STATUSES

    found = set()
    for request in FoiRequest.objects.filter(agency__in=agencies, status__in=OPEN_STATUSES):
        deadline = selectors.request_deadline(request)
        if getattr(deadline, which):
            found.add(request.tracking_number)
    return found


def _with_draft(agency, state, **more) -> set[str]:
    from gongkai.foi.workflow import OPEN_STATUSES

    return _requests(agency=agency, status__in=OPEN_STATUSES, drafts__state=state,
                     **{f"drafts__{k}": v for k, v in more.items()})


def _items(**filters) -> set[str]:
    from gongkai.publishing.models import Publication

    return set(Publication.objects.filter(**filters).values_list("title", flat=True))


def expected_queues(username: str) -> dict[str, tuple[str, set[str]]]:
    """queue key → (what its list shows: "requests" or "items", the items it holds)."""
    from gongkai.foi.models import ExtensionState
    from gongkai.foi.workflow import OPEN_STATUSES, RequestStatus

    bureau = Agency.objects.get(name=BUREAU)
    user = User.objects.get(username=username)
    if username == "office":
        return {
            "foi.unconfirmed": ("requests", _requests(agency=bureau, status=RequestStatus.AWAITING_CONFIRMATION)),
            "foi.overdue": ("requests", _by_deadline([bureau], "overdue")),
            "foi.due_soon": ("requests", _by_deadline([bureau], "due_soon")),
            "foi.to_check": ("requests", _with_draft(bureau, "awaiting_check")),
            "foi.returned": ("requests", _with_draft(bureau, "returned", drafted_by=user)),
            "publishing.to_publish": ("items", _items(agency=bureau, status="approved")),
        }
    if username == "leader":
        return {
            "foi.to_sign": ("requests", _with_draft(bureau, "awaiting_signoff")),
            "foi.extension": ("requests", _requests(agency=bureau, status__in=OPEN_STATUSES,
                                                    extension_requests__state=ExtensionState.REQUESTED)),
            "publishing.to_approve": ("items", _items(agency=bureau, status="in_approval")),
        }
    if username == "reviewer":
        return {"publishing.to_review": ("items", _items(agency=bureau, status="in_review"))}
    if username == "officer":
        food = Department.objects.get(agency=bureau, name="食品安全科")
        return {
            "foi.department_open": ("requests", _requests(agency=bureau, department=food,
                                                          status__in=OPEN_STATUSES)),
            "foi.returned": ("requests", _with_draft(bureau, "returned", drafted_by=user)),
            "publishing.department_drafts": ("items", _items(agency=bureau, department=food, status="draft")),
        }
    if username == "supervisor":
        city = Agency.objects.get(name=CITY)
        subtree = Agency.objects.filter(Q(path__startswith=city.path))
        return {"foi.subtree_overdue": ("requests", _by_deadline(subtree, "overdue"))}
    raise AssertionError(username)


# What the demo is built to show (foi/demo.py, publishing/demo.py): each persona has work.
NOT_EMPTY = {
    "office": ["foi.unconfirmed", "foi.overdue", "foi.due_soon"],
    "leader": ["foi.to_sign", "foi.extension"],
    "reviewer": ["publishing.to_review"],
    "officer": ["foi.department_open", "publishing.department_drafts"],
    "supervisor": ["foi.subtree_overdue"],
}


# --- the browser --------------------------------------------------------------------------

def shown_queues(page) -> dict[str, int]:
    queues = {}
    for item in page.locator('[data-testid="desk-queue"]').all():
        queues[item.get_attribute("data-queue")] = int(item.locator('[data-testid="desk-count"]').inner_text())
    return queues


def listed(page, kind: str) -> set[str]:
    if kind == "requests":
        return set(page.locator('[data-testid="request-row"] td.id a').all_inner_texts())
    return set(page.locator('[data-testid="publication-row"] td:nth-child(2) a').all_inner_texts())


@pytest.mark.parametrize("username", ["office", "leader", "reviewer", "officer", "supervisor"])
def test_each_persona_sees_its_queues_and_each_link_lists_what_was_counted(page, demo_site, axe_serious,
                                                                           username):
    expected = expected_queues(username)
    for key in NOT_EMPTY[username]:
        assert expected[key][1], f"the demo gives {username} nothing in {key}"
    sign_in(page, username)

    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto("/staff/")
        # Requests and publishing, which this demo loads; the participation apps' queues
        # (empty here) are checked by their own tests.
        shown = {key: n for key, n in shown_queues(page).items() if key.startswith(MODELLED)}
        assert shown == {key: len(items) for key, (_, items) in expected.items()}, viewport
        found = overflow(page)
        assert found["width"] <= found["inner"], (viewport, found)
        axe_serious(page)

        for key, (kind, items) in expected.items():
            page.goto("/staff/")
            page.locator(f'[data-queue="{key}"] a.desk-link').click()
            page.wait_for_load_state()
            assert listed(page, kind) == items, (viewport, key)


def test_the_supervisor_sees_the_worst_agencies_and_each_lists_its_own(page, demo_site):
    expected = expected_queues("supervisor")["foi.subtree_overdue"][1]
    bureau = Agency.objects.get(name=BUREAU)
    bureau_overdue = _by_deadline([bureau], "overdue")
    assert bureau_overdue and bureau_overdue <= expected
    sign_in(page, "supervisor")
    page.set_viewport_size(PHONE)
    page.goto("/staff/")

    line = page.locator('[data-testid="desk-line"]', has_text=BUREAU)
    assert line.locator("td").nth(1).inner_text() == str(len(bureau_overdue))
    line.locator("a").click()
    page.wait_for_load_state()
    assert listed(page, "requests") == bureau_overdue
    found = overflow(page)
    assert found["width"] <= found["inner"], found
