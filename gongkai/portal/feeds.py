"""RSS 2.0 and Atom feeds of what an agency, or one column of its catalogue, published:
the latest 50 items, newest first, with absolute links to the public pages."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, strip_tags

from gongkai.core import selectors as core_selectors
from gongkai.portal import selectors

FEED_SIZE = 50
SUMMARY_CHARS = 200
_SPACE = re.compile(r"\s+")


def base_url(request=None) -> str:
    """The site's public address: ``GONGKAI_BASE_URL``, else the request's own host."""
    configured = (getattr(settings, "GONGKAI_BASE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    return f"{request.scheme}://{request.get_host()}" if request is not None else ""


def absolute(path: str, request=None) -> str:
    return base_url(request) + path


def plain_text(body_html: str) -> str:
    """The body as plain text: paragraphs on their own lines, entities decoded."""
    text = re.sub(r"(?i)</(p|div|li|h[1-6]|tr)>|<br\s*/?>", "\n", body_html or "")
    lines = (_SPACE.sub(" ", line).strip() for line in html.unescape(strip_tags(text)).split("\n"))
    return "\n".join(line for line in lines if line)


def summary(body_html: str) -> str:
    text = plain_text(body_html).replace("\n", " ")
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


def published_at(day: dt.date) -> dt.datetime:
    """A publication date as the start of that day in the platform's time zone."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day))


class _PublicationFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "zh-CN"

    @classmethod
    def view(cls):
        """A view making one feed object per request: the object remembers the request
        (for the site's address), so it must not be shared between threads."""

        def feed_view(request, *args, **kwargs):
            feed = cls()
            feed.request = request
            return feed(request, *args, **kwargs)

        feed_view.__name__ = feed_view.__qualname__ = cls.__name__
        return feed_view

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # RSS <description> and Atom <summary type="html"> are read as HTML, and
        # plain_text() has decoded the body's entities: a body reading "&lt;script&gt;"
        # would reach the reader as a live tag. Escape it back to text.
        return escape(summary(item.body))

    def item_link(self, item):
        return absolute(reverse("portal:publication-detail", args=[item.pk]), self.request)

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return published_at(item.published_on)

    def item_updateddate(self, item):
        return published_at(item.published_on)

    def item_author_name(self, item):
        return item.issuing_agency or item.agency.name

    def item_categories(self, item):
        return [item.topic.name] if item.topic_id else []

    def feed_url(self, obj):
        return absolute(self.request.path, self.request)


class AgencyRssFeed(_PublicationFeed):
    def get_object(self, request, code):
        return core_selectors.agency_get_public(code=code)

    def title(self, agency):
        return f"{agency.name} - 政府信息公开"

    def link(self, agency):
        return absolute(reverse("portal:agency-home", args=[agency.code]), self.request)

    def description(self, agency):
        return f"{agency.name}最新主动公开的政府信息"

    def items(self, agency):
        return selectors.public_publications().filter(agency=agency)[:FEED_SIZE]


class AgencyAtomFeed(AgencyRssFeed):
    feed_type = Atom1Feed
    subtitle = AgencyRssFeed.description


class ColumnRssFeed(_PublicationFeed):
    def get_object(self, request, pk):
        return selectors.public_column_get(pk=pk)

    def title(self, column):
        return f"{column.agency.name} - {column.name}"

    def link(self, column):
        return absolute(reverse("portal:column-detail", args=[column.pk]), self.request)

    def description(self, column):
        return f"{column.agency.name}“{column.name}”栏目最新公开的政府信息"

    def items(self, column):
        return selectors.column_publications(column)[:FEED_SIZE]


class ColumnAtomFeed(ColumnRssFeed):
    feed_type = Atom1Feed
    subtitle = ColumnRssFeed.description
