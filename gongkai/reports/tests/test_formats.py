"""The format definitions: labels exactly as the national templates print them, and the
rules that tie the cells together."""

import tomllib
from decimal import Decimal

import pytest

from gongkai.foi.models.request import ApplicantType
from gongkai.foi.outcomes import REPORT_ROW
from gongkai.reports import formats
from gongkai.reports.formats import FormatError, format_for_year, get_format
from gongkai.reports.rules import check_cells


@pytest.mark.parametrize(("year", "format_id"), [
    (2012, "legacy"), (2018, "legacy"), (2019, "2019"), (2020, "2019"), (2021, "2021"), (2030, "2021"),
])
def test_format_for_year_follows_the_national_templates(year, format_id):
    assert format_for_year(year).id == format_id


def test_legacy_reports_are_read_but_never_generated():
    assert get_format("legacy").generate is False
    assert get_format("2021").generate and get_format("2019").generate


@pytest.mark.parametrize("format_id", ["2021", "2019"])
def test_table_three_has_the_seven_applicant_columns_and_every_outcome_row(format_id):
    table = get_format(format_id).table("3")
    assert [c.label for c in table.columns] == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert {c.key for c in table.columns} == {t.value for t in ApplicantType} | {"total"}
    keys = {r.key for r in table.numbered_rows}
    for row in REPORT_ROW.values():  # every outcome lands in a row (2019: in its parent)
        assert row in keys or row.rsplit(".", 1)[0] in keys


