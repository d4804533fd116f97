"""The drafted overview states the year's work plan (年度工作要点) and the agency's new-media
accounts (政务新媒体) from their own records; an agency with neither gets neither sentence,
and a summed report does not claim one agency's accounts for all."""

import datetime as dt

import pytest

from gongkai.channels import services as channels
from gongkai.channels.models import Platform
from gongkai.core.tests.helpers import at
from gongkai.reports.drafting import draft_prose
from gongkai.reports.formats import get_format
from gongkai.reports.tests.test_drafting import zero_cells
from gongkai.workplans import services as workplans

pytestmark = pytest.mark.django_db
F2021 = get_format("2021")


def overview(agency, *, agency_ids=None):
    return draft_prose(fmt=F2021, agency=agency, year=2025, cells=zero_cells(F2021),
                       agency_ids=agency_ids)["overview"]


def test_the_work_plan_opens_the_overview(bureau, office, department):
    at(dt.date(2025, 2, 1))
    plan = workplans.plan_create(actor=office, agency=bureau, year=2025)
    done = workplans.task_add(actor=office, plan=plan, number="1", text="更新公开指南",
                              due_on=dt.date(2025, 6, 30), department=department)
    workplans.task_add(actor=office, plan=plan, number="2", text="规范性文件清理",
                       due_on=dt.date(2025, 12, 31), department=department)
    workplans.note_add(actor=office, task=done, text="已完成修订")
    workplans.task_set_state(actor=office, task=done, state="done", note="指南已发布")
    at(dt.date(2026, 1, 10))

    first = overview(bureau).splitlines()[0]

    assert first.startswith("本年度政务公开工作要点共部署任务2项，已完成1项")


def test_an_agency_without_a_plan_or_accounts_gets_neither_sentence(bureau):
    at(dt.date(2026, 1, 10))
    text = overview(bureau)
    assert "工作要点" not in text and "关注用户" not in text


def test_the_accounts_figures_follow_the_disclosure_paragraph(bureau, office, other_agency):
    at(dt.date(2025, 12, 20))
    account = channels.account_create(actor=office, agency=bureau, data=channels.AccountData(
        platform=Platform.choices[0][0], name="青岚市场监管", handle="qlsc"))
    for month, posts, followers, reads in ((1, 30, 10000, 50000), (2, 20, 12000, 70000)):
        channels.figures_save(actor=office, agency=bureau, month=dt.date(2025, month, 1), rows=[
            channels.FigureInput(account_id=account.pk, posts=posts, followers=followers, reads=reads)])
    at(dt.date(2026, 1, 10))

    text = overview(bureau)
    summed = overview(bureau, agency_ids=[bureau.pk, other_agency.pk])

    [line] = [line for line in text.splitlines() if "关注用户" in line]
    assert line.startswith("全年政务") and "发布信息50条" in line
    assert "阅读量12万次" in line and "年末关注用户1.2万人" in line
    assert "政府网站" not in line  # the disclosure paragraph already states the items published
    assert "关注用户" not in summed
