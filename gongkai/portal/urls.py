from django.urls import path

from gongkai.portal import views
from gongkai.portal.views import account as account_views
from gongkai.portal.views import requests as request_views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("apply/", views.apply, name="apply"),
    path("apply/receipt/<str:tracking_number>/", request_views.apply_receipt, name="apply-receipt"),
    path("apply/receipt/<str:tracking_number>/pdf/", request_views.apply_receipt_pdf,
         name="apply-receipt-pdf"),
    path("status/", views.status, name="status"),
    path("status/<str:tracking_number>/files/<str:ref>/", request_views.status_file,
         name="status-file"),
    path("account/requests/", account_views.my_requests, name="my-requests"),
    path("account/requests/<str:tracking_number>/", request_views.my_request_status,
         name="my-request"),
    path("delivery/<str:token>/", request_views.delivery_page, name="delivery"),
    path("delivery/<str:token>/files/<str:ref>/", request_views.delivery_file, name="delivery-file"),
    path("search/", views.search, name="search"),
    path("agencies/", views.agency_index, name="agency-index"),
    path("annual-reports/", views.reports_index, name="annual-report-index"),
    path("agencies/<str:code>/", views.agency_home, name="agency-home"),
    path("agencies/<str:code>/guide/", views.agency_guide, name="agency-guide"),
    path("agencies/<str:code>/normative/", views.agency_normative, name="agency-normative"),
    path("agencies/<str:code>/normative/<int:pk>/", views.normative_detail,
         name="normative-detail"),
    path("agencies/<str:code>/statutory/", views.agency_statutory, name="agency-statutory"),
    path("agencies/<str:code>/rules/", views.agency_rules, name="agency-rules"),
    path("columns/<int:pk>/", views.column_detail, name="column-detail"),
    path("publications/<int:pk>/", views.publication_detail, name="publication-detail"),
    path("publications/<int:pk>/attachments/<int:attachment_pk>/", views.publication_attachment,
         name="publication-attachment"),
]
