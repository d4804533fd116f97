"""Key public pages checked by axe-core in headless Chromium (GB/T 37668, WCAG 2.1 AA):
no serious or critical violation; and the keyboard path into each page's content."""

import pytest
from django.urls import reverse

from gongkai.core.models import Agency

pytestmark = pytest.mark.browser


def _pages(site, bureau):
    return {
        "home": reverse("portal:home"),
        "agency home": reverse("portal:agency-home", args=[bureau.code]),
        "guide": reverse("portal:agency-guide", args=[bureau.code]),
        "normative documents": reverse("portal:agency-normative", args=[bureau.code]),
        "column": reverse("portal:column-detail", args=[site["columns"]["重点领域信息"].pk]),
        "publication": reverse("portal:publication-detail", args=[site["recall"].pk]),
        "search results": reverse("portal:search") + "?q=%E5%8F%AC%E5%9B%9E",  # 召回
        "search without results": reverse("portal:search") + "?q=%E6%97%A0%E6%AD%A4",
        "request form": reverse("portal:apply"),
        "status page": reverse("portal:status"),
    }


def test_key_pages_have_no_serious_or_critical_axe_violations(page, portal_site, bureau,
                                                               axe_serious):
    Agency.objects.filter(pk=bureau.pk).update(
        address="青岚市滨河区政务路1号", phone="0591-12345678", office_hours="工作日")
    for name, path in _pages(portal_site, bureau).items():
        response = page.goto(path)
        assert response.status == 200, f"{name}: {response.status}"
        assert page.locator("h1").count() == 1, f"{name}: one h1 per page"
        axe_serious(page)


def test_search_results_page_with_highlights_passes_axe(page, portal_site, axe_serious):
    page.goto(reverse("portal:search") + "?q=%E6%8A%BD%E6%A3%80")  # 抽检
    assert page.locator("#search-results mark").first.inner_text() == "抽检"
    axe_serious(page)


def test_a_form_with_errors_passes_axe(page, bureau, axe_serious):
    page.goto(reverse("portal:status"))
    page.get_by_role("button", name="查询").click()
    page.get_by_role("alert").first.wait_for()
    axe_serious(page)


@pytest.mark.parametrize("name", ["home", "column", "publication", "search results",
                                  "request form"])
def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_main(page, portal_site,
                                                                         bureau, name):
    page.goto(_pages(portal_site, bureau)[name])
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, text: document.activeElement.textContent,"
        " href: document.activeElement.getAttribute('href')})")
    assert focused == {"cls": "skip-link", "text": "跳到主要内容", "href": "#main"}
    # Visible when focused (it sits off-screen otherwise).
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab goes into the content, not back to the navigation.
    page.keyboard.press("Tab")
    inside_main = page.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert inside_main


def test_focus_is_visible_on_links(page, portal_site):
    page.goto(reverse("portal:home"))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the first link after the skip link
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; }")
    assert outline[0] != "none" and outline[1] not in ("0px", "")


def test_the_status_page_with_its_timeline_and_letters_passes_axe(page, bureau, office, axe_serious,
                                                                   settings, tmp_path):
    from django.core.files.base import ContentFile

    from gongkai.core import clock
    from gongkai.foi.models import Letter
    from gongkai.foi.services.requests import (
        ApplicantData,
        request_confirm_receipt,
        request_submit_online,
    )
    from gongkai.portal.tests.data import NATURAL_PERSON

    settings.MEDIA_ROOT = tmp_path
    request, secret = request_submit_online(agency=bureau, data=ApplicantData(**NATURAL_PERSON))
    request_confirm_receipt(actor=office, request=request)
    letter = Letter(agency=bureau, request=request, kind="extension", year=2025, serial=700,
                    document_number="青市监公开〔2025〕700号", title="延期答复告知书",
                    addressee="张三", issued_on=clock.today())
    letter.pdf.save("x.pdf", ContentFile(b"%PDF-1.4"), save=False)
    letter.save()
    page.goto(reverse("portal:status"))
    page.get_by_label("申请编号").fill(request.tracking_number)
    page.get_by_label("查询码").fill(secret)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#timeline")
    assert page.locator("#letters").is_visible()
    axe_serious(page)
