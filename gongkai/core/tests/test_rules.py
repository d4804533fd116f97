"""The rule registry: every rule function names its source in the fixed form, and
docs/rules.md is the generator's current output."""

import importlib
from pathlib import Path

import pytest

from gongkai.core import rules

DOCS = Path(__file__).resolve().parents[3] / "docs" / "rules.md"


@pytest.fixture(scope="module")
def discovered():
    return rules.discover()


def test_every_rule_function_names_its_source(discovered):
    assert rules.registry.problems() == []


def test_discovery_finds_the_rule_modules_of_every_area(discovered):
    names = {r.name for r in rules.registry.rules()}
    assert {
        "gongkai.core.workdays.WorkingDayCalendar.add_working_days",
        "gongkai.foi.deadlines.reply_deadline",
        "gongkai.foi.fees.per_page_fee",
        "gongkai.foi.outcomes.report_row_for",
        "gongkai.publishing.rules.publication_deadline",
        "gongkai.publishing.rules.is_published_late",
        "gongkai.decisions.rules.publication_due_on",
        "gongkai.reports.rules.report_deadline",
    } <= names
    assert "gongkai.publishing.rules" in discovered and "gongkai.core.rules" not in discovered


def test_art_26_has_its_functions_in_one_module(discovered):
    cited = dict(rules.registry.by_source())
    art_26 = cited[rules.Source("条例", "第二十六条")]
    assert {r.module for r in art_26} == {"gongkai.publishing.rules"}


def test_docs_rules_md_is_up_to_date(discovered):
    assert DOCS.read_text(encoding="utf-8") == rules.render_index(), (
        "docs/rules.md is stale: run `python -m gongkai.core.rules > docs/rules.md`"
    )


# --- the check itself can fail ---------------------------------------------------------------


def test_a_rule_function_without_a_source_line_is_reported():
    registry = rules.Registry()

    @registry.rule
    def no_docstring(day):
        return day

    @registry.rule
    def no_source(day):
        """Twenty working days after ``day``."""
        return day

    @registry.rule
    def empty_source(day):
        """Twenty working days after ``day``.

        依据：
        """
        return day

    @registry.rule
    def two_source_lines(day):
        """Twenty working days after ``day``.

        依据：条例第二十六条
        依据：条例第三十三条
        """
        return day

    problems = registry.problems()
    assert [p.split(":")[0].rsplit(".", 1)[-1] for p in problems] == [
        "empty_source",
        "no_docstring",
        "no_source",
        "two_source_lines",
    ]


@pytest.mark.parametrize(
    "source",
    [
        "条例26条",  # arabic numerals, no 第
        "条例第二十六",  # no 条
        "办法第六条",  # not a known instrument
        "条例第二十六条，条例第三十条",  # wrong separator
        "第二十六条",  # no instrument
    ],
)
def test_a_malformed_or_unknown_source_is_reported(source):
    registry = rules.Registry()

    def deadline(day):
        return day

    deadline.__doc__ = f"A deadline.\n\n依据：{source}\n"
    registry.rule(deadline)
    assert len(registry.problems()) == 1


@pytest.mark.parametrize(
    ("text", "instrument", "locator"),
    [
        ("条例第二十六条", "条例", "第二十六条"),
        ("条例第三十三条第二款", "条例", "第三十三条第二款"),
        ("国办函〔2020〕109号第四条", "国办函〔2020〕109号", "第四条"),
        ("放假办法第六条", "放假办法", "第六条"),
        ("民法典第二百零一条", "民法典", "第二百零一条"),
        ("市场监管总局令第45号第十三条", "市场监管总局令第45号", "第十三条"),
        ("国办发〔2018〕118号第二部分第（三）项", "国办发〔2018〕118号", "第二部分第（三）项"),
        ("国办公开办函〔2021〕30号附件", "国办公开办函〔2021〕30号", "附件"),
    ],
)
def test_sources_in_the_fixed_form_are_read(text, instrument, locator):
    assert rules.parse_source(text) == rules.Source(instrument, locator)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("十", 10), ("十三", 13), ("二十六", 26), ("四十九", 49), ("一百零三", 103),
     ("二百零一", 201), ("二百一十", 210)],
)
def test_article_numbers_sort_as_numbers(numeral, value):
    assert rules._numeral(numeral) == value


def _rule_function(name: str, source: str):
    def func():
        return None

    func.__doc__ = f"The {name} rule.\n\n依据：{source}\n"
    func.__module__, func.__qualname__ = "example", name
    return func


def test_the_index_lists_sources_in_article_order():
    registry = rules.Registry()
    for name, source in [
        ("reply", "条例第三十三条"),
        ("publish", "条例第二十六条"),
        ("fee", "国办函〔2020〕109号第四条"),
        ("extend", "条例第三十三条第二款"),
        ("correct", "条例第三十条"),
    ]:
        registry.rule(_rule_function(name, source))
    index = rules.render_index(registry)
    rows = [line.split(" | ") for line in index.splitlines() if line.startswith("| ") and "`" in line]
    assert [(row[0].removeprefix("| "), row[1]) for row in rows] == [
        ("条例第二十六条", "`example.publish`"),
        ("条例第三十条", "`example.correct`"),
        ("条例第三十三条", "`example.reply`"),
        ("条例第三十三条第二款", "`example.extend`"),
        ("国办函〔2020〕109号第四条", "`example.fee`"),
    ]
    assert "## 条例：《中华人民共和国政府信息公开条例》" in index
    assert "## 国办函〔2020〕109号：《政府信息公开信息处理费管理办法》" in index


def test_the_generator_prints_the_index(capsys, discovered, monkeypatch):
    main = importlib.import_module("gongkai.core.rules").main
    monkeypatch.setattr("django.setup", lambda: None)
    main()
    assert capsys.readouterr().out == rules.render_index()
