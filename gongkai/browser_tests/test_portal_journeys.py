"""A visitor's journeys on the public site in a real browser: browse from the home page
to an item and its attachment, search and open a result, and read the site in
traditional characters (remembered across pages) and back."""

import re

import opencc
import pytest

pytestmark = pytest.mark.browser

TO_TRADITIONAL = opencc.OpenCC("s2tw")  # as the site converts (preferences.TRADITIONAL_CONFIG)


def test_browse_from_home_to_an_agency_a_column_an_item_and_its_attachment(page, portal_site,
                                                                           bureau, axe_serious):
    item = portal_site["recall"]
    page.goto("/")
    page.get_by_role("link", name=bureau.name, exact=True).click()
    page.wait_for_url(f"**/agencies/{bureau.code}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"{bureau.name} 政府信息公开"

    catalogue = page.locator("section", has=page.get_by_role("heading", name="政府信息公开目录"))
    catalogue.get_by_role("link", name="重点领域信息", exact=True).click()
    page.wait_for_url("**/columns/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "重点领域信息"
    assert page.locator("#total").inner_text() == "共3条信息"
    # The item sits in a sub-column and is listed here too.
    page.get_by_role("link", name=item.title).click()
    page.wait_for_url(f"**/publications/{item.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == item.title
    crumbs = page.get_by_role("navigation", name="当前位置")
    assert crumbs.get_by_role("link", name=bureau.name).is_visible()
    assert page.locator("#metadata").get_by_text(item.index_number).is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="召回 公告 图片", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "召回 公告 图片.png"
    with open(download.path(), "rb") as got, item.attachments.get().file.open("rb") as stored:
        assert got.read() == stored.read()


def test_search_a_word_and_open_a_result(page, portal_site, axe_serious):
    page.goto("/")
    page.get_by_role("searchbox", name="搜索政府信息").fill("抽检")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/search/?q=*")
    assert page.locator("#search-total").inner_text().startswith("找到1条与“抽检”相关的信息")
    results = page.locator("#search-results")
    assert results.locator("mark").first.inner_text() == "抽检"
    assert portal_site["withdrawn"].title not in page.content()
    axe_serious(page)

    results.get_by_role("link").first.click()
    page.wait_for_url(f"**/publications/{portal_site['sampling'].pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == portal_site["sampling"].title


def test_switch_to_traditional_characters_and_back(page, portal_site, bureau):
    phrase = "政府信息公开指南"
    traditional = TO_TRADITIONAL.convert(phrase)
    assert traditional != phrase  # the test means something
    page.goto(f"/agencies/{bureau.code}/")
    links = page.locator(".agency-bar")  # the 政务公开专栏 bar
    assert links.get_by_role("link", name=phrase, exact=True).is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-CN"

    page.get_by_role("link", name="繁體").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/agencies/{bureau.code}/")  # back where the visitor was
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert links.get_by_role("link", name=traditional, exact=True).is_visible()
    assert page.get_by_role("link", name=phrase, exact=True).count() == 0

    # Remembered on the next page, reached through the (converted) navigation.
    page.get_by_role("navigation", name=TO_TRADITIONAL.convert("站点导航")).get_by_role(
        "link", name=TO_TRADITIONAL.convert("申请公开")).click()
    page.wait_for_url("**/apply/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert page.get_by_role("heading", level=1).inner_text() == TO_TRADITIONAL.convert(
        "申请政府信息公开")

    page.get_by_role("link", name="简体").click()
    page.wait_for_url("**/apply/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("heading", level=1).inner_text() == "申请政府信息公开"
    page.goto("/")
    assert re.search("最新信息", page.locator("#latest-heading").inner_text())
