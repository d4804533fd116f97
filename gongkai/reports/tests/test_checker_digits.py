"""Rows whose figures ran together ("713000074"): split by the format's rules when exactly
one split fits, marked inferred; left unplaced with the candidates otherwise; never chosen
by a rule the report breaks elsewhere, so a real error is still reported."""

from __future__ import annotations

from gongkai.reports.checker import check_bytes
from gongkai.reports.checker.digits import solve
from gongkai.reports.checker.extract import DigitRun
from gongkai.reports.tests.test_checker_blanks import FMT, row_values, text_2021

ZEROS = dict.fromkeys(FMT.cell_refs(), "0")


def check(values: dict[str, str], runs):
    return check_bytes("crawled.txt", text_2021(values, runs=runs).encode())


def with_rows(**rows: list[int]) -> dict[str, str]:
    values = dict(ZEROS)
    for row, figures in rows.items():
        values.update(row_values(row.replace("_", "."), figures))
    return values


def run_of(result, row: str) -> dict:
    [run] = [r for r in result.as_dict()["digit_runs"] if r["row"] == row]
    return run


def test_a_unique_split_is_placed_and_marked_inferred():
    values = with_rows(一=[71, 3, 0, 0, 0, 0, 74], 三_一=[71, 3, 0, 0, 0, 0, 74], 三_七=[71, 3, 0, 0, 0, 0, 74])
    result = check(values, [("3", "一")])
    assert "| 一、本年新收政府信息公开申请数量 | 713000074 |" in text_2021(values, runs=[("3", "一")])
    assert result.status == 0 and result.placed == 200
    assert result.extraction.cells["3/一/natural_person"] == 71
    assert result.extraction.cells["3/一/commercial_enterprise"] == 3
    assert result.extraction.cells["3/一/total"] == 74
    doc = result.as_dict()
    [placement] = [p for p in doc["placements"] if p["row"] == "一" and p["table"] == "3"]
    assert placement["inferred"] is True
    run = run_of(result, "一")
    assert run["inferred"] and run["values"] == [71, 3, 0, 0, 0, 0, 74] and run["rules"] == ["三.列合计"]
    assert any("713000074" in note and "推断" in note for note in doc["notes"])
    assert any("inferred as 71/3/0/0/0/0/74" in note for note in result.notes_en)
    assert doc["unplaced"] == []


def test_an_ambiguous_run_is_unplaced_with_its_candidates():
    # 110000011 is 11+0=11 or 1+10=11; the three rows agree with each other either way
    values = with_rows(一=[11, 0, 0, 0, 0, 0, 11], 三_一=[11, 0, 0, 0, 0, 0, 11], 三_七=[11, 0, 0, 0, 0, 0, 11])
    result = check(values, [("3", "一"), ("3", "三.一"), ("3", "三.七")])
    assert result.status == 1
    assert not any(ref.startswith(("3/一/", "3/三.一/", "3/三.七/")) for ref in result.extraction.cells)
    run = run_of(result, "一")
    assert run["inferred"] is False and run["values"] is None
    assert sorted(run["candidates"]) == [[1, 10, 0, 0, 0, 0, 11], [11, 0, 0, 0, 0, 0, 11]]
    reasons = [u.reason for u in result.unplaced]
    assert len(reasons) == 3 and all("11/0/0/0/0/0/11" in r and "1/10/0/0/0/0/11" in r for r in reasons)
    assert not any(p.inferred for p in result.extraction.placements)


def test_a_run_without_rules_to_decide_is_unplaced():
    values = dict(ZEROS, **{"2.1/rules/issued": "1", "2.1/rules/repealed": "20", "2.1/rules/in_force": "3"})
    result = check(values, [("2.1", "rules")])
    run = run_of(result, "rules")
    assert not run["inferred"] and sorted(run["candidates"]) == [[1, 20, 3], [12, 0, 3]]
    assert "没有可用的勾稽关系" in run["reason"]
    assert "2.1/rules/issued" not in result.extraction.cells


def test_other_rows_decide_when_the_row_alone_does_not():
    # the row rule leaves 11/0/… and 1/10/…; 一+二 = (七)总计+四 per column decides
    values = with_rows(一=[11, 0, 0, 0, 0, 0, 11], 三_一=[11, 0, 0, 0, 0, 0, 11], 三_七=[11, 0, 0, 0, 0, 0, 11])
    result = check(values, [("3", "一")])
    assert result.status == 0
    run = run_of(result, "一")
    assert run["values"] == [11, 0, 0, 0, 0, 0, 11] and "三.勾稽" in run["rules"]


