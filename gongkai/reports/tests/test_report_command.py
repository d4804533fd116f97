"""`gongkai report check`: a single altered cell breaks its rule (exit 1), the sample
reports pass (exit 0), unreadable or unrecognised files exit 2; the JSON document's shape."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from gongkai.reports.formats import get_format
from gongkai.reports.tests.fixtures.renditions import report_html
from gongkai.reports.tests.fixtures.sample_reports import (
    AGENCY_2020,
    REPORT_2018,
    REPORT_2020,
    alter_2020,
)


def run(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("report", "check", *map(str, args), stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def run_json(*args):
    status, out, _ = run(*args, "--json")
    return status, json.loads(out)


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the sample reports pass -------------------------------------------------------------------

def test_both_sample_reports_pass_with_exit_0():
    status, out, err = run(REPORT_2020, REPORT_2018)
    assert status == 0, out + err
    assert "format / 格式: 2019" in out and "format / 格式: legacy" in out
    assert "198 of 198" in out and "16 of 16" in out
    assert "all 40 checked hold" in out


def test_json_for_one_file_is_one_object_with_every_cell_keyed_by_row_and_column():
    status, doc = run_json(REPORT_2020)
    assert status == 0
    assert isinstance(doc, dict)
    assert {"format", "year", "agency", "tables", "violations", "unplaced"} <= set(doc)
    assert (doc["format"], doc["year"], doc["agency"]) == ("2019", 2020, AGENCY_2020)
    tables = doc["tables"]
    assert set(tables) == {"2.1", "2.5", "2.6", "2.8", "2.9", "3", "4"}
    assert tables["2.5"]["licensing"] == {"items_last_year": 69, "change": 0, "decisions": 5361}
    assert tables["2.9"]["procurement"]["amount"] == 395.721
    assert set(tables["3"]["三.七"]) == {
        "natural_person", "commercial_enterprise", "research_institution", "social_welfare_organization",
        "legal_service_institution", "other_organization", "total"}
    assert tables["4"]["all"]["administrative_review.total"] == 0
    assert sum(len(cols) for rows in tables.values() for cols in rows.values()) == 198
    assert doc["violations"] == [] and doc["unplaced"] == [] and doc["missing"] == []


def test_json_for_several_files_lists_the_reports_in_the_order_given():
    status, doc = run_json(REPORT_2018, REPORT_2020)
    assert status == 0
    assert doc["cross_year"] == []
    doc = doc["reports"]
    assert [d["format"] for d in doc] == ["legacy", "2019"]
    legacy = doc[0]
    assert legacy["tables"]["appendix"]["requests_received"] == {"value": 4}
    assert legacy["tables"]["appendix"]["replies"] == {"value": 4}
    assert legacy["tables"]["appendix"]["replies_partly"] == {"value": None}  # blank, not 0
    assert legacy["unplaced"] == [{"where": "line 375", "text": "设为主页 | 加入收藏 | 网站地图 | 关于我们 | 使用帮助",
                                   "reason": "无法识别的表格文字"}]


# --- one altered cell breaks its rule ---------------------------------------------------------

# (what to alter in the 2020 report, the rule and column/row label that must name the cell, the
# cell, every rule the single change breaks)
ALTERATIONS = [
    pytest.param("三、本年度辦理結果", 0, "三.总计", "自然人", "3/三.一/natural_person", {"三.总计", "三.列合计"}, id="三.总计"),
    pytest.param("四、結轉下年度繼續辦理", 2, "三.勾稽", "科研机构", "3/四/research_institution",
                 {"三.勾稽", "三.列合计"}, id="三.勾稽"),
    pytest.param("一、本年新收政府信息公開申請數量", 6, "三.列合计", "一、本年新收政府信息公开申请数量",
                 "3/一/total", {"三.列合计", "三.勾稽"}, id="三.列合计"),
    pytest.param("", 0, "四.行政复议总计", "", "4/all/administrative_review.upheld", {"四.行政复议总计"},
                 id="四.行政复议总计"),
    pytest.param("", 7, "四.行政诉讼（未经复议直接起诉）总计", "", "4/all/litigation_direct.other",
                 {"四.行政诉讼（未经复议直接起诉）总计"}, id="四.直接起诉总计"),
    pytest.param("", 14, "四.行政诉讼（复议后起诉）总计", "", "4/all/litigation_after_review.total",
                 {"四.行政诉讼（复议后起诉）总计"}, id="四.复议后起诉总计"),
]


@pytest.mark.parametrize(("line", "column", "rule", "label", "cell", "broken"), ALTERATIONS)
def test_a_single_altered_cell_breaks_its_rule(tmp_path, line, column, rule, label, cell, broken):
    path = write(tmp_path, "altered.txt", alter_2020(line_starts=line, column=column, value="1"))
    status, doc = run_json(path)
    assert status == 1
    assert {v["rule"] for v in doc["violations"]} == broken
    hit = [v for v in doc["violations"] if v["rule"] == rule]
    assert len(hit) == 1
    assert hit[0]["label"] == label
    assert cell in hit[0]["cells"]
    assert {hit[0]["expected"], hit[0]["found"]} == {0, 1}
    assert doc["tables"][cell.split("/")[0]][cell.split("/")[1]][cell.split("/")[2]] == 1


def test_the_summary_names_the_broken_rule_in_chinese(tmp_path):
    path = write(tmp_path, "altered.txt", alter_2020(line_starts="(七)", column=0, value="2"))
    status, out, _ = run(path)
    assert status == 1
    assert "RULES BROKEN / 违反规则" in out
    assert "✗ [三.总计] （七）总计等于（一）至（六）各项之和（分组只计各分项）（自然人）：应为 0，实为 2" in out


LEGACY_ALTERATIONS = [
    pytest.param("受理政府信息公开申请总数", "4", "5", "附表.申请方式", id="附表.申请方式"),
    pytest.param("对申请的答复总数", "4", "3", "附表.答复", id="附表.答复"),
    pytest.param("主动公开文件数", "74", "70", "附表.主动公开", id="附表.主动公开"),
]


@pytest.mark.parametrize(("label", "old", "new", "rule"), LEGACY_ALTERATIONS)
def test_a_single_altered_appendix_figure_breaks_its_rule(tmp_path, label, old, new, rule):
    text = REPORT_2018.read_text("utf-8")
    altered, count = re.subn(rf"(\n{label}\s*\n\s*){old}\n", rf"\g<1>{new}\n", text)
    assert count == 1
    status, doc = run_json(write(tmp_path, "2018.txt", altered))
    assert status == 1
    assert [v["rule"] for v in doc["violations"]] == [rule]


# --- the cross-year rule ----------------------------------------------------------------------

def _report_2021(carried_in: int) -> str:
    fmt = get_format("2021")
    cells = dict.fromkeys(fmt.cell_refs(), 0)
    for column in ("natural_person", "total"):  # carried in, still open at the year's end
        cells[f"3/二/{column}"] = carried_in
        cells[f"3/四/{column}"] = carried_in
    return report_html(fmt, cells, agency=AGENCY_2020, year=2021)


def test_consecutive_reports_of_one_agency_are_checked_across_years(tmp_path):
    next_year = write(tmp_path, "2021.html", _report_2021(carried_in=1))
    status, doc = run_json(REPORT_2020, next_year)
    assert status == 1
    doc = doc["reports"]
    assert doc[0]["violations"] == []
    assert doc[1]["cross_year_with"] == str(REPORT_2020)
    broken = doc[1]["violations"]
    assert {(v["rule"], v["label"]) for v in broken} == {("三.跨年结转", "自然人"), ("三.跨年结转", "总计")}
    assert "3/二/natural_person" in broken[0]["cells"] and "3/四/natural_person" in broken[0]["cells"]


def test_consecutive_reports_that_agree_pass(tmp_path):
    next_year = write(tmp_path, "2021.html", _report_2021(carried_in=0))
    status, doc = run_json(next_year, REPORT_2020)
    assert status == 0
    doc = doc["reports"]
    assert doc[0]["cross_year_with"] == str(REPORT_2020)
    assert doc[0]["rules_checked"] > doc[1]["rules_checked"]  # + the seven cross-year instances


# --- exit 2 -----------------------------------------------------------------------------------

def test_unreadable_and_unrecognised_files_exit_2(tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    minutes = write(tmp_path, "minutes.txt", "会议纪要\n出席人员 12 人\n")
    status, out, err = run(REPORT_2020, broken, minutes, tmp_path / "missing.pdf")
    assert status == 2
    assert f"{broken}: error: corrupt ZIP archive" in err
    assert f"{minutes}: error: no annual report format recognised" in err
    assert "missing.pdf: error: cannot read" in err
    assert "198 of 198" in out  # the readable file is still reported


def test_unreadable_file_in_json_has_an_error_and_no_format(tmp_path):
    broken = tmp_path / "scan.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    status, doc = run_json(broken)
    assert status == 2
    assert doc["format"] is None and "image" in doc["error"]


def test_unreadable_wins_over_broken_rules(tmp_path):
    altered = write(tmp_path, "altered.txt", alter_2020(line_starts="(七)", column=0, value="2"))
    empty = write(tmp_path, "empty.txt", "")
    status, _, _ = run(altered, empty)
    assert status == 2


# --- missing or mislabelled rows, blank cells, the wrong format: findings, exit 1 -------------

def _without_line(starts: str) -> str:
    lines = REPORT_2020.read_text("utf-8").split("\n")
    kept = [line for line in lines if not line.startswith(starts)]
    assert len(kept) == len(lines) - 1
    return "\n".join(kept)


def test_a_deleted_row_is_a_finding_and_exits_1(tmp_path):
    path = write(tmp_path, "deleted.txt", _without_line("3.要求提供公開出版物"))
    status, doc = run_json(path)
    assert status == 1
    missing = [v for v in doc["violations"] if v["rule"] == "格式.缺少单元格"]
    assert [v["label"] for v in missing] == ["3.要求提供公开出版物"]
    assert (missing[0]["expected"], missing[0]["found"]) == (7, 0)
    assert "3/三.五.3/total" in missing[0]["cells"]
    # the rules reading the row could not be checked: findings too
    assert {v["label"] for v in doc["violations"] if v["rule"] == "格式.无法核对"} >= {"三.总计（总计）"}
    status, out, _ = run(path)
    assert status == 1 and "191 of 198" in out and "[格式.缺少单元格]" in out


def test_a_2021_style_sub_row_in_a_2019_report_is_a_finding(tmp_path):
    text = REPORT_2020.read_text("utf-8").replace(
        "(六)其他處理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "(六)其他處理 | 1.申請人無正當理由逾期不補正、行政機關不再處理其政府信息公開申請 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
        "2.申請人逾期未按收費通知要求繳納費用、行政機關不再處理其政府信息公開申請 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
        "3.其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |")
    status, doc = run_json(write(tmp_path, "six.txt", text))
    assert (status, doc["format"]) == (1, "2019")
    assert [v["label"] for v in doc["violations"] if v["rule"] == "格式.缺少单元格"] == ["(六)其他处理"]


def test_a_blank_cell_that_a_rule_reads_is_a_finding(tmp_path):
    path = write(tmp_path, "blank.txt", alter_2020(line_starts="(七)", column=0, value="—"))
    status, doc = run_json(path)
    assert status == 1
    unchecked = [v for v in doc["violations"] if v["rule"] == "格式.无法核对"]
    assert unchecked and all("3/三.七/natural_person" in v["cells"] for v in unchecked)
    assert "格式.缺少单元格" not in {v["rule"] for v in doc["violations"]}  # placed, but blank


def test_the_wrong_format_for_the_stated_year_exits_1(tmp_path):
    from gongkai.reports.checker.extract import extract
    from gongkai.reports.checker.readers import read_document

    cells = extract(read_document(REPORT_2020.read_bytes())).cells
    page = report_html(get_format("2019"), cells, agency=AGENCY_2020, year=2022)
    path = tmp_path / "2022.html"
    path.write_bytes(page.encode())
    status, doc = run_json(path)
    assert status == 1
    [wrong] = [v for v in doc["violations"] if v["rule"] == "格式.年度不符"]
    assert (wrong["expected"], wrong["found"]) == ("2021年版年度报告格式", "2019年版年度报告格式")


def test_the_legacy_report_with_blank_appendix_cells_still_exits_0():
    status, doc = run_json(REPORT_2018)
    assert status == 0
    assert doc["violations"] == []
    assert None in {v for row in doc["tables"]["appendix"].values() for v in row.values()}


def test_the_help_documents_the_findings_and_exit_statuses():
    from gongkai.reports.management.commands.report import Command

    parser = Command().create_parser("gongkai", "report")
    check = parser._subparsers._group_actions[0].choices["check"]
    text = check.format_help()
    for rule in ("格式.缺少单元格", "格式.无法核对", "格式.年度不符"):
        assert rule in text
    assert "1 a rule is broken or a finding" in " ".join(text.split())
