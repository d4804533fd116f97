"""Feeds, sitemap, robots.txt and the view-preference switch (namespace ``portal:``)."""

from django.urls import path

from gongkai.portal import feeds, preferences, sitemaps

urlpatterns = [
    path("agencies/<str:code>/feed.rss", feeds.AgencyRssFeed.view(), name="agency-feed-rss"),
    path("agencies/<str:code>/feed.atom", feeds.AgencyAtomFeed.view(), name="agency-feed-atom"),
    path("columns/<int:pk>/feed.rss", feeds.ColumnRssFeed.view(), name="column-feed-rss"),
    path("columns/<int:pk>/feed.atom", feeds.ColumnAtomFeed.view(), name="column-feed-atom"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("preferences/", preferences.preferences, name="preferences"),
]
