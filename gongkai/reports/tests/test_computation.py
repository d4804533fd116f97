"""Computing the annual report's tables from the records: every cell of the 2021 and 2019
formats for a year of one agency's records built through the services, the summed report
of a supervising office, the cross-year rule, and a query count that does not grow with
the records."""

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.foi.models import FoiRequest
from gongkai.foi.selectors import report_row
from gongkai.reports.computation import compute_report, place_outcome_row
from gongkai.reports.formats import FormatError, get_format
from gongkai.reports.rules import check_cells
from gongkai.reports.tests.conftest import CE, LS, NP, TYPES, Records, table3

D = dt.date
F2021, F2019 = get_format("2021"), get_format("2019")


def cells_of(fmt, agencies, year):
    return compute_report(fmt, agency_ids=[a.pk for a in agencies], year=year).cells


class TestAYearOfRecords:
    """The tests that read ``year_of_records``: built once for them all."""

    # --- the "done when": every cell of the 2021 tables -------------------------------

    def test_every_cell_of_the_2021_tables_is_computed_from_the_records(self, year_of_records):
        y = year_of_records
        comp = compute_report(F2021, agency_ids=[y.agency.pk], year=y.year)

        assert len(y.cells) == 200 and set(y.cells) == set(F2021.cell_refs())
        assert comp.cells == y.cells
        assert comp.manual_refs == ["2.8/fees/amount"]
        assert set(comp.provenance) == set(F2021.cell_refs())
        result = check_cells(F2021, comp.cells)
        assert result.ok, [v.describe() for v in result.violations]
        assert result.unchecked == [] and result.checked == len(F2021.rule_instances())
        # The GROUP BY agrees with foi's own per-request answer (foi.selectors.report_row).
        finished = Counter(
            (report_row(r), r.applicant_type)
            for r in FoiRequest.objects.filter(agency=y.agency, closed_on__year=y.year) if report_row(r)
        )
        assert finished == Counter({
            (row, column): n for ref, n in comp.cells.items() if ref.startswith("3/三.") and n
            for _, row, column in [ref.split("/")] if row != "三.七" and column != "total"
        })
        # Where each figure comes from, in words staff and assessors can read.
        assert "2024年内办结" in comp.provenance["3/三.三.4/commercial_enterprise"]
        assert "保护第三方合法权益" in comp.provenance["3/三.三.4/commercial_enterprise"]
        assert "2024年1月1日前收到" in comp.provenance["3/二/total"]
        assert "2024年12月31日" in comp.provenance["3/四/natural_person"]
        assert "尚未审结" in comp.provenance["4/all/administrative_review.pending"]
        assert "现行有效" in comp.provenance["2.1/normative/in_force"]
        assert "双公示" in comp.provenance["2.6/penalty/decisions"]
        assert "手工填写" in comp.provenance["2.8/fees/amount"]

    def test_the_same_records_in_the_2019_format(self, year_of_records):
        """Same requests, appeals, register and decisions; (六)其他处理 has no sub-rows, so it
        sums the 2021 format's three; the register's counts under the 2019 column names; the
        item counts of 第(五)(六)(八)项 and 第(九)项 are typed by hand."""
        y = year_of_records
        comp = compute_report(F2019, agency_ids=[y.agency.pk], year=y.year)

        expected = {ref: n for ref, n in y.cells.items() if ref.startswith(("3/", "4/")) and "/三.六." not in ref}
        expected |= table3({"三.六": (2, 1, 0, 0, 0, 1, 4)})
        manual = [
            "2.5/licensing/items_last_year", "2.5/licensing/change",
            "2.5/other_services/items_last_year", "2.5/other_services/change", "2.5/other_services/decisions",
            "2.6/penalty/items_last_year", "2.6/penalty/change",
            "2.6/enforcement/items_last_year", "2.6/enforcement/change",
            "2.8/fees/items_last_year", "2.8/fees/change",
            "2.9/procurement/projects", "2.9/procurement/amount",
        ]
        expected |= dict.fromkeys(manual)
        expected |= {
            "2.1/rules/made": 1, "2.1/rules/published": 1, "2.1/rules/total_published": 2,
            "2.1/normative/made": 3, "2.1/normative/published": 3, "2.1/normative/total_published": 2,
            "2.5/licensing/decisions": 3, "2.6/penalty/decisions": 2, "2.6/enforcement/decisions": 1,
        }
        assert set(expected) == set(F2019.cell_refs())
        assert comp.cells == expected
        assert sorted(comp.manual_refs) == sorted(manual)
        assert check_cells(F2019, comp.cells).ok

    # --- a supervising office: the sum over the agencies below it ------------------------------

    def test_a_supervising_office_gets_the_cell_wise_sum_of_its_agencies(self, year_of_records, other_agency, other_office):
        y = year_of_records
        before = cells_of(F2021, [other_agency], 2024)
        assert {v for ref, v in before.items() if ref != "2.8/fees/amount"} == {0}  # nothing of the bureau's
        r = Records(other_agency, other_office)
        r.received_and_replied(NP, D(2024, 3, 1), D(2024, 3, 10), "disclosed")
        r.received_and_replied(LS, D(2023, 12, 1), D(2024, 1, 5), "not_held")
        open_request = r.register(CE, D(2024, 12, 20))
        r.appeal(open_request, "administrative_review", D(2024, 12, 24))
        r.normative("rule", D(2024, 6, 1))
        r.decision("penalty", D(2024, 6, 2))

        own = cells_of(F2021, [other_agency], 2024)
        assert own["3/一/total"] == 2 and own["3/二/legal_service_institution"] == 1
        assert own["3/四/commercial_enterprise"] == 1 and own["4/all/administrative_review.pending"] == 1
        summed = cells_of(F2021, [y.agency, other_agency], 2024)

        assert summed == {
            ref: None if value is None else value + own[ref] for ref, value in y.cells.items()
        }
        assert check_cells(F2021, summed).ok
        comp = compute_report(F2021, agency_ids=[y.agency.pk, other_agency.pk], year=2024)
        assert "2个机关合计" in comp.provenance["3/一/total"]

    # --- the cross-year rule -----------------------------------------------------------------

    def test_consecutive_years_from_the_same_records_satisfy_the_cross_year_rule(self, year_of_records):
        y = year_of_records
        by_year = {year: cells_of(F2021, [y.agency], year) for year in (2023, 2024, 2025)}

        for year in (2024, 2025):
            result = check_cells(F2021, by_year[year], previous=by_year[year - 1])
            assert result.ok, [v.describe() for v in result.violations]
            assert result.checked == len(F2021.rule_instances()) + len(F2021.rule_instances(cross_year=True))
        assert {c: by_year[2023][f"3/四/{c}"] for c in (*TYPES, "total")} == y.carried_out_2023
        table_3_2025 = {ref: n for ref, n in by_year[2025].items() if ref.startswith("3/")}
        assert table_3_2025 == {ref: y.cells_2025.get(ref, 0) for ref in table_3_2025}
        # The appeal filed in 2023 and decided in 2024 is 2023's pending case, and not in 2024.
        assert by_year[2023]["4/all/administrative_review.pending"] == 1
        assert by_year[2023]["4/all/administrative_review.total"] == 1
        # One carried-out figure changed in last year's report breaks the rule.
        by_year[2023]["3/四/natural_person"] += 1
        result = check_cells(F2021, by_year[2024], previous=by_year[2023])
        assert [(v.rule, v.label) for v in result.violations] == [("三.跨年结转", "自然人")]

    # --- query count -------------------------------------------------------------------------

    def test_the_query_count_does_not_grow_with_the_records(self, year_of_records, other_agency,
                                                            django_assert_max_num_queries):
        """A supervising office computes over a whole subtree: a few GROUP BY queries, the
        same number for an agency without records as for one with a year of them."""
        y = year_of_records
        with CaptureQueriesContext(connection) as empty:
            compute_report(F2021, agency_ids=[other_agency.pk], year=2024)
        with django_assert_max_num_queries(4):
            compute_report(F2021, agency_ids=[y.agency.pk, other_agency.pk], year=2024)
        with CaptureQueriesContext(connection) as full:
            compute_report(F2019, agency_ids=[y.agency.pk], year=2024)
        assert len(full) == len(empty) == 4


