"""The exchange file for the credit system: published results only, columns from data,
UTF-8 with a BOM, formula cells neutralised."""

import csv
import datetime as dt
import io

import pytest

from gongkai.random_inspections import exchange
from gongkai.random_inspections.services import results as services
from gongkai.random_inspections.tests.test_results_support import make_task, targets_of


@pytest.fixture
def task(today, bureau, office, entities, inspectors):
    return make_task(bureau, office, entities[:3], inspectors)


def read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_file_lists_published_results_in_the_exchange_columns(task, office, bureau, entities):
    first, second, _ = targets_of(task)
    services.result_enter(actor=office, target=first, finding="not_contactable", inspected_on=dt.date(2026, 5, 12))
    services.results_publish(actor=office, task=task)
    services.result_enter(actor=office, target=second, finding="no_problem", inspected_on=dt.date(2026, 5, 13))
    rows = read(exchange.task_csv(task))
    assert rows[0] == ["统一社会信用代码", "企业名称", "检查实施机关", "检查类型", "检查日期", "检查结果", "检查结果代码",
                       "抽查事项", "任务编号", "任务名称", "联合抽查", "牵头机关", "执法检查人员", "人员替换理由", "公示日期"]
    drawn = "；".join(f"{i.name}（{i.certificate_number}）" for i in first.inspectors.order_by("position"))
    assert rows[1:] == [[first.credit_code, first.name, bureau.name, "双随机抽查", "2026-05-12",
                         "通过登记的住所（经营场所）无法联系", "06", "食品经营者落实主体责任情况检查", "2026-001",
                         "任务2026-001", "否", bureau.name, drawn, "", "2026-06-15"]]  # not the unpublished second


def test_a_cell_that_would_start_a_formula_is_neutralised(task, office):
    target = targets_of(task)[0]
    target.name = "=HYPERLINK(\"http://x\")"
    target.save()
    services.result_enter(actor=office, target=target, finding="no_problem", inspected_on=dt.date(2026, 5, 12))
    services.results_publish(actor=office, task=task)
    assert read(exchange.task_csv(task))[1][1] == "'=HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("text", ["=1+1", "+86", "-5", "@SUM(A1)", "\t=1"])
def test_neutralise_prefixes_every_formula_start(text):
    assert exchange.neutralise(text) == "'" + text
    assert exchange.neutralise("测试" + text) == "测试" + text


def test_an_agency_year_file_holds_that_year_only(task, office, bureau, entities, inspectors):
    other_year = make_task(bureau, office, entities[10:11], inspectors, number="2025-009", year=2025,
                           starts_on=dt.date(2025, 5, 4), ends_on=dt.date(2025, 5, 29))
    for t in (task, other_year):
        services.result_enter(actor=office, target=targets_of(t)[0], finding="no_problem",
                              inspected_on=t.starts_on + dt.timedelta(days=1), date_reason="补录")
        services.results_publish(actor=office, task=t)
    rows = read(exchange.agency_year_csv([bureau.pk], 2026))
    assert [r[8] for r in rows[1:]] == ["2026-001"]