def test_2021_and_2019_differ_where_the_templates_differ():
    new, old = get_format("2021"), get_format("2019")
    assert [c.label for c in new.table("2.1").columns] == ["本年制发件数", "本年废止件数", "现行有效件数"]
    assert [c.label for c in old.table("2.1").columns] == ["本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert new.table("3").row("三.六").numbers is False  # a group with three sub-rows
    assert old.table("3").row("三.六").numbers is True  # a single row
    assert "2.9" not in {t.key for t in new.tables}
    assert old.table("2.9").row("procurement").label == "政府集中采购"
    assert len(new.cell_refs()) == 200 and len(old.cell_refs()) == 198


def test_labels_are_printed_exactly_as_the_domain_notes_give_them():
    table = get_format("2021").table("3")
    assert table.row("三.二").label == "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"
    assert table.row("三.三.3").label == "3.危及“三安全一稳定”"
    assert table.row("三.六.2").label == "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    assert table.corner == "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
    appeals = get_format("2021").table("4")
    assert [c.groups for c in appeals.columns][::5] == [
        ("行政复议",), ("行政诉讼", "未经复议直接起诉"), ("行政诉讼", "复议后起诉")]


def _zeros(fmt):
    return dict.fromkeys(fmt.cell_refs(), 0)


@pytest.mark.parametrize("format_id", ["2021", "2019"])
def test_a_consistent_report_breaks_no_rule(format_id):
    fmt = get_format(format_id)
    cells = _zeros(fmt)
    # 3 natural persons and 1 company received, 1 carried in; 2 disclosed, 1 withheld, 1 carried out
    for ref, value in {"一/natural_person": 3, "一/commercial_enterprise": 1, "一/total": 4,
                       "二/natural_person": 1, "二/total": 1,
                       "三.一/natural_person": 2, "三.一/total": 2,
                       "三.三.4/natural_person": 1, "三.三.4/total": 1,
                       "三.七/natural_person": 3, "三.七/total": 3,
                       "四/natural_person": 1, "四/commercial_enterprise": 1, "四/total": 2}.items():
        cells[f"3/{ref}"] = value
    result = check_cells(fmt, cells)
    assert result.ok, [v.describe() for v in result.violations]
    assert result.checked == len(fmt.rule_instances())


@pytest.mark.parametrize(("ref", "rules"), [
    ("3/三.五.2/legal_service_institution", {"三.总计", "三.列合计"}),
    ("3/一/research_institution", {"三.勾稽", "三.列合计"}),
    ("3/四/total", {"三.勾稽", "三.列合计"}),
    ("4/all/litigation_direct.corrected", {"四.行政诉讼（未经复议直接起诉）总计"}),
    ("4/all/administrative_review.total", {"四.行政复议总计"}),
])
def test_one_altered_cell_breaks_exactly_the_rules_that_read_it(ref, rules):
    fmt = get_format("2021")
    cells = _zeros(fmt)
    cells[ref] = 1
    result = check_cells(fmt, cells)
    assert {v.rule for v in result.violations} == rules
    assert all(ref in v.cells for v in result.violations)


def test_a_violation_says_what_was_expected_and_found():
    fmt = get_format("2021")
    cells = _zeros(fmt)
    cells["3/三.七/natural_person"] = 5
    cells["3/三.一/natural_person"] = 3
    cells["3/三.七/total"] = 5
    cells["3/三.一/total"] = 3
    [violation] = [v for v in check_cells(fmt, cells).violations if v.rule == "三.总计" and v.label == "自然人"]
    assert (violation.expected, violation.found) == (Decimal(3), Decimal(5))
    assert violation.as_dict()["expected"] == 3 and violation.as_dict()["found"] == 5
    assert "应为 3，实为 5" in violation.describe()


def test_missing_cells_leave_a_rule_unchecked_instead_of_guessing():
    fmt = get_format("2021")
    cells = _zeros(fmt)
    del cells["4/all/administrative_review.pending"]
    result = check_cells(fmt, cells)
    assert result.ok and result.unchecked == ["四.行政复议总计"]


def test_the_cross_year_rule_compares_carried_in_with_last_years_carried_out():
    fmt = get_format("2021")
    last_year, this_year = _zeros(get_format("2019")), _zeros(fmt)
    last_year["3/四/natural_person"] = last_year["3/四/total"] = 2
    # the same numbers in the right place on both sides also keep the other rules
    last_year["3/一/natural_person"] = last_year["3/一/total"] = 2
    assert check_cells(get_format("2019"), last_year).ok
    result = check_cells(fmt, this_year, previous=last_year)
    assert {(v.rule, v.label) for v in result.violations} == {("三.跨年结转", "自然人"), ("三.跨年结转", "总计")}
    this_year["3/二/natural_person"] = this_year["3/二/total"] = 2
    this_year["3/四/natural_person"] = this_year["3/四/total"] = 2
    assert check_cells(fmt, this_year, previous=last_year).ok
    assert check_cells(fmt, this_year).checked == len(fmt.rule_instances())  # not run without a previous year


def test_legacy_appendix_rules_count_blank_cells_as_zero():
    fmt = get_format("legacy")
    cells = dict.fromkeys(fmt.cell_refs())
    cells.update({"appendix/requests_received/value": 4, "appendix/requests_online/value": 4,
                  "appendix/replies/value": 4, "appendix/replies_disclosed/value": 2,
                  "appendix/replies_refused/value": 2, "appendix/proactive_documents/value": 74,
                  "appendix/proactive_website/value": 74})
    assert check_cells(fmt, cells).ok
    cells["appendix/replies_refused/value"] = 1
    assert [v.rule for v in check_cells(fmt, cells).violations] == ["附表.答复"]


def test_a_new_format_is_a_new_definition(tmp_path, monkeypatch):
    source = (formats.FORMATS_DIR / "2021.toml").read_text("utf-8")
    (tmp_path / "2021.toml").write_text(source, "utf-8")
    (tmp_path / "2031.toml").write_text(
        source.replace('id = "2021"', 'id = "2031"').replace("first_year = 2021", "first_year = 2031")
        .replace("本年制发件数", "本年印发件数"), "utf-8")
    monkeypatch.setattr(formats, "FORMATS_DIR", tmp_path)
    formats.all_formats.cache_clear()
    try:
        assert format_for_year(2030).id == "2021"
        assert format_for_year(2031).table("2.1").columns[0].label == "本年印发件数"
    finally:
        formats.all_formats.cache_clear()


def test_a_rule_naming_an_unknown_cell_is_refused_when_loaded(tmp_path, monkeypatch):
    source = (formats.FORMATS_DIR / "2021.toml").read_text("utf-8")
    broken = source.replace('left = ["3/三.七/{column}"]', 'left = ["3/三.八/{column}"]')
    assert broken != source
    tomllib.loads(broken)
    (tmp_path / "2021.toml").write_text(broken, "utf-8")
    monkeypatch.setattr(formats, "FORMATS_DIR", tmp_path)
    formats.all_formats.cache_clear()
    try:
        with pytest.raises(FormatError, match="三.八"):
            formats.all_formats()
    finally:
        formats.all_formats.cache_clear()


def test_the_derived_lookups_agree_with_the_definitions():
    """Value types and rule instances are derived once per format (a province's roll-up
    decodes and checks thousands of reports); they must say what the tables say, and a
    caller changing the list it got changes nothing for the next."""
    from gongkai.reports.formats import split_ref

    for format_id in ("2021", "2019", "legacy"):
        fmt = get_format(format_id)
        for ref in fmt.cell_refs():
            table, row, column = split_ref(ref)
            assert fmt.value_type(ref) == fmt.table(table).value_type(row, column), ref
        for cross_year in (False, True):
            first = fmt.rule_instances(cross_year=cross_year)
            assert first == fmt._expand_rules(cross_year)
            first.clear()
            assert fmt.rule_instances(cross_year=cross_year) == fmt._expand_rules(cross_year)


def test_a_versions_cells_are_decoded_once_and_each_caller_gets_its_own_dict():
    from gongkai.reports.models import ReportVersion
    from gongkai.reports.selectors import version_cells

    version = ReportVersion(format_id="2021", cells={"3/一/total": 3, "2.8/fees/amount": "1.25"})
    first = version_cells(version)
    assert first == {"3/一/total": 3, "2.8/fees/amount": Decimal("1.25")}
    first["3/一/total"] = 99
    version.cells = {}  # decoded once: a loaded version's cells never change
    assert version_cells(version)["3/一/total"] == 3
