"""A real OpenID Connect provider for the tests, over HTTP in a background thread.

Not a mock: gongkai (mozilla-django-oidc underneath) talks to it exactly as to a province's
identity platform — the browser (or the test, with ``requests``) is sent to its login form,
the code is exchanged at its token endpoint, the ID token (RS256, signed with joserfc) is
checked against its JWKS, the claims are read from its userinfo endpoint.

API (kept stable; the staff and the public sign-in tests both use it)::

    from gongkai.identity.tests.provider import running_provider

    with running_provider() as op:                 # or the ``oidc_provider`` fixture
        op.add_user("zhang", password="pw", email="zhang@example.gov.cn",
                    amr=["pwd", "otp"], acr="urn:example:mfa", name="张三")
        settings.GONGKAI_OIDC_PROVIDERS = {"staff": op.provider_settings("staff")}
        response = client.get(start_url)          # 302 to op's /authorize
        callback = op.sign_in(response["Location"], "zhang", "pw")  # real HTTP POST
        client.get(callback)                      # gongkai's callback: code + state

- ``running_provider(lifetime=60)``: a context manager; starts the server on a
  free port of 127.0.0.1 and stops it on exit. ``op.issuer`` is its base URL.
- ``op.add_user(username, *, password, sub=None, acr=None, amr=None, **claims)`` → the
  ``TestUser`` (mutable: change ``.claims`` to model a change at the provider). ``sub``
  defaults to a stable opaque id. The claims go to the ID token and to userinfo. A user
  with an ``email`` gets ``email_verified: True`` unless the call sets it
  (``email_verified=False`` models an address the provider has not confirmed).
- ``op.provider_settings(key, **overrides)`` → the dict for
  ``settings.GONGKAI_OIDC_PROVIDERS[key]`` (the fields of ``identity.providers.Provider``
  but ``key``). Each key gets its own client (``gongkai-<key>`` with its own secret), so the
  staff and the public clients are separate; ``overrides`` (e.g. ``match_claim``, ``claims``,
  ``label``, ``client_secret``) replace fields of the dict only.
- ``op.configure(settings, key, **overrides)`` puts that dict into the pytest-django
  ``settings`` fixture's ``GONGKAI_OIDC_PROVIDERS[key]`` (other keys kept); returns ``op``.
- ``op.add_client(client_id, secret, redirect_uris=None)`` registers another client.
- ``op.sign_in(authorize_url, username, password)`` → the redirect URL back to the client
  (``…?code=…&state=…``) after posting the login form; raises ``SignInRefused`` when the
  provider shows the form again (wrong password). ``op.deny(authorize_url)`` → the redirect
  with ``error=access_denied`` (the person cancelled).
- Test knobs: ``op.forge_signature = True`` signs the next ID tokens with a key that is NOT
  in the JWKS (same ``kid``); ``op.id_token_extra = {...}`` adds/overrides ID-token claims
  (e.g. ``{"nonce": "x"}``, ``{"aud": "other"}``); ``op.tokens_issued`` counts successful
  code exchanges; ``op.last_token_error`` is the last /token refusal (``invalid_grant`` for
  a replayed code); ``op.clock_offset`` (seconds, default 0) moves the ID token's
  ``iat`` and ``exp`` as a provider whose clock is that far ahead (negative: behind);
  ``op.omit_kid = True`` signs ID tokens whose header names no ``kid``.

Endpoints: ``/.well-known/openid-configuration``, ``/authorize`` (GET shows the login
form, POST checks it), ``/token`` (authorization_code; client_secret_post or
client_secret_basic; codes single-use and valid ``lifetime`` seconds; PKCE S256 when the
client sent a challenge), ``/userinfo`` (Bearer), ``/jwks``, ``/logout`` (RP-initiated
logout: redirects to ``post_logout_redirect_uri``).

The tokens carry real times (``iat``/``exp`` from ``time.time()``): PyJWT checks them
against the wall clock, whatever ``gongkai.core.clock`` is frozen to.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

DEFAULT_LABELS = {"staff": "统一身份认证登录", "public": "政务服务账号登录"}

_KEYS: list[RSAKey] = []


def _key(index: int) -> RSAKey:
    """RSA keys are slow to make: the process keeps the two it needs."""
    while len(_KEYS) <= index:
        _KEYS.append(RSAKey.generate_key(2048, parameters={"kid": "local-op-1", "use": "sig",
                                                           "alg": "RS256"}))
    return _KEYS[index]


class SignInRefused(Exception):
    """The provider's login form refused the user name or password."""


