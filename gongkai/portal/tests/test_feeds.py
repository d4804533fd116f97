"""RSS and Atom feeds per agency and per column, the paginated sitemap index and
robots.txt: well-formed XML with the public items only, absolute addresses."""

import datetime as dt
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from gongkai.core.tests.factories import make_agency
from gongkai.portal import feeds, sitemaps
from gongkai.publishing.models import Publication

pytestmark = pytest.mark.django_db

BASE = "https://gongkai.example.gov.cn"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.GONGKAI_BASE_URL = BASE


def xml(response) -> ET.Element:
    assert response.status_code == 200, response.content[:300]
    return ET.fromstring(response.content)  # noqa: S314 - our own answer


def rss_items(root):
    return [
        {
            "title": i.findtext("title"),
            "link": i.findtext("link"),
            "pubDate": i.findtext("pubDate"),
            "description": i.findtext("description"),
        }
        for i in root.iter("item")
    ]


# --- feeds ---------------------------------------------------------------------------------------


def test_agency_rss_lists_published_items_newest_first_with_absolute_links(client, site):
    bureau = site["news"].agency
    response = client.get(reverse("portal:agency-feed-rss", args=[bureau.code]))
    assert response["Content-Type"].startswith("application/rss+xml")
    root = xml(response)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == f"{bureau.name} - 政府信息公开"
    assert channel.findtext("link") == BASE + reverse("portal:agency-home", args=[bureau.code])
    assert channel.findtext("language") == "zh-CN"
    items = rss_items(root)
    assert [i["title"] for i in items] == [site[k].title for k in ("news", "recall", "sampling")]
    news = items[0]
    assert news["link"] == BASE + reverse("portal:publication-detail", args=[site["news"].pk])
    published = parsedate_to_datetime(news["pubDate"])
    assert published.date() == site["news"].published_on
    assert published.utcoffset() == dt.timedelta(hours=8)
    assert "近日开展专项行动" in news["description"]
    assert "<script" not in news["description"] and "alert" not in news["description"]


def test_agency_atom_has_entries_with_ids_links_and_dates(client, site):
    bureau = site["news"].agency
    root = xml(client.get(reverse("portal:agency-feed-atom", args=[bureau.code])))
    assert root.tag == f"{ATOM}feed"
    self_link = [lnk.get("href") for lnk in root.findall(f"{ATOM}link") if lnk.get("rel") == "self"]
    assert self_link == [BASE + reverse("portal:agency-feed-atom", args=[bureau.code])]
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries][0] == site["news"].title
    first = entries[0]
    url = BASE + reverse("portal:publication-detail", args=[site["news"].pk])
    assert first.find(f"{ATOM}link").get("href") == url
    assert first.findtext(f"{ATOM}id") == url
    assert first.findtext(f"{ATOM}updated").startswith(site["news"].published_on.isoformat())
    assert first.findtext(f"{ATOM}published").startswith(site["news"].published_on.isoformat())


def test_withdrawn_items_and_drafts_never_appear_in_feeds(client, site):
    bureau = site["news"].agency
    for name in ("portal:agency-feed-rss", "portal:agency-feed-atom"):
        text = client.get(reverse(name, args=[bureau.code])).content.decode()
        assert site["withdrawn"].title not in text
        assert site["draft"].title not in text


def test_a_column_feed_lists_only_that_column_and_those_below_it(client, site):
    column = site["columns"]["抽检计划及结果发布"]
    root = xml(client.get(reverse("portal:column-feed-rss", args=[column.pk])))
    assert [i["title"] for i in rss_items(root)] == [site["sampling"].title]
    assert root.find("channel").findtext("title") == f"{column.agency.name} - {column.name}"

    atom = xml(client.get(reverse("portal:column-feed-atom", args=[column.pk])))
    assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == [
        site["sampling"].title]

    parent = column.parent
    if parent is not None:
        titles = [i["title"] for i in rss_items(xml(
            client.get(reverse("portal:column-feed-rss", args=[parent.pk]))))]
        assert site["sampling"].title in titles


def test_a_feed_holds_the_latest_fifty(client, site, settings, publisher):
    bureau = site["news"].agency
    base = Publication.objects.get(pk=site["news"].pk)
    clones = []
    for n in range(55):
        clone = Publication.objects.get(pk=base.pk)
        clone.pk = None
        clone.index_number = f"{bureau.code}/2026-9{n:04d}"
        clone.title = f"批量信息{n:02d}"
        clone.published_on = dt.date(2026, 4, 1) + dt.timedelta(days=n)
        clones.append(clone)
    Publication.objects.bulk_create(clones)
    items = rss_items(xml(client.get(reverse("portal:agency-feed-rss", args=[bureau.code]))))
    assert len(items) == feeds.FEED_SIZE == 50
    assert items[0]["title"] == "批量信息54"
    assert items[-1]["title"] == "批量信息05"


def test_feeds_of_unknown_or_inactive_agencies_and_columns_are_not_found(client, site, tree):
    gone = make_agency(parent=tree["city"], name="测试市已撤销局", is_active=False)
    assert client.get(reverse("portal:agency-feed-rss", args=[gone.code])).status_code == 404
    assert client.get(reverse("portal:agency-feed-atom", args=["NOPE"])).status_code == 404
    assert client.get(reverse("portal:column-feed-rss", args=[999999])).status_code == 404


def test_without_a_configured_address_feeds_use_the_request_host(client, site, settings):
    settings.GONGKAI_BASE_URL = ""
    bureau = site["news"].agency
    items = rss_items(xml(client.get(reverse("portal:agency-feed-rss", args=[bureau.code]),
                                     HTTP_HOST="localhost")))
    assert items[0]["link"].startswith("http://localhost/publications/")



