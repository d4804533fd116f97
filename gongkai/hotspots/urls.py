"""URLs of the hotspots area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace; the area has no public pages (``public_patterns`` stays empty and is not
mounted)."""

from django.urls import path

from gongkai.hotspots import views

staff_patterns: list = [
    path("hotspots/", views.analysis, name="hotspots-analysis"),
    path("hotspots/brief.docx", views.brief_docx, name="hotspots-brief"),
    path("hotspots/import/", views.upload, name="hotspots-import"),
    path("hotspots/import/<int:pk>/", views.mapping, name="hotspots-import-mapping"),
    path("hotspots/import/<int:pk>/status/", views.import_status, name="hotspots-import-status"),
    path("hotspots/imports/<int:pk>/", views.import_detail, name="hotspots-import-detail"),
]

public_patterns: list = []