def submit_login_form(page_url: str, username: str, password: str, *,
                      action: str = "sign_in") -> str:
    """Over HTTP, as a browser would: show the login form at ``page_url`` and post it
    (with the page's query parameters, as its hidden fields carry them); the redirect's
    target. ``SignInRefused`` when the form is shown again or the page is refused."""
    shown = requests.get(page_url, allow_redirects=False, timeout=10)
    if shown.status_code != 200:
        raise SignInRefused(f"form refused: {shown.status_code} {shown.text[:200]}")
    parts = urlsplit(page_url)
    form = {k: v[0] for k, v in parse_qs(parts.query).items()}
    form.update(username=username, password=password, action=action)
    answer = requests.post(urlunsplit(parts._replace(query="")), data=form,
                           allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise SignInRefused(f"sign-in refused: {answer.status_code}")
    return answer.headers["Location"]


@dataclass
class TestUser:
    __test__ = False  # not a pytest test class

    username: str
    password: str
    sub: str
    claims: dict = field(default_factory=dict)
    acr: str | None = None
    amr: list[str] | None = None


@dataclass
class Client:
    client_id: str
    secret: str
    redirect_uris: list[str] | None = None  # None: any (the test server's port varies)


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    username: str
    nonce: str | None
    scope: str
    issued: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None


def append_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urlencode(
        {k: v for k, v in params.items() if v is not None})
    return urlunsplit(parts._replace(query=query))


class ServedOverHTTP:
    """A test server's state, served by its ``handler`` class on a free local port."""

    handler: type[BaseHTTPRequestHandler]
    base_url = ""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        self._server, self.base_url = serve(self.handler, self)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def running(server: ServedOverHTTP):
    """``server`` started for the duration of the block."""
    server.start()
    try:
        yield server
    finally:
        server.stop()


class LocalProvider(ServedOverHTTP):
    """The provider's state; the HTTP handler below serves it."""

    def __init__(self, *, lifetime: int = 60):
        self.lifetime = lifetime
        self.users: dict[str, TestUser] = {}
        self.clients: dict[str, Client] = {}
        self.forge_signature = False
        self.id_token_extra: dict = {}
        self.clock_offset = 0
        self.omit_kid = False
        self.tokens_issued = 0
        self.last_token_error: str | None = None
        self._codes: dict[str, _Grant] = {}
        self._access: dict[str, tuple[str, float]] = {}  # token → (username, expires)
        self._lock = threading.Lock()

    @property
    def issuer(self) -> str:
        return self.base_url  # set when the server starts

    # --- configuration -----------------------------------------------------------------

    def add_user(self, username: str, *, password: str, sub: str | None = None,
                 acr: str | None = None, amr: list[str] | None = None, **claims) -> TestUser:
        if claims.get("email"):
            claims.setdefault("email_verified", True)
        user = TestUser(username=username, password=password,
                        sub=sub or f"sub-{hashlib.sha256(username.encode()).hexdigest()[:16]}",
                        claims=dict(claims), acr=acr, amr=list(amr) if amr else None)
        self.users[username] = user
        return user

    def add_client(self, client_id: str, secret: str,
                   redirect_uris: list[str] | None = None) -> Client:
        client = Client(client_id=client_id, secret=secret, redirect_uris=redirect_uris)
        self.clients[client_id] = client
        return client

    def configure(self, settings, key: str, **overrides) -> LocalProvider:
        """Put ``provider_settings(key, **overrides)`` into Django's ``settings`` (the
        pytest-django fixture) under ``GONGKAI_OIDC_PROVIDERS[key]``, keeping the other
        keys; returns the provider."""
        providers = dict(getattr(settings, "GONGKAI_OIDC_PROVIDERS", None) or {})
        providers[key] = self.provider_settings(key, **overrides)
        settings.GONGKAI_OIDC_PROVIDERS = providers
        return self

    def provider_settings(self, key: str, **overrides) -> dict:
        client_id = f"gongkai-{key}"
        client = self.clients.get(client_id) or self.add_client(
            client_id, secrets.token_urlsafe(24))
        config = {
            "label": DEFAULT_LABELS.get(key, "统一身份认证登录"),
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_endpoint": f"{self.issuer}/jwks",
            "client_id": client.client_id,
            "client_secret": client.secret,
            "issuer": self.issuer,
        }
        config.update(overrides)
        return config

    # --- driving the login form over HTTP (for tests without a browser) -------------------

    def sign_in(self, authorize_url: str, username: str, password: str) -> str:
        """GET the form at ``authorize_url``, POST the credentials; the redirect back."""
        return submit_login_form(authorize_url, username, password)

    def deny(self, authorize_url: str) -> str:
        return submit_login_form(authorize_url, "", "", action="deny")

    # --- the protocol ------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post",
                                                      "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "name", "acr", "amr"],
        }

    def jwks(self) -> dict:
        return {"keys": [_key(0).as_dict(private=False)]}

    def check_authorize(self, params: dict) -> str | None:
        """None when the request may be shown the form, else why not (in English)."""
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            return "unknown client_id"
        if params.get("response_type") != "code":
            return "response_type must be code"
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri or (client.redirect_uris is not None
                                and redirect_uri not in client.redirect_uris):
            return "redirect_uri not registered"
        if "openid" not in params.get("scope", "").split():
            return "scope must include openid"
        return None

    def issue_code(self, params: dict, username: str) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Grant(
                client_id=params["client_id"], redirect_uri=params["redirect_uri"],
                username=username, nonce=params.get("nonce") or None,
                scope=params.get("scope", ""), issued=time.time(),
                code_challenge=params.get("code_challenge") or None,
                code_challenge_method=params.get("code_challenge_method") or None)
        return code

    def exchange(self, form: dict, basic: tuple[str, str] | None) -> tuple[int, dict]:
        """The token endpoint: (status, JSON body)."""
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client.secret, secret or ""):
            return self._token_error(401, "invalid_client")
        if form.get("grant_type") != "authorization_code":
            return self._token_error(400, "unsupported_grant_type")
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # single use
        if (grant is None or grant.client_id != client_id
                or grant.redirect_uri != form.get("redirect_uri")
                or time.time() > grant.issued + self.lifetime):
            return self._token_error(400, "invalid_grant")
        if grant.code_challenge:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant.code_challenge_method != "S256" or digest != grant.code_challenge:
                return self._token_error(400, "invalid_grant")
        user = self.users[grant.username]
        now = int(time.time())
        issued = now + self.clock_offset
        claims = {"iss": self.issuer, "sub": user.sub, "aud": client_id, "iat": issued,
                  "exp": issued + self.lifetime, "auth_time": int(grant.issued),
                  **user.claims}
        if grant.nonce:
            claims["nonce"] = grant.nonce
        if user.acr:
            claims["acr"] = user.acr
        if user.amr:
            claims["amr"] = user.amr
        claims.update(self.id_token_extra)
        signing_key = _key(1) if self.forge_signature else _key(0)
        header = {"alg": "RS256"} if self.omit_kid else {"alg": "RS256", "kid": signing_key.kid}
        id_token = jwt.encode(header, claims, signing_key)
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access_token] = (user.username, now + self.lifetime)
            self.tokens_issued += 1
        return 200, {"access_token": access_token, "token_type": "Bearer",
                     "expires_in": self.lifetime, "id_token": id_token}

    def _token_error(self, status: int, error: str) -> tuple[int, dict]:
        self.last_token_error = error
        return status, {"error": error}

    def userinfo(self, access_token: str) -> dict | None:
        with self._lock:
            entry = self._access.get(access_token)
        if entry is None or time.time() > entry[1]:
            return None
        user = self.users[entry[0]]
        return {"sub": user.sub, **user.claims}


