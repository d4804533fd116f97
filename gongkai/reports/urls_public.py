from django.http import Http404
from django.urls import path


def _not_yet(request, **kwargs):  # replaced by the annual report pages
    raise Http404("年度报告页面尚未开放")


public_patterns: list = [
    path("annual-reports/<str:code>/", _not_yet, name="annual-report-list"),
    path("annual-reports/<str:code>/<int:year>/", _not_yet, name="annual-report-detail"),
]
