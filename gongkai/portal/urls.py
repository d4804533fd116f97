from django.urls import path

from gongkai.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("status/", views.status, name="status"),
]
