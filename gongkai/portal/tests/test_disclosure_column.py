"""The 政务公开专栏 conventions: the standard bar on every agency page, the catalogue's
dedicated columns linking their pages with the pages' counts, the statutory content
(条例第二十条), the indexes of agencies and annual reports, titles that name the page and
its owner, the favicon, and the traditional view's character forms."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.portal import disclosure, preferences
from gongkai.publishing.services import normative
from gongkai.reports.tests import test_public_views as report_tests

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached")]

records = report_tests.records
report = report_tests.report

BAR = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开目录",
       "政府信息公开年报", "依申请公开")


def url(name, *args):
    return reverse(f"portal:{name}", args=args)


def html_of(client, address, status=200):
    response = client.get(address)
    assert response.status_code == status, address
    return response.content.decode()


def bar_of(html):
    start = html.index('aria-label="政务公开专栏"')
    return html[start:html.index("</nav>", start)]


def title_of(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def catalogue_entry(html, name):
    match = re.search(rf'<a href="([^"]+)">{name}</a> <span class="muted">（(\d+)条）</span>', html)
    assert match, name
    return match.group(1), int(match.group(2))


def test_every_agency_page_has_the_six_entry_bar_in_order(site, client, bureau):
    pages = [url("agency-home", bureau.code), url("agency-guide", bureau.code),
             url("agency-normative", bureau.code), url("agency-statutory", bureau.code),
             url("agency-rules", bureau.code), url("annual-report-list", bureau.code),
             url("column-detail", site["columns"]["新闻动态"].pk),
             url("publication-detail", site["news"].pk)]
    for page in pages:
        bar = bar_of(html_of(client, page))
        labels = re.findall(r">([^<>]+)</a>", bar)
        assert tuple(labels) == BAR, page
    bar = bar_of(html_of(client, url("agency-home", bureau.code)))
    assert f'href="{url("apply")}?agency={bureau.code}">依申请公开' in bar
    assert f'href="{url("annual-report-list", bureau.code)}"' in bar


def test_an_agency_not_accepting_requests_points_its_bar_to_the_guide(site, client, bureau):
    Agency.objects.filter(pk=bureau.pk).update(accepts_requests=False)
    bar = bar_of(html_of(client, url("agency-home", bureau.code)))
    assert f'href="{url("agency-guide", bureau.code)}#request-heading">依申请公开' in bar


def test_dedicated_columns_link_their_pages_with_the_pages_counts(
        site, client, bureau, office, publisher):
    today = clock.today()
    normative.normative_document_register(
        actor=office, agency=bureau, kind="normative_document", title="甲办法",
        doc_number="青市监规〔2026〕2号", issued_on=today - dt.timedelta(days=3))
    normative.normative_document_register(
        actor=office, agency=bureau, kind="normative_document", title="乙细则",
        doc_number="青市监规〔2026〕3号", issued_on=today - dt.timedelta(days=2))
    html = html_of(client, url("agency-home", bureau.code))
    assert catalogue_entry(html, "规范性文件") == (url("agency-normative", bureau.code), 2)
    assert catalogue_entry(html, "政府信息公开指南") == (url("agency-guide", bureau.code), 1)
    assert catalogue_entry(html, "政府信息公开年报") == (url("annual-report-list", bureau.code), 0)
    # Ordinary columns still list their items.
    assert catalogue_entry(html, "新闻动态") == (url("column-detail", site["columns"]["新闻动态"].pk), 1)
    # The column's own page points to its dedicated page too.
    column_page = html_of(client, url("column-detail", site["columns"]["规范性文件"].pk))
    assert f'<a href="{url("agency-normative", bureau.code)}">' in column_page


def test_the_reports_column_counts_published_reports_and_home_reaches_them(
        client, records, report, office, leader):
    from gongkai.publishing.services import catalogue

    agency = report.agency
    catalogue.catalogue_install_default(actor=office, agency=agency)
    report_tests.publish(report, office, leader)
    html = html_of(client, url("agency-home", agency.code))
    assert catalogue_entry(html, "政府信息公开年报") == (url("annual-report-list", agency.code), 1)
    home = html_of(client, url("home"))
    assert f'href="{url("annual-report-index")}"' in home
    index = html_of(client, url("annual-report-index"))
    assert f'href="{url("annual-report-detail", agency.code, report.year)}"' in index


def test_every_title_on_the_normative_page_is_a_link(site, client, bureau, office):
    """A document or an interpretation without a published item still links somewhere:
    its entry in the register, which says where the text can be had."""
    document = normative.normative_document_register(
        actor=office, agency=bureau, kind="normative_document", title="丙办法",
        doc_number="青市监规〔2026〕5号", issued_on=clock.today() - dt.timedelta(days=9))
    graphic = normative.interpretation_add(
        actor=office, document=document, form="graphic", title="一图读懂丙办法（图解）",
        published_on=clock.today() - dt.timedelta(days=8))
    html = html_of(client, url("agency-normative", bureau.code))
    entry = url("normative-detail", bureau.code, document.pk)
    assert f'<a href="{entry}">丙办法</a>' in html
    assert f'<a href="{entry}#interpretation-{graphic.pk}">一图读懂丙办法（图解）</a>' in html
    page = html_of(client, entry)
    assert "青市监规〔2026〕5号" in page and f'id="interpretation-{graphic.pk}"' in page
    assert title_of(page) == f"丙办法 - {bureau.name}"
    other = Agency.objects.exclude(pk=bureau.pk).first()
    assert client.get(url("normative-detail", other.code, document.pk)).status_code == 404


ARTICLE_20_ITEMS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三",
                    "十四", "十五")


def test_statutory_content_lists_article_20_with_the_catalogue_columns(site, client, bureau):
    html = html_of(client, url("agency-statutory", bureau.code))
    # cited as the rest of the interface cites an item: 第二十条第一项, no brackets
    items = re.findall(r"第二十条第[（(]?[一二三四五六七八九十]+[）)]?项", html)
    assert items == [f"第二十条第{n}项" for n in ARTICLE_20_ITEMS]
    row = html[html.index("第二十条第十三项"):html.index("第二十条第十四项")]
    assert "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况" in row
    assert catalogue_entry(row, "抽检计划及结果发布")[1] == 1
    row = html[html.index("第二十条第四项"):html.index("第二十条第五项")]
    assert "本机关目录未设此栏目" in row


def test_the_rules_page_names_the_instruments_and_an_own_column(site, client, bureau, office):
    from gongkai.publishing.services import catalogue

    html = html_of(client, url("agency-rules", bureau.code))
    assert "政府信息公开条例" in html and "own-heading" not in html
    catalogue.column_create(actor=office, agency=bureau, name="政府信息公开制度", kind="static")
    html = html_of(client, url("agency-rules", bureau.code))
    assert "own-heading" in html and ">政府信息公开制度</a>" in html


def test_the_agencies_index_groups_public_agencies_under_their_parents(site, client, tree):
    Agency.objects.filter(pk=tree["other"].pk).update(is_active=False)
    html = html_of(client, url("agency-index"))
    assert tree["other"].name not in html
    groups = re.findall(r'<h2 id="group-\d+">([^<]+)</h2>', html)
    assert groups[0] == "省级机关"
    assert f"{tree['city'].name}所属机关" in groups
    city_group = html[html.index(f"{tree['city'].name}所属机关"):]
    assert f'href="{url("agency-home", tree["bureau"].code)}">{tree["bureau"].name}</a>' in city_group
    assert disclosure.agencies_by_parent()[0]["parent"] is None


def test_titles_name_the_page_and_the_agency_not_the_software(site, client, bureau):
    titles = {
        url("home"): "首页 - 政府信息公开平台",
        url("agency-normative", bureau.code): f"规章和规范性文件 - {bureau.name}",
        url("agency-guide", bureau.code): f"政府信息公开指南 - {bureau.name}",
        url("column-detail", site["columns"]["新闻动态"].pk): f"新闻动态 - {bureau.name}",
        url("publication-detail", site["news"].pk): f"{site['news'].title} - {bureau.name}",
    }
    for page, title in titles.items():
        assert title_of(html_of(client, page)) == title


def test_the_site_name_comes_from_the_settings(site, client, settings):
    settings.GONGKAI_SITE_NAME = "青岚省政府信息公开平台"
    html = html_of(client, url("home"))
    assert title_of(html) == "首页 - 青岚省政府信息公开平台"
    assert ">青岚省政府信息公开平台</a>" in html


def test_column_and_item_pages_show_the_catalogue_tree(site, client, bureau):
    html = html_of(client, url("publication-detail", site["news"].pk))
    for block in ('class="tree-phone"', 'class="tree-aside"'):
        part = html[html.index(block):]
        assert f'href="{url("column-detail", site["columns"]["新闻动态"].pk)}"' in part
        assert f'href="{url("agency-normative", bureau.code)}">规范性文件</a>' in part


def test_the_favicon_is_served_at_the_root(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_the_traditional_view_uses_taiwan_standard_forms_without_vocabulary_changes():
    converted = preferences.convert_html("<p>为众里着，软件</p>")
    assert converted == "<p>為眾裡著，軟件</p>"
