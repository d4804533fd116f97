"""URLs of the inspection area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py).
One URL per action; every action is a POST."""

from django.urls import path

from gongkai.inspection.views import public, staff

staff_patterns: list = [
    path("site-check/", staff.inspection_index, name="inspection-index"),
    path("site-check/run/", staff.inspection_run, name="inspection-run"),
    path("site-check/report.docx", staff.inspection_report_docx, name="inspection-report-docx"),
    path("site-errors/", staff.site_error_list, name="site-error-list"),
    path("site-errors/<int:pk>/", staff.site_error_detail, name="site-error-detail"),
    path("site-errors/<int:pk>/reply/", staff.site_error_reply, name="site-error-reply"),
    path("site-errors/<int:pk>/close/", staff.site_error_close, name="site-error-close"),
]

public_patterns: list = [
    path("agencies/<str:code>/site-errors/new/", public.site_error_new, name="site-error-new"),
    path("agencies/<str:code>/site-errors/<str:tracking_number>/", public.site_error_receipt,
         name="site-error-receipt"),
]
