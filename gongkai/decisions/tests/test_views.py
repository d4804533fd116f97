import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from gongkai.core.tests.helpers import at
from gongkai.decisions.models import Decision, DecisionKind, DecisionStatus, PartyType, StagedImport
from gongkai.decisions.rules import PenaltyType
from gongkai.decisions.tests.conftest import (
    COMPANY_USCC,
    PERSON_ID,
    csv_bytes,
    penalty_row,
    person_row,
)

D = dt.date
TODAY = D(2025, 6, 2)


@pytest.fixture(autouse=True)
def _today():
    at(TODAY)


def text_of(response) -> str:
    return response.content.decode()


# --- who may see and do what (only the actor varies) ---------------------------------------

@pytest.mark.parametrize(("actor", "status"), [
    ("office", 200), ("leader", 200), ("officer", 200), ("supervisor", 200), ("platform_admin", 200),
    ("other_office", 404),
])
def test_decision_page_is_the_same_404_outside_the_agency_scope(request, client_for, make_decision,
                                                                actor, status):
    decision = make_decision()
    response = client_for(request.getfixturevalue(actor)).get(
        reverse("staff:decision-detail", args=[decision.pk]))
    assert response.status_code == status


def test_missing_decision_is_404(client_for, office):
    assert client_for(office).get(reverse("staff:decision-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 200), ("leader", 403), ("officer", 403), ("supervisor", 403), ("platform_admin", 403),
])
def test_only_an_office_may_open_the_import_page(request, client_for, actor, status):
    response = client_for(request.getfixturevalue(actor)).get(reverse("staff:decision-import"))
    assert response.status_code == status


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 302), ("leader", 403), ("supervisor", 403), ("platform_admin", 403), ("other_office", 404),
])
def test_only_the_agency_office_may_withdraw(request, client_for, make_decision, actor, status):
    decision = make_decision()
    response = client_for(request.getfixturevalue(actor)).post(
        reverse("staff:decision-withdraw", args=[decision.pk]),
        {"changed_on": "2025-05-30", "reason": "决定已被撤销"})
    assert response.status_code == status
    decision.refresh_from_db()
    assert (decision.status == DecisionStatus.WITHDRAWN) is (status == 302)


def test_anonymous_is_sent_to_sign_in(client, make_decision):
    response = client.get(reverse("staff:decision-list"))
    assert response.status_code == 302 and reverse("staff:sign-in") in response["Location"]


def test_other_agency_in_the_query_string_is_404(client_for, other_office, bureau):
    response = client_for(other_office).get(reverse("staff:decision-list"), {"agency": bureau.pk})
    assert response.status_code == 404


# --- the back office's pages ----------------------------------------------------------------

def test_list_shows_state_due_and_flags(client_for, office, make_decision):
    make_decision(number="罚〔2025〕1号", decision_date=D(2025, 5, 20), status=DecisionStatus.PENDING,
                  published_on=None)
    make_decision(number="罚〔2025〕2号", decision_date=D(2025, 1, 24), published_on=D(2025, 2, 11),
                  fine_amount=Decimal("50000"))
    response = client_for(office).get(reverse("staff:decision-list"))
    page = text_of(response)
    assert response.status_code == 200
    assert "逾期未公示" in page and "超期公示" in page and "2025-05-29" in page
    assert page.count('data-testid="decision-row"') == 2
    assert page.count('data-testid="year-row"') == 1


def test_list_query_count_does_not_grow_with_rows(client_for, office, make_decision,
                                                  django_assert_num_queries):
    client = client_for(office)
    make_decision()
    client.get(reverse("staff:decision-list"))  # warm the calendar cache
    for _ in range(20):
        make_decision()
    # session, user, memberships, has an authenticator (4); count, limits, calendar (2),
    # page, years, batches (6); the session's save (3).
    with django_assert_num_queries(14):
        assert client.get(reverse("staff:decision-list")).status_code == 200


def test_detail_masks_the_resident_id_for_staff(client_for, office, make_decision):
    decision = make_decision(party_type=PartyType.NATURAL_PERSON, party_name="张三丰", party_uscc="",
                             party_id_number=PERSON_ID)
    page = text_of(client_for(office).get(reverse("staff:decision-detail", args=[decision.pk])))
    assert PERSON_ID not in page and "330***********123X" in page and "张**" in page


