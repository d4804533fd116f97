"""Demo annual reports for the fictional city bureau: last year's report published (its
fee figure typed with a source, prose drafted from the data and edited, signed off by the
leader) and this year's report in draft. Years are relative to today, like the demo
requests: in 2026 these are the 2025 (published) and 2026 (draft) reports."""

from __future__ import annotations

from django.db import transaction

from gongkai.core import clock
from gongkai.core.models import Agency, User
from gongkai.reports import services
from gongkai.reports.models import AnnualReport

FEE_REF = "2.8/fees/amount"
DEMO_PROBLEMS = (
    "一是部分科室主动公开信息更新不够及时，个别栏目内容更新滞后。二是依申请公开答复文书的说理性有待加强。\n"
    "下一步，本局将完善信息发布协调机制，明确各科室更新时限；加强业务培训，"
    "提高答复文书的规范性和说理性。"
)


@transaction.atomic
def load_demo_reports() -> int:
    """Load the demo reports once (when the bureau has none); returns how many."""
    bureau = Agency.objects.filter(name="青岚市市场监督管理局").first()
    if bureau is None or AnnualReport.objects.filter(agency=bureau).exists():
        return 0
    office = User.objects.get(username="office")
    leader = User.objects.get(username="leader")
    this_year = clock.today().year

    last = services.report_start(actor=office, agency=bureau, year=this_year - 1)
    if FEE_REF in last.computed_manual_refs:
        services.report_figure_set(actor=office, report=last, ref=FEE_REF, value="0",
                                   source=f"财务科{this_year - 1}年行政事业性收费台账（本年度无收费项目）")
    for ref in last.computed_manual_refs:
        if ref != FEE_REF:
            services.report_figure_set(actor=office, report=last, ref=ref, value="0", source="演示数据")
    services.report_draft_prose(actor=office, report=last)
    services.report_prose_update(actor=office, report=last, problems=DEMO_PROBLEMS)
    result = services.report_submit(actor=office, report=last)
    if result["violations"]:
        services.report_override(actor=office, report=last, reason="演示数据：历史办理记录不完整")
    services.report_sign_off(actor=leader, report=last, reason="同意发布")
    services.report_publish(actor=office, report=last)

    draft = services.report_start(actor=office, agency=bureau, year=this_year)
    services.report_draft_prose(actor=office, report=draft)
    return 2
