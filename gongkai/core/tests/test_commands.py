"""The `gongkai` console command, run as a real process the way an operator runs it. Each
test gets its own var/ directory and SQLite database, so the developer's are untouched."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

GONGKAI = Path(sys.executable).parent / "gongkai"
NOTICE = "国办发明电〔2026〕1号"
_INHERITED_CONFIG = {
    "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "CACHE_URL",
}


@pytest.fixture
def env(tmp_path):
    """A local install in tmp_path, with nothing inherited from the developer's shell."""
    # GONGKAI_TODAY is inherited: a suite pinned to a date runs its commands on it too.
    env = {
        k: v for k, v in os.environ.items()
        if k not in _INHERITED_CONFIG and not k.startswith(("GONGKAI_", "DJANGO_"))
        or k == "GONGKAI_TODAY"
    }
    env.update(
        GONGKAI_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'gongkai.sqlite3'}",
        DJANGO_SETTINGS_MODULE="gongkai.settings",
    )
    return env


def gongkai(env, *args):
    return subprocess.run(
        [str(GONGKAI), *args],
        env=env, cwd=env["GONGKAI_VAR_DIR"], capture_output=True, text=True, timeout=120,
    )


def ok(env, *args):
    result = gongkai(env, *args)
    assert result.returncode == 0, result.stderr
    return result


# --- gongkai workdays -----------------------------------------------------------------


@pytest.mark.parametrize(
    "start,n,expected",
    [
        # Spring Festival 2025-01-28..02-04 skipped, Sunday 01-26 and Saturday 02-08 worked.
        ("2025-01-24", "20", "2025-02-27\n"),
        # Sunday 2024-09-29 is a National Day make-up working day.
        ("2024-09-27", "1", "2024-09-29\n"),
        # National Day and Mid-Autumn 2025-10-01..10-08 skipped.
        ("2025-09-30", "1", "2025-10-09\n"),
        # New Year's Day 2026 is a holiday; Sunday 2026-01-04 is worked.
        ("2025-12-31", "2", "2026-01-05\n"),
        ("2025-01-24", "0", "2025-01-24\n"),
        # 2027 has no schedule yet: Monday-Friday rule, flagged provisional.
        ("2026-12-28", "10", "2027-01-11\nprovisional\n"),
        ("2026-12-31", "1", "2027-01-01\nprovisional\n"),
    ],
)
def test_workdays_add_prints_the_due_date(env, start, n, expected):
    result = ok(env, "workdays", "add", start, n)

    assert result.stdout == expected
    assert result.stderr == ""


@pytest.mark.parametrize(
    "start,n",
    [
        ("2025-13-01", "5"),
        ("2025-02-30", "5"),
        ("2025-01-24", "-5"),
        ("2025-01-24", "text"),
        ("2025-01-24", "2.5"),
        ("notadate", "5"),
        ("2025/01/24", "5"),
    ],
)
def test_workdays_add_refuses_bad_input_with_one_line_on_stderr(env, start, n):
    result = gongkai(env, "workdays", "add", start, n)

    assert result.returncode != 0
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_workdays_between_counts_working_days(env):
    # 2025-10-01..10-08 are holidays and Saturday 10-11 is worked: 9th, 10th, 11th.
    assert ok(env, "workdays", "between", "2025-09-30", "2025-10-11").stdout == "3\n"


SCHEDULE_2027 = """\
# 2027年元旦放假安排（测试用）
2027-01-01 休
2027-01-02 休
2027-01-03 休
"""


# The demo's requests are received relative to "today": on 10 December an open one counts
# its days across New Year, so the office is told its due date moved; in June none does.
@pytest.mark.parametrize("today,notified", [("2026-06-01", False), ("2026-12-10", True)])
def test_loading_a_2027_schedule_ends_provisional_dates(env, tmp_path, today, notified):
    env["GONGKAI_TODAY"] = today
    ok(env, "demo")
    (tmp_path / "2027.txt").write_text(SCHEDULE_2027, encoding="utf-8")

    loaded = ok(env, "workdays", "load", str(tmp_path / "2027.txt"), "--source", NOTICE)

    assert "loaded 2027: 3 created, 0 updated, 0 unchanged, 0 removed" in loaded.stdout.splitlines()
    # The local install's e-mail goes to the console, i.e. the same stdout.
    assert ("工作日历已调整" in loaded.stdout) is notified
    # 2027-01-01 is now a holiday, so the tenth working day moves one day later.
    assert ok(env, "workdays", "add", "2026-12-28", "10").stdout == "2027-01-12\n"
    assert ok(env, "workdays", "add", "2026-12-31", "1").stdout == "2027-01-04\n"
    assert "audit chain OK" in ok(env, "audit", "verify").stdout


def test_schedule_file_with_an_error_loads_nothing(env, tmp_path):
    ok(env, "demo")
    (tmp_path / "2027.txt").write_text(SCHEDULE_2027 + "2027-02-30 休\n", encoding="utf-8")

    result = gongkai(env, "workdays", "load", str(tmp_path / "2027.txt"), "--source", NOTICE)

    assert result.returncode != 0
    assert "第5行" in result.stderr
    # Not even the good lines: 2027 is still unscheduled and 01-01 still a working day.
    assert ok(env, "workdays", "add", "2026-12-31", "1").stdout == "2027-01-01\nprovisional\n"


def test_schedule_load_without_a_platform_admin_is_refused(env, tmp_path):
    ok(env, "migrate", "--verbosity", "0")
    (tmp_path / "2027.txt").write_text(SCHEDULE_2027, encoding="utf-8")

    result = gongkai(env, "workdays", "load", str(tmp_path / "2027.txt"), "--source", NOTICE)

    assert result.returncode != 0
    assert "administrator" in result.stderr
    assert ok(env, "workdays", "add", "2026-12-31", "1").stdout == "2027-01-01\nprovisional\n"


# --- gongkai serve --------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server)
        return response.status, response.headers, response.read()


def wait_until_up(proc, url, log, deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"gongkai serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            return fetch(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"gongkai serve did not answer {url} within {deadline}s:\n{log.read_text()}")


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


def test_serve_answers_with_pages_and_fingerprinted_static_files(env, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(GONGKAI), "serve", "--port", str(port), "--workers", "1"],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn and its workers
        )
    try:
        status, _, body = wait_until_up(proc, f"{base}/healthz", log)
        assert (status, body) == (200, b"ok")

        stylesheets = set()
        for path, text in [("/", "政府信息公开"), ("/staff/sign-in/", "工作人员登录")]:
            status, headers, body = fetch(base + path)
            page = body.decode("utf-8")
            assert status == 200
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            assert text in page
            stylesheets.update(re.findall(r'<link rel="stylesheet" href="([^"]+)"', page))

        assert len(stylesheets) == 1
        (href,) = stylesheets
        assert re.fullmatch(r"/static/gongkai/site\.[0-9a-f]{12}\.css", href)
        status, headers, body = fetch(base + href)
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert body

        assert stop(proc) == 0
        assert (tmp_path / "static" / "staticfiles.json").exists()
    finally:
        stop(proc)
