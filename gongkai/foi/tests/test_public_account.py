"""A request submitted while signed in with a government-service account: linked to the
account, the applicant's name and ID number the account's verified ones, and marked
verified for the office."""

import pytest

from gongkai.core.models import AuditEvent
from gongkai.foi import selectors
from gongkai.foi.services.requests import request_submit_online
from gongkai.foi.tests.conftest import applicant
from gongkai.identity.tests.public_accounts import VERIFIED_ID, make_public_account

pytestmark = pytest.mark.django_db


def test_the_verified_identity_replaces_what_the_form_said(bureau):
    account = make_public_account()
    request, _ = request_submit_online(agency=bureau, account=account,
                                       data=applicant(name="别人", id_number="110101199003074477"))
    assert (request.name, request.id_number, request.identity_verified) == ("王五", VERIFIED_ID, True)
    assert request.public_account == account
    event = AuditEvent.objects.get(action__endswith="submit", object_id=str(request.pk))
    assert event.after["identity_verified"] is True and VERIFIED_ID not in str(event.after)


def test_an_account_without_verified_claims_links_but_does_not_verify(bureau):
    account = make_public_account(name="", id_number="")
    request, _ = request_submit_online(agency=bureau, account=account, data=applicant())
    assert request.public_account == account and not request.identity_verified
    assert request.name == "张三"


def test_the_owner_opens_the_request_by_number_alone_and_no_one_else_does(bureau):
    owner, other = make_public_account(), make_public_account(subject="citizen-2")
    request, _ = request_submit_online(agency=bureau, account=owner, data=applicant())
    number = request.tracking_number
    assert selectors.request_get_for_account(account=owner, tracking_number=number) == request
    assert selectors.request_get_for_account(account=other, tracking_number=number) is None
    assert selectors.request_get_for_account(account=None, tracking_number=number) is None
    assert [row.request for row in selectors.requests_of_account(owner)] == [request]
    assert selectors.requests_of_account(other) == []


def test_the_office_sees_the_identity_marked_verified(client_for, office, bureau):
    request, _ = request_submit_online(agency=bureau, account=make_public_account(), data=applicant())
    html = client_for(office).get(f"/staff/requests/{request.pk}/").content.decode()
    assert "身份已核验（政务服务账号）" in html
    anonymous, _ = request_submit_online(agency=bureau, data=applicant())
    assert "身份已核验" not in client_for(office).get(f"/staff/requests/{anonymous.pk}/").content.decode()
