"""Who is asking: the client's address, the one function every caller uses.

A request's ``REMOTE_ADDR`` is the peer of the TCP connection. Behind a reverse proxy the
peer is the proxy, and the client is in ``X-Forwarded-For`` — but that header is written
by whoever sends the request, so it is believed only from a peer listed in
``GONGKAI_TRUSTED_PROXIES`` (addresses or CIDR networks; default none). Each proxy appends
the address it saw, so the header is read from the right: trusted hops are skipped and
the first untrusted address is the client. Anything to its left was written by the
client itself and is ignored. A hop that is not an address (a proxy writing ``unknown``)
stops the walk at the last proxy we trust: the client is then counted as that proxy,
which can only make a limit stricter, never let a client escape it.

Rate limits (``core.ratelimit``), sign-in records and audit entries all take the address
from ``client_address``; nothing else reads ``REMOTE_ADDR`` or ``X-Forwarded-For``.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse(value: str) -> IPAddress | None:
    """An address as a proxy may write it: ``203.0.113.5``, ``203.0.113.5:4711``,
    ``2001:db8::1``, ``[2001:db8::1]:443``. IPv4-mapped IPv6 becomes IPv4. None if it
    is not an address."""
    text = (value or "").strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    # settings.py has already refused malformed entries at start.
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_proxy(ip: IPAddress) -> bool:
    entries = tuple(getattr(settings, "GONGKAI_TRUSTED_PROXIES", ()) or ())
    return any(ip.version == net.version and ip in net for net in _networks(entries))


def client_ip(request) -> IPAddress | None:
    """The client's address as an ``ipaddress`` object, or None if the peer is unknown."""
    peer = parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None or not trusted_proxy(peer):
        return peer
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    last_trusted = peer
    for hop in reversed(hops):
        ip = parse(hop)
        if ip is None:
            return last_trusted
        if not trusted_proxy(ip):
            return ip
        last_trusted = ip
    # Every hop is one of our proxies: the request came from inside.
    return last_trusted


def client_address(request) -> str | None:
    """The client's address as text (for records and the audit trail), or None."""
    ip = client_ip(request)
    return str(ip) if ip is not None else None


class ForwardedProtoMiddleware:
    """``X-Forwarded-Proto`` (``SECURE_PROXY_SSL_HEADER``) from a peer that is not one of
    ``GONGKAI_TRUSTED_PROXIES`` is dropped, like its ``X-Forwarded-For``: a client on
    plain HTTP cannot claim HTTPS. With no proxies listed the header is left to the
    deployment's proxy as before (it overwrites the header), so an install that has not
    yet listed its proxy does not loop on the HTTPS redirect. First in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if header and getattr(settings, "GONGKAI_TRUSTED_PROXIES", None) and header[0] in request.META:
            peer = parse(request.META.get("REMOTE_ADDR", ""))
            if peer is None or not trusted_proxy(peer):
                del request.META[header[0]]
        return self.get_response(request)
