"""URLs of the conversions area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py)."""

from django.urls import path

from gongkai.conversions import views

staff_patterns: list = [
    path("conversions/", views.proposal_list, name="conversion-list"),
    path("conversions/settings/", views.conversion_settings, name="conversion-settings"),
    path("conversions/proposals/<slug:pk>/", views.proposal_detail, name="conversion-proposal"),
    path("conversions/proposals/<slug:pk>/convert/", views.proposal_convert,
         name="conversion-convert"),
    path("conversions/proposals/<slug:pk>/dismiss/", views.proposal_dismiss,
         name="conversion-dismiss"),
    path("conversions/<int:pk>/", views.conversion_detail, name="conversion-detail"),
]

public_patterns: list = []
