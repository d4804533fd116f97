"""The pages: who sees the table, the drill-down links, the export, the thresholds (audited),
the supervisor's desk, and the issue's "已逾期（0）" report."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongkai.core.models import AuditEvent, Membership, Role
from gongkai.core.tests.factories import UserFactory, member
from gongkai.foi import desk as foi_desk
from gongkai.oversight import desk, rules, selectors, services
from gongkai.oversight.models import ComplianceThreshold

URL = "/staff/oversight/"


def test_url_name():
    assert reverse("staff:oversight-compliance") == URL


def test_supervisor_sees_one_row_per_agency_of_the_subtree(seeded, supervisor, client_for):
    tree = seeded["tree"]
    html = client_for(supervisor).get(URL).content.decode()
    assert html.count('data-testid="row-agency"') == 4
    assert html.count('data-testid="row-subtotal"') == 2
    assert tree["province"].name not in html.split('data-testid="compliance"')[1].split("</tbody>")[0]
    assert "预警" in html and "关注" in html  # marks in words, not colour only


@pytest.mark.parametrize("who", ["office", "officer", "leader"])
def test_other_roles_may_not(seeded, who, request, client_for):
    user = request.getfixturevalue(who)
    assert client_for(user).get(URL).status_code == 403


def test_a_supervisor_may_not_open_another_subtree(seeded, supervisor, client_for):
    tree = seeded["tree"]
    client = client_for(supervisor)
    assert client.get(URL, {"root": tree["province"].pk}).status_code == 404
    assert client.get(reverse("staff:oversight-drilldown", args=[tree["province"].pk, "columns_blank"])
                      ).status_code == 404


def test_platform_admin_reads_any_subtree(seeded, platform_admin, client_for):
    html = client_for(platform_admin).get(URL).content.decode()
    assert html.count('data-testid="row-agency"') == 5


def test_figures_link_to_their_records(seeded, supervisor, client_for):
    tree = seeded["tree"]
    bureau = tree["bureau"]
    client = client_for(supervisor)
    html = client.get(URL).content.decode()
    assert f"/staff/requests/list/?due=overdue&amp;agency={bureau.pk}" in html
    assert f"/staff/requests/list/?due=overdue&amp;under={tree['city'].pk}" in html  # the subtotal
    # The foi list the link opens lists the seeded overdue request.
    listing = client.get("/staff/requests/list/", {"due": "overdue", "agency": bureau.pk}).content.decode()
    assert seeded["overdue"].tracking_number in listing
    for key, needle in (("publications_late", seeded["late_publication"].index_number),
                        ("columns_stale", "通知公告"), ("columns_blank", "机构职能"),
                        ("normative_uninterpreted", seeded["uninterpreted"].doc_number),
                        ("decisions_late", seeded["late_decision"].number),
                        ("messages_unanswered", f"M{bureau.pk}-1")):
        url = selectors.drilldown_url(bureau.pk, key, 2026)
        assert url.replace("&", "&amp;") in html
        page = client.get(url).content.decode()
        assert needle in page, key
        assert re.search(r'data-testid="drilldown-total">1<', page), key


def test_missing_report_drilldown_names_the_agency(seeded, supervisor, client_for):
    tree = seeded["tree"]
    page = client_for(supervisor).get(selectors.drilldown_url(tree["county"].pk, "report_missing", 2026)).content.decode()
    assert "逾期未发布" in page and "2026-03-31" in page
    sub = client_for(supervisor).get(
        selectors.drilldown_url(tree["county"].pk, "report_missing", 2026, subtree=True)).content.decode()
    assert sub.count('data-testid="drilldown-row"') == 2


def test_drilldowns_never_show_an_applicants_name(seeded, supervisor, client_for):
    tree = seeded["tree"]
    page = client_for(supervisor).get(selectors.drilldown_url(tree["bureau"].pk, "on_time_rate", 2026)).content.decode()
    assert f"T{tree['bureau'].pk}-4" in page and "逾期" in page
    assert "申请人</td>" not in page and "13800000000" not in page and "110101199001011234" not in page


def test_export_has_the_same_rows_as_the_filtered_table(seeded, supervisor, client_for):
    client = client_for(supervisor)
    response = client.get(URL, {"q": "市场监督", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    names = [row[0] for row in rows[2:]]
    assert names[:-1] == ["测试市市场监督管理局", "测试县市场监督管理局"]
    assert names[-1] == "测试市人民政府办公室"  # the total row
    header = rows[1]
    overdue = header.index("逾期未答复")
    assert rows[-1][overdue] == 2
    assert rows[2][header.index("逾期未答复（标识）")] == "预警"


def test_thresholds_set_by_the_supervisor_change_marks_and_are_audited(seeded, supervisor, client_for):
    tree = seeded["tree"]
    client = client_for(supervisor)
    response = client.post(reverse("staff:oversight-thresholds"), {
        "root": tree["city"].pk, "column": "publications_late", "amber": "2", "red": "3", "reason": "本市标准"})
    assert response.status_code == 302
    row = ComplianceThreshold.objects.get(agency=tree["city"], column="publications_late")
    assert (row.amber, row.red) == (2, 3)
    event = AuditEvent.objects.filter(action="oversight.threshold_set").latest("seq")
    assert event.actor == supervisor and event.reason == "本市标准"
    table = selectors.compliance_table(user=supervisor, root=tree["city"])
    bureau = next(r for r in table.rows if r.kind == "agency" and r.agency.pk == tree["bureau"].pk)
    assert {c.key: c.mark for c in bureau.cells}["publications_late"].value == "green"  # 1 < 2 now


def test_inconsistent_thresholds_are_refused_and_nothing_saved(seeded, supervisor, client_for):
    tree = seeded["tree"]
    response = client_for(supervisor).post(reverse("staff:oversight-thresholds"), {
        "root": tree["city"].pk, "column": "publications_late", "amber": "5", "red": "2"})
    assert response.status_code == 400
    assert "不能小于" in response.content.decode()
    assert not ComplianceThreshold.objects.exists()


def test_only_the_supervisor_of_that_agency_sets_thresholds(seeded, platform_admin):
    tree = seeded["tree"]
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.threshold_set(actor=platform_admin, agency=tree["city"], column="columns_blank", amber=1, red=2)


def test_supervisor_desk_lists_agencies_in_red(seeded, supervisor):
    m = Membership.objects.get(user=supervisor, role=Role.SUPERVISOR)
    [queue] = desk.queues(m)
    assert queue.count == len(selectors.red_agencies(m.agency)) >= 1
    assert seeded["tree"]["bureau"].name in queue.hint
    assert "only_red=on" in queue.url


def test_supervisor_desk_follows_a_threshold_change_at_once(seeded, supervisor):
    m = Membership.objects.get(user=supervisor, role=Role.SUPERVISOR)
    assert desk.queues(m)[0].count >= 1  # computed and cached
    for key, default in rules.default_thresholds().items():  # nothing can be red any more
        high_bad = default.direction is rules.Direction.HIGH_BAD
        services.threshold_set(actor=supervisor, agency=m.agency, column=key,
                               amber=99999 if high_bad else 0, red=99999 if high_bad else 0)
    assert desk.queues(m)[0].count == 0


def test_issue_overdue_zero_report(seeded, supervisor):
    """The issue: an office signed in and its overview said 已逾期（0） while a bureau below
    had an overdue request. A supervising office's desk counts the whole subtree."""
    tree = seeded["tree"]
    m = Membership.objects.get(user=supervisor, role=Role.SUPERVISOR)
    [queue] = foi_desk.queues(m)
    assert queue.count == 2
    # A government office holding only the office role reads its own agency: 0 there is
    # right for that role; its supervisor membership shows the subtree.
    gov_office = member(UserFactory(username="gov_office"), tree["city"], Role.OFFICE)
    office_m = Membership.objects.get(user=gov_office)
    overdue = next(q for q in foi_desk.queues(office_m) if q.key == "foi.overdue")
    assert overdue.count == 0
