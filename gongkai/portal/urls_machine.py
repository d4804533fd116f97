"""Feeds, sitemap, robots.txt and the view-preference switches (being built; issue 6)."""

urlpatterns: list = []
