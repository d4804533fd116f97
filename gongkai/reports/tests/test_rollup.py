"""The supervising office's roll-up (``reports.rollup``): the summary summed from the
agencies' published reports only, cell by cell; drafts and corrections listed apart;
who has not published, with the Art. 49 deadline and reminders; the rules over every
report; the cross-year rule per agency and over the summed tables; who may see it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.core.errors import DomainError
from gongkai.core.models import AgencyKind, AgencyLevel, AuditEvent, Role
from gongkai.core.tests.factories import UserFactory, make_agency, member
from gongkai.core.tests.helpers import at
from gongkai.reports import reminders, rollup, selectors, services
from gongkai.reports.formats import format_for_year
from gongkai.reports.models import ReportReminder
from gongkai.reports.tests import test_services as base
from gongkai.reports.tests.test_prepared import body as prepared_body
from gongkai.reports.tests.test_prepared import get_prepared
from gongkai.reports.tests.test_services import FEES, ready_to_publish, receive, receive_a_year

TOTAL = "3/一/total"  # 一、本年新收政府信息公开申请数量（总计）
CARRIED_IN = "3/二/total"  # 二、上年结转
CARRIED_OUT = "3/四/total"  # 四、结转下年度继续办理


def staff_of(agency, name):
    office = member(UserFactory(username=f"{name}_office"), agency, Role.OFFICE)
    leader = member(UserFactory(username=f"{name}_leader"), agency, Role.LEADER)
    return office, leader


def publish(report, office, leader, *, fees):
    ready_to_publish(report, office, leader, fees=fees)
    return services.report_publish(actor=office, report=report)


def start(agency, office, year=2025):
    at(dt.date(year + 1, 1, 5))
    return services.report_start(actor=office, agency=agency, year=year)


@pytest.fixture
def subtree(tree, bureau, office, leader, other_agency, other_office):
    """Under the city: the bureau (published: 3 requests, fee 1.25), the county office
    (published: 2 requests, fee 2.5), an education bureau (published: 1 request, fee 0),
    the county bureau (a draft: 5 requests, fee 7, never summed) and the city office
    itself (no report)."""
    county_office, county_leader = staff_of(tree["county"], "county")
    education = make_agency(parent=tree["city"], name="测试市教育局")
    edu_office, edu_leader = staff_of(education, "edu")

    receive_a_year(bureau, office)
    for day in (dt.date(2025, 4, 1), dt.date(2025, 8, 8)):
        receive(tree["county"], county_office, day, applicant_type="commercial_enterprise",
                name="青岚某某食品有限公司", id_type="uscc", id_number="91990100MA00000017")
    receive(education, edu_office, dt.date(2025, 10, 10))
    for n in range(5):
        receive(other_agency, other_office, dt.date(2025, 3, 1 + n))

    reports = {
        "bureau": start(bureau, office), "county": start(tree["county"], county_office),
        "education": start(education, edu_office), "other": start(other_agency, other_office),
    }
    publish(reports["bureau"], office, leader, fees="1.25")
    publish(reports["county"], county_office, county_leader, fees="2.5")
    publish(reports["education"], edu_office, edu_leader, fees="0")
    services.report_figure_set(actor=other_office, report=reports["other"], ref=FEES, value="7",
                               source="县局台账")
    for report in reports.values():
        report.refresh_from_db()
    return {**reports, "education_agency": education, "county_office": county_office}


# --- the summary --------------------------------------------------------------------------------

def test_the_summary_is_the_sum_of_the_published_tables_cell_by_cell(subtree, supervisor, tree):
    view = rollup.rollup(user=supervisor, root=tree["city"], year=2025)
    fmt = format_for_year(2025)
    published = [selectors.version_cells(subtree[k].published_version) for k in ("bureau", "county", "education")]
    for ref in fmt.cell_refs():
        known = [cells[ref] for cells in published if cells.get(ref) is not None]
        expected = sum(known[1:], known[0]) if known else None
        assert view.summary.cells[ref] == expected, ref
    # and the figures that tell the draft apart: 3 + 2 + 1 requests, not 3 + 2 + 1 + 5
    assert view.summary.cells[TOTAL] == 6
    assert view.summary.cells[FEES] == Decimal("3.75")
    assert view.summary.count == 3
    assert view.drafts.cells[TOTAL] == 5 and view.drafts.cells[FEES] == Decimal("7")
    assert view.draft_agencies == [tree["other"]]
    kinds = {row.agency.name: row.kind for row in view.rows}
    assert kinds == {"测试市人民政府办公室": rollup.NONE, "测试市市场监督管理局": rollup.PUBLISHED,
                     "测试市教育局": rollup.PUBLISHED, "测试县人民政府办公室": rollup.PUBLISHED,
                     "测试县市场监督管理局": rollup.DRAFT}


def test_a_correction_in_progress_leaves_the_published_version_in_the_summary(subtree, supervisor, office, tree):
    report = subtree["bureau"]
    services.report_correct(actor=office, report=report, reason="收费金额有误")
    services.report_figure_set(actor=office, report=report, ref=FEES, value="9", source="更正后的台账")
    view = rollup.rollup(user=supervisor, root=tree["city"], year=2025)
    assert view.summary.cells[FEES] == Decimal("3.75")  # still the published 1.25
    row = next(r for r in view.rows if r.agency == tree["bureau"])
    assert row.kind == rollup.CORRECTING and row.summed and row in view.apart_rows and row in view.listed_apart
    assert row.state_label.startswith("已发布第1版，更正中")
    assert view.drafts.cells[FEES] == Decimal("7")  # a correction's working copy is not a draft sum either


def test_the_summary_page_shows_the_grid_and_the_drafts_apart(client_for, subtree, supervisor, tree):
    page = client_for(supervisor).get(reverse("staff:report-rollup", args=[tree["city"].pk, 2025])).content.decode()
    assert "测试市人民政府办公室2025年度政府信息公开工作年度报告汇总表" in page
    summary, apart = page.split('id="apart"')
    assert f'data-ref="{TOTAL}">6<sup>' in summary
    assert f'data-ref="{TOTAL}">5<sup>' not in summary
    assert "测试县市场监督管理局" not in summary  # the draft's agency is not among the summed ones
    assert f'data-ref="{TOTAL}">5<sup>' in apart.split('data-testid="draft-grid"')[1]
    assert "不是汇总表的一部分" in apart
    assert apart.count('data-testid="rollup-apart"') == 2  # the draft and the city (no report)


def test_the_summary_downloads_as_docx_and_pdf(client_for, subtree, supervisor, tree):
    client = client_for(supervisor)
    docx = client.get(reverse("staff:report-rollup-docx", args=[tree["city"].pk, 2025]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "%E6%B1%87%E6%80%BB%E8%A1%A8" in docx["Content-Disposition"]  # 汇总表
    # The PDF by a worker (reports.prepared): the page that waits, then the file.
    pdf = get_prepared(client, reverse("staff:report-rollup-pdf", args=[tree["city"].pk, 2025]))
    assert pdf.status_code == 200 and prepared_body(pdf)[:4] == b"%PDF"


def test_the_summary_document_says_what_it_summed(subtree, supervisor, tree):
    doc = rollup.summary_document(rollup.rollup(user=supervisor, root=tree["city"], year=2025))
    assert doc.title == "测试市人民政府办公室2025年度政府信息公开工作年度报告汇总表"
    assert "计入3个机关的已发布报告" in doc.preamble and "2个机关的报告尚未发布" in doc.preamble
    assert doc.cells[TOTAL] == 6 and not doc.draft
    assert doc.paragraphs("overview")  # the prose parts point to each agency's report


def test_the_summary_docx_opens_in_libreoffice(subtree, supervisor, tree, tmp_path):
    from gongkai.core.tests.libreoffice import docx_to_pdf, pdf_text, squeezed
    from gongkai.reports.rendering import render_docx

    doc = rollup.summary_document(rollup.rollup(user=supervisor, root=tree["city"], year=2025))
    text = squeezed(pdf_text(docx_to_pdf(render_docx(doc), tmp_path, "summary")))
    assert squeezed(doc.title) in text
    assert "一、本年新收政府信息公开申请数量" in text
    assert "3.75" in text  # the summed fees


# --- who has not published ----------------------------------------------------------------------

def test_the_agencies_that_have_not_published_with_their_deadlines(subtree, supervisor, tree):
    district = make_agency(parent=tree["city"], name="测试区人民政府", level=AgencyLevel.COUNTY,
                           kind=AgencyKind.PEOPLES_GOVERNMENT)
    rows = rollup.outstanding(user=supervisor, root=tree["city"], year=2025, today=dt.date(2026, 2, 5))
    by_name = {r.agency.name: r for r in rows}
    assert set(by_name) == {"测试市人民政府办公室", "测试县市场监督管理局", "测试区人民政府"}
    assert by_name["测试县市场监督管理局"].state_label == "编制中"
    assert by_name["测试市人民政府办公室"].state_label == "未创建"
    assert (by_name["测试县市场监督管理局"].deadline, by_name["测试县市场监督管理局"].due_text) == (
        dt.date(2026, 1, 31), "已逾期5天")
    # a people's government of county level publishes by 31 March (Art. 49 (2))
    assert (by_name["测试区人民政府"].deadline, by_name["测试区人民政府"].due_text) == (
        dt.date(2026, 3, 31), "还有54天")
    assert rows[-1].agency == district  # most overdue first


def test_a_submitted_report_is_still_not_published(subtree, supervisor, other_office, tree):
    base.submit(subtree["other"], other_office)
    rows = rollup.outstanding(user=supervisor, root=tree["city"], year=2025, today=dt.date(2026, 1, 20))
    row = next(r for r in rows if r.agency == tree["other"])
    assert row.state_label == "已提交待签发" and row.due_text == "还有11天"


# --- reminders ------------------------------------------------------------------------------------

@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.remind_from_supervisor(**kwargs)
    return run


def test_a_supervisors_reminder_is_sent_once_a_day_recorded_and_audited(subtree, supervisor, other_office,
                                                                        tree, remind):
    agency = tree["other"]
    first = remind(actor=supervisor, agency=agency, report_year=2025, today=dt.date(2026, 2, 3))
    assert (first.status, first.days_left, first.recipients) == ("sent", -3, [other_office.email])
    [message] = mail.outbox
    assert message.to == [other_office.email]
    assert "测试市人民政府办公室提醒" in message.subject and "已超过1月31日发布期限3天" in message.body
    again = remind(actor=supervisor, agency=agency, report_year=2025, today=dt.date(2026, 2, 3))
    assert again.status == "already_sent" and len(mail.outbox) == 1
    [reminder] = ReportReminder.objects.filter(agency=agency)
    assert (reminder.sent_by, reminder.sent_on, reminder.days_left) == (supervisor, dt.date(2026, 2, 3), -3)
    [event] = AuditEvent.objects.filter(action=reminders.SUPERVISOR_SENT_ACTION)
    assert event.actor == supervisor and event.agency == agency
    remind(actor=supervisor, agency=agency, report_year=2025, today=dt.date(2026, 2, 4))
    assert len(mail.outbox) == 2 and ReportReminder.objects.filter(agency=agency).count() == 2


def test_the_sweep_and_the_supervisor_share_the_daily_limit(subtree, supervisor, tree, remind,
                                                           django_capture_on_commit_callbacks):
    agency = tree["other"]
    with django_capture_on_commit_callbacks(execute=True):
        sweep = reminders.send_report_reminders(today=dt.date(2026, 1, 21))
    assert {r.agency.pk: r.status for r in sweep}[agency.pk] == "sent"
    sent = len(mail.outbox)
    assert remind(actor=supervisor, agency=agency, report_year=2025,
                  today=dt.date(2026, 1, 21)).status == "already_sent"
    assert len(mail.outbox) == sent
    # the sweep's reminder is recorded as the platform's (no sender)
    assert ReportReminder.objects.get(agency=agency).sent_by is None


def test_a_reminder_is_refused_for_a_published_report_too_early_or_outside_the_subtree(
        subtree, supervisor, tree, remind):
    with pytest.raises(DomainError, match="已发布，无需提醒"):
        remind(actor=supervisor, agency=tree["bureau"], report_year=2025, today=dt.date(2026, 2, 3))
    with pytest.raises(DomainError, match="12月1日起"):
        remind(actor=supervisor, agency=tree["other"], report_year=2025, today=dt.date(2025, 11, 30))
    county_supervisor = member(UserFactory(), tree["county"], Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        remind(actor=county_supervisor, agency=tree["bureau"], report_year=2026, today=dt.date(2026, 12, 3))
    assert not ReportReminder.objects.exists() and mail.outbox == []


def test_the_reminder_button_sends_once_and_the_list_says_so(client_for, subtree, supervisor, tree,
                                                            django_capture_on_commit_callbacks):
    at(dt.date(2026, 2, 3))
    client = client_for(supervisor)
    url = reverse("staff:report-rollup-remind", args=[tree["city"].pk, 2025, tree["other"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    page = response.content.decode()
    assert "已向测试县市场监督管理局公开办发送提醒（1人）" in page
    assert "今天已提醒" in page and "已逾期3天" in page
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, follow=True).content.decode()
    assert "今天已收到年度报告提醒" in page
    assert len(mail.outbox) == 1
    # the city office has no office staff with an e-mail: nothing sent, nothing recorded
    page = client.post(reverse("staff:report-rollup-remind", args=[tree["city"].pk, 2025, tree["city"].pk]),
                       follow=True).content.decode()
    assert "提醒未能发送" in page and not ReportReminder.objects.filter(agency=tree["city"]).exists()


# --- the rules over every report ----------------------------------------------------------------

@pytest.fixture
def two_years(tree, bureau, office, leader, other_agency, other_office):
    """2024 published by the bureau (one request carried out) and the county bureau (one
    carried out); afterwards a 2024 request of the bureau registered late, so the bureau's
    2025 says two were carried in: its cross-year rule breaks (published with an override).
    The county bureau's 2025 is published and consistent; the county office has a 2025
    draft and no 2024 report; the city office no report."""
    other_leader = member(UserFactory(username="other_leader"), other_agency, Role.LEADER)
    county_office, _ = staff_of(tree["county"], "county")
    receive(bureau, office, dt.date(2024, 12, 20))
    receive(other_agency, other_office, dt.date(2024, 12, 18))
    last = {"bureau": start(bureau, office, 2024), "other": start(other_agency, other_office, 2024)}
    publish(last["bureau"], office, leader, fees="0")
    publish(last["other"], other_office, other_leader, fees="0")
    receive(bureau, office, dt.date(2024, 12, 30))  # registered after 2024 was published

    this = {"bureau": start(bureau, office), "other": start(other_agency, other_office),
            "county": start(tree["county"], county_office)}
    ready_to_publish(this["bureau"], office, leader, fees="1", sign_off=False)
    services.report_override(actor=office, report=this["bureau"], reason="2024年12月30日的申请补录")
    services.report_sign_off(actor=leader, report=this["bureau"])
    services.report_publish(actor=office, report=this["bureau"])
    publish(this["other"], other_office, other_leader, fees="0")
    for report in this.values():
        report.refresh_from_db()
    return this


def test_the_rules_are_run_over_every_report_and_listed_per_agency(two_years, supervisor, tree):
    view = rollup.findings(user=supervisor, root=tree["city"], year=2025)
    by_agency = {f.agency: f for f in view.agencies}
    assert set(by_agency) == {tree["bureau"], tree["other"], tree["county"]}
    assert view.without_report == [tree["city"]]
    for key, report in two_years.items():
        result, _ = selectors.report_check(report)
        expected = [line.text for line in selectors.violation_lines(
            report.format, [v.as_dict() for v in result.violations])]
        assert [line.text for line in by_agency[report.agency].lines] == expected, key
    bureau = by_agency[tree["bureau"]]
    assert bureau.count == 2  # natural person column and the total
    assert all("上年结转" in line.text for line in bureau.lines)
    assert bureau.stored and bureau.checked == "已发布第1版"  # the check recorded at publication
    assert by_agency[tree["county"]].checked == "工作稿（编制中）" and not by_agency[tree["county"]].stored
    assert view.total == 2 and [f.agency for f in view.with_findings] == [tree["bureau"]]


def test_the_cross_year_rule_per_agency_and_over_the_summed_tables(two_years, supervisor, tree):
    view = rollup.findings(user=supervisor, root=tree["city"], year=2025)
    assert [c.agency for c in view.cross_year_broken] == [tree["bureau"]]
    [natural, total] = view.cross_year_broken[0].lines
    assert "应为 1，实为 2" in total.text
    assert view.cross_year_holds == [tree["other"]]
    assert view.cross_year_unchecked == [tree["county"]]  # no 2024 report held
    # this year's summary says 3 carried in (2 + 1), last year's summary 2 carried out (1 + 1)
    assert (view.summary_count, view.previous_summary_count) == (2, 2)
    assert [line.text.endswith("应为 2，实为 3") for line in view.summary_cross_year] == [True, True]


def test_the_findings_page_lists_the_agencies_and_the_cross_year_breaks(client_for, two_years, supervisor, tree):
    page = client_for(supervisor).get(reverse("staff:report-rollup-findings",
                                              args=[tree["city"].pk, 2025])).content.decode()
    assert page.count('data-testid="findings-row"') == 3
    assert 'data-testid="findings-count">2处' in page
    broken = page.split('data-testid="cross-year-broken"')[1].split("</ul>")[0]
    assert "测试市市场监督管理局" in broken and "测试县市场监督管理局" not in broken
    assert "衔接不一致" in page


def test_the_summary_cross_year_is_not_checked_without_last_years_reports(subtree, supervisor, tree):
    view = rollup.findings(user=supervisor, root=tree["city"], year=2025)
    assert view.summary_cross_year is None and view.cross_year_broken == []


def test_the_findings_read_a_fixed_number_of_queries(two_years, supervisor, tree):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            rollup.findings(user=supervisor, root=tree["city"], year=2025)
        return len(ctx.captured_queries)

    count()  # the user's memberships, read once and kept on the user
    before = count()
    for n in range(3):
        agency = make_agency(parent=tree["county"], name=f"测试县第{n}局", level=AgencyLevel.COUNTY)
        agency_office, _ = staff_of(agency, f"n{n}")
        receive(agency, agency_office, dt.date(2025, 6, 1))
        start(agency, agency_office)
    assert count() == before


# --- who may see it -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["report-rollup", "report-rollup-outstanding", "report-rollup-findings",
                                  "report-rollup-docx"])
def test_a_supervisor_of_another_subtree_gets_a_404(client_for, tree, name):
    county_supervisor = member(UserFactory(), tree["county"], Role.SUPERVISOR)
    client = client_for(county_supervisor)
    at(dt.date(2026, 2, 3))
    assert client.get(reverse(f"staff:{name}", args=[tree["city"].pk, 2025])).status_code == 404
    if name != "report-rollup-docx":
        assert client.get(reverse(f"staff:{name}", args=[tree["county"].pk, 2025])).status_code == 200


def test_a_bureaus_office_cannot_open_its_parents_roll_up(client_for, office, tree):
    client = client_for(office)
    at(dt.date(2026, 2, 3))
    assert client.get(reverse("staff:report-rollup", args=[tree["city"].pk, 2025])).status_code == 404
    assert client.get(reverse("staff:report-rollup", args=[tree["bureau"].pk, 2025])).status_code == 404
    response = client.post(reverse("staff:report-rollup-remind", args=[tree["city"].pk, 2025, tree["other"].pk]))
    assert response.status_code == 404 and not ReportReminder.objects.exists()


def test_a_reminder_to_an_agency_outside_the_chosen_subtree_is_a_404(client_for, supervisor, tree):
    at(dt.date(2026, 2, 3))
    url = reverse("staff:report-rollup-remind", args=[tree["county"].pk, 2025, tree["bureau"].pk])
    assert client_for(supervisor).post(url).status_code == 404


def test_a_supervisor_may_open_a_branch_of_its_subtree_and_a_year_not_held_is_a_404(client_for, supervisor, tree):
    at(dt.date(2026, 2, 3))
    client = client_for(supervisor)
    assert client.get(reverse("staff:report-rollup", args=[tree["county"].pk, 2025])).status_code == 200
    assert client.get(reverse("staff:report-rollup", args=[tree["city"].pk, 2030])).status_code == 404
    with pytest.raises(Http404):
        rollup.rollup(user=supervisor, root=tree["province"], year=2025)


# --- review: the tree as it stands, a deactivated agency, concurrency, the PDF ------------------

def test_a_deactivated_agency_s_published_report_stays_in_the_summary(client_for, subtree, supervisor, tree,
                                                                       platform_admin):
    """An agency merged or abolished after publishing: its published figures are part of the
    year's work and stay summed (marked 已停用); one that never published is not listed at
    all, neither apart nor among those to remind."""
    from gongkai.core.services.agencies import agency_update

    agency_update(actor=platform_admin, agency=subtree["education_agency"], is_active=False, reason="机构改革撤并")
    agency_update(actor=platform_admin, agency=tree["other"], is_active=False, reason="机构改革撤并")
    view = rollup.rollup(user=supervisor, root=tree["city"], year=2025)
    assert view.summary.cells[TOTAL] == 6 and view.summary.count == 3  # 3 + 2 + 1, the education bureau's 1 kept
    assert view.drafts.count == 0 and tree["other"] not in [r.agency for r in view.rows]
    overview = selectors.supervision(user=supervisor, root=tree["city"], year=2025, live=False)
    assert overview.cells == view.summary.cells  # the overview sums the same reports
    rows = rollup.outstanding(user=supervisor, root=tree["city"], year=2025, today=dt.date(2026, 2, 5))
    assert [r.agency for r in rows] == [tree["city"]]
    page = client_for(supervisor).get(reverse("staff:report-rollup", args=[tree["city"].pk, 2025])).content.decode()
    assert page.count('data-testid="rollup-inactive"') == 1 and f'data-ref="{TOTAL}">6<sup>' in page
    assert "测试县市场监督管理局" not in page


def test_an_agency_moved_to_another_subtree_is_summed_there(subtree, supervisor, tree, platform_admin):
    """The roll-up follows the tree as it stands: the education bureau moved under the
    province leaves the city's summary and enters the province's."""
    from gongkai.core.services.agencies import agency_update

    agency_update(actor=platform_admin, agency=subtree["education_agency"], parent=tree["province"],
                  reason="隶属关系调整")
    city = rollup.rollup(user=supervisor, root=tree["city"], year=2025)
    assert (city.summary.cells[TOTAL], city.summary.count) == (5, 2)
    assert subtree["education_agency"] not in [r.agency for r in city.rows]
    province = rollup.rollup(user=platform_admin, root=tree["province"], year=2025)
    assert (province.summary.cells[TOTAL], province.summary.count) == (6, 3)
    assert province.summary.cells[FEES] == Decimal("3.75")


def test_the_summary_pdf_opens_in_poppler(client_for, subtree, supervisor, tree, tmp_path):
    import shutil
    import subprocess

    from gongkai.core.tests.libreoffice import pdf_text, squeezed

    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    pdf = prepared_body(get_prepared(client_for(supervisor),
                                     reverse("staff:report-rollup-pdf", args=[tree["city"].pk, 2025])))
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True, timeout=60)
    [png] = tmp_path.glob("page*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    text = squeezed(pdf_text(path))
    assert "测试市人民政府办公室2025年度政府信息公开工作年度报告汇总表" in text
    assert "计入3个机关的已发布报告" in text and "3.75" in text


def test_the_cross_year_findings_read_last_years_report_as_it_stands_now(two_years, supervisor, office,
                                                                        leader, tree):
    """The check recorded when the bureau published 2025 found the cross-year rule broken
    (2024 said one carried out); once 2024 is corrected to two, the findings say it holds
    both in the agency's lines and in the cross-year list."""
    from gongkai.reports.models import AnnualReport

    last = AnnualReport.objects.get(agency=tree["bureau"], year=2024)
    at(dt.date(2026, 2, 10))
    services.report_correct(actor=office, report=last, reason="补录2024年12月30日的申请")
    services.report_recompute(actor=office, report=last)
    last.refresh_from_db()
    submit = base.submit(last, office)
    assert submit is not None
    services.report_sign_off(actor=leader, report=last)
    services.report_publish(actor=office, report=last)
    view = rollup.findings(user=supervisor, root=tree["city"], year=2025)
    bureau = next(f for f in view.agencies if f.agency == tree["bureau"])
    assert bureau.stored  # a check was recorded on these figures, with last year's old figures
    assert bureau.lines == [] and tree["bureau"] in view.cross_year_holds and view.cross_year_broken == []


