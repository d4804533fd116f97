"""Layouts that fit: no public page is wider than a 390 px phone, in the standard layout
or in elder mode (长者模式); the metadata table reflows to label/value pairs there; elder
mode on the desktop keeps the navigation to one or two rows; and axe finds no serious
violation in elder mode either."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.browser_tests.helpers import DESKTOP, PHONE, overflow
from gongkai.core import clock
from gongkai.core.models import Agency
from gongkai.portal import preferences
from gongkai.reports.tests import test_services as report_fixtures

pytestmark = pytest.mark.browser

records = report_fixtures.records  # a year of request records and a started report
report = report_fixtures.report


def public_pages(site, bureau) -> dict[str, str]:
    """Every kind of public page of the URL conf (feeds and downloads aside)."""
    return {
        "home": reverse("portal:home"),
        "agencies index": reverse("portal:agency-index"),
        "agency home": reverse("portal:agency-home", args=[bureau.code]),
        "guide": reverse("portal:agency-guide", args=[bureau.code]),
        "normative documents": reverse("portal:agency-normative", args=[bureau.code]),
        "normative entry": reverse("portal:normative-detail", args=[bureau.code, site["normative"].pk]),
        "statutory content": reverse("portal:agency-statutory", args=[bureau.code]),
        "disclosure rules": reverse("portal:agency-rules", args=[bureau.code]),
        "column": reverse("portal:column-detail", args=[site["columns"]["重点领域信息"].pk]),
        "item": reverse("portal:publication-detail", args=[site["recall"].pk]),
        "reports index": reverse("portal:annual-report-index"),
        "agency reports": reverse("portal:annual-report-list", args=[bureau.code]),
        "search with results": reverse("portal:search") + "?q=%E5%8F%AC%E5%9B%9E",  # 召回
        "apply": reverse("portal:apply"),
        "status": reverse("portal:status"),
        "decisions": reverse("portal:decision-index"),
        "not found": "/no-such-page/",
    }


@pytest.fixture
def layout_site(portal_site, bureau, office):
    from gongkai.publishing.services import normative

    Agency.objects.filter(pk=bureau.pk).update(
        address="青岚市滨河区政务路1号青岚市市场监督管理局政府信息公开工作机构办公室",
        phone="0591-12345678", office_hours="工作日上午9:00—12:00，下午13:30—17:30",
        email="gongkai-office@scjgj.qinglan.example.gov.cn")
    document = normative.normative_document_register(
        actor=office, agency=bureau, kind="normative_document",
        title="青岚市食品生产加工小作坊监督管理办法", doc_number="青市监规〔2026〕2号",
        issued_on=clock.today() - dt.timedelta(days=30))
    normative.interpretation_add(
        actor=office, document=document, form="graphic",
        title="一图读懂《青岚市食品生产加工小作坊监督管理办法》（图解）",
        published_on=clock.today() - dt.timedelta(days=29))
    return {**portal_site, "normative": document}


def _elder(page, live_server, on: bool):
    page.context.add_cookies([{
        "name": preferences.ELDER_COOKIE, "value": "on" if on else "off",
        "url": live_server.url}])


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_no_public_page_is_wider_than_a_phone(page, layout_site, bureau, live_server, elder):
    page.set_viewport_size(PHONE)
    _elder(page, live_server, elder)
    for name, path in public_pages(layout_site, bureau).items():
        response = page.goto(path)
        assert response.status in (200, 404), f"{name}: {response.status}"
        assert page.evaluate("document.documentElement.classList.contains('elder')") == elder
        found = overflow(page)
        assert found["width"] <= found["inner"], f"{name} ({'elder' if elder else 'standard'}): {found}"


def test_a_published_annual_report_fits_a_phone(page, live_server, records, report, office,
                                                leader):
    """Its wide tables scroll inside their own frames; the page does not widen."""
    from gongkai.reports.tests.test_public_views import publish

    publish(report, office, leader)
    for elder in (False, True):
        page.set_viewport_size(PHONE)
        _elder(page, live_server, elder)
        page.goto(reverse("portal:annual-report-detail", args=[report.agency.code, report.year]))
        assert page.locator(".report-table").count() > 0
        found = overflow(page)
        assert found["width"] <= found["inner"], found


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_the_metadata_table_reflows_to_label_value_pairs(page, layout_site, live_server, elder):
    page.set_viewport_size(PHONE)
    _elder(page, live_server, elder)
    page.goto(reverse("portal:publication-detail", args=[layout_site["recall"].pk]))
    label = page.locator("#metadata th", has_text="索引号")
    value = page.locator("#metadata td").first
    label_box, value_box = label.bounding_box(), value.bounding_box()
    # The label sits on its own line above its value, wide enough for the whole word.
    assert value_box["y"] >= label_box["y"] + label_box["height"] - 1
    assert label_box["height"] < 2.2 * float(page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#metadata th')).lineHeight)"))
    assert value_box["width"] > 250


def test_home_titles_are_not_squeezed_on_a_phone(page, layout_site):
    page.set_viewport_size(PHONE)
    page.goto(reverse("portal:home"))
    link = page.locator("#latest-heading + .item-list a").first
    assert link.bounding_box()["width"] > 300


def test_elder_mode_on_the_desktop_keeps_the_navigation_to_two_rows(page, layout_site,
                                                                     live_server):
    page.set_viewport_size(DESKTOP)
    _elder(page, live_server, True)
    page.goto(reverse("portal:home"))
    tops = page.evaluate(
        "() => Array.from(document.querySelectorAll('.site-nav li'))"
        ".map(li => Math.round(li.getBoundingClientRect().top))")
    assert len(set(tops)) <= 2, tops
    page.goto(reverse("portal:agency-home", args=[layout_site["news"].agency.code]))
    tops = page.evaluate(
        "() => Array.from(document.querySelectorAll('.agency-bar li'))"
        ".map(li => Math.round(li.getBoundingClientRect().top))")
    assert len(set(tops)) <= 2, tops


def test_the_catalogue_tree_is_beside_on_the_desktop_and_folded_on_a_phone(page, layout_site):
    column = reverse("portal:column-detail", args=[layout_site["columns"]["重点领域信息"].pk])
    page.set_viewport_size(DESKTOP)
    page.goto(column)
    aside = page.locator(".tree-aside").bounding_box()
    heading = page.locator("h1").bounding_box()
    assert aside is not None and aside["x"] + aside["width"] <= heading["x"]
    assert not page.locator(".tree-phone").is_visible()
    page.set_viewport_size(PHONE)
    page.goto(column)
    assert not page.locator(".tree-aside").is_visible()
    tree = page.locator(".tree-phone")
    assert tree.is_visible() and not page.locator(".tree-phone .catalogue-tree").is_visible()
    tree.locator("summary").click()
    assert page.locator(".tree-phone .catalogue-tree").is_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_elder_mode_pages_pass_axe(page, layout_site, bureau, live_server, axe_serious,
                                   viewport):
    page.set_viewport_size(viewport)
    _elder(page, live_server, True)
    for name, path in public_pages(layout_site, bureau).items():
        page.goto(path)
        assert page.locator("h1").count() == 1, name
        axe_serious(page)


def test_the_favicon_is_there(page, layout_site):
    response = page.goto("/favicon.ico")
    assert response.status == 200 and response.headers["content-type"] == "image/x-icon"
