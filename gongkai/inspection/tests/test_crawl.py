"""The crawl of an agency's portal section, rendered in-process: broken internal links and
missing attachments with the page they are on, external links left unchecked unless a
fetcher is configured, the search form and the error-report entry of the home page."""

import pytest
from django.urls import reverse

from gongkai.inspection import checks, crawl, fetchers

pytestmark = pytest.mark.django_db


def test_a_broken_link_in_an_items_body_is_found_with_its_page(bureau, column, publish, today):
    news = column("新闻动态")
    target = publish(news, "存在的信息")
    item = publish(news, "带链接的信息",
                   body=f'<p><a href="/publications/999999/">坏链接</a> <a href="/publications/{target.pk}/">好链接</a>'
                        '<a href="#top">锚点</a> <a href="mailto:a@b.cn">信箱</a></p>')
    result = crawl.crawl_agency(bureau)
    assert [(b.url.endswith("/publications/999999/"), b.page.endswith(f"/publications/{item.pk}/"),
             b.status, b.label) for b in result.broken_links] == [(True, True, 404, "坏链接")]
    assert result.missing_attachments == []
    assert reverse("portal:publication-detail", args=[target.pk]) in result.pages


def test_an_attachment_whose_file_is_gone_is_a_missing_attachment(bureau, column, publish, today):
    item = publish(column("新闻动态"), "带附件的信息", image=True)
    kept = publish(column("通知公告"), "附件完好的信息", image=True)
    attachment = item.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    result = crawl.crawl_agency(bureau)
    assert [b.url.endswith(f"/publications/{item.pk}/attachments/{attachment.pk}/")
            for b in result.missing_attachments] == [True]
    assert all(f"/publications/{kept.pk}/" not in b.url for b in result.missing_attachments)
    assert result.broken_links == []


def test_external_links_are_not_fetched_when_no_fetcher_is_configured(bureau, column, publish, today,
                                                                      settings):
    settings.GONGKAI_INSPECTION_FETCHER = None
    publish(column("新闻动态"), "外链", body='<p><a href="https://www.gov.cn/zhengce/">中国政府网</a></p>')
    result = checks.inspect(bureau)
    assert [(e.url, e.state) for e in result.external] == [("https://www.gov.cn/zhengce/", "未检查")]
    assert not any(f.indicator == "broken_external_links" for f in result.deductions)


class FakeFetcher:
    def __init__(self, allowed_hosts=()):
        self.allowed_hosts, self.asked = allowed_hosts, []

    def allows(self, url):
        return fetchers.host_allowed(url, self.allowed_hosts)

    def fetch(self, url):
        self.asked.append(url)
        return fetchers.FetchResult(url=url, status=404 if "gone" in url else 200)


def test_a_configured_fetcher_checks_only_allowed_hosts(bureau, column, publish, today):
    publish(column("新闻动态"), "外链", body=(
        '<p><a href="https://www.gov.cn/gone">失效</a><a href="https://www.gov.cn/ok">有效</a>'
        '<a href="https://evil.example.com/x">他站</a></p>'))
    fetcher = FakeFetcher(allowed_hosts=[".gov.cn"])
    result = checks.inspect(bureau, fetcher=fetcher)
    states = {e.url: e.state for e in result.external}
    assert states == {"https://www.gov.cn/gone": "无法访问", "https://www.gov.cn/ok": "正常",
                      "https://evil.example.com/x": "未检查（不在允许列表）"}
    assert "https://evil.example.com/x" not in fetcher.asked
    [broken] = [f for f in result.deductions if f.indicator == "broken_external_links"]
    assert broken.url == "https://www.gov.cn/gone"


def test_the_home_page_has_the_portals_search_form(bureau, column, publish, today):
    publish(column("新闻动态"), "新闻")
    result = crawl.crawl_agency(bureau)
    assert result.home_status == 200 and result.has_search_form and result.search_status == 200
    assert not any(f.indicator == "no_search" for f in checks.inspect(bureau).deductions)


