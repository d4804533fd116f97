"""The public annual report pages (namespace ``portal:``), and the public checker for
published reports (年报体检)."""

from django.urls import path

from gongkai.reports.views import public, public_checker

public_patterns: list = [
    # Not under annual-reports/: "annual-reports/<code>/" would read "check" as an agency code.
    path("annual-report-check/", public_checker.public_checker, name="annual-report-check"),
    path("annual-reports/<str:code>/", public.report_list, name="annual-report-list"),
    path("annual-reports/<str:code>/<int:year>/", public.report_detail, name="annual-report-detail"),
    path("annual-reports/<str:code>/<int:year>/docx/", public.report_docx, name="annual-report-docx"),
    path("annual-reports/<str:code>/<int:year>/pdf/", public.report_pdf, name="annual-report-pdf"),
]
