"""A tiny real CAS server for the tests, over HTTP in a background thread (the CAS 3.0
protocol's parts a client uses): ``/cas/login`` (GET: a login form; POST: a service
ticket, back to ``service``), ``/cas/serviceValidate`` (CAS 2, no attributes) and
``/cas/p3/serviceValidate`` (CAS 3, with attributes) answering the XML of the
specification, ``/cas/logout``. Tickets are single-use, bound to their service and valid
``lifetime`` seconds.

    with running_cas_server() as cas:
        cas.add_user("zhang", password="pw", mail="zhang@example.gov.cn")
        settings.GONGKAI_CAS_SERVER_URL = cas.server_url        # …/cas/
        back = cas.sign_in(login_url, "zhang", "pw")              # …?ticket=ST-…
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from gongkai.identity.tests.provider import (
    QuietHandler,
    ServedOverHTTP,
    append_query,
    running,
    submit_login_form,
)


@dataclass
class CASUser:
    username: str
    password: str
    attributes: dict = field(default_factory=dict)  # values: str or list of str


class LocalCASServer(ServedOverHTTP):
    def __init__(self, *, lifetime: int = 60):
        self.lifetime = lifetime
        self.users: dict[str, CASUser] = {}
        self.validations = 0  # successful ticket validations
        self._tickets: dict[str, tuple[str, str, float]] = {}  # ticket → (user, service, issued)
        self._lock = threading.Lock()

    @property
    def server_url(self) -> str:
        return f"{self.base_url}/cas/"

    def add_user(self, username: str, *, password: str, **attributes) -> CASUser:
        self.users[username] = CASUser(username, password, dict(attributes))
        return self.users[username]

    def sign_in(self, login_url: str, username: str, password: str) -> str:
        return submit_login_form(login_url, username, password)

    def issue(self, username: str, service: str) -> str:
        ticket = f"ST-{secrets.token_urlsafe(16)}"
        with self._lock:
            self._tickets[ticket] = (username, service, time.time())
        return ticket

    def validate(self, ticket: str, service: str, *, attributes: bool) -> str:
        with self._lock:
            entry = self._tickets.pop(ticket, None)  # single use
        if entry is None or time.time() > entry[2] + self.lifetime:
            return _failure("INVALID_TICKET", f"Ticket {ticket} not recognized")
        if entry[1] != service:
            return _failure("INVALID_SERVICE", "Ticket was issued for another service")
        user = self.users[entry[0]]
        self.validations += 1
        released = ""
        if attributes and user.attributes:
            items = []
            for name, value in user.attributes.items():
                for one in value if isinstance(value, list) else [value]:
                    items.append(f"<cas:{name}>{escape(str(one))}</cas:{name}>")
            released = f"<cas:attributes>{''.join(items)}</cas:attributes>"
        return _envelope(f"<cas:authenticationSuccess><cas:user>{escape(user.username)}"
                         f"</cas:user>{released}</cas:authenticationSuccess>")



def _envelope(body: str) -> str:
    return f"<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'>{body}</cas:serviceResponse>"


def _failure(code: str, text: str) -> str:
    return _envelope(f"<cas:authenticationFailure code='{code}'>{escape(text)}"
                     "</cas:authenticationFailure>")


class _CASHandler(QuietHandler):
    def do_GET(self):
        path, params = self._query()
        cas: LocalCASServer = self.state
        if path == "/cas/login":
            if not params.get("service"):
                return self._send(400, b"service required", "text/plain")
            return self._form(params)
        if path in ("/cas/serviceValidate", "/cas/p3/serviceValidate"):
            xml = cas.validate(params.get("ticket", ""), params.get("service", ""),
                               attributes=path.startswith("/cas/p3/"))
            return self._send(200, xml.encode(), "application/xml; charset=utf-8")
        if path == "/cas/logout":
            target = params.get("service")
            return self._redirect(target) if target else self._send(200, b"ok", "text/plain")
        return self._send(404, b"not found", "text/plain")

    def do_POST(self):
        cas: LocalCASServer = self.state
        if self._query()[0] != "/cas/login":
            return self._send(404, b"not found", "text/plain")
        form = self._body()
        service = form.get("service", "")
        if not service:
            return self._send(400, b"service required", "text/plain")
        if form.get("action") == "deny":
            return self._redirect(service)
        user = cas.users.get(form.get("username", ""))
        if user is None or not secrets.compare_digest(user.password, form.get("password", "")):
            return self._form(form, error="用户名或密码错误")
        return self._redirect(append_query(service, ticket=cas.issue(user.username, service)))


LocalCASServer.handler = _CASHandler


def running_cas_server(*, lifetime: int = 60):
    return running(LocalCASServer(lifetime=lifetime))
