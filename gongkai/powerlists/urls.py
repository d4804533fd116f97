"""URLs of the powerlists area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py).
One URL per action; every change is a POST."""

from django.urls import path

from gongkai.powerlists import views

staff_patterns: list = [
    path("power-lists/", views.version_list, name="powerlist-list"),
    path("power-lists/new/", views.version_new, name="powerlist-new"),
    path("power-lists/import/", views.version_import, name="powerlist-import"),
    path("power-lists/template.xlsx", views.template_download, name="powerlist-template"),
    path("power-lists/compare/", views.version_compare, name="powerlist-compare"),
    path("power-lists/versions/<int:pk>/", views.version_detail, name="powerlist-version"),
    path("power-lists/versions/<int:pk>/export.xlsx", views.version_export, name="powerlist-export"),
    path("power-lists/versions/<int:pk>/edit/", views.version_edit, name="powerlist-version-edit"),
    path("power-lists/versions/<int:pk>/publish/", views.version_publish, name="powerlist-publish"),
    path("power-lists/versions/<int:pk>/delete/", views.version_delete, name="powerlist-delete"),
    path("power-lists/versions/<int:pk>/items/new/", views.item_new, name="powerlist-item-new"),
    path("power-lists/items/<int:pk>/", views.item_edit, name="powerlist-item-edit"),
    path("power-lists/items/<int:pk>/remove/", views.item_remove, name="powerlist-item-remove"),
]

public_patterns: list = [
    path("power-lists/", views.public_index, name="powerlist-index"),
    path("agencies/<str:code>/power-list/", views.public_agency_list, name="agency-powerlist"),
    path("agencies/<str:code>/power-list/changes/", views.public_changes, name="powerlist-changes"),
    path("agencies/<str:code>/power-list/versions/<int:pk>/", views.public_version,
         name="powerlist-version"),
    path("agencies/<str:code>/power-list/versions/<int:pk>/changes/", views.public_version_changes,
         name="powerlist-version-changes"),
    path("agencies/<str:code>/power-list/versions/<int:pk>/download.xlsx", views.public_download,
         name="powerlist-download"),
    path("agencies/<str:code>/power-list/items/<int:pk>/", views.public_item, name="powerlist-item"),
]
