from django.shortcuts import render

from gongkai.core import selectors as core_selectors
from gongkai.portal import selectors

LATEST_ON_HOME = 10


def home(request):
    """The platform's home page: newest items, key areas by topic, the search box, quick
    links to the request form and the guides, and every agency."""
    return render(request, "portal/home.html", {
        "latest": selectors.latest_publications(limit=LATEST_ON_HOME),
        "topics": selectors.topics_with_counts(),
        "agencies": core_selectors.agencies_public(),
    })
