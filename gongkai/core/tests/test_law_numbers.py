"""Numbers of the law are rendered from the constants that compute them, never typed: no
shipped module or template spells out "20个工作日", and each area's template tag gives
its rule module's constant."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from gongkai.decisions import rules as decision_rules
from gongkai.foi import deadlines
from gongkai.publishing import rules as publishing_rules
from gongkai.reports import rules as report_rules

PACKAGE = Path(__file__).resolve().parents[2]  # gongkai/
TYPED = re.compile(r"[0-9０-９]+\s*个工作日")


def _shipped(path: Path) -> bool:
    parts = set(path.relative_to(PACKAGE).parts[:-1])
    return not ({"tests", "migrations", "browser_tests"} & parts or path.name.startswith("test_"))


def test_no_shipped_module_or_template_types_a_number_of_working_days():
    typed = [
        f"{path.relative_to(PACKAGE.parent)}:{n}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*"))
        if path.suffix in {".py", ".html", ".txt", ".toml"} and _shipped(path)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TYPED.search(line)
    ]
    assert typed == []


@pytest.mark.parametrize(
    ("library", "name", "value"),
    [
        ("foi_law", "REPLY_LIMIT_DAYS", deadlines.REPLY_LIMIT_DAYS),
        ("foi_law", "MAX_EXTENSION_DAYS", deadlines.MAX_EXTENSION_DAYS),
        ("foi_law", "CORRECTION_NOTICE_DAYS", deadlines.CORRECTION_NOTICE_DAYS),
        ("foi_law", "THIRD_PARTY_REPLY_DAYS", deadlines.THIRD_PARTY_REPLY_DAYS),
        ("foi_law", "FEE_PAYMENT_DAYS", deadlines.FEE_PAYMENT_DAYS),
        ("foi_law", "DUE_SOON_DAYS", deadlines.DUE_SOON_DAYS),
        ("publishing_law", "PUBLICATION_LIMIT_DAYS", publishing_rules.PUBLICATION_LIMIT_DAYS),
        ("decisions_law", "LICENCE_PUBLICATION_DAYS",
         decision_rules.PUBLICATION_LIMIT_DAYS[decision_rules.LICENCE]),
        ("decisions_law", "ENFORCEMENT_PUBLICATION_DAYS",
         decision_rules.PUBLICATION_LIMIT_DAYS[decision_rules.ENFORCEMENT]),
        ("decisions_law", "WITHDRAWAL_LIMIT_DAYS", decision_rules.WITHDRAWAL_LIMIT_DAYS),
        ("reports_law", "REPORT_DEADLINE_TEXT", report_rules.REPORT_DEADLINE_TEXT),
    ],
)
def test_each_tag_renders_its_rule_constant(library, name, value):
    rendered = Template(f'{{% load {library} %}}{{% {library} "{name}" %}}').render(Context())
    assert rendered == str(value)


@pytest.mark.parametrize("library", ["foi_law", "publishing_law", "decisions_law", "reports_law"])
def test_an_unknown_name_fails_loudly(library):
    with pytest.raises(KeyError):
        Template(f'{{% load {library} %}}{{% {library} "TWENTY_DAYS" %}}').render(Context())


def test_the_report_deadline_text_is_the_date_the_rule_uses():
    deadline = report_rules.report_deadline(2025)
    assert report_rules.REPORT_DEADLINE_TEXT == f"{deadline.month}月{deadline.day}日" == "1月31日"


@pytest.mark.parametrize(("kind", "level", "expected"), [
    ("department", "province", "1月31日"),
    ("department", "county", "1月31日"),
    ("government", "province", "3月31日"),
    ("government", "city", "3月31日"),
    ("government", "county", "3月31日"),
    ("government", "township", "1月31日"),  # Art. 49 (2) names county level and above
])
def test_art_49_gives_county_level_and_higher_governments_until_31_march(kind, level, expected):
    from gongkai.core.models import Agency

    agency = Agency(name="某机关", code="X", kind=kind, level=level)
    deadline = report_rules.report_deadline(2025, agency)
    assert f"{deadline.month}月{deadline.day}日" == report_rules.report_deadline_text(agency) == expected
    assert deadline.year == 2026
    rendered = Template("{% load reports_law %}{% report_deadline_of agency %}").render(Context({"agency": agency}))
    assert rendered == expected
