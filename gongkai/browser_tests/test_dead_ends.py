"""No dead ends on the public site (issue 14, "Why"), followed in Chromium by clicking:
every title and "一图读懂…（图解）" on an agency's 规范性文件 page opens; the catalogue's
规范性文件, 政府信息公开年报 and 政府信息公开指南 show their real counts and lead to their
own pages; a published annual report is reached from the home page; /agencies/ lists
the agencies; and the 404 page has the site's header and navigation, with a way back to
/staff/ for signed-in staff. (/favicon.ico is tested in test_layouts.py.)"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from gongkai.browser_tests.helpers import signed_in
from gongkai.core.tests.helpers import at
from gongkai.reports.tests import test_services as report_fixtures

pytestmark = pytest.mark.browser

records = report_fixtures.records  # a year (2025) of the bureau's requests
report = report_fixtures.report  # its annual report, started

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def public_site(portal_site, report, bureau, office, officer, reviewer, leader, department):
    """The portal's site; the bureau's register of normative documents (one document
    published as an item, with a graphic interpretation published as an item too; one
    only in the register, with a graphic interpretation only in the register); and the
    bureau's 2025 annual report, published."""
    from gongkai.portal.tests.conftest import Publisher
    from gongkai.publishing.services import normative
    from gongkai.reports.tests.test_public_views import publish

    publish(report, office, leader)
    publisher = Publisher(agency=bureau, office=office, officer=officer, reviewer=reviewer,
                          leader=leader, department=department)
    notices = [portal_site["columns"]["通知公告"]]
    rule_item = publisher.publish("青岚市食品摊贩登记管理办法", on=TODAY, columns=notices)
    graphic_item = publisher.publish("一图读懂《青岚市食品摊贩登记管理办法》（图解）", on=TODAY,
                                     columns=notices)
    with_item = normative.normative_document_register(
        actor=office, agency=bureau, kind="normative_document", title=rule_item.title,
        doc_number="青市监规〔2026〕1号", issued_on=TODAY - dt.timedelta(days=20),
        publication=rule_item)
    normative.interpretation_add(
        actor=office, document=with_item, form="graphic", title=graphic_item.title,
        published_on=TODAY - dt.timedelta(days=19), publication=graphic_item)
    register_only = normative.normative_document_register(
        actor=office, agency=bureau, kind="normative_document",
        title="青岚市食品生产加工小作坊监督管理办法", doc_number="青市监规〔2026〕2号",
        issued_on=TODAY - dt.timedelta(days=30))
    graphic = normative.interpretation_add(
        actor=office, document=register_only, form="graphic",
        title="一图读懂《青岚市食品生产加工小作坊监督管理办法》（图解）",
        published_on=TODAY - dt.timedelta(days=29))
    at(TODAY)
    cache.clear()
    return {**portal_site, "report": report, "with_item": with_item, "register_only": register_only,
            "graphic": graphic, "rule_item": rule_item, "graphic_item": graphic_item}


