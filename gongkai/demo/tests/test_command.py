"""`gongkai demo`, run in-process: it loads the demo site once, and a second run changes
nothing. (The console command itself is exercised as a real process by
``core/tests/test_commands.py``, whose calendar tests start from the demo.)"""

import io
import re

from django.core.management import call_command, get_commands

from gongkai.core.demo import DEMO_PASSWORD


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def audit_entries() -> int:
    output = run("audit", "verify")
    match = re.match(r"audit chain OK: (\d+) entries, head seq=\d+ hash=[0-9a-f]{64}\n", output)
    assert match, output
    return int(match[1])


def test_the_demo_command_belongs_to_the_top_level_demo_app():
    # Core must not know the apps above it; the command that loads all of them sits on top.
    assert get_commands()["demo"] == "gongkai.demo"


def test_demo_loads_once_and_a_second_run_changes_nothing(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the demo's annual reports store their files
    first = run("demo")

    loaded = re.search(
        r"^Demo data loaded \((\d+) requests, (\d+) publications, (\d+) consultations, "
        r"(\d+) repeated requests, (\d+) messages, (\d+) power-list items, (\d+) work-plan tasks, "
        r"(\d+) random-inspection tasks, (\d+) account-months, (\d+) complaints, (\d+) FAQs, (\d+) website faults, 2 annual reports\)\.$",
        first, re.MULTILINE)
    assert loaded, first
    assert all(int(count) > 0 for count in loaded.groups()), first  # every app's demo ran
    assert re.search(rf"^\s+admin\s+{re.escape(DEMO_PASSWORD)}\s", first, re.MULTILINE)
    entries = audit_entries()
    assert entries > 0

    second = run("demo")

    assert "no demo data loaded" in second
    assert "Demo data loaded" not in second
    assert audit_entries() == entries
