"""The desk (工作台, core.desk): the registry the areas fill from their ``ready()``, the
home page that shows the active membership's queues, and the areas' queues of proactive
disclosure and annual reports seen there by each role (the requests' queues are tested
in foi/tests/test_desk.py). Every count is checked against what its link lists."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from gongkai.core import desk
from gongkai.core.models import Role
from gongkai.core.tests.factories import UserFactory, member
from gongkai.core.tests.helpers import at

D = dt.date


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def desk_queues(response) -> dict[str, tuple[str, int, str]]:
    """The queues the home page shows: key → (label, count, link)."""
    found = {}
    for key, body in re.findall(r'data-queue="([^"]+)">(.*?)</li>', response.content.decode(), re.S):
        link = re.search(r'<a href="([^"]+)" class="desk-link"><span class="desk-label">([^<]+)</span>'
                         r'.*?data-testid="desk-count">(\d+)</strong>', body, re.S)
        found[key] = (link.group(2), int(link.group(3)), html.unescape(link.group(1)))
    return found


# --- the registry ------------------------------------------------------------------------------

@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the apps' providers are put back afterwards)."""
    monkeypatch.setattr(desk, "_providers", [])
    return desk


def fake(area, *specs):
    def provider(membership):
        return [desk.Queue(key=f"{area}.{label}", area=area, label=label, count=count, url=f"/{label}/")
                for label, count in specs]
    return provider


def test_the_apps_register_their_providers_in_order():
    assert desk.registered() == [
        "foi", "publishing", "conversions", "workplans", "inspection", "channels", "random_inspections", "interaction",
        "reports", "consultations", "answers", "hotspots", "oversight",
    ]


def test_providers_come_in_their_order_and_a_second_registration_replaces_the_first(registry, office):
    from gongkai.core.permissions import memberships_of

    registry.register("later", fake("乙", ("b", 1)), order=20)
    registry.register("first", fake("甲", ("a", 2), ("c", 0)), order=10)
    registry.register("later", fake("乙", ("b", 5)), order=20)
    (membership,) = memberships_of(office)

    areas = registry.desk_for(membership)

    assert registry.registered() == ["first", "later"]
    assert [(a.title, [(q.label, q.count) for q in a.queues]) for a in areas] == [
        ("甲", [("a", 2), ("c", 0)]), ("乙", [("b", 5)])]
    assert registry.desk_for(None) == []  # no membership (a platform administrator): no desk


def test_a_queue_is_marked_only_when_something_urgent_waits():
    def queue(count, urgency):
        return desk.Queue(key="k", area="a", label="l", count=count, url="/", urgency=urgency)

    assert queue(3, desk.Urgency.OVERDUE).marked
    assert queue(1, desk.Urgency.SOON).marked
    assert not queue(0, desk.Urgency.OVERDUE).marked
    assert not queue(4, desk.Urgency.NORMAL).marked


def test_the_home_page_shows_the_queues_of_the_active_membership(registry, office, client_for):
    def by_role(membership):
        return [desk.Queue(key="t.role", area="测试", label=f"{membership.get_role_display()}的队列",
                           count=7, url="/staff/somewhere/?x=1", urgency=desk.Urgency.OVERDUE)]

    registry.register("t", by_role)
    response = client_for(office).get(reverse("staff:home"))

    assert response.status_code == 200
    assert desk_queues(response) == {"t.role": ("公开办工作人员的队列", 7, "/staff/somewhere/?x=1")}
    assert 'class="desk-queue desk-overdue desk-marked"' in response.content.decode()


def test_the_home_page_says_when_a_role_has_no_queue(registry, office, client_for):
    registry.register("t", lambda membership: [])
    response = client_for(office).get(reverse("staff:home"))

    assert 'data-testid="desk-empty"' in response.content.decode()
    assert desk_queues(response) == {}


def test_a_platform_administrator_has_no_desk(platform_admin, client_for):
    response = client_for(platform_admin).get(reverse("staff:home"))

    assert response.status_code == 200
    assert 'data-testid="desk"' not in response.content.decode()
    assert "您以平台管理员身份登录" in text(response)


