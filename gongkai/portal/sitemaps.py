"""``sitemap.xml`` and ``robots.txt``.

A provincial platform holds millions of items, more than one sitemap file may list
(50,000 URLs), so ``/sitemap.xml`` is a sitemap *index* pointing at numbered pages of
each section (``/sitemap-publications.xml?p=3``). Sections read through the public
selectors, so a withdrawn item or a deactivated agency drops out at once. Addresses are
absolute, on ``GONGKAI_BASE_URL`` (else the request's host)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from gongkai.core import selectors as core_selectors
from gongkai.portal import selectors
from gongkai.portal.feeds import base_url

_PLACEHOLDER = 987654321  # an argument no real URL has


def _pattern(name: str, placeholder: object = _PLACEHOLDER) -> str:
    """The path of ``name`` with ``{}`` where its one argument goes: one ``reverse`` per
    section instead of one per URL (a page has 50,000 of them)."""
    return reverse(name, args=[placeholder]).replace(str(placeholder), "{}")


class _BaseSitemap(Sitemap):
    limit = 50_000  # the sitemaps.org maximum per file

    def __init__(self, request):
        self.request = request
        split = urlsplit(base_url(request))
        self.protocol, self.domain = split.scheme, split.netloc

    def get_domain(self, site=None):
        return self.domain


class PagesSitemap(_BaseSitemap):
    """The home page and the site-wide pages."""

    changefreq = "daily"

    def items(self):
        return ["portal:home", "portal:search", "portal:apply"]

    def location(self, item):
        return reverse(item)


class AgenciesSitemap(_BaseSitemap):
    """Each agency's disclosure home, guide and normative documents (a province has
    thousands of agencies: a list of three short tuples each is small)."""

    changefreq = "weekly"
    PAGES = ("portal:agency-home", "portal:agency-guide", "portal:agency-normative")

    def items(self):
        patterns = [_pattern(name, "ZZCODEZZ") for name in self.PAGES]
        codes = core_selectors.agencies_public().values_list("code", flat=True)
        return [(pattern, code) for code in codes for pattern in patterns]

    def location(self, item):
        pattern, code = item
        return pattern.format(code)


class ColumnsSitemap(_BaseSitemap):
    changefreq = "daily"

    def items(self):
        return selectors.public_columns().order_by("pk").values_list("pk", flat=True)

    def location(self, item):
        return self._path.format(item)

    def _urls(self, page, protocol, domain):
        self._path = _pattern("portal:column-detail")
        return super()._urls(page, protocol, domain)


class PublicationsSitemap(_BaseSitemap):
    """Every published item, by id (a stable order: new items land on the last page),
    with its publication date as ``lastmod``."""

    changefreq = "never"

    def items(self):
        return (
            selectors.public_publications()
            .select_related(None)
            .order_by("pk")
            .values_list("pk", "published_on")
        )

    def location(self, item):
        return self._path.format(item[0])

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return None  # not computed over millions of rows for the index

    def _urls(self, page, protocol, domain):
        self._path = _pattern("portal:publication-detail")
        return super()._urls(page, protocol, domain)


SECTIONS = {
    "pages": PagesSitemap,
    "agencies": AgenciesSitemap,
    "columns": ColumnsSitemap,
    "publications": PublicationsSitemap,
}


@require_GET
def sitemap_index(request):
    """``/sitemap.xml``: every page of every section."""
    root = base_url(request)
    sitemaps = []
    for section, cls in SECTIONS.items():
        path = reverse("portal:sitemap-section", args=[section])
        pages = cls(request).paginator.num_pages
        for page in range(1, pages + 1):
            sitemaps.append({
                "location": f"{root}{path}" + (f"?p={page}" if page > 1 else ""),
                "last_mod": None,
            })
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": sitemaps}, content_type="application/xml"
    )


@require_GET
def sitemap_section(request, section: str):
    """One page (``?p=``) of one section."""
    cls = SECTIONS.get(section)
    if cls is None:
        raise Http404("没有该站点地图")
    sitemap = cls(request)
    try:
        urls = sitemap.get_urls(page=request.GET.get("p", 1), protocol=sitemap.protocol)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("站点地图页码不存在") from None
    response = TemplateResponse(
        request, "sitemap.xml", {"urlset": urls}, content_type="application/xml"
    )
    response.headers["X-Robots-Tag"] = "noindex, noarchive"
    return response


ROBOTS_DISALLOW = ("/staff/", "/admin/", "/api/", "/status/", "/preferences/")


@require_GET
def robots_txt(request):
    """Crawlers may read the public site, not the back office, the API, the status
    look-up or the view switches; the sitemap index tells them what there is."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines.append(f"Sitemap: {base_url(request)}{reverse('portal:sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