def test_the_crawled_report_with_a_real_error_still_reports_it():
    # 总计 says 20 where its rows sum to 26 (15 + 11); the run 150000015 splits by its own row
    values = with_rows(一=[26, 0, 0, 0, 0, 0, 26], 三_一=[15, 0, 0, 0, 0, 0, 15],
                       三_二=[11, 0, 0, 0, 0, 0, 11], 三_七=[20, 0, 0, 0, 0, 0, 20])
    result = check(values, [("3", "三.一")])
    assert run_of(result, "三.一")["values"] == [15, 0, 0, 0, 0, 0, 15]
    broken = {(v.rule, v.label): (v.expected, v.found) for v in result.rule_violations}
    assert broken[("三.总计", "自然人")] == (26, 20)
    assert broken[("三.总计", "总计")] == (26, 20)
    assert result.status == 1


def test_the_error_is_not_hidden_when_the_run_is_in_the_total_row():
    # the 总计 row itself ran together (200000020): its own row rule splits it as printed,
    # never the split the other rows would want (26), so the error stays visible
    values = with_rows(一=[26, 0, 0, 0, 0, 0, 26], 三_一=[15, 0, 0, 0, 0, 0, 15],
                       三_二=[11, 0, 0, 0, 0, 0, 11], 三_七=[20, 0, 0, 0, 0, 0, 20])
    result = check(values, [("3", "三.七")])
    assert run_of(result, "三.七")["values"] == [20, 0, 0, 0, 0, 0, 20]
    broken = {(v.rule, v.label): (v.expected, v.found) for v in result.rule_violations}
    assert broken[("三.总计", "自然人")] == (26, 20)


def test_a_rule_the_report_breaks_elsewhere_is_not_used_to_split():
    # row (二) breaks 三.列合计 (its total says 2 over parts of 0): that rule chooses no split;
    # 三.勾稽 (which the printed cells keep) decides, and the broken row is still reported
    values = with_rows(一=[71, 3, 0, 0, 0, 0, 74], 三_一=[71, 3, 0, 0, 0, 0, 74], 三_七=[71, 3, 0, 0, 0, 0, 74],
                       三_二=[0, 0, 0, 0, 0, 0, 2])
    result = check(values, [("3", "一")])
    run = run_of(result, "一")
    assert run["values"] == [71, 3, 0, 0, 0, 0, 74]
    assert "三.列合计" not in run["rules"] and run["rules"] == ["三.勾稽"]
    assert ("三.列合计", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)") in {
        (v.rule, v.label) for v in result.rule_violations}


def test_a_run_whose_row_breaks_its_own_rule_is_unplaced():
    values = with_rows(三_一=[1, 0, 0, 0, 0, 0, 2])  # 1000002: 1 ≠ 2 whatever the split
    result = check(values, [("3", "三.一")])
    run = run_of(result, "三.一")
    assert not run["inferred"] and run["candidates"] == []
    assert "没有一种拆分符合本行的勾稽关系" in run["reason"]


def test_table_four_run_is_split_by_its_totals():
    values = dict(ZEROS, **{"4/all/administrative_review.upheld": "2", "4/all/administrative_review.corrected": "1",
                            "4/all/administrative_review.total": "3"})
    result = check(values, [("4", "all")])
    run = run_of(result, "all")
    assert run["values"] == [2, 1, 0, 0, 3] + [0] * 10
    assert result.status == 0


def test_the_search_gives_up_beyond_its_bound():
    refs = tuple(f"3/三.二/{c.key}" for c in FMT.table("3").columns)
    run = DigitRun("3", "三.二", refs, "1" * 40, "line 1", "(二)部分公开 | " + "1" * 40)
    [outcome] = solve(FMT, [run], {})
    assert outcome.values is None and "候选拆分过多" in outcome.reason


def test_leading_zeros_are_never_a_split():
    refs = tuple(f"2.1/rules/{c}" for c in ("issued", "repealed", "in_force"))
    [outcome] = solve(FMT, [DigitRun("2.1", "rules", refs, "1005", "line 1", "规章 | 1005")], {})
    assert outcome.candidates == [(10, 0, 5)]  # never 1/00/5 or 1/0/05
    assert outcome.values == (10, 0, 5)
    [outcome] = solve(FMT, [DigitRun("2.1", "rules", refs, "1203", "line 1", "规章 | 1203")], {})
    assert sorted(outcome.candidates) == [(1, 20, 3), (12, 0, 3)] and outcome.values is None


def test_when_a_rule_breaks_for_every_split_the_other_rules_decide_and_the_error_is_reported():
    # (七)总计 ran together as 110000011 (11/0/… or 1/10/…); its parts sum to 10, so 三.总计
    # fails whatever the split; 一+二 = 总计+四 (三.勾稽) keeps 11/0/… only
    values = with_rows(一=[11, 0, 0, 0, 0, 0, 11], 三_一=[10, 0, 0, 0, 0, 0, 10], 三_七=[11, 0, 0, 0, 0, 0, 11])
    result = check(values, [("3", "三.七")])
    run = run_of(result, "三.七")
    assert run["values"] == [11, 0, 0, 0, 0, 0, 11]
    assert "三.总计" not in run["rules"] and "三.勾稽" in run["rules"]
    broken = {(v.rule, v.label): (v.expected, v.found) for v in result.rule_violations}
    assert broken[("三.总计", "自然人")] == (10, 11)
