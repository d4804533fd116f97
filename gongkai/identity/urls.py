"""Staff sign-in through an identity provider, under /staff/sso/ (namespace ``identity``)."""

from django.urls import path

from gongkai.identity import views

app_name = "identity"

urlpatterns = [
    path("oidc/", views.staff_oidc_start, name="staff-start"),
    path("oidc/callback/", views.staff_oidc_callback, name="staff-callback"),
    path("cas/", views.staff_cas_start, name="cas-start"),
    path("cas/callback/", views.staff_cas_callback, name="cas-callback"),
]
