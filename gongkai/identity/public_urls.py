"""The public's sign-in through the government-service account, mounted in the
``portal:`` namespace under /account/ (the applicant's own pages, "我的申请", are the
portal's: they read the areas above identity)."""

from django.urls import path

from gongkai.identity import public_views

public_patterns: list = [
    path("account/sign-in/", public_views.sign_in, name="public-sign-in"),
    path("account/callback/", public_views.callback, name="public-callback"),
    path("account/sign-out/", public_views.sign_out, name="public-sign-out"),
]
