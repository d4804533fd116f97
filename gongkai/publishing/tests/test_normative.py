"""The register of rules and normative documents: registration, repeal and
interpretations with their rules and audit entries, who may write and read (403 for the
wrong role, 404 outside the scope), the interpretation flags on the real calendar, and
the annual report's issued / repealed / in force counts across year boundaries."""

import datetime as dt
import html
import itertools
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import AuditEvent
from gongkai.core.selectors import get_working_day_calendar
from gongkai.core.tests.factories import DepartmentFactory
from gongkai.core.tests.helpers import at
from gongkai.publishing import selectors
from gongkai.publishing.models import (
    AgencyPublishingSettings,
    Interpretation,
    NormativeDocument,
    Publication,
)
from gongkai.publishing.services import normative as svc

pytestmark = pytest.mark.django_db
D = dt.date
_numbers = itertools.count(1)
MONDAY = D(2025, 3, 3)


def register(
    actor, agency, *, issued_on=MONDAY, kind="normative_document", doc_number=None, **extra
) -> NormativeDocument:
    return svc.normative_document_register(
        actor=actor,
        agency=agency,
        kind=kind,
        title="关于规范食品经营许可的若干规定",
        doc_number=doc_number or f"青市监规〔{issued_on.year}〕{next(_numbers)}号",
        issued_on=issued_on,
        **extra,
    )


def interpret(actor, document, published_on, **extra) -> Interpretation:
    return svc.interpretation_add(
        actor=actor,
        document=document,
        form="graphic",
        title="一图读懂食品经营许可新规",
        published_on=published_on,
        **extra,
    )


def publication(agency, user, **extra) -> Publication:
    values = {
        "title": "关于规范食品经营许可的若干规定",
        "status": "published",
        "written_on": D(2025, 3, 3),
        "published_on": D(2025, 3, 4),
        "index_number": f"{agency.code}/2025-{next(_numbers):05d}",
        "issuing_agency": agency.name,
        "disclosure_attribute": "proactive",
        "created_by": user,
    }
    values.update(extra)
    return Publication.objects.create(agency=agency, **values)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def cell(response, testid: str) -> str:
    match = re.search(
        rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', response.content.decode(), re.S
    )
    assert match, f"no element {testid!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


@pytest.fixture(autouse=True)
def _today():
    at(D(2025, 6, 2))


# --- registration -----------------------------------------------------------------------------


def test_office_registers_a_document_with_an_audit_entry(office, bureau, department):
    item = publication(bureau, office)
    document = register(
        office,
        bureau,
        doc_number="青市监规〔2025〕3号",
        effective_on=D(2025, 4, 1),
        drafting_department=department,
        publication=item,
    )
    assert (document.agency, document.kind, document.doc_number) == (
        bureau,
        "normative_document",
        "青市监规〔2025〕3号",
    )
    assert document.publication == item and document.drafting_department == department
    entry = AuditEvent.objects.get(action="publishing.normative.register")
    assert entry.object_id == str(document.pk) and entry.agency == bureau
    assert entry.after["doc_number"] == "青市监规〔2025〕3号"


def test_document_number_is_unique_within_an_agency_only(
    office, other_office, bureau, other_agency
):
    register(office, bureau, doc_number="市监规〔2025〕1号")
    with pytest.raises(DomainError, match="已经登记"):
        register(office, bureau, doc_number=" 市监规〔2025〕1号 ")
    register(other_office, other_agency, doc_number="市监规〔2025〕1号")
    assert NormativeDocument.objects.count() == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"issued_on": D(2025, 6, 3)}, "发布日期不能晚于今天"),
        ({"effective_on": D(2025, 3, 2)}, "施行日期不能早于发布日期"),
        ({"kind": "decree"}, "请选择文件类别"),
        ({"doc_number": "  "}, "请填写文号"),
    ],
)
def test_registration_with_wrong_details_is_refused(office, bureau, extra, message):
    with pytest.raises(DomainError, match=message):
        register(office, bureau, **extra)
    assert not NormativeDocument.objects.exists()
    assert not AuditEvent.objects.filter(action="publishing.normative.register").exists()


def test_department_and_publication_of_another_agency_are_refused(
    office, other_office, bureau, other_agency
):
    with pytest.raises(DomainError, match="起草科室不属于本机关"):
        register(office, bureau, drafting_department=DepartmentFactory(agency=other_agency))
    with pytest.raises(DomainError, match="不属于本机关"):
        register(office, bureau, publication=publication(other_agency, other_office))


