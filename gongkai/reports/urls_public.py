"""The public annual report pages (namespace ``portal:``)."""

from django.urls import path

from gongkai.reports.views import public

public_patterns: list = [
    path("annual-reports/<str:code>/", public.report_list, name="annual-report-list"),
    path("annual-reports/<str:code>/<int:year>/", public.report_detail, name="annual-report-detail"),
    path("annual-reports/<str:code>/<int:year>/docx/", public.report_docx, name="annual-report-docx"),
    path("annual-reports/<str:code>/<int:year>/pdf/", public.report_pdf, name="annual-report-pdf"),
]
