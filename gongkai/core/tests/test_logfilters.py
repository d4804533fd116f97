"""What ``core.logfilters.redact`` hides: ``secret=`` parameters, the status secret after
查询码 in a message text, and the token of a delivery link; and that the filter and the
gunicorn atoms apply it."""

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


@pytest.mark.parametrize("path", [
    f"/delivery/{TOKEN}/",
    f"/delivery/{TOKEN}/files/r1a2b3/",
    f"https://gongkai.example.gov.cn/delivery/{TOKEN}",
    f'"GET /delivery/{TOKEN}/files/r1a2b3/?download=1 HTTP/1.1" 200',
])
def test_a_delivery_links_token_is_redacted(path):
    redacted = redact(path)
    assert TOKEN not in redacted and "1tXyZa" not in redacted
    assert f"/delivery/{REDACTED}" in redacted
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
