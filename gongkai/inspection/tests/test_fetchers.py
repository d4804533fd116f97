"""The real HTTP fetcher against a local server (http.server on 127.0.0.1, in a thread):
answers on the allow-list are read, a host off the list is refused without a request,
and so is a redirect that leads off it. Off by default: no fetcher without the setting."""

import http.server
import threading

import pytest

from gongkai.inspection import fetchers


class Handler(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def _answer(self):
        Handler.seen.append((self.command, self.path))
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/head-not-allowed" and self.command == "HEAD":
            self.send_response(405)
        elif self.path == "/head-not-allowed":
            self.send_response(200)
        elif self.path == "/away":
            self.send_response(302)
            self.send_header("Location", "http://elsewhere.invalid/x")
        elif self.path == "/error":
            self.send_response(500)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_an_allowed_host_is_asked_and_its_answer_read(server):
    fetcher = fetchers.HttpFetcher(allowed_hosts=["127.0.0.1"], timeout=5)
    ok, missing, error = (fetcher.fetch(f"{server}/{p}") for p in ("ok", "missing", "error"))
    assert (ok.status, ok.broken) == (200, False)
    assert (missing.status, missing.broken) == (404, True)
    assert (error.status, error.broken) == (500, True)
    assert ("HEAD", "/ok") in Handler.seen


def test_get_is_tried_when_head_is_not_allowed(server):
    result = fetchers.HttpFetcher(allowed_hosts=["127.0.0.1"], timeout=5).fetch(f"{server}/head-not-allowed")
    assert result.status == 200
    assert [m for m, p in Handler.seen if p == "/head-not-allowed"] == ["HEAD", "GET"]


def test_a_host_not_on_the_allow_list_is_refused_without_a_request(server):
    fetcher = fetchers.HttpFetcher(allowed_hosts=["www.gov.cn"], timeout=5)
    with pytest.raises(fetchers.HostNotAllowed):
        fetcher.fetch(f"{server}/ok")
    assert Handler.seen == []


def test_a_redirect_off_the_allow_list_is_refused(server):
    fetcher = fetchers.HttpFetcher(allowed_hosts=["127.0.0.1"], timeout=5)
    with pytest.raises(fetchers.HostNotAllowed):
        fetcher.fetch(f"{server}/away")


def test_no_answer_is_broken():
    fetcher = fetchers.HttpFetcher(allowed_hosts=["127.0.0.1"], timeout=2)
    with socket_closed() as url:
        result = fetcher.fetch(url)
    assert result.status is None and result.broken and result.error


class socket_closed:
    """A local port nobody listens on."""

    def __enter__(self):
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        return f"http://127.0.0.1:{self.port}/"

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://www.gov.cn/a", True), ("https://gov.cn/a", True), ("https://sub.www.gov.cn/", True),
    ("https://evilgov.cn/", False), ("https://www.gov.cn.evil.com/", False), ("ftp://www.gov.cn/", False),
])
def test_the_allow_list_matches_hosts_and_dotted_domains(url, allowed):
    assert fetchers.HttpFetcher(allowed_hosts=[".gov.cn"]).allows(url) is allowed


def test_off_by_default(settings):
    if hasattr(settings, "GONGKAI_INSPECTION_FETCHER"):
        del settings.GONGKAI_INSPECTION_FETCHER
    assert fetchers.configured_fetcher() is None
    settings.GONGKAI_INSPECTION_FETCHER = "gongkai.inspection.fetchers.HttpFetcher"
    settings.GONGKAI_INSPECTION_ALLOWED_HOSTS = ["www.gov.cn"]
    fetcher = fetchers.configured_fetcher()
    assert isinstance(fetcher, fetchers.HttpFetcher) and fetcher.allowed_hosts == ("www.gov.cn",)
