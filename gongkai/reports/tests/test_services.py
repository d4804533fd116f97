"""The annual report's workflow through its services: start, figures, prose, check,
submit, override, sign-off, publication, correction (条例 Art. 49–50)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.foi.services.requests import ApplicantData, request_register, request_withdraw
from gongkai.reports import selectors, services
from gongkai.reports.computation import compute_report
from gongkai.reports.models import AnnualReport, ReportEvent, ReportState
from gongkai.reports.workflow import Action

FEES = "2.8/fees/amount"


def applicant(**overrides) -> ApplicantData:
    values = {
        "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
        "id_number": "11010519491231002X", "phone": "13800138000",
        "description": "2024年度食品安全监督抽检结果", "delivery": "email",
        "email": "zhangsan@example.invalid", "address": "云泽省青岚市滨河区长安路18号",
    }
    values.update(overrides)
    return ApplicantData(**values)


def receive(agency, office, on: dt.date, **fields):
    """A request received in person on ``on`` (left open: carried over at year end)."""
    at(on)
    request, _ = request_register(actor=office, agency=agency, data=applicant(**fields),
                                  channel="in_person", received_on=on)
    return request


def withdraw(office, request, on: dt.date):
    at(on)
    return request_withdraw(actor=office, request=request, reason="申请人电话撤回", on=on)


PROSE = {
    "overview": "本年度，本局认真贯彻落实《中华人民共和国政府信息公开条例》。",
    "problems": "一是主动公开栏目更新不够及时。下一步将完善信息发布机制。",
    "other_matters": "本年度未发出信息处理费收费通知，未收取信息处理费。",
}


def write_prose(report, office, **texts):
    """Fill parts 一, 五 and 六 (submission needs them)."""
    services.report_prose_update(actor=office, report=report, **{**PROSE, **texts})


def submit(report, office):
    write_prose(report, office)
    return services.report_submit(actor=office, report=report)


def ready_to_publish(report, office, leader, *, fees="1.25", sign_off=True):
    """Type the fee figure, write the prose, submit and sign off (clock in January after
    the year)."""
    at(dt.date(report.year + 1, 1, 10))
    services.report_figure_set(actor=office, report=report, ref=FEES, value=fees,
                               source=f"财务科{report.year}年收费台账")
    submit(report, office)
    if sign_off:
        services.report_sign_off(actor=leader, report=report)
    report.refresh_from_db()
    return report


def receive_a_year(bureau, office):
    """A 2025 of the bureau: three requests received, one withdrawn, two carried over."""
    receive(bureau, office, dt.date(2025, 3, 3))
    receive(bureau, office, dt.date(2025, 6, 2), applicant_type="commercial_enterprise",
            name="青岚某某食品有限公司", id_type="uscc", id_number="91990100MA00000017")
    withdraw(office, receive(bureau, office, dt.date(2025, 9, 1)), dt.date(2025, 9, 5))


@pytest.fixture
def records(bureau, office):
    receive_a_year(bureau, office)


@pytest.fixture
def report(records, bureau, office):
    at(dt.date(2026, 1, 5))
    return services.report_start(actor=office, agency=bureau, year=2025)


# --- start --------------------------------------------------------------------------------------

def test_start_fixes_the_format_and_computes_the_tables(report, bureau):
    assert report.format_id == "2021"
    assert report.state == ReportState.DRAFT
    comp = compute_report(report.format, agency_ids=[bureau.pk], year=2025)
    cells = selectors.report_cells(report)
    assert cells["3/一/total"] == 3
    assert cells["3/四/total"] == 2
    assert cells["3/三.六.3/total"] == 1
    assert {ref: v for ref, v in cells.items() if ref not in comp.manual_refs} == {
        ref: v for ref, v in comp.cells.items() if ref not in comp.manual_refs}
    assert FEES in report.computed_manual_refs and cells[FEES] is None
    assert report.computed_at is not None
    assert ReportEvent.objects.filter(report=report, action=Action.START).count() == 1
    assert AuditEvent.objects.filter(action="reports.start", object_id=str(report.pk)).exists()


def test_a_second_report_on_the_same_year_is_refused(report, bureau, office):
    with pytest.raises(DomainError, match="已经存在"):
        services.report_start(actor=office, agency=bureau, year=2025)


def test_a_report_on_a_year_not_begun_is_refused(bureau, office):
    at(dt.date(2026, 1, 5))
    with pytest.raises(DomainError, match="尚未开始"):
        services.report_start(actor=office, agency=bureau, year=2027)


def test_the_2019_format_applies_to_a_report_on_2020(bureau, office):
    at(dt.date(2026, 1, 5))
    report = services.report_start(actor=office, agency=bureau, year=2020)
    assert report.format_id == "2019"


@pytest.mark.parametrize("who", ["officer", "leader", "reviewer", "supervisor", "other_office",
                                 "platform_admin"])
def test_only_the_office_starts_a_report(request, who, bureau, records):
    actor = request.getfixturevalue(who)
    at(dt.date(2026, 1, 5))
    with pytest.raises(PermissionDenied):
        services.report_start(actor=actor, agency=bureau, year=2025)
    assert not AnnualReport.objects.exists()


# --- figures and prose ---------------------------------------------------------------------------

def test_a_manual_figure_needs_its_source(report, office):
    with pytest.raises(DomainError, match="数据来源"):
        services.report_figure_set(actor=office, report=report, ref=FEES, value="1.5", source="  ")
    assert not report.figures.exists()


def test_a_computed_cell_cannot_be_typed(report, office):
    with pytest.raises(DomainError, match="不能手工填写"):
        services.report_figure_set(actor=office, report=report, ref="3/一/total", value="9",
                                   source="台账")


@pytest.mark.parametrize("value, message", [("abc", "数字"), ("-1", "负数"), ("1.23456", "4位小数")])
def test_bad_figures_are_refused_in_chinese(report, office, value, message):
    with pytest.raises(DomainError, match=message):
        services.report_figure_set(actor=office, report=report, ref=FEES, value=value, source="台账")


def test_figures_keep_their_history_and_the_newest_counts(report, office):
    services.report_figure_set(actor=office, report=report, ref=FEES, value="1.2", source="台账一")
    services.report_figure_set(actor=office, report=report, ref=FEES, value="0.8", source="台账二")
    assert report.figures.count() == 2
    assert selectors.report_cells(report)[FEES] == Decimal("0.8")
    assert selectors.manual_sources(report) == {FEES: "台账二"}
    event = report.events.filter(action=Action.SET_FIGURE).last()
    assert event.data["previous"] == {"value": "1.2000", "source": "台账一"}


def test_prose_edits_keep_the_previous_text(report, office):
    services.report_prose_update(actor=office, report=report, problems="第一稿")
    changed = services.report_prose_update(actor=office, report=report, problems="第二稿",
                                           overview="")
    assert changed == ["problems"]
    report.refresh_from_db()
    assert report.problems == "第二稿"
    assert report.events.filter(action=Action.EDIT_PROSE).last().data["previous"] == {"problems": "第一稿"}


def test_drafting_fills_only_empty_parts_unless_asked(report, office, monkeypatch):
    import gongkai.reports.drafting as drafting

    monkeypatch.setattr(drafting, "draft_prose", lambda **kw: {
        "overview": f"{kw['year']}年共收到申请{kw['cells']['3/一/total']}件。", "other_matters": "收费0件。"})
    services.report_prose_update(actor=office, report=report, overview="人工撰写的总体情况")
    assert services.report_draft_prose(actor=office, report=report) == ["other_matters"]
    report.refresh_from_db()
    assert report.overview == "人工撰写的总体情况"
    # The marker is stored; the paragraphs are written from the cells whenever printed.
    assert report.other_matters == drafting.DRAFT_MARKER
    assert selectors.build_document(report).prose["other_matters"] == "收费0件。"
    assert services.report_draft_prose(actor=office, report=report, replace=True) == ["overview"]
    report.refresh_from_db()
    assert report.overview == drafting.DRAFT_MARKER
    assert selectors.build_document(report).prose["overview"] == "2025年共收到申请3件。"
    event = report.events.filter(action=Action.DRAFT_PROSE).last()
    assert event.data["replaced"] == {"overview": "人工撰写的总体情况"}


# --- submit, override, sign-off, publish ---------------------------------------------------------

def test_submission_needs_every_manual_figure_and_names_the_cell(report, office):
    write_prose(report, office)
    with pytest.raises(DomainError, match="行政事业性收费"):
        services.report_submit(actor=office, report=report)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_the_whole_flow_publishes_a_frozen_version(report, office, leader, django_capture_on_commit_callbacks):
    ready_to_publish(report, office, leader)
    assert report.state == ReportState.SIGNED_OFF
    assert report.check_result["violations"] == []
    assert report.check_result["cross_year"] is False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = services.report_publish(actor=office, report=report)
    assert callbacks  # the portal's cache is dropped after commit
    report.refresh_from_db()
    assert report.state == ReportState.PUBLISHED
    assert report.published_version == version and report.published_on == dt.date(2026, 1, 10)
    assert version.cells["3/一/total"] == 3 and version.cells[FEES] == "1.25"
    assert version.manual_sources == {FEES: "财务科2025年收费台账"}
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["start", "set_figure", "edit_prose", "submit", "sign_off", "publish"]
    assert AuditEvent.objects.filter(object_type="reports.annualreport",
                                     object_id=str(report.pk)).count() == 6


def test_a_published_report_does_not_change_when_records_change(report, bureau, office, leader):
    ready_to_publish(report, office, leader)
    services.report_publish(actor=office, report=report)
    before = selectors.build_document(report)
    receive(bureau, office, dt.date(2025, 12, 30))  # registered late, received in 2025
    at(dt.date(2026, 2, 1))
    report.refresh_from_db()
    after = selectors.build_document(report)
    assert compute_report(report.format, agency_ids=[bureau.pk], year=2025).cells["3/一/total"] == 4
    assert after.cells == before.cells and after.cells["3/一/total"] == 3
    with pytest.raises(InvalidTransition):
        services.report_recompute(actor=office, report=report)


def test_submission_before_the_year_ends_is_refused_but_the_draft_may_be_started(bureau, office):
    at(dt.date(2026, 11, 2))
    report = services.report_start(actor=office, agency=bureau, year=2026)
    services.report_figure_set(actor=office, report=report, ref=FEES, value="0", source="台账")
    with pytest.raises(DomainError, match="2026年度尚未结束"):
        submit(report, office)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    at(dt.date(2026, 12, 31), hour=23)
    with pytest.raises(DomainError, match="尚未结束"):
        services.report_submit(actor=office, report=report)
    at(dt.date(2027, 1, 1), hour=0)
    services.report_submit(actor=office, report=report)
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


@pytest.mark.parametrize("empty, named", [
    ("overview", "一、总体情况"), ("problems", "五、存在的主要问题及改进情况"),
    ("other_matters", "六、其他需要报告的事项"),
])
def test_submission_needs_parts_one_five_and_six(report, office, empty, named):
    at(dt.date(2026, 1, 10))
    services.report_figure_set(actor=office, report=report, ref=FEES, value="0", source="台账")
    write_prose(report, office, **{empty: ""})
    with pytest.raises(DomainError, match="尚未填写") as refused:
        services.report_submit(actor=office, report=report)
    assert named in refused.value.message
    assert [title for title in ("一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
            if title in refused.value.message] == [named]
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_in_the_2021_format_part_six_must_state_the_information_processing_fees(report, office):
    at(dt.date(2026, 1, 10))
    services.report_figure_set(actor=office, report=report, ref=FEES, value="0", source="台账")
    write_prose(report, office, other_matters="本年度无其他需要报告的事项。")
    with pytest.raises(DomainError, match="“信息处理费”"):
        services.report_submit(actor=office, report=report)
    write_prose(report, office)  # "……未收取信息处理费。"
    services.report_submit(actor=office, report=report)


def test_the_drafted_part_six_satisfies_the_fee_requirement(report, office):
    at(dt.date(2026, 1, 10))
    services.report_figure_set(actor=office, report=report, ref=FEES, value="0", source="台账")
    services.report_prose_update(actor=office, report=report, overview="概况", problems="问题")
    services.report_draft_prose(actor=office, report=report)
    report.refresh_from_db()
    assert "信息处理费" in selectors.rendered_prose(report)["other_matters"]
    services.report_submit(actor=office, report=report)


def test_the_2019_format_does_not_ask_for_the_fee_term(bureau, office):
    at(dt.date(2026, 1, 5))
    report = services.report_start(actor=office, agency=bureau, year=2020)
    for ref in report.computed_manual_refs:
        services.report_figure_set(actor=office, report=report, ref=ref, value="0", source="台账")
    write_prose(report, office, other_matters="无。")
    services.report_submit(actor=office, report=report)


@pytest.fixture
def broken(bureau, office, leader, records):
    """2024's report published with one request carried out; then a forgotten 2024 request is
    registered, so 2025's carried-in (2+... computed) no longer equals 2024's published
    carried-out: the cross-year rule breaks."""
    receive(bureau, office, dt.date(2024, 11, 4))
    at(dt.date(2025, 1, 6))
    last = services.report_start(actor=office, agency=bureau, year=2024)
    ready_to_publish(last, office, leader, fees="0")
    services.report_publish(actor=office, report=last)
    receive(bureau, office, dt.date(2024, 12, 2))
    at(dt.date(2026, 1, 6))
    report = services.report_start(actor=office, agency=bureau, year=2025)
    return ready_to_publish(report, office, leader, sign_off=False)


def test_the_cross_year_rule_is_checked_against_last_years_published_report(broken):
    result = broken.check_result
    assert result["cross_year"] is True
    rules = {(v["rule"], v["label"]) for v in result["violations"]}
    assert rules == {("三.跨年结转", "自然人"), ("三.跨年结转", "总计")}
    total = next(v for v in result["violations"] if v["label"] == "总计")
    assert (total["found"], total["expected"]) == (2, 1)
    assert "3/二/total" in total["cells"] and "3/四/total" in total["cells"]


def test_publication_with_violations_is_refused_until_an_override_is_recorded(broken, office, leader):
    services.report_sign_off(actor=leader, report=broken)
    with pytest.raises(DomainError, match="带问题发布") as refused:
        services.report_publish(actor=office, report=broken)
    assert "三.跨年结转" not in refused.value.message and "自然人" in refused.value.message
    broken.refresh_from_db()
    assert broken.state == ReportState.SIGNED_OFF and broken.published_version is None
    # signed off without an override: it can only be recorded after a return and resubmission
    with pytest.raises(InvalidTransition):
        services.report_override(actor=office, report=broken, reason="已知问题")


def test_an_override_is_recorded_before_sign_off_and_publication_accepts_it(broken, office, leader):
    with pytest.raises(DomainError, match="理由"):
        services.report_override(actor=office, report=broken, reason=" ")
    override = services.report_override(actor=office, report=broken,
                                        reason="2024年12月2日的申请漏登，已在五中说明")
    assert len(override.violations) == 2
    services.report_sign_off(actor=leader, report=broken)
    version = services.report_publish(actor=office, report=broken)
    assert version.override == override
    assert len(version.check_result["violations"]) == 2


def republish_last_year_with_a_late_request(bureau, office, leader):
    """2024's report corrected after 2025's was submitted: a company's request of 4 December
    2024, registered late, now counts as carried out. 2025's frozen carried-in no longer
    matches in the 商业企业 and 总计 columns (2025 carried in 2 natural persons only)."""
    receive(bureau, office, dt.date(2024, 12, 4), applicant_type="commercial_enterprise",
            name="青岚某某食品有限公司", id_type="uscc", id_number="91990100MA00000017")
    last = AnnualReport.objects.get(agency=bureau, year=2024)
    at(dt.date(2026, 1, 11))
    services.report_correct(actor=office, report=last, reason="补登漏登的申请")
    services.report_recompute(actor=office, report=last)
    submit(last, office)
    services.report_sign_off(actor=leader, report=last)
    services.report_publish(actor=office, report=last)


def test_an_override_records_what_the_check_finds_now_not_at_submission(broken, bureau, office, leader):
    at_submission = {v["label"] for v in broken.check_result["violations"]}
    assert at_submission == {"自然人", "总计"}
    republish_last_year_with_a_late_request(bureau, office, leader)
    override = services.report_override(actor=office, report=broken, reason="2024年报告已更正，差异已在五中说明")
    found = {v["label"]: (v["expected"], v["found"]) for v in override.violations}
    assert found == {"商业企业": (1, 0), "总计": (3, 2)}  # 自然人 holds now: 2 = 2
    broken.refresh_from_db()
    assert broken.check_result["violations"] == override.violations  # the recorded check is the new one
    assert broken.events.filter(action="override").get().data["violations"] == override.violations
    services.report_sign_off(actor=leader, report=broken)
    version = services.report_publish(actor=office, report=broken)  # not stuck
    assert version.override == override


def test_an_override_is_not_needed_once_last_years_report_matches(broken, bureau, office, leader):
    last = AnnualReport.objects.get(agency=bureau, year=2024)
    at(dt.date(2026, 1, 11))
    services.report_correct(actor=office, report=last, reason="补登漏登的申请")
    services.report_recompute(actor=office, report=last)  # the 2 December request counts now
    submit(last, office)
    services.report_sign_off(actor=leader, report=last)
    services.report_publish(actor=office, report=last)
    with pytest.raises(DomainError, match="无需确认"):
        services.report_override(actor=office, report=broken, reason="已知问题")
    services.report_sign_off(actor=leader, report=broken)
    services.report_publish(actor=office, report=broken)  # every rule holds now


def test_an_override_is_refused_in_draft_and_after_sign_off(report, office, leader):
    with pytest.raises(InvalidTransition):
        services.report_override(actor=office, report=report, reason="已知问题")
    ready_to_publish(report, office, leader)
    with pytest.raises(InvalidTransition):
        services.report_override(actor=office, report=report, reason="已知问题")


def test_publication_names_exactly_the_violations_the_override_does_not_cover(broken, bureau, office, leader):
    services.report_override(actor=office, report=broken, reason="已知问题")
    services.report_sign_off(actor=leader, report=broken)
    republish_last_year_with_a_late_request(bureau, office, leader)
    with pytest.raises(DomainError, match="不涵盖以下2处新出现的问题") as refused:
        services.report_publish(actor=office, report=broken)
    message = refused.value.message
    assert "（商业企业）：应为 1，实为 0" in message and "（总计）：应为 3，实为 2" in message
    assert "（自然人）" not in message
    assert "退回" in message


def test_an_override_covers_only_the_violations_it_names(broken, bureau, office, leader):
    services.report_override(actor=office, report=broken, reason="已知问题")
    services.report_sign_off(actor=leader, report=broken)
    services.report_return(actor=leader, report=broken, reason="请核对结转数")
    receive(bureau, office, dt.date(2024, 12, 3))  # a different mismatch now
    at(dt.date(2026, 1, 12))
    services.report_submit(actor=office, report=broken)
    services.report_sign_off(actor=leader, report=broken)
    with pytest.raises(DomainError, match="带问题发布"):
        services.report_publish(actor=office, report=broken)


def test_only_the_leader_signs_off(report, office, officer, reviewer, leader):
    at(dt.date(2026, 1, 10))
    services.report_figure_set(actor=office, report=report, ref=FEES, value="1", source="台账")
    submit(report, office)
    for actor in (office, officer, reviewer):
        with pytest.raises(PermissionDenied):
            services.report_sign_off(actor=actor, report=report)
    services.report_sign_off(actor=leader, report=report)


def test_return_needs_a_reason_and_reopens_the_draft(report, office, leader):
    ready_to_publish(report, office, leader)
    with pytest.raises(DomainError, match="退回理由"):
        services.report_return(actor=leader, report=report, reason="")
    services.report_return(actor=leader, report=report, reason="总体情况过于简略")
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    assert report.events.last().reason == "总体情况过于简略"


def test_sign_off_of_a_draft_is_an_invalid_transition(report, leader):
    with pytest.raises(InvalidTransition, match="编制中"):
        services.report_sign_off(actor=leader, report=report)


def test_a_correction_is_a_new_version_and_the_old_one_stays(report, office, leader):
    ready_to_publish(report, office, leader)
    first = services.report_publish(actor=office, report=report)
    with pytest.raises(DomainError, match="理由"):
        services.report_correct(actor=office, report=report, reason="")
    services.report_correct(actor=office, report=report, reason="六中收费金额有误")
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.version == 2
    assert report.published_version == first  # the public still sees version 1
    at(dt.date(2026, 1, 20))
    services.report_figure_set(actor=office, report=report, ref=FEES, value="1.3", source="更正后台账")
    submit(report, office)
    services.report_sign_off(actor=leader, report=report)
    second = services.report_publish(actor=office, report=report)
    report.refresh_from_db()
    assert report.published_version == second and second.number == 2
    assert second.correction_reason == "六中收费金额有误"
    first.refresh_from_db()
    assert first.cells[FEES] == "1.25" and second.cells[FEES] == "1.3"


# --- replacing a computed cell of table 二 by hand ------------------------------------------------

PENALTIES = "2.6/penalty/decisions"


def test_a_computed_decision_count_is_replaced_with_its_source_and_printed_as_typed(report, office):
    assert report.computed_cells[PENALTIES] == 0 and PENALTIES not in report.computed_manual_refs
    with pytest.raises(DomainError, match="来源"):
        services.report_figure_set(actor=office, report=report, ref=PENALTIES, value="12", source=" ")
    services.report_figure_set(actor=office, report=report, ref=PENALTIES, value="12",
                               source="市场监管执法办案系统2025年导出")
    report.refresh_from_db()
    assert selectors.report_cells(report)[PENALTIES] == 12
    assert report.computed_cells[PENALTIES] == 0  # the computation itself is kept
    doc = selectors.build_document(report)
    assert doc.manual_sources[PENALTIES] == "市场监管执法办案系统2025年导出"
    from gongkai.reports.rendering.model import printed_table

    printed = printed_table(doc, report.format.table("2.6"))
    notes = dict(printed.notes)
    assert any("行政处罚" in text and "人工填报，来源：市场监管执法办案系统2025年导出" in text
               for text in notes.values())
    [value] = [c for row in printed.body_rows for c in row if c.ref == PENALTIES]
    assert value.text == "12" and value.note is None
    [label] = [c for row in printed.body_rows for c in row if c.kind == "label" and c.text == "行政处罚"]
    assert label.note is not None
    event = report.events.filter(action="set_figure").get()
    assert event.data["replaces_computed"] == 0


def test_a_replaced_figure_survives_recomputation_and_is_reverted_on_record(report, office):
    services.report_figure_set(actor=office, report=report, ref=PENALTIES, value="12", source="执法系统")
    services.report_recompute(actor=office, report=report)
    assert selectors.report_cells(report)[PENALTIES] == 12
    services.report_figure_revert(actor=office, report=report, ref=PENALTIES, reason="执法系统数据已导入")
    report.refresh_from_db()
    assert selectors.report_cells(report)[PENALTIES] == 0
    assert PENALTIES not in selectors.manual_sources(report)
    event = report.events.filter(action="revert_figure").get()
    assert event.reason == "执法系统数据已导入" and event.data["previous"]["value"] == "12.0000"
    assert [f.value for f in selectors.figure_history(report)][:2] == [None, Decimal("12")]
    with pytest.raises(DomainError, match="无需恢复"):
        services.report_figure_revert(actor=office, report=report, ref=PENALTIES)


@pytest.mark.parametrize("ref", ["3/一/total", "4/all/administrative_review.total"])
def test_tables_three_and_four_stay_computed_only(report, office, ref):
    with pytest.raises(DomainError, match="不能手工填写"):
        services.report_figure_set(actor=office, report=report, ref=ref, value="9", source="台账")
    with pytest.raises(DomainError, match="无需恢复"):
        services.report_figure_revert(actor=office, report=report, ref=ref)


def test_a_manual_cell_cannot_be_reverted(report, office):
    services.report_figure_set(actor=office, report=report, ref=FEES, value="1", source="台账")
    with pytest.raises(DomainError, match="无需恢复"):
        services.report_figure_revert(actor=office, report=report, ref=FEES)


def test_a_replaced_figure_is_published_with_its_source(report, office, leader):
    at(dt.date(2026, 1, 10))
    services.report_figure_set(actor=office, report=report, ref=PENALTIES, value="7", source="执法系统")
    ready_to_publish(report, office, leader)
    version = services.report_publish(actor=office, report=report)
    assert version.cells[PENALTIES] == 7
    assert version.manual_sources == {FEES: "财务科2025年收费台账", PENALTIES: "执法系统"}