def test_markup_written_as_text_in_a_body_stays_text_in_rss_and_atom(client, site):
    """A body that *shows* a tag (``&lt;script&gt;``) is decoded to plain text for the
    summary; RSS and Atom readers render that field as HTML, so it is escaped again."""
    Publication.objects.filter(pk=site["news"].pk).update(
        body="<p>示例：&lt;script&gt;alert(1)&lt;/script&gt; &amp; 其他</p>")
    bureau = site["news"].agency
    rss = xml(client.get(reverse("portal:agency-feed-rss", args=[bureau.code])))
    description = rss_items(rss)[0]["description"]
    assert "<script>" not in description
    assert description == "示例：&lt;script&gt;alert(1)&lt;/script&gt; &amp; 其他"

    atom = xml(client.get(reverse("portal:agency-feed-atom", args=[bureau.code])))
    summary = atom.find(f"{ATOM}entry").find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<script>" not in summary.text
    assert summary.text.startswith("示例：&lt;script&gt;alert(1)")


# --- sitemap -------------------------------------------------------------------------------------


def sitemap_locations(client, url) -> list[str]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    root = xml(client.get(path))
    assert root.tag == f"{SM}urlset"
    return [u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")]


def test_the_sitemap_index_points_at_every_section(client, site):
    response = client.get(reverse("portal:sitemap"))
    root = xml(response)
    assert root.tag == f"{SM}sitemapindex"
    locations = [s.findtext(f"{SM}loc") for s in root.findall(f"{SM}sitemap")]
    assert locations == [BASE + reverse("portal:sitemap-section", args=[s])
                         for s in sitemaps.SECTIONS]


def test_sections_list_agency_homes_columns_and_public_items_with_lastmod(client, site):
    bureau = site["news"].agency
    index = [s.findtext(f"{SM}loc") for s in xml(client.get(reverse("portal:sitemap"))).findall(
        f"{SM}sitemap")]
    by_section = {urlsplit(u).path: u for u in index}

    agencies = sitemap_locations(client, by_section[reverse("portal:sitemap-section", args=["agencies"])])
    assert BASE + reverse("portal:agency-home", args=[bureau.code]) in agencies
    assert BASE + reverse("portal:agency-guide", args=[bureau.code]) in agencies

    columns = sitemap_locations(client, by_section[reverse("portal:sitemap-section", args=["columns"])])
    assert BASE + reverse("portal:column-detail", args=[site["columns"]["新闻动态"].pk]) in columns

    path = reverse("portal:sitemap-section", args=["publications"])
    root = xml(client.get(path))
    urls = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.findall(f"{SM}url")}
    public = {BASE + reverse("portal:publication-detail", args=[site[k].pk]): site[k].published_on
              for k in ("sampling", "recall", "news")}
    assert set(urls) == set(public)
    for loc, day in public.items():
        assert urls[loc] == day.isoformat()
    for page in client.get(reverse("portal:robots")), client.get(reverse("portal:sitemap")):
        assert page.status_code == 200


def test_the_sitemap_is_split_into_pages_of_at_most_the_limit(client, site, monkeypatch):
    monkeypatch.setattr(sitemaps.PublicationsSitemap, "limit", 2)
    index = [s.findtext(f"{SM}loc") for s in xml(client.get(reverse("portal:sitemap"))).findall(
        f"{SM}sitemap")]
    path = reverse("portal:sitemap-section", args=["publications"])
    pages = [u for u in index if urlsplit(u).path == path]
    assert pages == [BASE + path, BASE + path + "?p=2"]
    first = sitemap_locations(client, pages[0])
    second = sitemap_locations(client, pages[1])
    assert len(first) == 2 and len(second) == 1
    assert not set(first) & set(second)
    assert client.get(path + "?p=3").status_code == 404
    assert client.get(path + "?p=x").status_code == 404


def test_the_real_limit_is_the_protocols_fifty_thousand():
    assert all(cls.limit == 50_000 for cls in sitemaps.SECTIONS.values())


def test_an_unknown_section_is_not_found(client, db):
    assert client.get(reverse("portal:sitemap-section", args=["secrets"])).status_code == 404


def test_a_publication_page_of_the_sitemap_costs_a_fixed_number_of_queries(
    client, site, django_assert_max_num_queries,
):
    path = reverse("portal:sitemap-section", args=["publications"])
    with django_assert_max_num_queries(3):
        client.get(path)


# --- robots.txt ----------------------------------------------------------------------------------


def test_robots_allows_the_site_and_keeps_crawlers_out_of_private_parts(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    for path in ("/staff/", "/admin/", "/api/", "/status/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines  # the public site stays open
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


# --- the site's address in production ----------------------------------------------------------


def test_production_refuses_to_start_without_the_sites_address(tmp_path):
    """E-mails have no request to take a host from, so production must be told its
    address rather than fall back to a developer's 127.0.0.1:8000."""
    from gongkai.core.tests.test_security import gongkai, production_env

    missing = gongkai(production_env(tmp_path, GONGKAI_BASE_URL=None), "check")
    assert missing.returncode != 0
    assert "GONGKAI_BASE_URL" in missing.stderr.strip().splitlines()[-1]

    bad = gongkai(production_env(tmp_path, GONGKAI_BASE_URL="gongkai.example.gov.cn"), "check")
    assert bad.returncode != 0 and "GONGKAI_BASE_URL" in bad.stderr

    given = gongkai(production_env(tmp_path, GONGKAI_BASE_URL=BASE + "/"), "shell", "-c",
                    "from django.conf import settings; print(settings.GONGKAI_BASE_URL)")
    assert given.returncode == 0, given.stderr
    assert given.stdout.strip().splitlines()[-1] == BASE
