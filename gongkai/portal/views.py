from django.shortcuts import render

from gongkai.portal import selectors


def home(request):
    return render(request, "portal/home.html", {"agencies": selectors.agencies_for_portal()})