def serve(handler: type[BaseHTTPRequestHandler], state) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``handler`` on a free port of 127.0.0.1 in a daemon thread; the handler finds
    ``state`` as ``self.server.state``. Returns the server and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.state = state  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, name=handler.__name__, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


_FORM = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>测试身份提供方登录</title></head>
<body><main><h1>测试身份提供方</h1>{error}
<form method="post" action="{action}">{hidden}
<p><label for="op-username">用户名</label> <input id="op-username" name="username" autocomplete="username"></p>
<p><label for="op-password">密码</label> <input id="op-password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit" name="action" value="sign_in">登录</button>
<button type="submit" name="action" value="deny">取消</button></p>
</form></main></body></html>"""


class QuietHandler(BaseHTTPRequestHandler):
    """A test server's request handler: no log lines, small helpers to answer."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    @property
    def state(self):
        """What the server serves (the provider, the CAS server)."""
        return self.server.state  # type: ignore[attr-defined]

    def _query(self) -> tuple[str, dict]:
        parts = urlsplit(self.path)
        return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: dict, headers: dict | None = None):
        self._send(status, json.dumps(data).encode(), "application/json", headers)

    def _redirect(self, url: str):
        self._send(302, b"", "text/plain", {"Location": url})

    def _form(self, params: dict, error: str = "", status: int = 200):
        """The login form (user name, password; 登录 or 取消), posting back to this path
        with the request's parameters."""
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items() if k not in ("username", "password", "action"))
        body = _FORM.format(action=html.escape(urlsplit(self.path).path), hidden=hidden, error=f'<p role="alert">{html.escape(error)}</p>'
                            if error else "")
        self._send(status, body.encode(), "text/html; charset=utf-8")

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


