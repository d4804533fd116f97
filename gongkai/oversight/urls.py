"""URLs of the oversight area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py)."""

from django.urls import path

from gongkai.oversight import views

staff_patterns: list = [
    path("oversight/", views.compliance_table, name="oversight-compliance"),
    path("oversight/thresholds/", views.thresholds, name="oversight-thresholds"),
    path("oversight/<int:agency_pk>/<str:key>/", views.drilldown, name="oversight-drilldown"),
]

public_patterns: list = []
