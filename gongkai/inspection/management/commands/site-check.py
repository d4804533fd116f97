"""``gongkai site-check [--agency CODE] [--json] [--dry-run]``: the daily website
self-inspection (国办秘函〔2019〕19号) of every active agency's portal section, or one.

By default each agency's result is stored as its result for today (one row per agency and
day: running the command again the same day replaces it, so it is safe to re-run);
``--dry-run`` prints without storing. ``--json`` prints one JSON object per line and
agency: {"agency", "score", "veto": [{"indicator", "detail"}], "deductions":
[{"indicator", "points", "detail"}], "warnings": [{"indicator", "detail"}]}."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import selectors as core_selectors
from gongkai.inspection import services

HELP = (
    "网站自查（国办秘函〔2019〕19号）：检查每个机关的政府信息公开专栏，输出单项否决、扣分和提示。"
    "默认保存为各机关当天的自查结果（同一天重复运行会替换当天结果）；--dry-run 只输出、不保存。"
)


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser):
        parser.add_argument("--agency", metavar="CODE", help="只检查该机关（机关代码）")
        parser.add_argument("--json", action="store_true",
                            help="每个机关输出一行JSON：agency, score, veto, deductions, warnings")
        parser.add_argument("--dry-run", action="store_true", help="只检查和输出，不保存结果")

    def handle(self, *args, agency=None, json=False, dry_run=False, **options):
        agencies = core_selectors.agencies_public()
        if agency:
            agencies = agencies.filter(code=agency)
            if not agencies.exists():
                raise CommandError(f"没有代码为“{agency}”的机关（或该机关已停用）。")
        as_json = json
        services.site_checks_daily(agencies=list(agencies), store=not dry_run, keep=False,
                                   on_result=self._print_json if as_json else self._print_summary)
        if not as_json and dry_run:
            self.stdout.write("（--dry-run：结果未保存）")

    def _print_json(self, result) -> None:
        self.stdout.write(_dumps(result.as_json()))

    def _print_summary(self, result) -> None:
        verdict = ("不合格（单项否决）" if result.veto else "合格" if result.passed else "不合格")
        self.stdout.write(f"{result.agency.name}（{result.agency.code}）：{result.score}分，{verdict}；"
                          f"单项否决{len(result.veto)}项，扣分{len(result.deductions)}项，"
                          f"提示{len(result.warnings)}项")
        for label, findings in (("单项否决", result.veto), ("扣分", result.deductions),
                                ("提示", result.warnings)):
            for f in findings:
                points = f"（-{f.points}分）" if label == "扣分" else ""
                self.stdout.write(f"  [{label}] {f.name}{points}：{f.detail}")
        unchecked = [e for e in result.external if e.state.startswith("未检查")]
        if unchecked:
            self.stdout.write(f"  外部链接{len(unchecked)}个未检查（未启用外部链接检查或不在允许列表）")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
