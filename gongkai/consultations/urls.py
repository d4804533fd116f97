"""URLs of the consultations area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py).
One URL per action; every action is a POST."""

from django.urls import path

from gongkai.consultations import views

staff_patterns: list = [
    path("consultations/", views.consultation_list, name="consultation-list"),
    path("consultations/new/", views.consultation_new, name="consultation-new"),
    path("consultations/settings/", views.consultation_settings, name="consultation-settings"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path("consultations/<int:pk>/edit/", views.consultation_edit, name="consultation-edit"),
    path("consultations/<int:pk>/submit/", views.consultation_submit, name="consultation-submit"),
    path("consultations/<int:pk>/approve/", views.consultation_approve, name="consultation-approve"),
    path("consultations/<int:pk>/return/", views.consultation_return, name="consultation-return"),
    path("consultations/<int:pk>/withdraw/", views.consultation_withdraw, name="consultation-withdraw"),
    path("consultations/<int:pk>/attachments/", views.attachment_add, name="consultation-attach"),
    path("consultations/<int:pk>/opinions/", views.opinion_create, name="consultation-opinion-create"),
    path("consultations/<int:pk>/feedback/", views.feedback_publish, name="consultation-feedback"),
    path("consultations/<int:pk>/final/", views.final_document_link, name="consultation-final"),
    path("consultations/opinions/<int:pk>/delete/", views.opinion_delete,
         name="consultation-opinion-delete"),
    path("consultations/comments/<int:pk>/decide/", views.comment_decide,
         name="consultation-comment-decide"),
]

public_patterns: list = [
    path("consultations/", views.public_index, name="consultation-index"),
    path("consultations/<int:pk>/", views.public_detail, name="consultation-detail"),
    path("consultations/<int:pk>/attachments/<int:attachment_pk>/", views.public_attachment,
         name="consultation-attachment"),
    path("agencies/<str:code>/consultations/", views.public_agency_list, name="agency-consultations"),
]
