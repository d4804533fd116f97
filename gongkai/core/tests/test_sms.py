"""The pluggable SMS interface (gongkai.core.sms)."""

import logging

import pytest

from gongkai.core import sms


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


class FailingBackend(sms.BaseBackend):
    def send(self, phone, text):
        raise TimeoutError("gateway timeout")


def test_without_a_backend_nothing_is_sent(settings):
    settings.GONGKAI_SMS_BACKEND = ""
    assert sms.configured() is False
    assert sms.send_sms("13800138000", "测试") is False
    assert sms.outbox == []


def test_the_locmem_backend_keeps_messages_for_tests(settings):
    settings.GONGKAI_SMS_BACKEND = "gongkai.core.sms.LocmemBackend"
    assert sms.configured() is True
    assert sms.send_sms("13800138000", "您的申请编号为2025-0001-00001") is True
    assert sms.outbox == [sms.SmsMessage("13800138000", "您的申请编号为2025-0001-00001")]


# The receipt text foi.intake sends: the status secret follows 查询码.
RECEIPT = "【政府信息公开】您向测试市市场监督管理局提交的申请已收到，申请编号2025-0001-00001，查询码{}，请妥善保存。"


def test_the_console_backend_logs_the_masked_number_and_the_text_without_the_secret(
        settings, caplog):
    settings.GONGKAI_SMS_BACKEND = "gongkai.core.sms.ConsoleBackend"
    caplog.set_level(logging.INFO, logger="gongkai.core.sms")
    secret = "K7P2XQ9MAB"
    assert sms.send_sms("13800138000", RECEIPT.format(secret)) is True
    [record] = [r for r in caplog.records if r.name == "gongkai.core.sms"]
    message = record.getMessage()  # what any handler writes, with or without its filters
    assert secret not in message and "K7P2" not in message
    assert "查询码[已隐去]，请妥善保存" in message
    assert "申请编号2025-0001-00001" in message and "138****8000" in message
    assert "13800138000" not in message
    assert secret not in caplog.text


def test_the_console_backend_hides_a_delivery_links_token(settings, caplog):
    settings.GONGKAI_SMS_BACKEND = "gongkai.core.sms.ConsoleBackend"
    caplog.set_level(logging.INFO, logger="gongkai.core.sms")
    token = "eyJyIjoxLCJuIjoiMjAyNS0wMDAxLTAwMDAxIn0:1tXyZa:AbCdEf"
    sms.send_sms("13800138000", f"答复已送达：https://gongkai.example.gov.cn/delivery/{token}/")
    assert token not in caplog.text and "/delivery/[已隐去]/" in caplog.text


def test_a_backend_failure_is_an_sms_error(settings):
    settings.GONGKAI_SMS_BACKEND = f"{__name__}.FailingBackend"
    with pytest.raises(sms.SmsError, match="FailingBackend"):
        sms.send_sms("13800138000", "x")


def test_a_wrong_backend_path_fails_loudly(settings):
    settings.GONGKAI_SMS_BACKEND = "gongkai.core.sms.NoSuchBackend"
    with pytest.raises(ImportError):
        sms.send_sms("13800138000", "x")