def test_a_publication_is_linked_to_one_document_only(office, bureau):
    item = publication(bureau, office)
    register(office, bureau, publication=item)
    with pytest.raises(DomainError, match="已关联"):
        register(office, bureau, publication=item)


@pytest.mark.parametrize(
    "actor", ["officer", "reviewer", "leader", "supervisor", "other_office", "platform_admin"]
)
def test_only_the_agencys_office_registers(request, bureau, actor):
    with pytest.raises(PermissionDenied):
        register(request.getfixturevalue(actor), bureau)
    assert not NormativeDocument.objects.exists()


# --- repeal -------------------------------------------------------------------------------------


def test_office_repeals_a_document_with_reason_and_audit(office, bureau):
    document = register(office, bureau, issued_on=D(2025, 3, 3))
    svc.normative_document_repeal(
        actor=office,
        document=document,
        repealed_on=D(2025, 5, 6),
        reason="被青市监规〔2025〕9号废止",
    )
    document.refresh_from_db()
    assert document.repealed_on == D(2025, 5, 6)
    assert document.repeal_reason == "被青市监规〔2025〕9号废止"
    assert not document.in_force_on(D(2025, 5, 6)) and document.in_force_on(D(2025, 5, 5))
    entry = AuditEvent.objects.get(action="publishing.normative.repeal")
    assert entry.reason == "被青市监规〔2025〕9号废止" and entry.after == {
        "repealed_on": "2025-05-06"
    }


def test_repeal_before_issue_without_reason_or_twice_is_refused(office, bureau):
    document = register(office, bureau, issued_on=D(2025, 3, 3))
    with pytest.raises(DomainError, match="不能早于发布日期"):
        svc.normative_document_repeal(
            actor=office, document=document, repealed_on=D(2025, 3, 2), reason="有效期届满"
        )
    with pytest.raises(DomainError, match="请填写"):
        svc.normative_document_repeal(
            actor=office, document=document, repealed_on=D(2025, 4, 1), reason=" "
        )
    # The end of a term of validity is known in advance, so a later date is allowed.
    svc.normative_document_repeal(
        actor=office, document=document, repealed_on=D(2030, 3, 2), reason="有效期届满"
    )
    with pytest.raises(InvalidTransition, match="不能重复登记"):
        svc.normative_document_repeal(
            actor=office, document=document, repealed_on=D(2025, 4, 1), reason="被废止"
        )
    document.refresh_from_db()
    assert document.repealed_on == D(2030, 3, 2)


@pytest.mark.parametrize("actor", ["officer", "leader", "supervisor", "other_office"])
def test_only_the_agencys_office_repeals_or_adds_interpretations(request, office, bureau, actor):
    document = register(office, bureau)
    user = request.getfixturevalue(actor)
    with pytest.raises(PermissionDenied):
        svc.normative_document_repeal(
            actor=user, document=document, repealed_on=D(2025, 4, 1), reason="被废止"
        )
    with pytest.raises(PermissionDenied):
        interpret(user, document, D(2025, 3, 4))
    document.refresh_from_db()
    assert document.repealed_on is None and not document.interpretations.exists()


# --- interpretations ----------------------------------------------------------------------------


def test_interpretation_is_linked_to_its_document_with_an_audit_entry(office, bureau):
    document = register(office, bureau, issued_on=D(2025, 3, 3))
    item = publication(bureau, office, title="一图读懂")
    interpretation = interpret(
        office, document, D(2025, 3, 3), publication=item, url="https://example.invalid/jd/1.html"
    )
    assert list(document.interpretations.all()) == [interpretation]
    assert interpretation.publication == item
    entry = AuditEvent.objects.get(action="publishing.interpretation.add")
    assert entry.after["document_id"] == document.pk


@pytest.mark.parametrize(
    ("published_on", "message"),
    [
        (D(2025, 3, 2), "不能早于文件的发布日期"),
        (D(2025, 6, 3), "不能晚于今天"),
    ],
)
def test_interpretation_dated_before_the_document_or_in_the_future_is_refused(
    office, bureau, published_on, message
):
    document = register(office, bureau, issued_on=D(2025, 3, 3))
    with pytest.raises(DomainError, match=message):
        interpret(office, document, published_on)
    assert not Interpretation.objects.exists()


# --- interpretation flags on the real calendar ---------------------------------------------------

