"""URLs of the channels area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py)."""

from django.urls import path

from gongkai.channels import views

staff_patterns: list = [
    path("channels/", views.account_list, name="channel-list"),
    path("channels/stale/", views.stale_under, name="channel-stale"),
    path("channels/settings/", views.channel_settings, name="channel-settings"),
    path("channels/accounts/new/", views.account_create, name="channel-account-create"),
    path("channels/accounts/<int:pk>/", views.account_detail, name="channel-account"),
    path("channels/accounts/<int:pk>/edit/", views.account_edit, name="channel-account-edit"),
    path("channels/grid/", views.figure_grid, name="channel-grid"),
    path("channels/import/", views.figure_import, name="channel-import"),
    path("channels/figures/", views.figures, name="channel-figures"),
]

public_patterns: list = []
