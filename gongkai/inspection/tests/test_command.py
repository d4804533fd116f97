"""``gongkai site-check``: one JSON line per agency in the documented shape, a readable
summary, the day's rows stored (and replaced when run again), --dry-run stores nothing,
an unknown agency is a clear error."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gongkai.inspection.models import SiteCheck
from gongkai.inspection.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("site-check", *args, stdout=out)
    return out.getvalue()


def test_json_prints_one_line_per_agency_in_the_documented_shape(tree, bureau, column, publish, today):
    item = publish(column("新闻动态"), "新闻", body='<p><a href="/publications/999999/">坏链接</a></p>')
    lines = run("--json").splitlines()
    assert len(lines) == len(tree)
    rows = {row["agency"]: row for row in map(json.loads, lines)}
    row = rows[bureau.code]
    assert list(row) == ["agency", "score", "veto", "deductions", "warnings"]
    [deduction] = row["deductions"]
    assert list(deduction) == ["indicator", "points", "detail"]
    assert deduction["indicator"] == "链接可用性" and deduction["points"] == 0.1
    assert f"/publications/{item.pk}/" in deduction["detail"]
    assert row["score"] == 99.9 and row["veto"] == []
    assert "“我为政府网站找错”" not in json.dumps(row, ensure_ascii=False)  # the footer links it
    assert all(set(v) == {"indicator", "detail"} for v in row["veto"] + row["warnings"])
    assert all(set(d) == {"indicator", "points", "detail"} for d in row["deductions"])
    assert row["score"] == 100 - sum(d["points"] for d in row["deductions"])
    assert {"indicator": "首页不更新", "detail": "本机关首页从未发布信息"} in rows[tree["other"].code]["veto"]


def test_it_stores_the_days_results_and_replaces_them_when_run_again(tree, today):
    run("--json")
    run()
    assert SiteCheck.objects.count() == len(tree)
    assert set(SiteCheck.objects.values_list("checked_on", flat=True)) == {TODAY}


def test_one_agency_and_dry_run(bureau, column, publish, today):
    publish(column("新闻动态"), "新闻", body='<p><a href="/publications/999999/">坏链接</a></p>')
    out = run("--agency", bureau.code, "--dry-run")
    assert out.startswith(f"{bureau.name}（{bureau.code}）：99.9分，合格")
    assert "[扣分] 链接可用性（-0.1分）" in out
    assert "结果未保存" in out
    assert not SiteCheck.objects.exists()


def test_an_unknown_agency_is_a_clear_error(db):
    with pytest.raises(CommandError, match="没有代码为“NOPE”的机关"):
        run("--agency", "NOPE")
