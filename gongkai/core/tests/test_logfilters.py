"""What ``core.logfilters.redact`` hides: ``secret=`` parameters, the status secret after
查询码 in a message text, and the token of a delivery or invitation link; and that the
filter and the gunicorn atoms apply it."""

import logging

import pytest

from gongkai.core.logfilters import REDACTED, RedactSecretsFilter, redact, redact_access_atoms

SECRET = "K7P2XQ9MAB"
TOKEN = "eyJyIjoxLCJuIjoiMjAyNS0wMDAxLTAwMDAxIn0:1tXyZa:AbCdEf-_12"


@pytest.mark.parametrize("text, kept", [
    (f"申请编号2025-0001-00001，查询码{SECRET}，请妥善保存。", "，请妥善保存。"),
    (f"查询码：{SECRET}\n\n凭申请编号和查询码可在网站查询", "\n\n凭申请编号和查询码可在网站查询"),
    (f"查询码: {SECRET}", ""),
    ("查询码 K7P2 XQ9M AB。", "。"),  # as read out, in groups
    ("查询码K7P2-XQ9M-AB", ""),
])
def test_the_secret_after_its_name_is_redacted(text, kept):
    redacted = redact(text)
    assert "K7P2" not in redacted and "XQ9M" not in redacted
    assert REDACTED in redacted and redacted.endswith(kept)


def test_text_that_only_names_the_secret_is_unchanged():
    text = "凭申请编号和查询码可在 https://gongkai.example.gov.cn/status/ 查询。请妥善保存查询码，不要转发给他人。"
    assert redact(text) == text


INVITATION_TOKEN = "q3V9-x_Lk2mN8pR4sT6uW0yZ1aB3cD5eF7gH9iJ0kL2"


@pytest.mark.parametrize("path, token, kept", [
    (f"/delivery/{TOKEN}/", TOKEN, "/delivery/"),
    (f"/delivery/{TOKEN}/files/r1a2b3/", TOKEN, "/delivery/"),
    (f"https://gongkai.example.gov.cn/delivery/{TOKEN}", TOKEN, "/delivery/"),
    (f'"GET /delivery/{TOKEN}/files/r1a2b3/?download=1 HTTP/1.1" 200', TOKEN, "/delivery/"),
    (f"/staff/invitation/{INVITATION_TOKEN}/", INVITATION_TOKEN, "/staff/invitation/"),
    (f"https://gongkai.example.gov.cn/staff/invitation/{INVITATION_TOKEN}/", INVITATION_TOKEN,
     "/staff/invitation/"),
    (f'"POST /staff/invitation/{INVITATION_TOKEN}/?next=/ HTTP/1.1" 400', INVITATION_TOKEN,
     "/staff/invitation/"),
])
def test_a_delivery_or_invitation_links_token_is_redacted(path, token, kept):
    redacted = redact(path)
    assert token not in redacted and token[4:12] not in redacted
    assert f"{kept}{REDACTED}" in redacted
    if "/files/" in path:
        assert "/files/r1a2b3/" in redacted  # the rest of the path still says what was fetched


def test_the_secret_parameter_is_still_redacted():
    assert redact("/status/?secret=ABCDE23456&x=1") == f"/status/?secret={REDACTED}&x=1"


def test_the_filter_redacts_message_and_arguments():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               (f"GET /delivery/{TOKEN}/ HTTP/1.1", "200", "512"), None)
    RedactSecretsFilter().filter(record)
    assert TOKEN not in record.getMessage()
    record = logging.LogRecord("gongkai", logging.INFO, __file__, 1, f"receipt 查询码：{SECRET}", (), None)
    RedactSecretsFilter().filter(record)
    assert SECRET not in record.getMessage()


def test_gunicorns_request_line_is_redacted():
    atoms = redact_access_atoms({"r": f"GET /delivery/{TOKEN}/files/x/ HTTP/1.1",
                                 "U": f"/delivery/{TOKEN}/files/x/", "s": "200"})
    assert TOKEN not in atoms["r"] and TOKEN not in atoms["U"] and atoms["s"] == "200"


def test_the_invitation_list_pages_are_unchanged():
    assert redact("/staff/agencies/3/people/invitations/7/revoke/") == "/staff/agencies/3/people/invitations/7/revoke/"


def test_gunicorns_access_line_hides_an_invitation_token():
    atoms = redact_access_atoms({"r": f"GET /staff/invitation/{INVITATION_TOKEN}/ HTTP/1.1",
                                 "U": f"/staff/invitation/{INVITATION_TOKEN}/", "s": "302"})
    assert INVITATION_TOKEN not in atoms["r"] and INVITATION_TOKEN not in atoms["U"]
    assert atoms["U"] == f"/staff/invitation/{REDACTED}/"


@pytest.mark.django_db
def test_a_django_request_warning_hides_an_invitation_token(client):
    """What Django logs for a 4xx ("Not Found: /staff/invitation/…") passes the filter
    that ``settings.LOGGING`` puts on every handler."""
    handler = logging.Handler()
    handler.addFilter(RedactSecretsFilter())
    seen = []
    handler.emit = lambda record: seen.append(record.getMessage())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get(f"/staff/invitation/{INVITATION_TOKEN}/")
        client.get(f"/staff/invitation/{INVITATION_TOKEN}/nothing-here/")
    finally:
        logger.removeHandler(handler)
    assert seen and all(INVITATION_TOKEN not in line for line in seen)
    assert any(f"/staff/invitation/{REDACTED}/" in line for line in seen)
