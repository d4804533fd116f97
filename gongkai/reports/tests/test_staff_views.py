"""The annual report's back office over HTTP: permissions varying only the actor, the
whole flow through the pages, the check and provenance on the detail page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse

from gongkai.core.tests.helpers import at
from gongkai.reports import selectors, services
from gongkai.reports.models import AnnualReport, ReportState
from gongkai.reports.tests import test_services as base
from gongkai.reports.tests.test_services import FEES

# Shared fixtures of the report's tests (a year of records, a started report).
broken = base.broken
records = base.records
report = base.report


def detail(report):
    return reverse("staff:report-detail", args=[report.pk])


@pytest.mark.parametrize("who, status", [
    ("office", 200), ("officer", 200), ("reviewer", 200), ("leader", 200), ("supervisor", 200),
    ("platform_admin", 200), ("other_office", 404),
])
def test_who_reads_a_report(request, client_for, report, who, status):
    response = client_for(request.getfixturevalue(who)).get(detail(report))
    assert response.status_code == status


def test_the_list_shows_only_reports_the_user_may_read(client_for, report, other_office, office):
    assert "测试市市场监督管理局" in client_for(office).get(reverse("staff:report-list")).content.decode()
    page = client_for(other_office).get(reverse("staff:report-list")).content.decode()
    assert "测试市市场监督管理局" not in page and "暂无年度报告" in page


@pytest.mark.parametrize("who, status", [
    ("office", 302), ("officer", 403), ("reviewer", 403), ("supervisor", 403), ("platform_admin", 403),
    ("other_office", 404),
])
def test_who_may_type_a_figure(request, client_for, report, who, status):
    response = client_for(request.getfixturevalue(who)).post(
        reverse("staff:report-figure", args=[report.pk]),
        {"ref": FEES, "value": "1.5", "source": "财务科台账"})
    assert response.status_code == status
    assert report.figures.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize("who, status", [
    ("leader", 302), ("office", 403), ("officer", 403), ("supervisor", 403), ("other_office", 404),
])
def test_only_the_leader_signs_off_over_http(request, client_for, report, office, who, status):
    at(dt.date(2026, 1, 10))
    services.report_figure_set(actor=office, report=report, ref=FEES, value="1", source="台账")
    base.submit(report, office)
    response = client_for(request.getfixturevalue(who)).post(reverse("staff:report-sign-off", args=[report.pk]))
    assert response.status_code == status
    report.refresh_from_db()
    assert report.state == (ReportState.SIGNED_OFF if status == 302 else ReportState.SUBMITTED)


def test_the_office_starts_a_report_and_a_second_start_is_refused(client_for, office, bureau, records):
    at(dt.date(2026, 1, 5))
    client = client_for(office)
    response = client.post(reverse("staff:report-start"), {"agency": bureau.pk, "year": 2025})
    created = AnnualReport.objects.get(agency=bureau, year=2025)
    assert response.status_code == 302 and response["Location"] == detail(created)
    response = client.post(reverse("staff:report-start"), {"agency": bureau.pk, "year": 2025})
    assert response.status_code == 400 and "已经存在" in response.content.decode()


def test_the_detail_page_shows_provenance_manual_cells_and_missing_figures(client_for, office, report):
    page = client_for(office).get(detail(report)).content.decode()
    assert "须手工填写并注明来源" in page and "行政事业性收费" in page
    assert "手填（尚未录入）" in page
    assert report.computed_provenance["3/一/total"] in page
    assert 'data-ref="3/一/total">3<sup>' in page
    client_for(office).post(reverse("staff:report-figure", args=[report.pk]),
                            {"ref": FEES, "value": "1.25", "source": "财务科2025年收费台账"})
    page = client_for(office).get(detail(report)).content.decode()
    assert "人工填报，来源：财务科2025年收费台账" in page and "须手工填写并注明来源：" not in page


def test_a_bad_figure_is_shown_in_chinese_and_nothing_is_saved(client_for, office, report):
    response = client_for(office).post(reverse("staff:report-figure", args=[report.pk]),
                                       {"ref": FEES, "value": "十二", "source": "台账"})
    assert response.status_code == 400 and "请填写数字" in response.content.decode()
    assert not report.figures.exists()


def test_the_whole_flow_through_the_pages(client_for, office, leader, report):
    at(dt.date(2026, 1, 10))
    client = client_for(office)
    client.post(reverse("staff:report-figure", args=[report.pk]),
                {"ref": FEES, "value": "1.25", "source": "财务科台账"})
    response = client.post(reverse("staff:report-prose", args=[report.pk]), {
        "preamble": "引言", "overview": "总体情况", "problems": "问题", "other_matters": "本年度未收取信息处理费。"})
    assert response.status_code == 302
    client.post(reverse("staff:report-submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    client_for(leader).post(reverse("staff:report-sign-off", args=[report.pk]), {"reason": "同意"})
    client = client_for(office)
    client.post(reverse("staff:report-publish", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == ReportState.PUBLISHED and report.published_version.prose["overview"] == "总体情况"
    page = client.get(detail(report)).content.decode()
    for label in ("创建报告", "录入手填数据", "修改正文", "核对并提交签发", "领导签发", "发布"):
        assert label in page
    assert "全部" in page and "勾稽关系成立" in page


def test_violations_are_named_and_the_leader_sees_the_override_before_signing_off(
        client_for, office, leader, broken):
    client = client_for(office)
    page = client.get(detail(broken)).content.decode()
    assert "本年“二、上年结转”等于上一年度报告“四、结转下年度继续办理”（总计）：应为 1，实为 2" in page
    assert "表三「二、上年结转政府信息公开申请数量」×「总计」" in page
    response = client.post(reverse("staff:report-override", args=[broken.pk]), {"reason": ""}, follow=True)
    assert "请填写理由" in response.content.decode() and not broken.overrides.exists()
    client.post(reverse("staff:report-override", args=[broken.pk]), {"reason": "漏登一件，已说明"})
    page = client_for(leader).get(detail(broken)).content.decode()
    assert "公开办已记录带问题发布" in page and "（请在签发前审阅）" in page and "漏登一件，已说明" in page
    assert 'data-testid="override-violations"' in page and "（总计）：应为 1，实为 2" in page
    client_for(leader).post(reverse("staff:report-sign-off", args=[broken.pk]))
    client = client_for(office)
    page = client.get(detail(broken)).content.decode()
    assert "记录理由</button>" not in page  # no more overrides after sign-off
    response = client.post(reverse("staff:report-publish", args=[broken.pk]), follow=True)
    broken.refresh_from_db()
    assert broken.state == ReportState.PUBLISHED, response.content.decode()[-3000:]


def test_publication_without_an_override_is_refused_over_http(client_for, office, leader, broken):
    client_for(leader).post(reverse("staff:report-sign-off", args=[broken.pk]))
    response = client_for(office).post(reverse("staff:report-publish", args=[broken.pk]), follow=True)
    page = response.content.decode()
    assert "本报告有2处不符合勾稽关系" in page and "须退回后重新提交" in page
    broken.refresh_from_db()
    assert broken.state == ReportState.SIGNED_OFF


def test_table_four_states_its_counting_rule_in_chinese(client_for, office, report):
    page = client_for(office).get(detail(report)).content.decode()
    assert 'data-testid="table-rule-4"' in page
    assert "表四统计本年度内（1月1日至12月31日）立案（申请）的行政复议、行政诉讼案件，结果按本年12月31日的状态填列" in page


def test_a_decision_count_is_replaced_by_hand_and_reverted_over_http(client_for, office, report):
    client = client_for(office)
    ref = "2.6/penalty/decisions"
    page = client.get(detail(report)).content.decode()
    assert f'<option value="{ref}">' in page and "（替换计算值）" in page
    assert '<option value="3/一/total">' not in page  # table 三 stays computed
    response = client.post(reverse("staff:report-figure", args=[report.pk]),
                           {"ref": ref, "value": "42", "source": "市场监管执法办案系统导出"})
    assert response.status_code == 302
    page = client.get(detail(report)).content.decode()
    assert f'data-ref="{ref}" class="manual">42 <span class="badge">人工填报</span>' in page
    assert "人工填报，来源：市场监管执法办案系统导出" in page
    client.post(reverse("staff:report-figure-revert", args=[report.pk]), {"ref": ref, "reason": "系统数据已同步"})
    page = client.get(detail(report)).content.decode()
    assert f'data-ref="{ref}">0<sup>' in page and "恢复计算值" in page
    assert report.events.filter(action="revert_figure").get().reason == "系统数据已同步"


def test_a_draft_download_is_marked_and_a_published_one_is_the_stored_file(
        client_for, office, leader, report, monkeypatch):
    import io
    from urllib.parse import quote

    import docx

    client = client_for(office)
    response = client.get(reverse("staff:report-docx", args=[report.pk]))
    assert quote("测试市市场监督管理局2025年政府信息公开工作年度报告（草稿）.docx", safe="") in \
        response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    assert "草稿" in document.sections[0].header.paragraphs[0].text
    assert document.paragraphs[0].text.endswith("（草稿）")
    base.ready_to_publish(report, office, leader)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the files are rendered after the commit
        services.report_publish(actor=office, report=report)
    report.refresh_from_db()
    monkeypatch.setattr("gongkai.reports.rendering.render_docx", lambda doc: b"rendered again")
    response = client.get(reverse("staff:report-docx", args=[report.pk]))
    data = b"".join(response.streaming_content)
    with report.published_version.docx.open("rb") as handle:
        assert data == handle.read()
    assert "草稿" not in docx.Document(io.BytesIO(data)).paragraphs[0].text


def test_a_supervisor_reads_but_changes_nothing(client_for, supervisor, report):
    client = client_for(supervisor)
    page = client.get(detail(report)).content.decode()
    assert "核对并提交领导签发" not in page and "按办理记录重新计算" not in page
    for name in ("report-submit", "report-recompute", "report-publish"):
        assert client.post(reverse(f"staff:{name}", args=[report.pk])).status_code == 403
    assert client.get(reverse("staff:report-prose", args=[report.pk])).status_code == 403


def test_the_prose_page_shows_last_years_problems_beside_this_years(client_for, office, bureau, report):
    at(dt.date(2025, 2, 1))
    last = services.report_start(actor=office, agency=bureau, year=2024)
    services.report_prose_update(actor=office, report=last, problems="信息发布不够及时。")
    page = client_for(office).get(reverse("staff:report-prose", args=[report.pk])).content.decode()
    assert "2024年度报告所列问题" in page and "信息发布不够及时。" in page


def test_the_supervision_view_lists_the_subtree_and_sums_the_tables(client_for, supervisor, office, report, tree):
    page = client_for(supervisor).get(reverse("staff:report-supervision"),
                                      {"agency": tree["city"].pk, "year": 2025}).content.decode()
    for agency in ("测试市人民政府办公室", "测试市市场监督管理局", "测试县人民政府办公室", "测试县市场监督管理局"):
        assert agency in page
    assert "测试省人民政府" not in page
    assert "编制中" in page and "未创建" in page
    summed, drafts = page.split('data-testid="supervision-draft-grid"')
    assert 'data-ref="3/一/total">3<sup>' not in summed  # a draft is never summed
    assert 'data-ref="3/一/total">3<sup>' in drafts  # the bureau's three requests, shown apart


def test_the_supervision_view_is_not_for_an_office(client_for, office):
    assert client_for(office).get(reverse("staff:report-supervision")).status_code == 403


def test_another_supervisors_subtree_is_a_404(client_for, supervisor, tree):
    response = client_for(supervisor).get(reverse("staff:report-supervision"),
                                          {"agency": tree["province"].pk, "year": 2025})
    assert response.status_code == 400  # not among the choices


def test_the_reminder_banner_on_the_list(client_for, office, report):
    at(dt.date(2026, 1, 21))
    page = client_for(office).get(reverse("staff:report-list")).content.decode()
    assert "2025年政府信息公开工作年度报告尚未发布（编制中），距1月31日发布期限还有10天" in page


def test_the_detail_page_query_count_does_not_grow_with_history(client_for, office, report,
                                                               django_assert_num_queries):
    client = client_for(office)
    client.get(detail(report))
    # 16 (one of them: has the user an authenticator, for the two-factor check), plus the
    # fresh computation that tells whether the records moved since (4)
    with django_assert_num_queries(20):
        client.get(detail(report))
    for n in range(5):
        services.report_figure_set(actor=office, report=report, ref=FEES, value=str(n), source=f"台账{n}")
        services.report_prose_update(actor=office, report=report, overview=f"第{n}稿")
    with django_assert_num_queries(20):
        client.get(detail(report))


def test_the_supervision_sums_what_agencies_published_and_shows_the_live_figures_apart(
        client_for, supervisor, office, leader, other_office, other_agency, bureau, report, tree,
        django_assert_max_num_queries):
    base.ready_to_publish(report, office, leader, fees="1.25")
    services.report_publish(actor=office, report=report)  # the bureau: 3 requests, fee 1.25
    base.receive(bureau, office, dt.date(2025, 12, 30))  # registered after publication
    at(dt.date(2026, 1, 12))
    county = services.report_start(actor=other_office, agency=other_agency, year=2025)
    services.report_figure_set(actor=other_office, report=county, ref=FEES, value="0.5", source="县局台账")

    view = selectors.supervision(user=supervisor, root=tree["city"], year=2025)
    assert view.cells["3/一/total"] == 3  # the published 3, not the 4 the records give now
    assert view.live_cells["3/一/total"] == 4
    assert view.cells[FEES] == Decimal("1.25")  # the published figure only: the draft is apart
    assert view.draft_cells[FEES] == Decimal("0.5") and view.draft_cells["3/一/total"] == 0
    assert view.live_cells[FEES] is None
    figures = {row.agency.pk: row.figures_label for row in view.rows}
    assert figures[bureau.pk] == "已发布数据，计入汇总"
    assert figures[other_agency.pk] == "未发布，当前数据另列（未计入汇总）"
    assert figures[tree["county"].pk] == "未计入汇总"

    page = client_for(supervisor).get(reverse("staff:report-supervision"),
                                      {"agency": tree["city"].pk, "year": 2025}).content.decode()
    assert "1个机关按已发布的报告计入；1个机关尚未发布，其当前数据另列于下，不计入汇总" in page
    assert "对照：按办理记录实时计算" in page
    assert page.count('data-testid="supervision-figures"') == 4
    with django_assert_max_num_queries(40):
        selectors.supervision(user=supervisor, root=tree["city"], year=2025)
