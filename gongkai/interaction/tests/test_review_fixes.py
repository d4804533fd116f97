"""Review fixes: the staff list's subjects, the inspection's clock across transfers, and
NUL bytes from the address."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.core.tests.helpers import at
from gongkai.interaction import rules, selectors, services
from gongkai.interaction.tests.conftest import MONDAY, data

pytestmark = pytest.mark.django_db
SUBJECT = "请回电13912345678王小明"


@pytest.fixture
def phone_in_subject(bureau, on_monday):
    return services.message_submit(agency=bureau, data=data(subject=SUBJECT))[0]


@pytest.mark.parametrize("persona, full", [
    ("office", True), ("reviewer", False), ("leader", False), ("supervisor", False),
])
def test_the_list_shows_the_subject_as_the_reader_may_see_it(request, client_for, bureau, phone_in_subject,
                                                             persona, full):
    user = request.getfixturevalue(persona)
    query = f"?under={bureau.pk}" if persona == "supervisor" else f"?agency={bureau.pk}"
    html = client_for(user).get(reverse("staff:message-list") + query).content.decode()
    assert phone_in_subject.tracking_number in html
    assert ("13912345678" in html) is full and ("王小明" in html) is full
    if not full:
        assert "139****5678" in html


def test_a_transfer_does_not_restart_the_inspections_three_months(bureau, other_agency, office, on_monday):
    message, _ = services.message_submit(agency=bureau, data=data())
    at(MONDAY + dt.timedelta(days=80))
    services.message_transfer(actor=office, message=message, to_agency=other_agency, reason="属对方职责")
    at(MONDAY + dt.timedelta(days=100))
    message.refresh_from_db()
    deadline = selectors.message_deadline(message)
    assert deadline.alert == rules.Alert.THREE_MONTHS
    # The reply period itself does restart at the new agency.
    assert deadline.due_on > MONDAY + dt.timedelta(days=80)


def test_a_nul_byte_in_the_search_is_refused_in_chinese(client_for, bureau, phone_in_subject, office):
    response = client_for(office).get(reverse("staff:message-list") + f"?agency={bureau.pk}&q=%E8%AF%B7%00")
    assert response.status_code == 400 and "无效字符" in response.content.decode()


@pytest.mark.parametrize("url", [
    "/messages/captcha/a%00b.png", "/messages/captcha/a%00b.wav", "/messages/receipt/LY%00/",
    "/messages/a%00b/", "/messages/a%00b/1/",
])
def test_a_nul_byte_in_the_address_is_400_not_500(client, url):
    # core.hostile_input refuses it before any view.
    client.raise_request_exception = False
    assert client.get(url).status_code == 400


def test_a_nul_byte_in_the_forms_agency_is_400_not_500(client, bureau):
    client.raise_request_exception = False
    assert client.get("/messages/write/?agency=%00").status_code == 400


def test_the_list_works_out_deadlines_only_for_the_page_shown(client_for, bureau, office, on_monday,
                                                             monkeypatch):
    for i in range(33):
        services.message_submit(agency=bureau, data=data(subject=f"第{i}条留言"))
    sizes = []
    real = selectors.with_deadlines
    monkeypatch.setattr(selectors, "with_deadlines",
                        lambda messages, **kw: sizes.append(len(list(messages))) or real(messages, **kw))
    client = client_for(office)
    first = client.get(reverse("staff:message-list") + f"?agency={bureau.pk}").content.decode()
    assert first.count('data-testid="message-row"') == 30 and "共33条留言" in first
    assert max(sizes) == 30
    second = client.get(reverse("staff:message-list") + f"?agency={bureau.pk}&page=2").content.decode()
    assert second.count('data-testid="message-row"') == 3 and "第0条留言" in second
    # A plain queue is paged the same way and still counts all its messages.
    due = client.get(reverse("staff:message-list") + f"?agency={bureau.pk}&queue=open").content.decode()
    assert "共33条留言" in due