class _Handler(QuietHandler):
    def do_GET(self):
        path, params = self._query()
        op: LocalProvider = self.state
        if path == "/.well-known/openid-configuration":
            return self._json(200, op.discovery())
        if path == "/jwks":
            return self._json(200, op.jwks())
        if path == "/authorize":
            problem = op.check_authorize(params)
            if problem:
                return self._send(400, problem.encode(), "text/plain")
            return self._form(params)
        if path == "/userinfo":
            auth = self.headers.get("Authorization", "")
            info = op.userinfo(auth[7:]) if auth.startswith("Bearer ") else None
            if info is None:
                return self._json(401, {"error": "invalid_token"},
                                  {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return self._json(200, info)
        if path == "/logout":
            target = params.get("post_logout_redirect_uri")
            if target:
                return self._redirect(append_query(target, state=params.get("state")))
            return self._send(200, "已退出".encode(), "text/plain; charset=utf-8")
        return self._send(404, b"not found", "text/plain")

    def do_POST(self):
        path, _ = self._query()
        op: LocalProvider = self.state
        form = self._body()
        if path == "/authorize":
            problem = op.check_authorize(form)
            if problem:
                return self._send(400, problem.encode(), "text/plain")
            if form.get("action") == "deny":
                return self._redirect(append_query(form["redirect_uri"], error="access_denied",
                                                    state=form.get("state")))
            user = op.users.get(form.get("username", ""))
            if user is None or not secrets.compare_digest(user.password,
                                                          form.get("password", "")):
                return self._form(form, error="用户名或密码错误", status=200)
            code = op.issue_code(form, user.username)
            return self._redirect(append_query(form["redirect_uri"], code=code,
                                                state=form.get("state")))
        if path == "/token":
            basic = None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                basic = (client_id, secret)
            status, data = op.exchange(form, basic)
            return self._json(status, data)
        return self._send(404, b"not found", "text/plain")


LocalProvider.handler = _Handler


def running_provider(*, lifetime: int = 60):
    """A local provider on a free port for the duration of the block."""
    return running(LocalProvider(lifetime=lifetime))
