"""Shared fixtures for the annual report's tests.

``year_of_records`` builds a year (2024) of one agency's records through the services —
requests of every outcome row of the 2021 format from every applicant type, some carried
in from 2023 and some carried out to 2025, voided and unconfirmed ones that must not count,
appeals of every kind and outcome, normative documents and decisions — and returns the
agency, the year and the expected cells of the 2021 format, written out by hand. It takes
about a second to build, so the tests that read it sit in one class and share one build.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from gongkai.core import clock
from gongkai.core.models import Role
from gongkai.core.tests.factories import UserFactory, make_agency, member
from gongkai.core.tests.helpers import at, built_once
from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus, PartyType
from gongkai.foi.services import appeals as appeal_services
from gongkai.foi.services import replies as reply_services
from gongkai.foi.services import requests as svc
from gongkai.foi.services.requests import ApplicantData
from gongkai.publishing.services import normative as normative_services

D = dt.date
YEAR = 2024

# Column order of table 三 in the grids below.
TYPES = ("natural_person", "commercial_enterprise", "research_institution",
         "social_welfare_organization", "legal_service_institution", "other_organization")
NP, CE, RI, SW, LS, OO = TYPES

_IDS = {NP: ("resident_id", "11010519491231002X")}
_ORG_ID = ("uscc", "91330100MA2XXXXX08")
_serial = itertools.count(1)


@pytest.fixture(autouse=True, scope="package")
def _each_pdf_printed_once():
    """WeasyPrint takes about a second to print a report, and many tests publish the very
    same report (same records, same dates): the same HTML prints the same PDF, so each
    page is printed once for all the tests here. (A test of how pages print, under
    another font set or fetcher, uses its own process or the function imported before
    this patch, as test_rendering.py does.)"""
    from gongkai.reports.rendering import pdf

    printed: dict[str, bytes] = {}
    print_page = pdf.html_to_pdf

    def print_once(html: str) -> bytes:
        if html not in printed:
            printed[html] = print_page(html)
        return printed[html]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "html_to_pdf", print_once)
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Publication stores the DOCX and PDF in the default storage: keep them out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def applicant_of(applicant_type: str) -> ApplicantData:
    id_type, id_number = _IDS.get(applicant_type, _ORG_ID)
    return ApplicantData(
        applicant_type=applicant_type,
        name="张三" if applicant_type == NP else "青岚市某某单位",
        id_type=id_type, id_number=id_number, phone="13800138000",
        description=f"申请公开第{next(_serial)}号食品安全监督抽检结果", delivery="email",
        email="applicant@example.invalid",
    )


# Reply type, outcome and the fields its rules require, for each way a reply can end.
REPLIES = {
    "disclosed": ("disclosed", "disclosed", {}),
    "already_published": ("already_published", "disclosed", {}),
    "partially_disclosed": ("partially_disclosed", "partially_disclosed", {"legal_basis": "条例第十五条"}),
    "not_held": ("does_not_exist", "unavailable_not_held", {}),
    "not_this_agency": ("not_this_agency", "unavailable_not_held", {"responsible_agency": "青岚市商务局"}),
    "needs_compilation": ("needs_compilation", "unavailable_needs_compilation", {}),
    "still_unclear": ("still_unclear", "unavailable_still_unclear", {}),
    "petition": ("petition", "not_processed_petition", {}),
    "repeat": ("repeat", "not_processed_repeat", {}),
    "publication": ("publication", "not_processed_publication", {}),
    "excessive": ("excessive", "not_processed_excessive", {}),
    "confirmation": ("confirmation", "not_processed_confirmation", {}),
    "other_law": ("other_law", "other", {}),
}


class Records:
    """Steps of requests, appeals and register entries for one agency, each taken on its
    own (frozen) day through the services, as staff would take them."""

    def __init__(self, agency, office):
        self.agency, self.office = agency, office

    def register(self, applicant_type: str, received_on: dt.date):
        at(received_on)
        request, _ = svc.request_register(actor=self.office, agency=self.agency,
                                          data=applicant_of(applicant_type), channel="in_person",
                                          received_on=received_on)
        return request

    def submit(self, applicant_type: str, on: dt.date):
        at(on)
        request, _ = svc.request_submit_online(agency=self.agency, data=applicant_of(applicant_type))
        return request

    def confirm(self, request, on: dt.date):
        at(on)
        return svc.request_confirm_receipt(actor=self.office, request=request, received_on=on)

    def reply(self, request, on: dt.date, how: str, outcome: str | None = None):
        reply_type, default_outcome, extra = REPLIES.get(how, ("not_disclosed", how, {"legal_basis": "条例第十四条"}))
        at(on)
        return reply_services.request_reply(
            actor=self.office, request=request, reply_type=reply_type,
            outcome=outcome or default_outcome, content="答复内容", replied_on=on, **extra)

    def received_and_replied(self, applicant_type: str, received_on: dt.date, replied_on: dt.date, how: str):
        request = self.register(applicant_type, received_on)
        self.reply(request, replied_on, how)
        return request

    def ask_correction(self, request, on: dt.date, correct_by: dt.date):
        at(on)
        return svc.request_ask_correction(actor=self.office, request=request, items=["请明确所需信息的名称"],
                                          correct_by=correct_by, on=on)

    def consult(self, request, on: dt.date):
        at(on)
        return svc.request_start_consultation(actor=self.office, request=request, party_kind="third_party",
                                              party_name="青岚市某某食品有限公司", sent_on=on)

    def end_consultation(self, consultation, on: dt.date):
        at(on)
        return svc.request_end_consultation(actor=self.office, consultation=consultation, ended_on=on,
                                            opinion="object")

    def withdraw(self, request, on: dt.date):
        at(on)
        return svc.request_withdraw(actor=self.office, request=request, reason="申请人书面撤回", on=on)

    def appeal(self, request, kind: str, filed_on: dt.date, outcome: str = "", decided_on: dt.date | None = None):
        at(filed_on)
        appeal = appeal_services.appeal_record(actor=self.office, request=request, kind=kind, filed_on=filed_on,
                                               body="青岚市人民政府")
        if outcome:
            at(decided_on)
            appeal_services.appeal_decide(actor=self.office, appeal=appeal, outcome=outcome, decided_on=decided_on)
        return appeal

    def normative(self, kind: str, issued_on: dt.date, repealed_on: dt.date | None = None):
        at(issued_on)  # a repeal date may lie ahead (a known term of validity)
        document = normative_services.normative_document_register(
            actor=self.office, agency=self.agency, kind=kind, title=f"规范性文件{next(_serial)}",
            doc_number=f"青市监规〔{issued_on.year}〕{next(_serial)}号", issued_on=issued_on)
        if repealed_on:
            normative_services.normative_document_repeal(actor=self.office, document=document,
                                                         repealed_on=repealed_on, reason="有效期届满")
        return document

    def decision(self, kind: str, decided_on: dt.date, status: str = DecisionStatus.PUBLISHED):
        return Decision.objects.create(
            agency=self.agency, kind=kind, number=f"青市监决〔{decided_on.year}〕{next(_serial)}号",
            party_name="青岚市某某贸易有限公司", party_type=PartyType.ORGANISATION,
            matter="销售不合格产品", content="罚款5000元", deciding_body=self.agency.name,
            decision_date=decided_on, status=status,
            published_on=decided_on + dt.timedelta(days=2) if status == DecisionStatus.PUBLISHED else None,
        )


def table3(grid: dict[str, tuple[int, ...]]) -> dict[str, int]:
    """Cells of table 三 from rows of six applicant-type counts; the total column is
    written out in the grid too (a seventh number) and checked against the six."""
    cells = {}
    for row, numbers in grid.items():
        *by_type, total = numbers
        assert sum(by_type) == total, f"grid row {row} does not add up"
        for column, n in zip((*TYPES, "total"), (*by_type, total), strict=True):
            cells[f"3/{row}/{column}"] = n
    return cells


def table4(counts: dict[str, tuple[int, int, int, int, int]]) -> dict[str, int]:
    cells = {}
    for kind, numbers in counts.items():
        for outcome, n in zip(("upheld", "corrected", "other", "pending", "total"), numbers, strict=True):
            cells[f"4/all/{kind}.{outcome}"] = n
    return cells


@dataclass
class YearOfRecords:
    agency: object
    year: int
    cells: dict  # the expected cells of the 2021 format for ``year``
    office: object
    carried_out_2023: dict[str, int] = field(default_factory=dict)  # table 三 row 四 of 2023, by column
    cells_2025: dict[str, int] = field(default_factory=dict)  # table 三 of 2025 (same records)
    fee_notices: int = 0
    fees_collected: Decimal = Decimal("0")


@pytest.fixture(scope="class")
def _year_of_records_built(django_db_setup, django_db_blocker,
                           tmp_path_factory) -> Iterator[YearOfRecords]:
    yield from built_once(django_db_blocker, build_year_of_records,
                          media_root=tmp_path_factory.mktemp("media"))  # the reply letters


@pytest.fixture
def year_of_records(db, _year_of_records_built) -> YearOfRecords:
    """The year, built once for the tests of a class (a test outside a class gets its own
    build): each test runs in a savepoint inside the transaction that holds it, so what a
    test adds is gone before the next one."""
    return _year_of_records_built


def build_year_of_records() -> YearOfRecords:
    # Its own agencies and people (the personas' fixtures are per test): the bureau under
    # a city office, as in the shared tree, with an office and a leader named apart from
    # the personas, so that a test may also ask for those.
    city = make_agency(name="测试市人民政府办公室")
    bureau = make_agency(parent=city, name="测试市市场监督管理局")
    office = member(UserFactory(username="year_office"), bureau, Role.OFFICE)
    leader = member(UserFactory(username="year_leader"), bureau, Role.LEADER)
    r = Records(bureau, office)

    # --- 2023: finished in 2023 (not in 2024's table), and three carried into 2024 ------------
    done_2023 = r.received_and_replied(NP, D(2023, 11, 1), D(2023, 11, 20), "disclosed")
    carried_np = r.register(NP, D(2023, 12, 20))
    carried_ce = r.register(CE, D(2023, 12, 25))
    consultation = r.consult(carried_ce, D(2023, 12, 27))
    carried_ls = r.register(LS, D(2023, 12, 28))
    # Submitted online on 29 Dec 2023, confirmed (so received, Art. 31) on 2 Jan 2024.
    confirmed_in_2024 = r.submit(RI, D(2023, 12, 29))
    voided_2023 = r.submit(NP, D(2023, 6, 1))
    at(D(2023, 6, 2))
    svc.request_void(actor=office, request=voided_2023, reason="重复提交")

    r.reply(carried_np, D(2024, 1, 10), "disclosed")
    r.end_consultation(consultation, D(2024, 1, 8))
    r.reply(carried_ce, D(2024, 1, 15), "withheld_third_party")
    r.reply(carried_ls, D(2024, 1, 22), "partially_disclosed")
    r.confirm(confirmed_in_2024, D(2024, 1, 2))
    r.reply(confirmed_in_2024, D(2024, 1, 19), "disclosed")

    # --- 2024: received and finished, every outcome row ----------------------------------------
    rr = r.received_and_replied
    rr(NP, D(2024, 2, 1), D(2024, 2, 5), "already_published")  # 三.一
    rr(OO, D(2024, 2, 2), D(2024, 2, 20), "disclosed")  # 三.一
    rr(CE, D(2024, 2, 5), D(2024, 2, 26), "partially_disclosed")  # 三.二
    rr(NP, D(2024, 3, 1), D(2024, 3, 15), "withheld_state_secret")  # 三.三.1
    rr(RI, D(2024, 3, 4), D(2024, 3, 20), "withheld_prohibited_by_law")  # 三.三.2
    rr(SW, D(2024, 3, 5), D(2024, 3, 25), "withheld_security_stability")  # 三.三.3
    rr(LS, D(2024, 3, 6), D(2024, 3, 26), "withheld_third_party")  # 三.三.4
    rr(OO, D(2024, 3, 7), D(2024, 3, 27), "withheld_internal_affairs")  # 三.三.5
    rr(NP, D(2024, 3, 8), D(2024, 3, 28), "withheld_process_information")  # 三.三.6
    rr(CE, D(2024, 3, 11), D(2024, 3, 29), "withheld_enforcement_file")  # 三.三.7
    rr(NP, D(2024, 3, 12), D(2024, 4, 1), "withheld_administrative_query")  # 三.三.8
    rr(NP, D(2024, 4, 8), D(2024, 4, 22), "not_held")  # 三.四.1
    rr(CE, D(2024, 4, 9), D(2024, 4, 23), "not_this_agency")  # 三.四.1
    rr(RI, D(2024, 4, 10), D(2024, 4, 24), "needs_compilation")  # 三.四.2
    unclear = r.register(NP, D(2024, 5, 6))  # 三.四.3, after a correction
    r.ask_correction(unclear, D(2024, 5, 8), D(2024, 5, 20))
    at(D(2024, 5, 15))
    svc.request_receive_correction(actor=office, request=unclear, on=D(2024, 5, 15))
    r.reply(unclear, D(2024, 5, 30), "still_unclear")
    rr(NP, D(2024, 6, 3), D(2024, 6, 5), "petition")  # 三.五.1
    rr(NP, D(2024, 6, 4), D(2024, 6, 6), "repeat")  # 三.五.2
    rr(SW, D(2024, 6, 5), D(2024, 6, 7), "publication")  # 三.五.3
    rr(NP, D(2024, 6, 11), D(2024, 6, 13), "excessive")  # 三.五.4
    rr(LS, D(2024, 6, 12), D(2024, 6, 14), "confirmation")  # 三.五.5
    no_correction = r.register(NP, D(2024, 7, 1))  # 三.六.1
    r.ask_correction(no_correction, D(2024, 7, 3), D(2024, 7, 17))
    at(D(2024, 7, 22))
    svc.request_close_no_correction(actor=office, request=no_correction)
    unpaid = r.register(CE, D(2024, 8, 1))  # 三.六.2
    at(D(2024, 8, 5))
    notice = svc.request_send_fee_notice(actor=office, request=unpaid, scale="per_page", pages=40,
                                         sent_on=D(2024, 8, 5))
    at(notice.pay_by + dt.timedelta(days=1))
    svc.request_close_fee_unpaid(actor=office, request=unpaid)
    r.withdraw(r.register(OO, D(2024, 8, 6)), D(2024, 8, 9))  # 三.六.3
    rr(NP, D(2024, 8, 12), D(2024, 8, 20), "other_law")  # 三.六.3
    paid = r.register(RI, D(2024, 9, 2))  # 三.一, after paying the fee
    at(D(2024, 9, 4))
    svc.request_send_fee_notice(actor=office, request=paid, scale="per_page", pages=40, sent_on=D(2024, 9, 4))
    at(D(2024, 9, 10))
    svc.request_record_payment(actor=office, request=paid, paid_on=D(2024, 9, 10), amount=Decimal("100"))
    r.reply(paid, D(2024, 9, 20), "disclosed")
    online = r.submit(SW, D(2024, 10, 8))  # 三.一, online
    r.confirm(online, D(2024, 10, 9))
    at(D(2024, 10, 15))
    extension = svc.extension_request(actor=office, request=online, days=10, reason="需调取档案")
    svc.extension_approve(actor=leader, extension=extension, decided_on=D(2024, 10, 15))
    r.reply(online, D(2024, 10, 30), "disclosed")

    # --- never received: not counted --------------------------------------------------------------
    voided = r.submit(NP, D(2024, 5, 6))
    at(D(2024, 5, 7))
    svc.request_void(actor=office, request=voided, reason="测试数据")
    r.withdraw(r.submit(CE, D(2024, 6, 3)), D(2024, 6, 4))  # withdrawn before confirmation
    unconfirmed = r.submit(LS, D(2024, 12, 30))  # confirmed only in 2025

    # --- carried out to 2025 --------------------------------------------------------------------
    out_np = r.register(NP, D(2024, 12, 20))
    out_ce = r.register(CE, D(2024, 12, 10))
    out_consultation = r.consult(out_ce, D(2024, 12, 12))
    out_oo = r.register(OO, D(2024, 12, 16))
    r.ask_correction(out_oo, D(2024, 12, 18), D(2025, 1, 10))
    out_ri = r.register(RI, D(2024, 12, 30))
    still_open = r.register(NP, D(2024, 12, 31))

    # --- 2025: how the carried-out requests end ----------------------------------------------------
    r.confirm(unconfirmed, D(2025, 1, 2))
    r.withdraw(out_ri, D(2025, 1, 3))
    r.end_consultation(out_consultation, D(2025, 1, 6))
    r.reply(out_np, D(2025, 1, 8), "disclosed")
    r.reply(out_ce, D(2025, 1, 10), "withheld_third_party")
    at(D(2025, 1, 15))
    svc.request_close_no_correction(actor=office, request=out_oo)
    assert still_open.pk  # open in 2025 too

    # --- appeals --------------------------------------------------------------------------------
    AR, LD, LAR = "administrative_review", "litigation_direct", "litigation_after_review"
    r.appeal(done_2023, AR, D(2023, 12, 1), "upheld", D(2024, 1, 20))  # filed 2023: not in 2024
    r.appeal(carried_np, AR, D(2024, 3, 1), "upheld", D(2024, 5, 1))
    r.appeal(carried_ce, AR, D(2024, 4, 1), "upheld", D(2024, 6, 3))
    r.appeal(carried_ls, AR, D(2024, 5, 10), "corrected", D(2024, 7, 10))
    r.appeal(unclear, AR, D(2024, 6, 11), "other", D(2024, 8, 12))
    r.appeal(unpaid, AR, D(2024, 11, 20), "corrected", D(2025, 2, 10))  # pending on 31 Dec
    r.appeal(no_correction, LD, D(2024, 4, 15), "upheld", D(2024, 9, 18))
    r.appeal(confirmed_in_2024, LD, D(2024, 5, 15), "other", D(2024, 10, 15))
    r.appeal(paid, LD, D(2024, 10, 21))  # never decided
    r.appeal(online, LAR, D(2024, 7, 1), "corrected", D(2024, 12, 31))  # decided on the last day
    r.appeal(carried_ce, LAR, D(2024, 12, 31))
    r.appeal(out_np, AR, D(2025, 1, 20))  # filed 2025: not in 2024

    # --- the normative-document register and decisions ------------------------------------------
    r.normative("rule", D(2022, 5, 1))
    r.normative("rule", D(2024, 3, 15))
    r.normative("normative_document", D(2023, 2, 1), repealed_on=D(2024, 6, 30))
    r.normative("normative_document", D(2024, 4, 10))
    r.normative("normative_document", D(2024, 5, 20), repealed_on=D(2025, 1, 1))  # in force on 31 Dec
    r.normative("normative_document", D(2024, 2, 1), repealed_on=D(2024, 12, 31))  # not in force on 31 Dec
    for day in (D(2024, 1, 5), D(2024, 6, 1), D(2024, 12, 31)):
        r.decision(DecisionKind.LICENCE, day)
    r.decision(DecisionKind.LICENCE, D(2023, 12, 29))
    r.decision(DecisionKind.PENALTY, D(2024, 3, 3))
    r.decision(DecisionKind.PENALTY, D(2024, 7, 7), status=DecisionStatus.NOT_PUBLISHED)  # a warning only
    r.decision(DecisionKind.PENALTY, D(2025, 1, 2))
    r.decision(DecisionKind.ENFORCEMENT, D(2024, 8, 8))
    r.decision(DecisionKind.OTHER, D(2024, 8, 9))
    clock.freeze(None)

    #                      自然人 企业 科研 公益 法律 其他 总计
    expected = table3({
        "一":      (13, 5, 5, 3, 2, 4, 32),
        "二":      (1, 1, 0, 0, 1, 0, 3),
        "三.一":   (2, 0, 2, 1, 0, 1, 6),
        "三.二":   (0, 1, 0, 0, 1, 0, 2),
        "三.三.1": (1, 0, 0, 0, 0, 0, 1),
        "三.三.2": (0, 0, 1, 0, 0, 0, 1),
        "三.三.3": (0, 0, 0, 1, 0, 0, 1),
        "三.三.4": (0, 1, 0, 0, 1, 0, 2),
        "三.三.5": (0, 0, 0, 0, 0, 1, 1),
        "三.三.6": (1, 0, 0, 0, 0, 0, 1),
        "三.三.7": (0, 1, 0, 0, 0, 0, 1),
        "三.三.8": (1, 0, 0, 0, 0, 0, 1),
        "三.四.1": (1, 1, 0, 0, 0, 0, 2),
        "三.四.2": (0, 0, 1, 0, 0, 0, 1),
        "三.四.3": (1, 0, 0, 0, 0, 0, 1),
        "三.五.1": (1, 0, 0, 0, 0, 0, 1),
        "三.五.2": (1, 0, 0, 0, 0, 0, 1),
        "三.五.3": (0, 0, 0, 1, 0, 0, 1),
        "三.五.4": (1, 0, 0, 0, 0, 0, 1),
        "三.五.5": (0, 0, 0, 0, 1, 0, 1),
        "三.六.1": (1, 0, 0, 0, 0, 0, 1),
        "三.六.2": (0, 1, 0, 0, 0, 0, 1),
        "三.六.3": (1, 0, 0, 0, 0, 1, 2),
        "三.七":   (12, 5, 4, 3, 3, 3, 30),
        "四":      (2, 1, 1, 0, 0, 1, 5),
    })
    expected |= table4({
        # 维持 纠正 其他 未结 总计
        AR:  (2, 1, 1, 1, 5),
        LD:  (1, 0, 1, 1, 3),
        LAR: (0, 1, 0, 1, 2),
    })
    expected |= {
        "2.1/rules/issued": 1, "2.1/rules/repealed": 0, "2.1/rules/in_force": 2,
        "2.1/normative/issued": 3, "2.1/normative/repealed": 2, "2.1/normative/in_force": 2,
        "2.5/licensing/decisions": 3,
        "2.6/penalty/decisions": 2, "2.6/enforcement/decisions": 1,
        "2.8/fees/amount": None,  # typed by hand
    }
    cells_2025 = table3({
        "一":      (0, 0, 0, 0, 1, 0, 1),
        "二":      (2, 1, 1, 0, 0, 1, 5),
        "三.一":   (1, 0, 0, 0, 0, 0, 1),
        "三.三.4": (0, 1, 0, 0, 0, 0, 1),
        "三.六.1": (0, 0, 0, 0, 0, 1, 1),
        "三.六.3": (0, 0, 1, 0, 0, 0, 1),
        "三.七":   (1, 1, 1, 0, 0, 1, 4),
        "四":      (1, 0, 0, 0, 1, 0, 2),
    })
    return YearOfRecords(
        agency=bureau, year=YEAR, cells=expected, office=office,
        carried_out_2023={NP: 1, CE: 1, RI: 0, SW: 0, LS: 1, OO: 0, "total": 3},
        cells_2025=cells_2025, fee_notices=2, fees_collected=Decimal("100.00"),
    )