def h1(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def test_every_title_and_graphic_on_the_normative_page_opens(page, public_site, bureau):
    normative_page = reverse("portal:agency-normative", args=[bureau.code])
    page.goto(normative_page)
    table = page.locator("#normative")
    links = table.locator("a")
    assert links.count() == 4  # two documents, two interpretations: every title a link
    register_only, graphic = public_site["register_only"], public_site["graphic"]

    # A document only in the register opens its register entry ...
    table.get_by_role("link", name=register_only.title, exact=True).click()
    page.wait_for_url(f"**/agencies/{bureau.code}/normative/{register_only.pk}/")
    assert h1(page) == register_only.title
    assert page.locator("#register-entry").get_by_text("青市监规〔2026〕2号").is_visible()

    # ... and so does its "一图读懂…（图解）", at the interpretation itself.
    page.goto(normative_page)
    table.get_by_role("link", name=graphic.title, exact=True).click()
    page.wait_for_url(f"**/normative/{register_only.pk}/#interpretation-{graphic.pk}")
    entry = page.locator(f"#interpretation-{graphic.pk}")
    assert entry.is_visible() and graphic.title in entry.inner_text()
    assert page.evaluate("location.hash") == f"#interpretation-{graphic.pk}"

    # Published ones open their items.
    for item in (public_site["rule_item"], public_site["graphic_item"]):
        page.goto(normative_page)
        table.get_by_role("link", name=item.title, exact=True).click()
        page.wait_for_url(f"**/publications/{item.pk}/")
        assert h1(page) == item.title

    # No link of the table leads nowhere.
    page.goto(normative_page)
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert page.request.get(href).status == 200, href


def _catalogue_entry(page, name: str):
    catalogue = page.locator("section", has=page.get_by_role("heading", name="政府信息公开目录"))
    entry = catalogue.locator("li", has=page.get_by_role("link", name=name, exact=True))
    count = re.fullmatch(r".*（(\d+)条）", entry.inner_text().strip())
    assert count, entry.inner_text()
    return entry.get_by_role("link", name=name, exact=True), int(count.group(1))


def test_the_dedicated_columns_show_their_counts_and_open_their_pages(page, public_site, bureau):
    home = reverse("portal:agency-home", args=[bureau.code])
    expected = {
        # name → (count, the page it leads to, that page's heading)
        "规范性文件": (2, reverse("portal:agency-normative", args=[bureau.code]),
                  f"{bureau.name}规章和规范性文件"),
        "政府信息公开年报": (1, reverse("portal:annual-report-list", args=[bureau.code]),
                     f"{bureau.name} · 政府信息公开工作年度报告"),
        "政府信息公开指南": (1, reverse("portal:agency-guide", args=[bureau.code]),
                     f"{bureau.name}政府信息公开指南"),
    }
    for name, (count, address, heading) in expected.items():
        page.goto(home)
        link, shown = _catalogue_entry(page, name)
        assert shown == count, name
        link.click()
        page.wait_for_url(f"**{address}")
        assert h1(page) == heading
    # The annual reports page lists the published report, and it opens.
    page.goto(reverse("portal:annual-report-list", args=[bureau.code]))
    page.get_by_role("link", name=re.compile("2025年")).first.click()
    page.wait_for_url(f"**/{bureau.code}/2025/")
    assert "2025" in h1(page)


def test_a_published_annual_report_is_reached_from_the_home_page(page, public_site, bureau):
    page.goto(reverse("portal:home"))
    page.locator("main").get_by_role("link", name="查看全部年度报告").click()
    page.wait_for_url("**" + reverse("portal:annual-report-index"))
    title = f"{bureau.name}2025年政府信息公开工作年度报告"
    page.get_by_role("link", name=title).click()
    page.wait_for_url("**" + reverse("portal:annual-report-detail", args=[bureau.code, 2025]))
    assert page.locator(".report-table").count() > 0
    # The site's navigation reaches the index too.
    page.get_by_role("navigation", name="站点导航").get_by_role("link", name="年度报告").click()
    page.wait_for_url("**" + reverse("portal:annual-report-index"))
    assert page.get_by_role("link", name=title).is_visible()


def test_the_agencies_page_lists_the_agencies(page, public_site, tree):
    page.goto(reverse("portal:home"))
    page.get_by_role("navigation", name="站点导航").get_by_role("link", name="机关名录").click()
    page.wait_for_url("**" + reverse("portal:agency-index"))
    assert h1(page) == "机关名录"
    for agency in tree.values():
        assert page.get_by_role("link", name=agency.name, exact=True).is_visible(), agency.name
    # The filter (a script) narrows the list as one types.
    page.get_by_label("按名称筛选").fill("市场监督")
    expected = {a.name for a in tree.values() if "市场监督" in a.name}
    shown = set(page.locator(".agency-list li[data-name]:visible").evaluate_all(
        "items => items.map(li => li.dataset.name)"))
    assert shown == expected and len(expected) == 2
    page.get_by_role("link", name=tree["bureau"].name, exact=True).click()
    page.wait_for_url(f"**/agencies/{tree['bureau'].code}/")
    assert h1(page) == f"{tree['bureau'].name} 政府信息公开"


def test_the_404_page_has_the_sites_header_and_navigation(page, public_site, live_server, office):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert h1(page) == "页面不存在（404）"
    assert page.locator("header.site-header").is_visible()
    nav = page.get_by_role("navigation", name="站点导航")
    for name in ("首页", "机关名录", "信息检索", "申请公开", "年度报告"):
        assert nav.get_by_role("link", name=name, exact=True).is_visible(), name
    assert page.locator("footer.site-footer").is_visible()
    assert page.title().endswith(" - 政府信息公开平台")
    main = page.locator("main")
    assert main.get_by_role("link", name="返回工作台").count() == 0  # not signed in
    # From the 404 page one gets somewhere: the navigation works.
    nav.get_by_role("link", name="机关名录", exact=True).click()
    page.wait_for_url("**/agencies/")

    signed_in(page, live_server, office)
    assert page.goto("/no-such-page/").status == 404
    back = main.get_by_role("link", name="返回工作台")
    assert back.get_attribute("href") == reverse("staff:home")
    back.click()
    page.wait_for_url("**/staff/")
    assert page.get_by_role("navigation", name="后台导航").is_visible()
