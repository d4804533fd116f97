"""URLs of the decisions area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py).
One URL per action; every action is a POST."""

from django.urls import path

from gongkai.decisions import views

staff_patterns: list = [
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/import/", views.decision_import, name="decision-import"),
    path("decisions/import/<int:pk>/confirm/", views.decision_import_confirm,
         name="decision-import-confirm"),
    path("decisions/import/<int:pk>/", views.decision_import_status,
         name="decision-import-status"),
    path("decisions/batches/<int:pk>/publish/", views.batch_publish, name="decision-batch-publish"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/publish/", views.decision_publish, name="decision-publish"),
    path("decisions/<int:pk>/withdraw/", views.decision_withdraw, name="decision-withdraw"),
]

public_patterns: list = [
    path("decisions/", views.public_index, name="decision-index"),
    path("decisions/<str:code>/", views.public_list, name="decision-list"),
]