# --- what counts, and where ---------------------------------------------------------------------


def test_a_withdrawal_recorded_before_the_receipt_date_counts_in_the_receipt_year(bureau, office):
    """The withdrawal service now refuses a date before receipt, but records kept before
    that (or imported) may hold one; the report counts such a request as finished on its
    receipt day, so it is in one year's table only and the rules still hold."""
    r = Records(bureau, office)
    request = r.register(NP, D(2025, 1, 2))
    r.withdraw(request, D(2025, 1, 2))
    FoiRequest.objects.filter(pk=request.pk).update(closed_on=D(2024, 12, 30))

    cells_2024, cells_2025 = cells_of(F2021, [bureau], 2024), cells_of(F2021, [bureau], 2025)

    assert cells_2024["3/一/total"] == cells_2024["3/三.七/total"] == cells_2024["3/四/total"] == 0
    assert cells_2025["3/一/natural_person"] == cells_2025["3/三.六.3/natural_person"] == 1
    assert cells_2025["3/四/total"] == 0
    assert check_cells(F2021, cells_2025, previous=cells_2024).ok


def test_a_request_received_on_31_december_is_carried_out_and_one_finished_that_day_is_not(bureau, office):
    r = Records(bureau, office)
    r.register(CE, D(2024, 12, 31))
    r.received_and_replied(LS, D(2024, 12, 30), D(2024, 12, 31), "disclosed")

    cells = cells_of(F2021, [bureau], 2024)

    assert cells["3/四/commercial_enterprise"] == 1 and cells["3/四/legal_service_institution"] == 0
    assert cells["3/三.一/legal_service_institution"] == 1


@pytest.mark.parametrize(("row", "numbered", "placed"), [
    ("三.六.1", {"三.六.1", "三.六"}, "三.六.1"),
    ("三.六.2", {"三.六", "三.七"}, "三.六"),
    ("三.三.4", {"三.三.4"}, "三.三.4"),
    ("三.五.5", {"三.五"}, "三.五"),
    ("三.六.3", {"三.七"}, None),
])
def test_an_outcome_row_the_format_lacks_falls_into_its_parent_row(row, numbered, placed):
    assert place_outcome_row(row, numbered) == placed


def test_every_outcome_lands_in_exactly_one_numbered_row_of_each_format():
    from gongkai.foi.outcomes import REPORT_ROW

    for fmt in (F2021, F2019):
        numbered = {r.key for r in fmt.table("3").numbered_rows}
        for outcome, row in REPORT_ROW.items():
            assert place_outcome_row(row, numbered) in numbered, (fmt.id, outcome)


def test_a_legacy_format_is_never_generated(bureau):
    with pytest.raises(FormatError, match="不能据此生成报告"):
        compute_report(get_format("legacy"), agency_ids=[bureau.pk], year=2018)


def test_no_agency_is_an_error():
    with pytest.raises(ValueError):
        compute_report(F2021, agency_ids=[], year=2024)
