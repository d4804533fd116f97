"""The data file of indicators is complete and in step with the rules publishing and
interaction compute with (one home per number: a drift fails here)."""

import pytest

from gongkai.inspection import checks, indicators
from gongkai.interaction import rules as message_rules
from gongkai.publishing.models import STALE_AFTER_DAYS, ColumnKind
from gongkai.publishing.selectors import freshness


def test_the_thresholds_are_publishings_and_interactions():
    r = indicators.rules()
    columns = r["columns_not_updated"]
    assert columns.number("stale_columns") == freshness.VETO_STALE_COLUMNS
    assert columns.number("blank_columns") == freshness.VETO_BLANK_COLUMNS
    assert r["home_page_not_updated"].number("days") == freshness.HOME_PAGE_STALE_AFTER_DAYS
    assert STALE_AFTER_DAYS[ColumnKind.DYNAMIC] == 14 and STALE_AFTER_DAYS[ColumnKind.NOTICE] == 183
    assert r["poor_interaction"].number("months") == message_rules.VETO_MONTHS


def test_every_indicator_a_check_names_is_in_the_file():
    import inspect as pyinspect
    import re

    source = pyinspect.getsource(checks)
    named = set(re.findall(r'(?:finding|_capped)\(\s*(?:ctx, )?"([a-z_]+)"', source))
    named |= set(re.findall(r'ctx\.rules\["([a-z_]+)"\]', source))
    assert named and named <= set(indicators.rules().indicators)


def test_each_indicator_has_a_kind_and_19s_name():
    r = indicators.rules()
    assert {i.kind for i in r.indicators.values()} == {"veto", "deduction", "warning"}
    assert r["poor_interaction"].name == "互动回应差"
    assert r["columns_not_updated"].name == "栏目不更新"
    assert [e.label for e in r.guide_elements if e.required][:4] == ["事项名称", "设定依据", "申请条件", "申请材料"]


def test_an_indicator_defined_twice_is_refused():
    data = {"veto": {"a": {"name": "甲"}}, "warning": {"a": {"name": "乙"}},
            "verdict": {"pass_score": 60}, "crawl": {"max_requests": 1}}
    with pytest.raises(ValueError):
        indicators.parse(data)
