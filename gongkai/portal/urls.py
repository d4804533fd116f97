from django.urls import path

from gongkai.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("status/", views.status, name="status"),
    path("search/", views.search, name="search"),
    path("agencies/<str:code>/", views.agency_home, name="agency-home"),
    path("agencies/<str:code>/guide/", views.agency_guide, name="agency-guide"),
    path("agencies/<str:code>/normative/", views.agency_normative, name="agency-normative"),
    path("columns/<int:pk>/", views.column_detail, name="column-detail"),
    path("publications/<int:pk>/", views.publication_detail, name="publication-detail"),
    path("publications/<int:pk>/attachments/<int:attachment_pk>/", views.publication_attachment,
         name="publication-attachment"),
]
