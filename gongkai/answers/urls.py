"""URLs of the answers area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py).
One URL per action; every action is a POST."""

from django.urls import path

from gongkai.answers import views_public, views_staff

staff_patterns: list = [
    path("faqs/", views_staff.faq_list, name="faq-list"),
    path("faqs/new/", views_staff.faq_create, name="faq-create"),
    path("faqs/<int:pk>/", views_staff.faq_detail, name="faq-detail"),
    path("faqs/<int:pk>/edit/", views_staff.faq_edit, name="faq-edit"),
    path("faqs/<int:pk>/submit/", views_staff.faq_submit, name="faq-submit"),
    path("faqs/<int:pk>/approve/", views_staff.faq_approve, name="faq-approve"),
    path("faqs/<int:pk>/return/", views_staff.faq_return, name="faq-return"),
    path("faqs/<int:pk>/withdraw/", views_staff.faq_withdraw, name="faq-withdraw"),
    path("faqs/<int:pk>/redraft/", views_staff.faq_redraft, name="faq-redraft"),
]

public_patterns: list = [
    path("answers/", views_public.answers, name="answers"),
    path("answers/faq/<int:pk>/", views_public.faq_detail, name="faq-detail"),
    path("agencies/<str:code>/faq/", views_public.agency_faqs, name="agency-faq"),
]
