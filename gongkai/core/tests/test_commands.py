"""`gongkai workdays`, run in-process through ``call_command`` against the test database
(`gongkai audit verify` is tested with the audit trail, in test_audit.py), and two runs of
the real `gongkai` program the way an operator starts it, each with its own var/ directory
and SQLite database, to prove the entry point works end to end."""

import datetime as dt
import io
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
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.core.models import CalendarOverride, ScheduledYear
from gongkai.core.tests.helpers import at
from gongkai.foi.services.requests import ApplicantData, request_register

D = dt.date
NOTICE = "国办发明电〔2026〕1号"


def run(*args) -> tuple[str, str]:
    """(stdout, stderr) of the command, run in this process."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stdout_of(*args) -> str:
    out, err = run(*args)
    assert err == ""
    return out


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
        # 2027 has no schedule yet: the holiday law's days (元旦 1 January, 春节 5-8
        # February with 补假 9-10 February, 国庆节 1-3 October with 补假 4-5 October),
        # flagged provisional.
        ("2026-12-28", "10", "2027-01-12\nprovisional\n"),
        ("2026-12-31", "1", "2027-01-04\nprovisional\n"),
        ("2027-02-04", "1", "2027-02-11\nprovisional\n"),
        ("2027-09-30", "1", "2027-10-06\nprovisional\n"),
    ],
)
def test_workdays_add_prints_the_due_date(db, start, n, expected):
    assert stdout_of("workdays", "add", start, n) == expected


@pytest.mark.parametrize(
    "start,n,named",
    [
        ("2025-13-01", "5", "no such day"),
        ("2025-02-30", "5", "no such day"),
        ("2025-01-24", "-5", "whole number"),
        ("2025-01-24", "text", "whole number"),
        ("2025-01-24", "2.5", "whole number"),
        ("notadate", "5", "YYYY-MM-DD"),
        ("2025/01/24", "5", "YYYY-MM-DD"),
        ("2025-01-24", "99999999", "too large"),
    ],
)
def test_workdays_add_refuses_bad_input_with_a_one_line_error(start, n, named):
    # No database: the input is refused before the calendar is read. Django prints a
    # CommandError as one line on stderr and exits with its return code.
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("workdays", "add", start, n, stdout=out, stderr=err)

    message = str(refused.value)
    assert len(message.splitlines()) == 1 and named in message, message
    assert refused.value.returncode == 1
    assert out.getvalue() == err.getvalue() == ""


def test_workdays_between_counts_working_days(db):
    # 2025-10-01..10-08 are holidays and Saturday 10-11 is worked: 9th, 10th, 11th.
    assert stdout_of("workdays", "between", "2025-09-30", "2025-10-11") == "3\n"
    # 12-31 and 01-04; 1 January 2027 is 元旦 under the holiday law (no schedule yet).
    assert stdout_of("workdays", "between", "2026-12-30", "2027-01-04") == "2\nprovisional\n"


SCHEDULE_2027 = """\
# 2027年元旦放假安排（测试用）
2027-01-01 休
2027-01-02 休
2027-01-03 休
"""


@pytest.fixture
def schedule_file(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "2027.txt"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def received_today(bureau, office, today: dt.date):
    """An open request received in person on ``today``."""
    at(today)
    request, _ = request_register(
        actor=office, agency=bureau, channel="in_person", received_on=today,
        data=ApplicantData(
            applicant_type="natural_person", name="张三", id_type="resident_id",
            id_number="11010519491231002X", phone="13800138000",
            description="2026年度食品安全监督抽检结果", delivery="email",
            email="zhangsan@example.invalid"),
    )
    return request


# An open request counts its 20 working days from its receipt. The file's 1-3 January are
# rest days under the holiday law already, so a request received on 10 December (due
# 8 January either way) is not reported; one received on 20 January 2027 counts across the
# law's 春节 and 补假 (5-10 February), which this file does not list, so its due date moves
# earlier and the office is told. In June 2026 nothing is open in 2027.
@pytest.mark.parametrize("today,notified", [
    ("2026-06-01", False), ("2026-12-10", False), ("2027-01-20", True)])
def test_loading_a_2027_schedule_ends_provisional_dates(
        platform_admin, bureau, office, schedule_file, django_capture_on_commit_callbacks,
        today, notified):
    request = received_today(bureau, office, D.fromisoformat(today))

    with django_capture_on_commit_callbacks(execute=True):
        loaded = stdout_of("workdays", "load", schedule_file(SCHEDULE_2027), "--source", NOTICE)

    assert loaded == "loaded 2027: 3 created, 0 updated, 0 unchanged, 0 removed\n"
    assert list(ScheduledYear.objects.values_list("year", "source")) == [(2027, NOTICE)]
    told = [m for m in mail.outbox if "工作日历已调整" in m.body]
    assert [(m.to, request.tracking_number in m.body) for m in told] == (
        [([office.email], True)] if notified else [])
    # 2027-01-01 stays a holiday, now final: no longer provisional.
    assert stdout_of("workdays", "add", "2026-12-28", "10") == "2027-01-12\n"
    assert stdout_of("workdays", "add", "2026-12-31", "1") == "2027-01-04\n"
    assert stdout_of("audit", "verify").startswith("audit chain OK: ")


def test_schedule_file_with_an_error_loads_nothing(platform_admin, schedule_file, capsys):
    path = schedule_file(SCHEDULE_2027 + "2027-02-30 休\n")

    with pytest.raises(CommandError, match=r"not loaded \(1 error\(s\)\)") as refused:
        run("workdays", "load", path, "--source", NOTICE)

    assert refused.value.returncode == 1
    # Each bad line is named on stderr, before the one-line summary.
    assert re.fullmatch(rf"{re.escape(path)}: [^\n]*第5行[^\n]*\n", capsys.readouterr().err)
    # Not even the good lines: 2027 is still unscheduled (counted by the holiday law).
    assert not ScheduledYear.objects.exists()
    assert not CalendarOverride.objects.exists()
    assert stdout_of("workdays", "add", "2026-12-31", "1") == "2027-01-04\nprovisional\n"


def test_schedule_load_without_a_platform_admin_is_refused(db, schedule_file):
    with pytest.raises(CommandError, match="administrator"):
        run("workdays", "load", schedule_file(SCHEDULE_2027), "--source", NOTICE)

    assert not ScheduledYear.objects.exists()
    assert stdout_of("workdays", "add", "2026-12-31", "1") == "2027-01-04\nprovisional\n"


def test_a_schedule_file_that_cannot_be_read_is_named(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read .*missing.txt"):
        run("workdays", "load", str(tmp_path / "missing.txt"), "--source", NOTICE)


# --- the real program: two smoke runs -------------------------------------------------

GONGKAI = Path(sys.executable).parent / "gongkai"
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


def test_the_program_refuses_bad_input_with_one_line_on_stderr(env):
    result = subprocess.run(
        [str(GONGKAI), "workdays", "add", "2025-02-30", "5"],
        env=env, cwd=env["GONGKAI_VAR_DIR"], capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "CommandError: invalid date '2025-02-30': no such day\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server)
        return response.status, response.headers, response.read()


def wait_until_up(proc, url, log, deadline=180):
    # The deadline bounds a hang, it times nothing: a first start migrates an empty
    # database and fingerprints the static files, ~25 s on a quiet machine, far more on a
    # loaded CI runner.
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"gongkai serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            return fetch(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"gongkai serve did not answer {url} within {deadline}s:\n{log.read_text()}")


def _gone(pid: int, seconds: float = 15) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # our grandchild: a zombie until its parent (gone) is reaped by init
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.2)
    return False


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
        # Local mode: the scheduler runs beside the server, and says so.
        started = re.search(r"scheduler: started beside the server \(pid (\d+)\)", log.read_text())
        assert started, log.read_text()
        scheduler = int(started.group(1))
        os.kill(scheduler, 0)  # alive

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
        assert _gone(scheduler), "the scheduler outlived the server"
    finally:
        stop(proc)