def test_the_desk_follows_the_membership_switched_to(client_for, bureau, office):
    member(office, bureau, Role.LEADER)
    client = client_for(office)

    queues = desk_queues(client.get(reverse("staff:home")))  # the first role: leader
    assert "publishing.to_approve" in queues and "publishing.to_publish" not in queues
    as_office = next(m for m in office.memberships.all() if m.role == Role.OFFICE)
    client.post(reverse("staff:switch-membership"), {"membership": as_office.pk})

    queues = desk_queues(client.get(reverse("staff:home")))
    assert "publishing.to_publish" in queues and "publishing.to_approve" not in queues


# --- the areas' queues on the page: proactive disclosure and annual reports -------------------

@pytest.fixture
def items(db, settings, tmp_path, bureau, department, office, officer, reviewer, leader, other_agency, other_office):
    """The bureau's items in every waiting state (two in review), and the other agency's
    item in review, which the bureau never counts."""
    from gongkai.publishing.models import Column, ColumnKind
    from gongkai.publishing.services import publications as svc

    settings.MEDIA_ROOT = tmp_path / "media"
    at(D(2025, 3, 3))
    column = Column.objects.create(agency=bureau, name="通知公告", kind=ColumnKind.NOTICE)

    def item(title, *, agency=bureau, actor=officer, dept=department, columns=(column,)):
        return svc.publication_create(actor=actor, agency=agency, department=dept, title=title,
                                      written_on=D(2025, 3, 1), disclosure_attribute="proactive",
                                      body="<p>正文。</p>", columns=list(columns))

    def review(p):
        svc.publication_submit(actor=officer, publication=p)
        svc.publication_review(actor=reviewer, publication=p, involves_state_secrets=False,
                               involves_privacy_or_trade_secrets=False,
                               endangers_security_or_stability=False, conclusion="may_publish")

    drafts = [item("草稿一"), item("草稿二")]
    office_draft = item("公开办草稿", actor=office, dept=None)
    in_review = [item("待审一"), item("待审二")]
    for p in in_review:
        svc.publication_submit(actor=officer, publication=p)
    in_approval = item("待批")
    review(in_approval)
    approved = item("待发布")
    review(approved)
    svc.publication_approve(actor=leader, publication=approved, opinion="同意")
    other_column = Column.objects.create(agency=other_agency, name="通知公告", kind=ColumnKind.NOTICE)
    foreign = item("他机关待审", agency=other_agency, actor=other_office, dept=None, columns=(other_column,))
    svc.publication_submit(actor=other_office, publication=foreign)
    return {"drafts": drafts, "office_draft": office_draft, "in_review": in_review,
            "in_approval": [in_approval], "approved": [approved]}