# Issued Friday 2025-09-26. Working days after it: Sun 09-28 (make-up day) 1, 09-29 2,
# 09-30 3, National Day holiday 10-01…10-08, 10-09 4, 10-10 5, Sat 10-11 (make-up day) 6.
ISSUED = D(2025, 9, 26)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2025, 10, 9), "pending"),  # 4th working day
        (D(2025, 10, 10), "pending"),  # 5th working day: the last day of the limit
        (D(2025, 10, 11), "overdue"),  # 6th working day
    ],
)
def test_document_without_interpretation_is_flagged_after_the_fifth_working_day(
    office, bureau, today, state
):
    at(today)
    document = register(office, bureau, issued_on=ISSUED)
    [row] = selectors.normative_rows(selectors.normative_document_list_for_user(user=office))
    assert row.document == document
    assert row.interpretation.due_on == D(2025, 10, 10)
    assert row.interpretation.state == state
    assert row.interpretation.flagged is (state == "overdue")
    assert not row.interpretation.provisional


@pytest.mark.parametrize(
    ("published_on", "state"),
    [
        (D(2025, 10, 10), "on_time"),
        (D(2025, 10, 11), "late"),
    ],
)
def test_interpretation_after_the_limit_is_flagged_late(office, bureau, published_on, state):
    at(D(2025, 11, 3))
    document = register(office, bureau, issued_on=ISSUED)
    interpret(office, document, published_on)
    interpret(office, document, D(2025, 10, 20))  # a second, later one does not matter
    [row] = selectors.normative_rows(selectors.normative_document_list_for_user(user=office))
    assert (row.interpretation.state, row.interpretation.first_on) == (state, published_on)


def test_the_limit_is_the_agencys_setting(office, bureau):
    AgencyPublishingSettings.objects.create(agency=bureau, interpretation_limit_days=3)
    at(D(2025, 10, 1))
    register(office, bureau, issued_on=ISSUED)
    [row] = selectors.normative_rows(selectors.normative_document_list_for_user(user=office))
    assert (row.interpretation.due_on, row.interpretation.state) == (D(2025, 9, 30), "overdue")


@pytest.mark.parametrize(
    ("issued_on", "limit", "due_on"),
    [
        (D(2025, 1, 24), 5, D(2025, 2, 7)),  # make-up Sunday 01-26, Spring Festival 01-28…02-04
        (D(2025, 1, 24), 3, D(2025, 2, 5)),
        (D(2025, 3, 3), 5, D(2025, 3, 10)),  # an ordinary week
        (D(2025, 4, 30), 5, D(2025, 5, 12)),  # Labour Day 05-01…05-05
    ],
)
def test_interpretation_limit_on_the_real_calendar(issued_on, limit, due_on):
    status = selectors.interpretation_status(
        issued_on=issued_on,
        first_interpreted_on=None,
        limit_days=limit,
        today=due_on,
        calendar=get_working_day_calendar(),
    )
    assert (status.due_on, status.state) == (due_on, "pending")


def test_a_limit_in_an_unscheduled_year_is_provisional():
    status = selectors.interpretation_status(
        issued_on=D(2031, 3, 3),
        first_interpreted_on=None,
        limit_days=5,
        today=D(2031, 3, 3),
        calendar=get_working_day_calendar(),
    )
    assert status.provisional and status.due_on == D(2031, 3, 10)


# --- the annual report's counts ------------------------------------------------------------------


def test_normative_counts_across_year_boundaries(office, other_office, bureau, other_agency):
    at(D(2026, 2, 1))
    rule = register(office, bureau, issued_on=D(2024, 6, 1), kind="rule")  # in force throughout
    repealed_2025 = register(office, bureau, issued_on=D(2024, 3, 1))
    register(office, bureau, issued_on=D(2025, 12, 31))  # issued on the last day
    issued_and_repealed = register(office, bureau, issued_on=D(2025, 1, 10))
    repealed_2026 = register(office, bureau, issued_on=D(2023, 5, 5))
    register(other_office, other_agency, issued_on=D(2025, 2, 2))
    for document, day in [
        (repealed_2025, D(2025, 5, 1)),
        (issued_and_repealed, D(2025, 12, 31)),
        (repealed_2026, D(2026, 1, 1)),
    ]:
        svc.normative_document_repeal(
            actor=office, document=document, repealed_on=day, reason="被废止"
        )

    with CaptureQueriesContext(connection) as queries:
        counts_2025 = selectors.normative_counts([bureau.pk], 2025)
    assert len(queries) == 1
    assert counts_2025 == {
        "rule": {"issued": 0, "repealed": 0, "in_force": 1},
        # issued: last day of the year and 01-10; repealed: 05-01 and 12-31 (not in force at
        # 31 Dec); in force at 31 Dec: the one issued that day and the one repealed in 2026.
        "normative_document": {"issued": 2, "repealed": 2, "in_force": 2},
    }
    assert selectors.normative_counts([bureau.pk], 2024) == {
        "rule": {"issued": 1, "repealed": 0, "in_force": 1},
        "normative_document": {"issued": 1, "repealed": 0, "in_force": 2},
    }
    assert selectors.normative_counts([bureau.pk], 2026)["normative_document"] == {
        "issued": 0,
        "repealed": 1,
        "in_force": 1,
    }
    assert selectors.normative_counts([bureau.pk, other_agency.pk], 2025)["normative_document"] == {
        "issued": 3,
        "repealed": 2,
        "in_force": 3,
    }
    assert rule.in_force_on(D(2025, 12, 31))
    assert selectors.normative_counts([], 2025) == {
        "rule": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_document": {"issued": 0, "repealed": 0, "in_force": 0},
    }


