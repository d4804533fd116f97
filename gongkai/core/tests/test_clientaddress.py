"""The client's address (core.clientaddress): X-Forwarded-For only from trusted proxies."""

import pytest
from django.test import RequestFactory, override_settings

from gongkai.core.clientaddress import client_address
from gongkai.core.forms import client_ip

rf = RequestFactory()


def address(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(rf.get("/", **meta))


def test_without_trusted_proxies_forwarded_for_is_ignored():
    # The probe of issue 15: a rotating header let 45 of 45 submissions through.
    assert {address("198.51.100.9", f"203.0.113.{n}") for n in range(45)} == {"198.51.100.9"}


@override_settings(GONGKAI_TRUSTED_PROXIES=["10.0.0.5"])
def test_from_an_untrusted_peer_forwarded_for_is_ignored():
    assert address("10.0.0.6", "203.0.113.1") == "10.0.0.6"


@override_settings(GONGKAI_TRUSTED_PROXIES=["10.0.0.5"])
def test_from_a_trusted_proxy_the_rightmost_hop_is_the_client():
    assert address("10.0.0.5", "1.1.1.1, 203.0.113.1") == "203.0.113.1"


@override_settings(GONGKAI_TRUSTED_PROXIES=["10.0.0.0/24", "2001:db8:ffff::/48"])
def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    # client-written junk, the client, an edge proxy, an inner proxy; the peer is a proxy too
    assert address("10.0.0.1", "6.6.6.6, 203.0.113.8, 10.0.0.7, 10.0.0.3") == "203.0.113.8"
    assert address("2001:db8:ffff::1", "203.0.113.8, 2001:db8:ffff::2") == "203.0.113.8"


@override_settings(GONGKAI_TRUSTED_PROXIES=["10.0.0.0/24"])
def test_a_hop_that_is_not_an_address_stops_at_the_last_trusted_proxy():
    assert address("10.0.0.1", "203.0.113.8, unknown, 10.0.0.7") == "10.0.0.7"
    assert address("10.0.0.1", "") == "10.0.0.1"
    assert address("10.0.0.1", "10.0.0.9, 10.0.0.7") == "10.0.0.9"  # all ours: from inside


@override_settings(GONGKAI_TRUSTED_PROXIES=["10.0.0.1"])
@pytest.mark.parametrize("hop,expected", [
    ("203.0.113.8:4711", "203.0.113.8"),
    ("[2001:db8::8]:443", "2001:db8::8"),
    ("2001:db8::8", "2001:db8::8"),
    ("::ffff:203.0.113.8", "203.0.113.8"),
])
def test_ports_and_brackets_that_proxies_write_are_understood(hop, expected):
    assert address("10.0.0.1", hop) == expected


def test_no_peer_address_is_none_and_forms_use_the_same_function():
    assert address("") is None
    with override_settings(GONGKAI_TRUSTED_PROXIES=["10.0.0.1"]):
        request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.3")
        assert client_ip(request) == "203.0.113.3"


@override_settings(GONGKAI_TRUSTED_PROXIES=["10.0.0.5"], SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
@pytest.mark.parametrize("peer,secure", [("10.0.0.5", True), ("198.51.100.9", False)])
def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(peer, secure):
    from gongkai.core.clientaddress import ForwardedProtoMiddleware

    seen = []
    middleware = ForwardedProtoMiddleware(lambda request: seen.append(request.is_secure()))
    middleware(rf.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_PROTO="https"))
    assert seen == [secure]