def test_withdraw_with_errors_shows_the_form_again(client_for, office, make_decision):
    decision = make_decision()
    response = client_for(office).post(reverse("staff:decision-withdraw", args=[decision.pk]),
                                       {"changed_on": "2025-06-03", "reason": ""})
    assert response.status_code == 400
    assert "变更或撤销日期不能晚于今天" in text_of(response)


def test_publish_a_pending_decision(client_for, office, make_decision):
    decision = make_decision(status=DecisionStatus.PENDING, published_on=None)
    response = client_for(office).post(reverse("staff:decision-publish", args=[decision.pk]))
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PUBLISHED and decision.published_on == TODAY


# --- import: dry run, then confirm ---------------------------------------------------------------

def test_import_dry_run_then_confirm(client_for, office, bureau):
    client = client_for(office)
    data = csv_bytes([penalty_row(date="2025-05-28"), person_row(date="2025-05-29"),
                      penalty_row(number="罚〔2025〕9号", types="警告", fine="", date="2025-05-30")])
    response = client.post(reverse("staff:decision-import"), {
        "agency": bureau.pk, "file": SimpleUploadedFile("处罚.csv", data, content_type="text/csv")})

    page = text_of(response)
    assert response.status_code == 200 and "试导入结果（尚未保存）" in page
    assert "将立即公示：2条" in page and "仅警告、不予公示：1条" in page
    assert PERSON_ID not in page
    assert not Decision.objects.exists()
    staged = StagedImport.objects.get()
    assert reverse("staff:decision-import-confirm", args=[staged.pk]) in page

    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = client.post(reverse("staff:decision-import-confirm", args=[staged.pk]))

    # The worker has not run yet: a page that refreshes itself, nothing imported.
    status_url = reverse("staff:decision-import-status", args=[staged.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    pending = client.get(status_url)
    assert pending.status_code == 200 and not Decision.objects.exists()
    assert '<meta http-equiv="refresh" content="3">' in pending.content.decode()
    assert "正在后台导入" in text_of(pending)

    with TestCase.captureOnCommitCallbacks(execute=True):
        for callback in queued:  # the commit: the worker imports (local mode)
            callback()
    done = client.get(status_url)
    assert done.status_code == 302 and Decision.objects.count() == 3
    follow = text_of(client.get(done["Location"]))
    assert "已导入3条，公示2条，仅警告不予公示1条。" in follow
    # A second confirmation (a double click, a back button) imports nothing twice.
    again = client.post(reverse("staff:decision-import-confirm", args=[staged.pk]))
    assert again.status_code == 302 and Decision.objects.count() == 3


def test_an_import_refused_by_the_check_at_import_shows_its_problems(client_for, office, bureau,
                                                                     make_decision):
    client = client_for(office)
    client.post(reverse("staff:decision-import"), {
        "agency": bureau.pk, "file": SimpleUploadedFile("x.csv", csv_bytes([penalty_row()]))})
    staged = StagedImport.objects.get()
    make_decision(number=penalty_row()[0])  # the number, taken meanwhile by another import
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("staff:decision-import-confirm", args=[staged.pk]))

    page = client.get(reverse("staff:decision-import-status", args=[staged.pk]))
    text = text_of(page)
    assert page.status_code == 200 and "导入未完成" in text and "已在本机关的公示记录中" in text
    assert 'http-equiv="refresh"' not in page.content.decode()  # nothing to wait for
    assert not Decision.objects.filter(batch__isnull=False).exists()


def test_import_with_a_bad_row_shows_the_row_and_offers_no_confirmation(client_for, office, bureau):
    data = csv_bytes([penalty_row(), person_row(id_number="330102198001011230")])
    response = client_for(office).post(reverse("staff:decision-import"), {
        "agency": bureau.pk, "file": SimpleUploadedFile("x.csv", data)})
    page = text_of(response)
    assert response.status_code == 400
    assert "第3行“证件号码”：居民身份证号码校验不通过" in page
    assert "确认导入" not in page and not StagedImport.objects.exists()


def test_import_to_an_agency_not_managed_is_refused_by_the_form(client_for, office, other_agency):
    response = client_for(office).post(reverse("staff:decision-import"), {
        "agency": other_agency.pk, "file": SimpleUploadedFile("x.csv", csv_bytes([penalty_row()]))})
    assert response.status_code == 400 and not StagedImport.objects.exists()


def test_someone_elses_staged_file_is_404(client_for, office, bureau, django_user_model):
    client = client_for(office)
    client.post(reverse("staff:decision-import"), {
        "agency": bureau.pk, "file": SimpleUploadedFile("x.csv", csv_bytes([penalty_row()]))})
    staged = StagedImport.objects.get()
    from gongkai.core.models import Role
    from gongkai.core.tests.factories import UserFactory, member

    colleague = member(UserFactory(username="colleague"), bureau, Role.OFFICE)
    response = client_for(colleague).post(reverse("staff:decision-import-confirm", args=[staged.pk]))
    assert response.status_code == 404 and not Decision.objects.exists()


# --- the public page ---------------------------------------------------------------------------------

@pytest.fixture
def public_set(make_decision):
    return {
        "company": make_decision(number="罚〔2025〕1号", published_on=D(2025, 5, 1),
                                 fine_amount=Decimal("50000")),
        "person": make_decision(number="罚〔2025〕2号", party_type=PartyType.NATURAL_PERSON,
                                party_name="张三丰", party_uscc="", party_id_number=PERSON_ID,
                                content="对张三丰（身份证号33010219800101123X）罚款2000元",
                                fine_amount=Decimal("2000"), published_on=D(2025, 5, 2)),
        "expired": make_decision(number="罚〔2025〕3号", published_on=D(2025, 3, 1),
                                 fine_amount=Decimal("500")),
        "pending": make_decision(number="罚〔2025〕4号", status=DecisionStatus.PENDING, published_on=None),
        "warning": make_decision(number="罚〔2025〕5号", status=DecisionStatus.NOT_PUBLISHED,
                                 published_on=None, penalty_types=int(PenaltyType.WARNING),
                                 fine_amount=None),
        "withdrawn": make_decision(number="罚〔2025〕6号", status=DecisionStatus.WITHDRAWN,
                                   published_on=D(2025, 5, 3), changed_on=D(2025, 5, 20),
                                   withdrawn_on=D(2025, 5, 21), party_name="李四",
                                   party_type=PartyType.NATURAL_PERSON, party_uscc="",
                                   withdrawal_reason="复议机关撤销了对李四的处罚决定"),
        "licence": make_decision(number="许〔2015〕1号", kind=DecisionKind.LICENCE, penalty_types=0,
                                 fine_amount=None, published_on=D(2015, 1, 5)),
    }


def test_public_page_masks_people_and_lists_only_current_decisions(client, bureau, public_set):
    response = client.get(reverse("portal:decision-list", args=[bureau.code]))
    page = text_of(response)

    assert response.status_code == 200
    shown = re.findall(r'data-testid="public-decision">\s*<td>([^<]+)</td>', page)
    assert shown == ["罚〔2025〕2号", "罚〔2025〕1号", "许〔2015〕1号"]
    # Natural person: name masked everywhere, resident ID nowhere; the company's code shown.
    assert "张三丰" not in page and "张**" in page
    assert PERSON_ID not in page and "33010219800101123X" not in page
    assert COMPANY_USCC in page
    # Withdrawn: a notice with the reason, the party's name masked even there.
    assert 'data-testid="withdrawal-notice"><td>罚〔2025〕6号</td>' in page
    assert "复议机关撤销了对李*的处罚决定" in page and "李四" not in page


def test_public_page_is_the_same_for_a_signed_in_office(client_for, office, bureau, public_set):
    page = text_of(client_for(office).get(reverse("portal:decision-list", args=[bureau.code])))
    assert PERSON_ID not in page and "张三丰" not in page


def test_public_page_query_count(client, bureau, public_set, make_decision,
                                 django_assert_num_queries):
    for _ in range(10):
        make_decision(published_on=D(2025, 5, 10))
    with django_assert_num_queries(5):
        assert client.get(reverse("portal:decision-list", args=[bureau.code])).status_code == 200


def test_public_page_kind_filter_and_unknown_agency(client, bureau, public_set):
    page = text_of(client.get(reverse("portal:decision-list", args=[bureau.code]), {"kind": "licence"}))
    assert "许〔2015〕1号" in page and "罚〔2025〕1号" not in page
    assert client.get(reverse("portal:decision-list", args=["NOSUCHCODE"])).status_code == 404


def test_public_index_links_every_agency(client, tree):
    page = text_of(client.get(reverse("portal:decision-index")))
    for agency in tree.values():
        assert reverse("portal:decision-list", args=[agency.code]) in page


def test_public_page_title_names_the_agency_once(client, bureau, public_set):
    html = client.get(reverse("portal:decision-list", args=[bureau.code])).content.decode()
    title = html[html.index("<title>") + 7:html.index("</title>")]
    assert title == f"行政许可和行政处罚等信息公示 - {bureau.name}"
