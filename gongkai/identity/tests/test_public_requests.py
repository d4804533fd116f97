""""我的申请": a signed-in applicant's requests without secrets, the form filled from the
verified claims (and not alterable), the owner's status page, and nobody else's."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.foi.forms import new_form_token
from gongkai.foi.models import FoiRequest
from gongkai.identity.tests.public_accounts import VERIFIED_ID, make_public_account, sign_in_public
from gongkai.portal.tests.data import natural_person
from gongkai.portal.tests.test_status_case import letter

pytestmark = pytest.mark.django_db

MINE = reverse("portal:my-requests")
APPLY = reverse("portal:apply")


@pytest.fixture
def wang(client):
    account = make_public_account()
    sign_in_public(client, account)
    return account


def apply(client, agency, **changes) -> FoiRequest:
    response = client.post(APPLY, {**natural_person(agency, **changes), "form_token": new_form_token()})
    assert response.status_code == 303, response.content.decode()[:2000]
    return FoiRequest.objects.get(tracking_number=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_the_form_shows_the_verified_name_and_the_masked_id_number(client, bureau, wang):
    html = client.get(APPLY).content.decode()
    assert 'id="verified-name">王五<' in html
    assert 'id="verified-id-number">110***********002X<' in html and VERIFIED_ID not in html
    assert 'name="id_number"' not in html and 'name="name"' not in html
    assert 'value="13900139000"' in html  # the phone is only a suggestion


def test_the_verified_identity_cannot_be_altered_in_the_submission(client, bureau, wang):
    request = apply(client, bureau, name="冒名者", id_number="110101199003074477",
                    applicant_type="commercial_enterprise", id_type="uscc")
    assert (request.name, request.id_number, request.applicant_type) == ("王五", VERIFIED_ID, "natural_person")
    assert request.public_account == wang and request.identity_verified


def test_an_anonymous_request_is_linked_to_no_one(client, bureau):
    request = apply(client, bureau)
    assert request.public_account is None and not request.identity_verified
    assert request.name == "张三"


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_a_signed_in_applicant_sees_their_requests_without_a_secret(client, bureau, other_agency, wang):
    first, second = apply(client, bureau), apply(client, other_agency, description="另一份政府信息的名称")
    response = client.get(MINE)
    html = response.content.decode()
    assert response.status_code == 200
    assert first.tracking_number in html and second.tracking_number in html
    assert bureau.name in html and other_agency.name in html
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    page = client.get(reverse("portal:my-request", args=[first.tracking_number]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert 'id="status-result"' in page.content.decode()


def test_the_list_costs_the_same_queries_however_many_requests(client, bureau, wang):
    apply(client, bureau)
    one = queries_of(client, MINE)
    apply(client, bureau, description="另一份政府信息的名称")
    apply(client, bureau, description="第三份政府信息的名称")
    assert queries_of(client, MINE) == one


def test_another_person_sees_none_of_them_and_cannot_open_them(client, bureau, wang):
    request = apply(client, bureau)
    sign_in_public(client, make_public_account(subject="citizen-2", name="赵六"))
    html = client.get(MINE).content.decode()
    assert request.tracking_number not in html and 'id="no-requests"' in html
    page = client.get(reverse("portal:my-request", args=[request.tracking_number]))
    assert page.status_code == 404 and 'id="status-result"' not in page.content.decode()


def test_without_signing_in_the_owner_page_refuses_and_the_list_offers_sign_in(client, bureau, wang):
    request = apply(client, bureau)
    client.post(reverse("portal:public-sign-out"))
    assert client.get(reverse("portal:my-request", args=[request.tracking_number])).status_code == 404
    response = client.get(MINE)
    assert response.status_code == 200 and request.tracking_number not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # With number and secret it still works as before (tested in portal's test_status).


def test_signing_out_leaves_no_receipt_or_file_to_the_next_person(client, bureau, wang, settings, tmp_path):
    """A shared computer (a service hall's terminal): after sign-out the receipt with its
    query code and the files the status page let this browser download are gone."""
    settings.MEDIA_ROOT = tmp_path
    request = apply(client, bureau)
    receipt = reverse("portal:apply-receipt", args=[request.tracking_number])
    shown = letter(request)
    file_url = reverse("portal:status-file", args=[request.tracking_number, f"letter-{shown.pk}.pdf"])
    assert client.get(receipt).status_code == 200
    assert client.get(reverse("portal:my-request", args=[request.tracking_number])).status_code == 200
    assert client.get(file_url).status_code == 200
    client.post(reverse("portal:public-sign-out"))
    assert client.get(receipt).status_code == 404
    assert client.get(file_url).status_code == 403


def cached_values(cache) -> list[bytes]:
    """Every value the portal's page cache holds (the in-process cache of the tests),
    as the bytes it stores."""
    return list(cache._cache.values())


@pytest.mark.parametrize("url", [APPLY, reverse("portal:message-write")])
def test_a_signed_in_persons_prefilled_form_never_reaches_the_page_cache(client, bureau, wang, url):
    from django.core.cache import cache

    anonymous = Client()
    home = anonymous.get(reverse("portal:home")).content
    assert anonymous.get(reverse("portal:home")).get("X-Page-Cache") == "hit"
    stored = len(cached_values(cache))
    # The cache is on and its entries are readable here: the anonymous page is in one.
    assert any(home[-400:] in value for value in cached_values(cache))
    for _ in range(2):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and "13900139000" in html
        assert response.get("X-Page-Cache") != "hit"
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    values = cached_values(cache)
    assert len(values) == stored
    for value in values:
        assert "王五".encode() not in value and b"13900139000" not in value


def test_the_site_header_links_my_requests_without_the_persons_name(client, bureau, wang):
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{MINE}"' in html and "王五" not in html
