"""Drafting the report's factual paragraphs: the figures of the records in the overview,
the year-over-year wording, publications from the publishing statistics, and the fee
statement the 2021 format asks for — with and without fees."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from gongkai.core.tests.helpers import at
from gongkai.publishing.models import Publication
from gongkai.reports.computation import compute_report
from gongkai.reports.drafting import (
    NO_FEES,
    FeeSummary,
    change_text,
    draft_prose,
    fee_summary,
    short_label,
)
from gongkai.reports.formats import get_format
from gongkai.reports.tests.conftest import CE, Records

D = dt.date
F2021, F2019 = get_format("2021"), get_format("2019")
_numbers = itertools.count(1)


def zero_cells(fmt, **figures):
    """Every cell 0 (figures typed by hand: None), then ``figures`` ("3__一__total": 8)."""
    manual = {f"{t.key}/{r.key}/" for t in fmt.tables for r in t.rows if r.source == "manual"}
    cells = {ref: None if ref.startswith(tuple(manual)) else 0 for ref in fmt.cell_refs()}
    cells.update({ref.replace("__", "/"): n for ref, n in figures.items()})
    return cells


def test_the_overview_states_the_years_figures_and_their_change(year_of_records):
    y = year_of_records
    cells = compute_report(F2021, agency_ids=[y.agency.pk], year=2024).cells
    previous = compute_report(F2021, agency_ids=[y.agency.pk], year=2023).cells

    prose = draft_prose(fmt=F2021, agency=y.agency, year=2024, cells=cells, previous_cells=previous)
    disclosure, requests, appeals = prose["overview"].split("\n")

    assert "本年制发规章1件、行政规范性文件3件，废止规章0件、行政规范性文件2件" in disclosure
    assert "截至2024年12月31日现行有效规章2件、行政规范性文件2件" in disclosure
    assert "本年作出行政许可决定3件、行政处罚决定2件、行政强制决定1件，合计6件（上年1件，同比增长500.0%）" in disclosure
    assert requests == (
        "本年新收政府信息公开申请32件（上年4件，同比增长700.0%），其中自然人申请13件、法人或其他组织申请19件；"
        "上年结转3件。本年度办结30件（上年1件，同比增长2900.0%），其中予以公开6件、部分公开2件、不予公开9件、"
        "无法提供4件、不予处理5件、其他处理4件；结转下年度继续办理5件。"
    )
    assert appeals == (
        "本年因政府信息公开工作引发行政复议5件（结果维持2件、结果纠正1件、其他结果1件、尚未审结1件）、"
        "行政诉讼（未经复议直接起诉）3件（结果维持1件、其他结果1件、尚未审结1件）、"
        "行政诉讼（复议后起诉）2件（结果纠正1件、尚未审结1件）。"
    )
    assert prose["other_matters"] == (
        "本年度依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）发出信息处理费收费通知2件，"
        "收取信息处理费100.00元。"
    )
    summary = fee_summary([y.agency.pk], 2024)
    assert (summary.notices, summary.amount_collected) == (y.fee_notices, y.fees_collected)
    assert summary.amount_noticed == Decimal("200.00") and summary.paid == 1
    # The 2019 format words the register with its own columns.
    cells_2019 = compute_report(F2019, agency_ids=[y.agency.pk], year=2024).cells
    overview_2019 = draft_prose(fmt=F2019, agency=y.agency, year=2024, cells=cells_2019)["overview"]
    assert "本年新制作规章1件、规范性文件3件，新公开规章1件、规范性文件3件，对外公开总数规章2件、规范性文件2件" in overview_2019
    # Without last year's cells, no comparison for the cells' figures.
    assert "本年新收政府信息公开申请32件，其中" in overview_2019 and "合计6件。" in overview_2019


def test_fewer_requests_than_last_year_read_as_a_decrease_and_equal_ones_as_unchanged(bureau):
    cells = zero_cells(F2021, **{"3__一__total": 8, "3__一__natural_person": 8,
                                 "3__三.一__total": 8, "3__三.七__total": 8})
    previous = zero_cells(F2021, **{"3__一__total": 10, "3__三.七__total": 8})

    overview = draft_prose(fmt=F2021, agency=bureau, year=2025, cells=cells, previous_cells=previous)["overview"]

    assert "本年新收政府信息公开申请8件（上年10件，同比下降20.0%），其中自然人申请8件、法人或其他组织申请0件" in overview
    assert "本年度办结8件（上年8件，同比持平），其中予以公开8件；" in overview


def test_a_year_without_requests_appeals_or_fees_says_so(bureau):
    prose = draft_prose(fmt=F2021, agency=bureau, year=2025, cells=zero_cells(F2021))

    assert "本年未收到政府信息公开申请，也无上年结转的申请。" in prose["overview"]
    assert "本年未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。" in prose["overview"]
    assert prose["other_matters"] == NO_FEES == "本年度未收取信息处理费。"


def test_no_fee_statement_before_the_fee_measures(bureau):
    prose = draft_prose(fmt=F2019, agency=bureau, year=2020, cells=zero_cells(F2019))

    assert prose["other_matters"] == ""


def test_fees_count_notices_by_the_day_sent_and_money_by_the_day_paid(bureau, office):
    from gongkai.foi.services import requests as svc

    r = Records(bureau, office)
    request = r.register(CE, D(2024, 12, 16))
    at(D(2024, 12, 20))
    svc.request_send_fee_notice(actor=office, request=request, scale="per_page", pages=45, sent_on=D(2024, 12, 20))
    at(D(2025, 1, 6))
    svc.request_record_payment(actor=office, request=request, paid_on=D(2025, 1, 6), amount=Decimal("150"))

    assert fee_summary([bureau.pk], 2024) == FeeSummary(1, Decimal("150.00"), 0, Decimal("0.00"))
    assert fee_summary([bureau.pk], 2025) == FeeSummary(0, Decimal("0.00"), 1, Decimal("150.00"))
    text_2024 = draft_prose(fmt=F2021, agency=bureau, year=2024, cells=zero_cells(F2021))["other_matters"]
    text_2025 = draft_prose(fmt=F2021, agency=bureau, year=2025, cells=zero_cells(F2021))["other_matters"]
    assert text_2024.endswith("发出信息处理费收费通知1件，收取信息处理费0.00元。")
    assert text_2025.endswith("发出信息处理费收费通知0件，收取信息处理费150.00元。")


def publish(agency, user, published_on, status="published"):
    return Publication.objects.create(
        agency=agency, index_number=f"{agency.code}/R-{next(_numbers):05d}", title="关于食品安全监督抽检情况的通告",
        status=status, published_on=published_on, written_on=published_on, issuing_agency=agency.name,
        disclosure_attribute="proactive", created_by=user,
    )


def test_publications_of_the_year_come_from_the_publishing_statistics(bureau, office, other_agency):
    for day in (D(2024, 3, 1), D(2024, 5, 1), D(2024, 12, 31)):
        publish(bureau, office, day)
    for day in (D(2023, 3, 1), D(2023, 6, 1)):
        publish(bureau, office, day)
    publish(bureau, office, D(2024, 7, 1), status="withdrawn")
    publish(other_agency, office, D(2024, 2, 2))
    at(D(2025, 1, 10))

    one = draft_prose(fmt=F2021, agency=bureau, year=2024, cells=zero_cells(F2021))["overview"]
    summed = draft_prose(fmt=F2021, agency=bureau, year=2024, cells=zero_cells(F2021),
                         agency_ids=[bureau.pk, other_agency.pk])["overview"]

    assert one.startswith("2024年，测试市市场监督管理局主动公开政府信息3条（上年2条，同比增长50.0%）。")
    assert summed.startswith("2024年，测试市市场监督管理局及所属机关主动公开政府信息4条（上年2条，同比增长100.0%）。")


def test_figures_typed_by_hand_that_are_missing_leave_their_sentence_out(bureau):
    cells = zero_cells(F2021)
    for ref in ("3/一/total", "2.5/licensing/decisions", "2.6/penalty/decisions", "2.6/enforcement/decisions"):
        cells[ref] = None

    overview = draft_prose(fmt=F2021, agency=bureau, year=2025, cells=cells)["overview"]

    assert "新收" not in overview and "决定" not in overview


@pytest.mark.parametrize(("this", "last", "text"), [
    (10, 8, "（上年8件，同比增长25.0%）"),
    (8, 10, "（上年10件，同比下降20.0%）"),
    (1, 3, "（上年3件，同比下降66.7%）"),
    (5, 5, "（上年5件，同比持平）"),
    (0, 0, "（上年0件，同比持平）"),
    (3, 0, "（上年0件）"),
    (3, None, ""),
])
def test_change_wording(this, last, text):
    assert change_text(this, last) == text


@pytest.mark.parametrize(("label", "short"), [
    ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "部分公开"),
    ("(三)不予公开", "不予公开"),
    ("（六）其他处理", "其他处理"),
    ("1.属于国家秘密", "属于国家秘密"),
])
def test_short_labels(label, short):
    assert short_label(label) == short



# --- 公众参与: consultations on drafts ------------------------------------------------------------


def test_the_overview_states_public_participation_when_drafts_were_put_out(bureau, office, leader):
    from gongkai.consultations import services as consultations
    from gongkai.core import clock

    def on(day):
        clock.freeze(dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))

    on(D(2025, 3, 3))
    c = consultations.consultation_create(
        actor=office, agency=bureau, kind="normative", title="某办法（征求意见稿）",
        draft_body="第一条 目的。\n第二条 范围。", explanation="说明", opens_on=D(2025, 3, 4),
        closes_on=D(2025, 4, 3))
    consultations.consultation_submit(actor=office, consultation=c)
    consultations.consultation_approve(actor=leader, consultation=c)
    on(D(2025, 3, 10))
    comments = [consultations.comment_accept(actor=office, comment=consultations.comment_submit(
        consultation=c, body=text)) for text in ("意见一", "意见二", "意见三")]
    on(D(2025, 4, 8))
    consultations.opinion_create(actor=office, consultation=c, summary="甲", disposition="adopted",
                                 comment_ids=[comments[0].pk])
    consultations.opinion_create(actor=office, consultation=c, summary="乙", disposition="not_adopted",
                                 reason="不符合上位法", comment_ids=[comments[1].pk, comments[2].pk])
    overview = draft_prose(fmt=F2021, agency=bureau, year=2025, cells=zero_cells(F2021))["overview"]
    assert ("本年就1件草案公开征求意见（决策预公开），收到公众意见3条，归纳为2条意见，"
            "其中采纳1条、部分采纳0条、未采纳1条，采纳率50.0%。") in overview.split("\n")[0]
    assert "征求意见" not in draft_prose(fmt=F2021, agency=bureau, year=2024,
                                      cells=zero_cells(F2021))["overview"]
