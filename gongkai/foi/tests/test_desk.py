"""Requests on the desk (foi.desk): each role's queues count exactly the requests its link
lists, only of the membership's agency (a supervisor's: the subtree, worst agency first),
in a fixed number of queries however many requests there are."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.core import desk as core_desk
from gongkai.core import permissions as core_permissions
from gongkai.core.models import Membership, Role
from gongkai.core.tests.factories import DepartmentFactory, UserFactory, make_agency, member
from gongkai.core.tests.helpers import at
from gongkai.foi import desk, selectors
from gongkai.foi.models import AgencyFoiSettings
from gongkai.foi.services import requests as svc
from gongkai.foi.services import signoff
from gongkai.foi.tests.conftest import applicant

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2025, 4, 1)
# As of TODAY (a 20-working-day limit, no holiday in March 2025): received on these days a
# request is overdue, due within deadlines.DUE_SOON_DAYS working days, or fresh.
OVERDUE_ON, LATE_ON, SOON_ON, FRESH_ON = D(2025, 2, 10), D(2025, 3, 3), D(2025, 3, 5), D(2025, 3, 31)
REPLY = {"reply_type": "disclosed", "content": "现将2024年度食品安全监督抽检结果提供给您。"}


def membership(user, role=None):
    return next(m for m in core_permissions.memberships_of(user) if role is None or m.role == role)


def queues_of(user, role=None) -> dict[str, core_desk.Queue]:
    return {q.key: q for q in desk.queues(membership(user, role))}


def listed(client, url) -> list[str]:
    """The tracking numbers the request list shows at ``url``."""
    response = client.get(url)
    assert response.status_code == 200
    rows = re.findall(r'<tr data-testid="request-row".*?</tr>', response.content.decode(), re.S)
    return sorted(re.search(r'<td class="id"><a href="[^"]+">([^<]+)</a>', row).group(1) for row in rows)


def numbers(*requests) -> list[str]:
    return sorted(r.tracking_number for r in requests)


def steps(agency, *names):
    AgencyFoiSettings.objects.update_or_create(agency=agency, defaults={"signoff_steps": list(names)})


@pytest.fixture
def office_case(register, submit, bureau, office, other_agency, other_office):
    """The bureau's open requests at every point of the clock, two online submissions,
    and the other agency's own overdue and unconfirmed ones (never counted for bureau)."""
    cases = {
        "overdue": register(OVERDUE_ON), "late": register(LATE_ON),
        "soon": register(SOON_ON), "fresh": register(FRESH_ON),
        "online": submit(D(2025, 3, 28))[0], "online2": submit(D(2025, 3, 31))[0],
    }
    at(OVERDUE_ON)
    svc.request_register(actor=other_office, agency=other_agency, data=applicant(), channel="in_person",
                         received_on=OVERDUE_ON)
    svc.request_submit_online(agency=other_agency, data=applicant())
    at(TODAY)
    return cases


def test_the_office_sees_unconfirmed_overdue_and_due_soon_of_its_agency_only(office_case, office, client_for):
    queues = queues_of(office)

    assert list(queues) == ["foi.unconfirmed", "foi.overdue", "foi.due_soon"]  # no sign-off steps
    assert queues["foi.unconfirmed"].count == 2
    assert queues["foi.overdue"].count == 2
    assert queues["foi.due_soon"].count == 1
    assert queues["foi.overdue"].urgency == core_desk.Urgency.OVERDUE and queues["foi.overdue"].marked
    client = client_for(office)
    assert listed(client, queues["foi.unconfirmed"].url) == numbers(office_case["online"], office_case["online2"])
    assert listed(client, queues["foi.overdue"].url) == numbers(office_case["overdue"], office_case["late"])
    assert listed(client, queues["foi.due_soon"].url) == numbers(office_case["soon"])