# --- pages ---------------------------------------------------------------------------------------


def test_office_registers_repeals_and_interprets_through_the_pages(
    client_for, office, bureau, department
):
    client = client_for(office)
    item = publication(bureau, office)
    assert client.get(reverse("staff:normative-register")).status_code == 200
    response = client.post(
        reverse("staff:normative-register"),
        {
            "kind": "rule",
            "title": "青岚市食品摊贩管理办法",
            "doc_number": "青市监令第1号",
            "issued_on": "2025-05-26",
            "effective_on": "2025-07-01",
            "drafting_department": department.pk,
            "index_number": item.index_number,
        },
    )
    document = NormativeDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:normative-detail", args=[document.pk])
    assert document.publication == item and document.kind == "rule"

    page = client.get(response["Location"])
    assert cell(page, "status") == "现行有效"
    # 5 working days after Monday 05-26, Dragon Boat holiday 05-31…06-02 → 06-03.
    assert "待解读 （期限2025-06-03）" in cell(page, "flag")

    prefix = "interpretation-"
    response = client.post(
        reverse("staff:normative-interpretation-add", args=[document.pk]),
        {
            f"{prefix}form": "qa",
            f"{prefix}title": "《青岚市食品摊贩管理办法》答记者问",
            f"{prefix}published_on": "2025-05-27",
            f"{prefix}url": "https://example.invalid/jd.html",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("staff:normative-detail", args=[document.pk]))
    assert "已按时解读" in cell(page, "flag")
    assert "答记者问" in cell(page, "interpretations")

    response = client.post(
        reverse("staff:normative-repeal", args=[document.pk]),
        {"repeal-repealed_on": "2025-06-01", "repeal-reason": "被青市监令第2号废止"},
    )
    assert response.status_code == 302
    page = client.get(reverse("staff:normative-detail", args=[document.pk]))
    assert cell(page, "status") == "已于2025-06-01废止/失效"


def test_refused_input_is_shown_with_the_reason_and_nothing_changes(client_for, office, bureau):
    client = client_for(office)
    document = register(office, bureau, issued_on=D(2025, 3, 3), doc_number="青市监规〔2025〕1号")
    response = client.post(
        reverse("staff:normative-register"),
        {
            "kind": "normative_document",
            "title": "另一文件",
            "doc_number": "青市监规〔2025〕1号",
            "issued_on": "2025-03-04",
        },
    )
    assert response.status_code == 400
    assert "文号“青市监规〔2025〕1号”已经登记" in cell(response, "form-error")
    response = client.post(
        reverse("staff:normative-register"),
        {
            "kind": "normative_document",
            "title": "另一文件",
            "doc_number": "青市监规〔2025〕2号",
            "issued_on": "2025-03-04",
            "index_number": "no-such-number",
        },
    )
    assert response.status_code == 400 and "没有这个索引号" in text_of(response)
    response = client.post(
        reverse("staff:normative-interpretation-add", args=[document.pk]),
        {
            "interpretation-form": "text",
            "interpretation-title": "解读",
            "interpretation-published_on": "2025-03-01",
        },
    )
    assert response.status_code == 400
    assert "不能早于文件的发布日期" in text_of(response)
    assert NormativeDocument.objects.count() == 1 and not Interpretation.objects.exists()


@pytest.mark.parametrize(
    ("actor", "read", "write"),
    [
        ("office", 200, 302),
        ("officer", 200, 403),
        ("reviewer", 200, 403),
        ("leader", 200, 403),
        ("supervisor", 200, 403),
        ("platform_admin", 200, 403),
        ("other_office", 404, 404),
    ],
)
def test_who_reads_and_who_writes_a_document(
    request, client_for, office, bureau, actor, read, write
):
    document = register(office, bureau)
    client = client_for(request.getfixturevalue(actor))
    assert client.get(reverse("staff:normative-detail", args=[document.pk])).status_code == read
    response = client.post(
        reverse("staff:normative-repeal", args=[document.pk]),
        {"repeal-repealed_on": "2025-04-01", "repeal-reason": "被废止"},
    )
    assert response.status_code == write
    response = client.post(
        reverse("staff:normative-interpretation-add", args=[document.pk]),
        {
            "interpretation-form": "text",
            "interpretation-title": "解读",
            "interpretation-published_on": "2025-04-01",
        },
    )
    assert response.status_code == write
    document.refresh_from_db()
    assert (document.repealed_on is not None) is (write == 302)
    assert document.interpretations.exists() is (write == 302)


@pytest.mark.parametrize("actor", ["officer", "reviewer", "leader", "supervisor", "platform_admin"])
def test_only_an_office_may_open_the_registration_page(request, client_for, actor):
    client = client_for(request.getfixturevalue(actor))
    assert client.get(reverse("staff:normative-register")).status_code == 403
    response = client.post(
        reverse("staff:normative-register"),
        {"kind": "rule", "title": "办法", "doc_number": "令第1号", "issued_on": "2025-03-03"},
    )
    assert response.status_code == 403
    assert not NormativeDocument.objects.exists()


def test_the_list_filters_and_flags(client_for, office, other_office, bureau, other_agency):
    at(D(2025, 10, 20))
    overdue = register(office, bureau, issued_on=ISSUED, doc_number="规〔2025〕1号")
    rule = register(office, bureau, issued_on=D(2024, 5, 6), kind="rule", doc_number="令第1号")
    interpret(office, rule, D(2024, 5, 7))
    repealed = register(office, bureau, issued_on=D(2024, 1, 2), doc_number="规〔2024〕1号")
    svc.normative_document_repeal(
        actor=office, document=repealed, repealed_on=D(2025, 1, 1), reason="有效期届满"
    )
    foreign = register(other_office, other_agency, issued_on=D(2025, 3, 3))
    client = client_for(office)

    def listed(**params):
        response = client.get(reverse("staff:normative-list"), params)
        assert response.status_code == 200
        return {
            int(pk) for pk in re.findall(r'data-testid="flag-(\d+)"', response.content.decode())
        }

    assert listed() == {overdue.pk, rule.pk, repealed.pk}
    assert listed(kind="rule") == {rule.pk}
    assert listed(status="in_force") == {overdue.pk, rule.pk}
    assert listed(status="repealed") == {repealed.pk}
    assert listed(year="2024") == {rule.pk, repealed.pk}
    assert listed(flag="overdue") == {overdue.pk, repealed.pk}
    assert listed(flag="on_time") == {overdue.pk, rule.pk, repealed.pk}  # not a choice: ignored
    response = client.get(reverse("staff:normative-list"))
    assert cell(response, f"flag-{overdue.pk}") == "解读逾期 （期限2025-10-10）"
    assert foreign.pk not in listed()


def test_a_supervisor_lists_the_subtree_and_filters_by_agency(
    client_for, office, other_office, supervisor, bureau, other_agency
):
    mine = register(office, bureau)
    theirs = register(other_office, other_agency)
    client = client_for(supervisor)
    response = client.get(reverse("staff:normative-list"))
    assert {str(mine.pk), str(theirs.pk)} <= set(
        re.findall(r"flag-(\d+)", response.content.decode())
    )
    response = client.get(reverse("staff:normative-list"), {"agency": other_agency.pk})
    assert re.findall(r'data-testid="flag-(\d+)"', response.content.decode()) == [str(theirs.pk)]


def test_the_list_runs_a_fixed_number_of_queries(
    client_for, office, bureau, django_assert_num_queries
):
    client = client_for(office)
    client.get(reverse("staff:normative-list"))  # warm the session and the calendar
    for rows in (3, 6):
        for n in range(3):
            document = register(office, bureau, issued_on=D(2025, 3, 3 + n))
            interpret(office, document, D(2025, 3, 10))
        # session, user, memberships, has an authenticator; count, page; 2 calendar
        # fingerprints, agency settings; the session saved on every request (savepoint,
        # update, release).
        with django_assert_num_queries(12):
            response = client.get(reverse("staff:normative-list"))
        assert response.content.decode().count('data-testid="document-row"') == rows
