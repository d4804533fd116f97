"""The publishing back office in Chromium: the body editor loads from the app's static
files (no CDN) and what is typed into it is saved as sanitised HTML in one version; after
a failed save the focus lands on the error summary."""

import datetime as dt

import pytest

from gongkai.browser_tests.helpers import signed_in
from gongkai.core.tests.helpers import at
from gongkai.publishing.models import Publication, PublicationRevision

pytestmark = pytest.mark.browser


@pytest.fixture
def officer_page(page, live_server, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    at(dt.date(2025, 3, 5))
    return signed_in(page, live_server, officer)


def fill_catalogue(page, title="关于2025年第一季度食品抽检情况的通告"):
    page.fill("#id_title", title)
    page.fill("#id_issuing_agency", "测试市市场监督管理局")
    page.fill("#id_written_on", "2025-03-03")


def test_the_editor_loads_from_static_and_its_output_is_saved(officer_page, live_server):
    page = officer_page
    static_requests = []
    page.on("request", lambda r: static_requests.append(r.url))
    page.goto("/staff/publishing/new/")
    editor = page.locator('[data-testid="rich-editor"] .ql-editor')
    editor.wait_for()
    assert page.locator("textarea#id_body").is_hidden()  # the editor replaced it
    assert any(url.startswith(live_server.url + "/static/publishing/vendor/quill-2.0.3/quill")
               for url in static_requests)
    assert all(url.startswith(live_server.url) for url in static_requests)  # nothing remote

    fill_catalogue(page)
    editor.click()
    page.keyboard.type("抽检情况")
    page.locator(".ql-toolbar .ql-header").first.click()  # the heading picker
    page.locator('.ql-picker-item[data-value="2"]').first.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.locator(".ql-toolbar button.ql-bold").click()
    page.keyboard.type("合格率98.6%")
    page.locator(".ql-toolbar button.ql-bold").click()
    page.keyboard.press("Enter")
    page.locator('.ql-toolbar button.ql-list[value="bullet"]').click()
    page.keyboard.type("蔬菜制品")
    page.keyboard.press("Enter")
    page.keyboard.type("糕点")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/staff/publishing/*/")

    publication = Publication.objects.get()
    body = publication.body
    assert "<h2>抽检情况</h2>" in body
    assert "<strong>合格率98.6%</strong>" in body
    assert "<ul><li>蔬菜制品</li><li>糕点</li></ul>" in body
    assert "ql-" not in body and "&nbsp;" not in body
    assert PublicationRevision.objects.filter(publication=publication).count() == 1
    assert "合格率98.6%" in page.locator('[data-testid="body"] strong').inner_text()


def test_without_scripts_the_textarea_still_saves(browser, live_server, officer,
                                                  transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    at(dt.date(2025, 3, 5))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = signed_in(context.new_page(), live_server, officer)
        page.goto("/staff/publishing/new/")
        assert page.locator("textarea#id_body").is_visible()
        fill_catalogue(page)
        page.fill("textarea#id_body", "<h3>无脚本</h3><p>直接填写HTML</p>")
        page.get_by_role("button", name="保存草稿").click()
        page.wait_for_url("**/staff/publishing/*/")
        assert Publication.objects.get().body == "<h3>无脚本</h3><p>直接填写HTML</p>"
    finally:
        context.close()


def test_after_a_failed_save_the_focus_is_on_the_error_summary(officer_page):
    page = officer_page
    page.goto("/staff/publishing/new/")
    page.fill("#id_title", "")
    page.fill("#id_written_on", "2025-02-30")
    page.get_by_role("button", name="保存草稿").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.get_attribute("tabindex") == "-1"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.evaluate("document.activeElement !== document.body")
    # each error links to its field
    assert summary.locator('a[href="#id_title"]').count() == 1
    assert not Publication.objects.exists()