def test_a_second_role_elsewhere_does_not_swell_the_office_desk(office_case, office, tree, client_for):
    """The office of the bureau who also supervises the city reads the other agency too;
    the office's desk and its links still hold the bureau's requests only."""
    member(office, tree["city"], Role.SUPERVISOR)
    office.__dict__.pop("_gongkai_memberships", None)

    queues = queues_of(office, Role.OFFICE)

    assert (queues["foi.unconfirmed"].count, queues["foi.overdue"].count) == (2, 2)
    client = client_for(office)
    assert listed(client, queues["foi.overdue"].url) == numbers(office_case["overdue"], office_case["late"])
    assert listed(client, queues["foi.unconfirmed"].url) == numbers(office_case["online"], office_case["online2"])


def test_a_request_replied_is_no_longer_overdue_on_the_desk(office_case, office):
    from gongkai.foi.services import replies

    replies.request_reply(actor=office, request=office_case["late"], reply_type="disclosed",
                          outcome="disclosed", content="现将有关信息提供给您。")

    assert queues_of(office)["foi.overdue"].count == 1


def test_the_other_agency_sees_only_its_own(office_case, other_office):
    queues = queues_of(other_office)

    assert (queues["foi.unconfirmed"].count, queues["foi.overdue"].count, queues["foi.due_soon"].count) == (1, 1, 0)


@pytest.fixture
def signed_off_bureau(bureau, register, office, officer, department):
    """The bureau drafts, checks and signs its letters; its requests assigned to the
    officer's department."""
    steps(bureau, "draft", "check", "sign_off")
    requests = [register(D(2025, 3, day)) for day in (24, 25, 26, 27, 28)]
    for r in requests:
        svc.request_assign(actor=office, request=r, department=department)
    at(TODAY)
    return requests


def test_drafts_and_extensions_wait_on_the_office_leader_and_officer(
        signed_off_bureau, bureau, office, officer, leader, client_for):
    a, b, c, d, e = signed_off_bureau
    to_check = signoff.draft_submit(actor=officer, draft=signoff.draft_save(
        actor=officer, request=a, kind="reply", fields=REPLY))
    to_sign = signoff.draft_check(actor=office, draft=signoff.draft_submit(
        actor=officer, draft=signoff.draft_save(actor=officer, request=b, kind="reply", fields=REPLY)), passed=True)
    returned = signoff.draft_check(actor=office, draft=signoff.draft_submit(
        actor=officer, draft=signoff.draft_save(actor=officer, request=c, kind="reply", fields=REPLY)),
        passed=False, note="请补充法律依据")
    # Two drafts of one request awaiting the check count that request once.
    signoff.draft_submit(actor=officer, draft=signoff.draft_save(
        actor=officer, request=a, kind="correction",
        fields={"items": ["请写明所需信息的名称"], "correct_by": "2025-04-20"}))
    svc.extension_request(actor=officer, request=d, days=10, reason="需调阅档案。")
    assert (to_check.state, to_sign.state, returned.state) == ("awaiting_check", "awaiting_signoff", "returned")

    office_queues, leader_queues, officer_queues = queues_of(office), queues_of(leader), queues_of(officer)

    assert office_queues["foi.to_check"].count == 1
    assert office_queues["foi.returned"].count == 0  # the officer wrote it: back to the officer
    assert leader_queues["foi.to_sign"].count == 1
    assert leader_queues["foi.extension"].count == 1
    assert officer_queues["foi.returned"].count == 1
    assert officer_queues["foi.department_open"].count == 5
    assert listed(client_for(office), office_queues["foi.to_check"].url) == numbers(a)
    assert listed(client_for(leader), leader_queues["foi.to_sign"].url) == numbers(b)
    assert listed(client_for(leader), leader_queues["foi.extension"].url) == numbers(d)
    assert listed(client_for(officer), officer_queues["foi.returned"].url) == numbers(c)
    assert listed(client_for(officer), officer_queues["foi.department_open"].url) == numbers(a, b, c, d, e)


def test_the_list_names_the_queue_it_shows(signed_off_bureau, officer, client_for):
    client = client_for(officer)
    response = client.get(reverse("staff:foi-list") + "?queue=returned")

    assert "拟稿退回修改，共0件" in response.content.decode()
    everything = client.get(reverse("staff:foi-list") + "?queue=no-such-queue")
    assert "共5件" in everything.content.decode()  # an unknown queue filters nothing