def test_the_outstanding_list_reads_a_fixed_number_of_queries(subtree, supervisor, tree, remind):
    remind(actor=supervisor, agency=tree["other"], report_year=2025, today=dt.date(2026, 2, 3))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows = rollup.outstanding(user=supervisor, root=tree["city"], year=2025, today=dt.date(2026, 2, 4))
            [(r.last_reminder.sent_by if r.last_reminder else None) for r in rows]
        return len(ctx.captured_queries), rows

    count()
    before, rows = count()
    assert {r.agency: r.last_reminder.sent_by if r.last_reminder else None for r in rows}[tree["other"]] == supervisor
    for n in range(3):
        agency = make_agency(parent=tree["county"], name=f"测试县第{n}局", level=AgencyLevel.COUNTY)
        remind(actor=supervisor, agency=agency, report_year=2025, today=dt.date(2026, 2, 3))
    after, rows = count()
    assert after == before and len(rows) == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
def test_two_simultaneous_reminders_send_once(tree, supervisor, other_agency, other_office, monkeypatch):
    """Two supervisors' clicks at once: the second waits for the first's lock on the agency
    row, then finds the day's reminder and sends nothing. One record, one audit entry, one
    mail."""
    import threading
    import time

    from django.db import connections

    from gongkai.foi import selectors as foi_selectors

    second_supervisor = member(UserFactory(username="second_supervisor"), tree["city"], Role.SUPERVISOR)
    locked = threading.Event()
    real_recipients = foi_selectors.office_recipients

    def recipients_slowly(agency):
        if threading.current_thread().name == "first":
            locked.set()
            time.sleep(0.5)  # the second click arrives while the first holds the lock
        return real_recipients(agency)

    monkeypatch.setattr(foi_selectors, "office_recipients", recipients_slowly)
    statuses, errors = [], []

    def click(actor, wait):
        try:
            if wait:
                locked.wait(5)
            statuses.append(reminders.remind_from_supervisor(
                actor=actor, agency=other_agency, report_year=2025, today=dt.date(2026, 2, 3)).status)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(supervisor, False), name="first"),
               threading.Thread(target=click, args=(second_supervisor, True), name="second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(statuses) == ["already_sent", "sent"]
    assert ReportReminder.objects.filter(agency=other_agency).count() == 1
    assert AuditEvent.objects.filter(action=reminders.SUPERVISOR_SENT_ACTION).count() == 1
    assert len(mail.outbox) == 1


def test_a_mail_server_failing_after_the_commit_is_reported_not_a_server_error(subtree, supervisor, tree,
                                                                               monkeypatch, remind):
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("邮件服务器断开")

    monkeypatch.setattr(reminders, "send_mail", refuse)
    result = remind(actor=supervisor, agency=tree["other"], report_year=2025, today=dt.date(2026, 2, 3))
    assert result.status == "mail_failed" and mail.outbox == []
    # recorded and audited: the daily limit holds, the office is told to call instead
    assert ReportReminder.objects.filter(agency=tree["other"], sent_by=supervisor).count() == 1
    assert AuditEvent.objects.filter(action=reminders.SUPERVISOR_SENT_ACTION).count() == 1


def test_the_summary_cross_year_names_the_agencies_summed_in_one_year_only(client_for, two_years, supervisor,
                                                                           tree):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    publish(two_years["county"], users.get(username="county_office"), users.get(username="county_leader"),
            fees="0")
    view = rollup.findings(user=supervisor, root=tree["city"], year=2025)
    assert (view.summary_count, view.previous_summary_count) == (3, 2)
    assert view.summed_this_year_only == [tree["county"]] and view.summed_last_year_only == []
    page = client_for(supervisor).get(reverse("staff:report-rollup-findings",
                                              args=[tree["city"].pk, 2025])).content.decode()
    sets = page.split('data-testid="summary-cross-year-sets"')[1].split("</p>")[0]
    assert "仅计入本年汇总的有测试县人民政府办公室" in sets


def test_a_township_government_and_a_city_government_have_their_own_deadlines(tree, supervisor):
    """Art. 49: 31 March only for people's governments of county level and above; a
    township's people's government publishes by 31 January like any department."""
    township = make_agency(parent=tree["county"], name="测试镇人民政府", level=AgencyLevel.TOWNSHIP,
                           kind=AgencyKind.PEOPLES_GOVERNMENT)
    city_government = make_agency(parent=tree["city"], name="测试市人民政府", level=AgencyLevel.CITY,
                                  kind=AgencyKind.PEOPLES_GOVERNMENT)
    rows = {r.agency: r for r in rollup.outstanding(user=supervisor, root=tree["city"], year=2025,
                                                     today=dt.date(2026, 3, 31))}
    assert (rows[township].deadline, rows[township].due_text) == (dt.date(2026, 1, 31), "已逾期59天")
    assert (rows[city_government].deadline, rows[city_government].due_text) == (dt.date(2026, 3, 31), "今天到期")
    assert rows[tree["bureau"]].deadline == dt.date(2026, 1, 31)
