"""Back-office routes of the checker for published annual reports (joined to the
``staff:`` namespace by ``gongkai/reports/urls.py``)."""

from django.urls import path

from gongkai.reports.views import checker

checker_patterns = [
    path("reports/checker/", checker.report_checker, name="report-checker"),
    path("reports/checker/results/<str:token>.csv", checker.report_checker_csv, name="report-checker-csv"),
]
