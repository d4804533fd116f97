"""The repository stands alone: a fresh clone has nothing beside it, so no test, benchmark,
document or module may reach outside it, and every page the README links to exists."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# Spelt in two halves so that this file does not find itself.
OUTSIDE = re.compile("(\\.\\./" + "shared|shared/" + "(seeds|domain|style))")


SKIPPED_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}


def tracked_files() -> list[Path]:
    """The repository's files: git's list in a checkout, else a walk (an unpacked archive)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.split("\n")
        return [ROOT / name for name in listed if name and (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        return [
            path for path in ROOT.rglob("*")
            if path.is_file() and not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
        ]


@pytest.fixture(scope="module")
def files():
    found = tracked_files()
    assert len(found) > 100, "not a checkout of the repository"
    return found


def test_nothing_in_the_repository_points_outside_it(files):
    offenders = []
    for path in files:
        if path.suffix not in {".py", ".md", ".toml", ".txt", ".html", ".cfg", ".sh", ""}:
            continue
        text = path.read_text("utf-8", errors="replace")
        offenders += [
            f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert offenders == []


def test_every_local_link_of_the_readme_and_docs_exists(files):
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert len(pages) >= 2
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)\)", page.read_text("utf-8")):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.name} → {target}")
    assert broken == []