def test_the_portals_footer_gives_the_error_report_entry_and_without_it_points_are_off(
        bureau, column, publish, today, monkeypatch):
    publish(column("新闻动态"), "新闻")
    result = checks.inspect(bureau)
    assert result.score == 100
    assert not any(f.indicator == "no_error_report_entry" for f in result.deductions)
    # A home page without the link (the footer's entry taken out):
    entry = reverse("portal:site-error-new", args=[bureau.code])
    original = crawl._Links.handle_starttag

    def without_entry(self, tag, attrs):
        if not (tag == "a" and dict(attrs).get("href", "").startswith(entry)):
            original(self, tag, attrs)

    monkeypatch.setattr(crawl._Links, "handle_starttag", without_entry)
    [missing] = [f for f in checks.inspect(bureau).deductions if f.indicator == "no_error_report_entry"]
    assert missing.points == 2


def test_the_links_every_page_carries_are_tried_once_not_once_per_page(bureau, column, publish, today):
    news = column("新闻动态")
    for i in range(6):
        publish(news, f"信息{i}")
    crawler = crawl.Crawler(bureau)
    result = crawler.run()
    tried = [k for k in crawler._status if "/site-errors/new/" in k or k.startswith("/preferences/")]
    assert sorted(tried) == sorted([f"/agencies/{bureau.code}/site-errors/new/",
                                    "/preferences/?script=traditional", "/preferences/?elder=on"])
    # Each page costs one request; the rest is a fixed number of links tried once.
    assert result.requests - len(result.pages) < 30


def test_when_the_limit_cuts_the_crawl_short_the_newest_items_are_checked(bureau, column, publish, today):
    news = column("新闻动态")
    old = publish(news, "旧信息", days_ago=30)
    new = publish(news, "新信息", days_ago=1)
    roots = crawl.Crawler(bureau).roots()
    assert roots.index(reverse("portal:publication-detail", args=[new.pk])) < roots.index(
        reverse("portal:publication-detail", args=[old.pk]))


def test_the_crawl_stops_at_its_limit_and_says_so(bureau, column, publish, today):
    news = column("新闻动态")
    for i in range(3):
        publish(news, f"信息{i}")
    result = crawl.crawl_agency(bureau, max_requests=2)
    assert result.truncated and result.requests == 2


def test_links_to_other_agencies_pages_are_tried_not_read(bureau, other_agency, column, publish, today):
    publish(column("新闻动态"), "新闻", body=f'<p><a href="/agencies/{other_agency.code}/">县局</a></p>')
    result = crawl.crawl_agency(bureau)
    assert reverse("portal:agency-home", args=[other_agency.code]) not in result.pages
    assert result.broken_links == []


def test_a_page_of_the_section_that_does_not_open_is_reported_on_the_page_linking_it(
        bureau, column, publish, today):
    missing = f"/agencies/{bureau.code}/normative/99999/"
    item = publish(column("新闻动态"), "新闻", body=f'<p><a href="{missing}">已废止的文件</a></p>')
    result = crawl.crawl_agency(bureau)
    [broken] = result.broken_links
    assert broken.url.endswith(missing) and broken.status == 404 and broken.label == "已废止的文件"
    assert broken.page.endswith(f"/publications/{item.pk}/") and not broken.on_home_page


def test_a_crawl_with_a_time_budget_stops_when_it_is_spent_and_says_so(bureau, column, publish, today):
    news = column("新闻动态")
    for i in range(4):
        publish(news, f"信息{i}")
    ticks = iter(range(10_000))  # a clock that moves one second each time it is read
    result = crawl.Crawler(bureau, time_budget=2.5, monotonic=lambda: next(ticks)).run()
    assert result.timed_out and result.truncated
    assert 1 <= len(result.pages) <= 2 and result.home_status == 200
    assert not crawl.Crawler(bureau).run().timed_out  # the daily job: no time limit


def test_the_sections_main_pages_are_read_before_the_long_list_of_items(bureau, column, publish, today):
    news = column("新闻动态")
    for i in range(3):
        publish(news, f"信息{i}")
    pages = crawl.crawl_agency(bureau).pages
    guide = reverse("portal:agency-guide", args=[bureau.code])
    first_item = min(i for i, p in enumerate(pages) if p.startswith("/publications/"))
    assert guide in pages and pages.index(guide) < first_item
