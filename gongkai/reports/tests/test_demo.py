"""The demo loads its reports with the rules of submission in force: last year's report is
submitted after its year ended, with parts 一, 五, 六 (六 stating the fees), published with
its files stored; this year's is a draft (started during the year)."""

from django.test import TestCase

from gongkai.core.demo import load_demo
from gongkai.foi.demo import load_demo_requests
from gongkai.publishing.demo import load_demo_publications
from gongkai.reports.demo import load_demo_reports
from gongkai.reports.models import AnnualReport, ReportState


def test_the_demo_publishes_last_years_report_and_starts_this_years(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    load_demo_requests()
    load_demo_publications()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the published files are rendered after the commit
        assert load_demo_reports() == 2
    reports = {r.year: r for r in AnnualReport.objects.filter(agency__name="青岚市市场监督管理局")}
    assert len(reports) == 2
    last, this = reports[min(reports)], reports[max(reports)]
    assert last.state == ReportState.PUBLISHED
    assert "信息处理费" in last.published_version.prose["other_matters"]
    assert last.published_version.pdf and last.published_version.docx
    assert this.state == ReportState.DRAFT