def test_an_officer_counts_only_their_department(signed_off_bureau, bureau, office):
    other_department = DepartmentFactory(agency=bureau, name="质量监督科")
    colleague = member(UserFactory(username="quality"), bureau, Role.OFFICER, other_department)
    svc.request_assign(actor=office, request=signed_off_bureau[0], department=other_department)

    assert queues_of(colleague)["foi.department_open"].count == 1
    assert queues_of(colleague)["foi.department_open"].label == "质量监督科办理中的申请"


def test_reviewers_have_no_request_queue(office_case, reviewer):
    assert queues_of(reviewer) == {}


def test_the_supervisor_sees_the_subtree_worst_agency_first(tree, bureau, office, other_office, supervisor,
                                                           client_for, monkeypatch):
    def register_at(agency, actor, received_on, n=1):
        at(received_on)
        return [svc.request_register(actor=actor, agency=agency, data=applicant(), channel="in_person",
                                     received_on=received_on)[0] for _ in range(n)]

    bureau_late = register_at(bureau, office, OVERDUE_ON)
    other_late = register_at(tree["other"], other_office, OVERDUE_ON, n=2) + register_at(
        tree["other"], other_office, LATE_ON)
    register_at(bureau, office, SOON_ON)  # due soon, not overdue
    outside = make_agency(parent=tree["province"], name="测试省某厅")  # beside the city, not below it
    outside_office = member(UserFactory(username="outside"), outside, Role.OFFICE)
    register_at(outside, outside_office, OVERDUE_ON)
    at(TODAY)

    (queue,) = desk.queues(membership(supervisor))

    assert queue.key == "foi.subtree_overdue" and queue.count == 4
    assert [(line.label, line.count) for line in queue.lines] == [
        ("测试县市场监督管理局", 3), ("测试市市场监督管理局", 1)]
    client = client_for(supervisor)
    assert listed(client, queue.url) == numbers(*bureau_late, *other_late)
    assert listed(client, queue.lines[0].url) == numbers(*other_late)
    assert queue.hint == ""

    monkeypatch.setattr(desk, "SUBTREE_TOP", 1)
    (queue,) = desk.queues(membership(supervisor))
    assert [line.label for line in queue.lines] == ["测试县市场监督管理局"]
    assert queue.hint == "另有1个机关有逾期申请，见全部列表"


def test_counting_takes_the_same_queries_for_many_requests(bureau, register, office, leader, supervisor):
    steps(bureau, "check", "sign_off")
    register(FRESH_ON)
    at(TODAY)

    def queries(user):
        fresh = Membership.objects.select_related("agency", "department").get(user=user)  # as a page loads it
        with CaptureQueriesContext(connection) as captured:
            desk.queues(fresh)
        return len(captured)

    queries(office)  # warm the calendar cache (rebuilt only when the calendar changes)
    few = {user: queries(user) for user in (office, leader, supervisor)}
    for day in (10, 11, 12, 13, 14, 17):
        register(D(2025, 2, day))
    at(TODAY)
    many = {user: queries(user) for user in (office, leader, supervisor)}

    assert many == few
    assert max(many.values()) <= 10


def test_the_queue_filter_is_one_definition_for_desk_and_list(office_case, office):
    counts = selectors.request_queue_counts(user=office, agency_id=office_case["late"].agency_id,
                                            queues=selectors.REQUEST_QUEUES)
    for queue, count in counts.items():
        listed_there = selectors.request_list_for_user(user=office).filter(
            selectors.request_queue_q(queue, user=office))
        assert listed_there.count() == count, queue
    assert selectors.request_queue_q("nonsense", user=office) is None


def test_a_government_office_is_told_its_overdue_count_is_its_own_agency_only(tree, office):
    # Issue 17: a city's office read "已逾期（0）" while a bureau below it had an overdue
    # request. Under the office role it reads its own agency only; the desk says so.
    city_office = member(UserFactory(username="city_office"), tree["city"], Role.OFFICE)
    city_queue = queues_of(city_office)["foi.overdue"]
    bureau_queue = queues_of(office)["foi.overdue"]  # the bureau has no agency below it
    assert "仅计本机关" in city_queue.hint and "政务公开监督" in city_queue.hint
    assert bureau_queue.hint == ""