def listed_titles(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    rows = re.findall(r'<tr data-testid="publication-row">(.*?)</tr>', response.content.decode(), re.S)
    return sorted(re.search(r'publishing/\d+/">([^<]+)</a>', row).group(1) for row in rows)


def titles(items) -> list[str]:
    return sorted(p.title for p in items)


@pytest.mark.parametrize(("persona", "key", "label", "expected"), [
    ("reviewer", "publishing.to_review", "待保密审查", "in_review"),
    ("leader", "publishing.to_approve", "待领导审批", "in_approval"),
    ("office", "publishing.to_publish", "审批通过待发布", "approved"),
    ("officer", "publishing.department_drafts", "食品安全科草稿", "drafts"),
])
def test_each_role_sees_the_items_waiting_on_it_and_the_link_lists_them(
        items, persona, key, label, expected, request, client_for):
    client = client_for(request.getfixturevalue(persona))

    queues = desk_queues(client.get(reverse("staff:home")))

    shown_label, count, url = queues[key]
    assert (shown_label, count) == (label, len(items[expected]))
    assert listed_titles(client, url) == titles(items[expected])
    assert [k for k in queues if k.startswith("publishing.")] == [key]  # nothing of other roles


def test_another_agency_does_not_count_the_bureaus_items(items, other_agency, client_for):
    reviewer_elsewhere = member(UserFactory(username="reviewer2"), other_agency, Role.REVIEWER)

    queues = desk_queues(client_for(reviewer_elsewhere).get(reverse("staff:home")))

    assert queues["publishing.to_review"][1] == 1


def test_a_reviewer_in_two_agencies_is_listed_only_the_active_agencys_items(
        items, other_agency, reviewer, client_for):
    member(reviewer, other_agency, Role.REVIEWER)  # the same person reviews there too
    client = client_for(reviewer)

    _, count, url = desk_queues(client.get(reverse("staff:home")))["publishing.to_review"]

    assert count == len(items["in_review"])
    assert listed_titles(client, url) == titles(items["in_review"])  # not the other agency's item


def test_a_supervisor_has_no_item_queue(items, supervisor, client_for):
    queues = desk_queues(client_for(supervisor).get(reverse("staff:home")))

    assert not [k for k in queues if k.startswith("publishing.")]


@pytest.fixture
def reports(db, settings, tmp_path, bureau, office):
    """The bureau's 2024 report submitted to the leader (the state set directly: the
    sign-off workflow is the reports app's own test)."""
    from gongkai.reports import services
    from gongkai.reports.models import AnnualReport, ReportState

    settings.MEDIA_ROOT = tmp_path / "media"
    at(D(2025, 2, 3))
    report = services.report_start(actor=office, agency=bureau, year=2024)
    AnnualReport.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)
    return report


def test_a_submitted_report_waits_on_the_leader_then_on_the_office(reports, leader, office, client_for):
    from gongkai.reports import services
    from gongkai.reports.models import AnnualReport

    queues = desk_queues(client_for(leader).get(reverse("staff:home")))
    assert queues["reports.to_sign"] == ("年度报告待签发", 1, reverse("staff:report-detail", args=[reports.pk]))
    assert "reports.to_publish" not in desk_queues(client_for(office).get(reverse("staff:home")))

    services.report_sign_off(actor=leader, report=AnnualReport.objects.get(pk=reports.pk), reason="同意")

    assert "reports.to_sign" not in desk_queues(client_for(leader).get(reverse("staff:home")))
    assert desk_queues(client_for(office).get(reverse("staff:home")))["reports.to_publish"][:2] == (
        "年度报告已签发待发布", 1)


def test_several_waiting_reports_link_to_the_list_of_exactly_those(reports, bureau, office, leader, client_for):
    from gongkai.reports import services
    from gongkai.reports.models import AnnualReport, ReportState

    second = services.report_start(actor=office, agency=bureau, year=2023)
    AnnualReport.objects.filter(pk=second.pk).update(state=ReportState.SUBMITTED)
    services.report_start(actor=office, agency=bureau, year=2022)  # a draft: not waiting on the leader
    client = client_for(leader)

    label, count, url = desk_queues(client.get(reverse("staff:home")))["reports.to_sign"]

    assert (label, count) == ("年度报告待签发", 2)
    page = client.get(url).content.decode()
    assert "（共2份）" in page and "2022年度" not in page
    listed = set(re.findall(r'href="/staff/annual-reports/(\d+)/"', page))
    assert listed == {str(reports.pk), str(second.pk)}


def test_the_desk_offers_a_password_change_only_to_those_who_have_a_password(
        client_for, office, settings):
    link = reverse("staff:password-change")
    assert link in client_for(office).get(reverse("staff:home")).content.decode()
    settings.GONGKAI_LOCAL_PASSWORDS = False  # everyone signs in through the identity platform
    assert link not in client_for(office).get(reverse("staff:home")).content.decode()
    settings.GONGKAI_LOCAL_PASSWORDS = True
    office.set_unusable_password()  # invited to sign in through the platform only
    office.save(update_fields=["password"])
    assert link not in client_for(office).get(reverse("staff:home")).content.decode()
