"""The annual report's back office (namespace ``staff:``), mounted under /staff/. One URL
per action; every step is a POST."""

from django.urls import path

from gongkai.reports.views import rollup, staff

staff_patterns: list = [
    path("annual-reports/", staff.report_list, name="report-list"),
    path("annual-reports/start/", staff.report_start, name="report-start"),
    path("annual-reports/supervision/", staff.report_supervision, name="report-supervision"),
    path("annual-reports/supervision/<int:agency>/<int:year>/", rollup.rollup_summary, name="report-rollup"),
    path("annual-reports/supervision/<int:agency>/<int:year>/docx/", rollup.rollup_download, {"kind": "docx"},
         name="report-rollup-docx"),
    path("annual-reports/supervision/<int:agency>/<int:year>/pdf/", rollup.rollup_download, {"kind": "pdf"},
         name="report-rollup-pdf"),
    path("annual-reports/supervision/<int:agency>/<int:year>/outstanding/", rollup.rollup_outstanding,
         name="report-rollup-outstanding"),
    path("annual-reports/supervision/<int:agency>/<int:year>/remind/<int:target>/", rollup.rollup_remind,
         name="report-rollup-remind"),
    path("annual-reports/supervision/<int:agency>/<int:year>/findings/", rollup.rollup_findings,
         name="report-rollup-findings"),
    path("annual-reports/<int:pk>/", staff.report_detail, name="report-detail"),
    path("annual-reports/<int:pk>/prose/", staff.report_prose, name="report-prose"),
    path("annual-reports/<int:pk>/draft-prose/", staff.report_draft_prose, name="report-draft-prose"),
    path("annual-reports/<int:pk>/recompute/", staff.report_recompute, name="report-recompute"),
    path("annual-reports/<int:pk>/figure/", staff.report_figure, name="report-figure"),
    path("annual-reports/<int:pk>/figure/revert/", staff.report_figure_revert, name="report-figure-revert"),
    path("annual-reports/<int:pk>/submit/", staff.report_submit, name="report-submit"),
    path("annual-reports/<int:pk>/override/", staff.report_override, name="report-override"),
    path("annual-reports/<int:pk>/sign-off/", staff.report_sign_off, name="report-sign-off"),
    path("annual-reports/<int:pk>/return/", staff.report_return, name="report-return"),
    path("annual-reports/<int:pk>/publish/", staff.report_publish, name="report-publish"),
    path("annual-reports/<int:pk>/correct/", staff.report_correct, name="report-correct"),
    path("annual-reports/<int:pk>/docx/", staff.report_download, {"kind": "docx"}, name="report-docx"),
    path("annual-reports/<int:pk>/pdf/", staff.report_download, {"kind": "pdf"}, name="report-pdf"),
]
