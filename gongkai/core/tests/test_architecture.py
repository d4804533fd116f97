"""Arrows point down: each app imports only the apps below it (docs/architecture.md).

Every module of every app is parsed (tests and migrations aside) and each import of
``gongkai.<something>`` is checked against ``MAY_IMPORT``: at module level or inside a
function, absolute or relative, or by a constant dotted path given to ``import_module`` or
``import_string``. There is no list of exceptions: an upward import is a failure. A part
below that must tell a part above of something emits a ``core.listeners`` event.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # gongkai/
ROOT = PACKAGE.parent

# The layers, bottom first, each app with what it holds. An app may import the apps of
# the layers below its own, never an app of its own layer or of one above. Every package
# under gongkai/ has a layer.
LAYERS: list[dict[str, str]] = [
    {"core": "agencies, people, roles, working-day calendar, audit trail, clock, listeners"},
    {
        "tasks": "the task queue: a database outbox fed to Celery (Redis), retries, failed tasks",
        "identity": "sign-in through an identity provider (统一身份认证, OIDC): staff links, public accounts",
    },
    {
        "foi": "requests for information (依申请公开): deadlines, replies, fees, appeals",
        "publishing": "proactive disclosure (主动公开): catalogue, items, review, normative register",
        "decisions": "licensing and penalty decisions published for their periods",
        "powerlists": "the power and duty list (权责清单): items, versions, change counts",
    },
    {
        "consultations": "consultations on drafts (意见征集): comments, screening, opinions, adoption feedback",
        "interaction": "message board and director's mailbox (留言板/局长信箱): routing, replies, ratings",
        "conversions": "repeated requests turned into proactive disclosure (依申请转主动, Art. 44)",
    },
    {
        "hotspots": "complaint imports (12315) and hot-spot analysis of messages and complaints",
        "workplans": "the year's work plan (工作要点): tasks, owners, reminders, 督办",
        "channels": "government new-media accounts (政务新媒体) and the website's own figures",
        "random_inspections": "random inspections (双随机、一公开): the list, two directories, re-runnable draws, results",
    },
    {"reports": "annual reports: tables computed from the records of foi, publishing, decisions"},
    {"inspection": "website self-inspection (网站自查, 国办秘函〔2019〕19号), error reports"},
    {"oversight": "a supervising office's compliance table over its subtree, with drill-downs"},
    {"portal": "the public site: pages, search, feeds, page cache"},
    {"answers": "answers from published information (智能问答): FAQs, the question box"},
    {"api": "the JSON API: the portal's public reads and the request forms, as JSON"},
    {"demo": "the demo site (`gongkai demo`): runs every app's demo data"},
]

MAY_IMPORT: dict[str, frozenset[str]] = {
    app: frozenset(lower for below in LAYERS[:level] for lower in below)
    for level, layer in enumerate(LAYERS)
    for app in layer
}

# Packages that hold only tests (run by pytest, never imported by the site).
TEST_PACKAGES = frozenset({"browser_tests"})


def app_packages() -> set[str]:
    return {
        path.parent.name for path in PACKAGE.glob("*/__init__.py")
        if path.parent.name not in TEST_PACKAGES
    }


def is_shipped(path: Path) -> bool:
    """Site code, not a test, a test helper or a migration."""
    parts = path.relative_to(PACKAGE).parts
    return not (
        {"tests", "migrations"} & set(parts[:-1])
        or path.name.startswith("test_")
        or path.name == "conftest.py"
    )


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a relative ``from . import x`` names."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


_DYNAMIC = frozenset({"import_module", "import_string", "__import__"})


def imported_modules(source: str, *, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) of every module ``source`` imports, wherever the import is."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node, module, is_package)
            # ``from gongkai import portal`` imports the module gongkai.portal.
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
        elif (
            isinstance(node, ast.Call) and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in _DYNAMIC
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def gongkai_target(name: str) -> str | None:
    """The package (app or project module) under gongkai/ that a dotted name is in."""
    parts = name.split(".")
    return parts[1] if parts[0] == "gongkai" and len(parts) > 1 else None


def upward_imports() -> list[str]:
    apps = app_packages()
    problems = []
    for app in sorted(apps):
        allowed = MAY_IMPORT[app] | {app}
        for path in sorted((PACKAGE / app).rglob("*.py")):
            if not is_shipped(path):
                continue
            imports = imported_modules(
                path.read_text("utf-8"), module=_module_name(path),
                is_package=path.name == "__init__.py",
            )
            for line, name in imports:
                target = gongkai_target(name)
                if target is None or target in allowed:
                    continue
                what = "an app above it" if target in apps else "a project module"
                problems.append(
                    f"{path.relative_to(ROOT)}:{line} imports {name}, {what} "
                    f"({app} may import: {', '.join(sorted(MAY_IMPORT[app])) or 'no other app'})"
                )
    return problems


def render_table() -> str:
    """The table of docs/architecture.md, from ``LAYERS``."""
    rows = ["| App | What it holds | May import |", "|---|---|---|"]
    for layer in reversed(LAYERS):
        for app, holds in layer.items():
            allowed = ", ".join(f"`{a}`" for a in sorted(MAY_IMPORT[app])) or "no other app"
            rows.append(f"| `{app}` | {holds} | {allowed} |")
    return "\n".join(rows) + "\n"


# --- the rule ------------------------------------------------------------------------------


def test_every_app_has_a_layer():
    assert app_packages() == set(MAY_IMPORT)


def test_no_app_imports_an_app_above_it():
    problems = upward_imports()
    assert not problems, "imports against the arrows:\n" + "\n".join(problems)


def test_the_architecture_page_shows_the_table_this_test_checks():
    page = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    assert render_table() in page, "docs/architecture.md: paste render_table()'s output"


# --- the checker itself: it must see every way of importing --------------------------------

SNIPPET = '''
import gongkai.portal.caching
from gongkai import portal
from gongkai.core import audit
from typing import TYPE_CHECKING
from importlib import import_module

if TYPE_CHECKING:
    from gongkai.reports.models import AnnualReport

def later():
    from gongkai.portal.caching import content_changed
    import_module("gongkai.api.views")

class Service:
    def method(self):
        from ..foi import forms
        from . import rules
'''


def test_the_checker_finds_imports_at_module_level_in_functions_and_relative_ones():
    names = {
        name for _, name in
        imported_modules(SNIPPET, module="gongkai.decisions.services")
        if gongkai_target(name)
    }
    assert names == {
        "gongkai.portal.caching",
        "gongkai.portal",
        "gongkai.core.audit",
        "gongkai.reports.models.AnnualReport",
        "gongkai.portal.caching.content_changed",
        "gongkai.api.views",
        "gongkai.foi.forms",
        "gongkai.decisions.rules",
    }


@pytest.mark.parametrize("app,target,allowed", [
    ("core", "foi", False),
    ("foi", "core", True),
    ("foi", "publishing", False),
    ("decisions", "portal", False),
    ("reports", "decisions", True),
    ("portal", "reports", True),
    ("portal", "api", False),
    ("api", "portal", True),
    ("demo", "reports", True),
])
def test_the_table_reads_as_documented(app, target, allowed):
    assert (target in MAY_IMPORT[app]) is allowed


def test_tests_and_migrations_are_not_site_code():
    assert not is_shipped(PACKAGE / "core" / "tests" / "test_architecture.py")
    assert not is_shipped(PACKAGE / "foi" / "migrations" / "0001_initial.py")
    assert not is_shipped(PACKAGE / "conftest.py")
    assert is_shipped(PACKAGE / "core" / "listeners.py")
