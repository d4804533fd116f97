"""The JSON API, /api/v1/ (namespace `api`). Every route here is described in
``openapi.py``; a test keeps the two in step."""

from django.urls import path

from gongkai.api import answers, consultations, messages, search_views, views

app_name = "api"
urlpatterns = [
    path("foi/requests", views.request_submit, name="foi-request-submit"),
    path("foi/requests/<str:tracking_number>", views.request_status, name="foi-request-status"),
    path("foi/requests/<str:tracking_number>/status", views.request_status_post,
         name="foi-request-status-post"),
    path("foi/requests/<str:tracking_number>/files/<str:ref>", views.request_file,
         name="foi-request-file"),
    path("agencies", views.agency_list, name="agency-list"),
    path("publications", views.publication_list, name="publication-list"),
    # <str:id>, not <int:id>: a malformed id is the API's JSON 404, not the site's HTML page
    path("publications/<str:id>", views.publication_detail, name="publication-detail"),
    path("search", search_views.search, name="search"),
    path("consultations", consultations.consultation_list, name="consultation-list"),
    path("messages", messages.message_submit, name="message-submit"),
    path("answers", answers.answer_list, name="answer-list"),
    path("openapi.json", views.openapi, name="openapi"),
]
