"""The back office in Chromium (issue 14, "Why"): attachments carry names readers
understand, on the staff page and on the public item page; one save makes one version;
"重新进行泄密筛查" is offered only once a screening ran; and staff tables never wrap a
tracking number or a date: at 1366 px each such cell is one line, at 390 px the table
scrolls inside its own box rather than wrapping them."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from gongkai.browser_tests import test_back_office as back_office
from gongkai.browser_tests import test_desk as desk
from gongkai.browser_tests.helpers import DESKTOP, PHONE, sign_in
from gongkai.foi.models import FoiRequest
from gongkai.portal.tests.conftest import tiny_png
from gongkai.publishing.models import Publication, PublicationRevision
from gongkai.publishing.tests.test_views_workflow import docx_bytes

pytestmark = pytest.mark.browser

officer_page = back_office.officer_page  # the officer signed in, the clock at 2025-03-05
demo_site = desk.demo_site  # what `gongkai demo` loads, the clock at 2026-03-10

PHOTO = "2025年第一季度抽检现场照片.png"
RESULTS = "附件1：抽检结果说明.docx"
TABLE = "附件2：抽检不合格产品名单.docx"


def upload(name: str) -> dict:
    if name.endswith(".png"):
        return {"name": name, "mimeType": "image/png", "buffer": tiny_png()}
    return {"name": name, "mimeType": ("application/vnd.openxmlformats-officedocument"
                                       ".wordprocessingml.document"),
            "buffer": docx_bytes("2025年第一季度共抽检食品500批次。")}


def version_rows(page) -> list[str]:
    return page.get_by_test_id("revisions").locator("tbody tr td:first-child").all_inner_texts()


def attachment_names(page) -> list[str]:
    return page.get_by_test_id("attachment-name").all_inner_texts()


def test_one_save_one_version_display_names_and_rescreening(officer_page, bureau, officer,
                                                            reviewer, leader, office):
    from gongkai.publishing.services import catalogue
    from gongkai.publishing.services import publications as svc

    catalogue.catalogue_install_default(actor=office, agency=bureau)
    page = officer_page
    page.goto(reverse("staff:publishing-create"))
    back_office.fill_catalogue(page)
    page.get_by_label("抽检计划及结果发布").check()
    page.set_input_files("#id_attachments", [upload(PHOTO), upload(RESULTS)])
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/staff/publishing/*/")
    item = Publication.objects.get()

    # One save with two files: one version, and the page says so.
    assert PublicationRevision.objects.filter(publication=item).count() == 1
    assert version_rows(page) == ["第1版"]
    assert "第1版" in page.locator("table.meta").first.inner_text()
    assert "第2版" not in page.locator("main").inner_text()
    # Files are listed by their display names, not their file names.
    assert attachment_names(page) == ["2025年第一季度抽检现场照片", "附件1：抽检结果说明"]
    # Nothing was screened yet: nothing to screen "again".
    assert "重新进行泄密筛查" not in page.locator("main").inner_text()
    assert page.get_by_test_id("panel-screen").count() == 0

    # Renaming a file is not a new version.
    page.get_by_test_id("edit-link").click()
    page.wait_for_url("**/edit/")
    photo = page.get_by_test_id("attachments").locator("tbody tr").first
    photo.get_by_test_id("display-name").fill("抽检现场照片")
    photo.get_by_role("button", name="保存名称").click()
    page.wait_for_load_state()
    page.goto(reverse("staff:publishing-detail", args=[item.pk]))
    assert attachment_names(page)[0] == "抽检现场照片"
    assert version_rows(page) == ["第1版"]
    # Editing the title and adding a file in one save: one more version.
    page.goto(reverse("staff:publishing-edit", args=[item.pk]))
    page.fill("#id_title", "关于2025年第一季度食品安全监督抽检情况的通告")
    page.set_input_files("#id_attachments", [upload(TABLE)])
    page.get_by_role("button", name="保存（形成新版本）").click()
    page.wait_for_url(f"**/staff/publishing/{item.pk}/")
    assert version_rows(page) == ["第2版", "第1版"]  # newest first
    assert PublicationRevision.objects.filter(publication=item).count() == 2
    assert attachment_names(page) == ["抽检现场照片", "附件1：抽检结果说明", "附件2：抽检不合格产品名单"]

    # Once the current version was screened, screening again is offered.
    svc.publication_screen(actor=officer, publication=item)
    page.reload()
    panel = page.get_by_test_id("panel-screen")
    assert panel.locator("summary").inner_text() == "重新进行泄密筛查"

    # Published: the public page lists the same names, with no file name in sight.
    item.refresh_from_db()
    svc.publication_submit(actor=officer, publication=item)
    if svc.latest_screening(item).findings:  # the photograph cannot be read
        svc.publication_override_screening(actor=reviewer, publication=item,
                                           reason="图片已人工核对，无敏感信息")
    svc.publication_review(actor=reviewer, publication=item, involves_state_secrets=False,
                           involves_privacy_or_trade_secrets=False,
                           endangers_security_or_stability=False, conclusion="may_publish")
    svc.publication_approve(actor=leader, publication=item, opinion="同意")
    svc.publication_publish(actor=office, publication=item)
    cache.clear()
    page.goto(reverse("portal:publication-detail", args=[item.pk]))
    public = page.locator("#attachments a")
    assert public.all_inner_texts() == ["抽检现场照片", "附件1：抽检结果说明", "附件2：抽检不合格产品名单"]
    text = page.locator("main").inner_text()
    assert PHOTO not in text and ".docx" not in text and ".png" not in text
    with page.expect_download() as download:
        public.first.click()
    assert download.value.suggested_filename == "抽检现场照片.png"


# --- staff tables ------------------------------------------------------------------------------

# For each cell: how many lines its text takes (distinct tops of its text's line boxes),
# the height of its text, and its line height.
MEASURE = """selector => Array.from(document.querySelectorAll(selector)).map(td => {
  const range = document.createRange();
  range.selectNodeContents(td);
  const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0)
    .map(r => Math.round(r.top)));
  return {text: td.innerText, lines: tops.size, height: range.getBoundingClientRect().height,
          lineHeight: parseFloat(getComputedStyle(td).lineHeight)};
})"""
# An unconfirmed submission's date cell is two lines on purpose: when it came, how long ago.
CELLS = ('tr[data-testid="request-row"] td.id, '
         'tr[data-testid="request-row"]:not(.unconfirmed) td.date')


def one_line_each(page) -> list[dict]:
    cells = page.evaluate(MEASURE, CELLS)
    assert len(cells) >= 20  # the demo's requests: tracking numbers, dates, due dates
    wrapped = [c for c in cells if c["lines"] != 1 or c["height"] > 1.5 * c["lineHeight"]]
    assert not wrapped, wrapped
    return cells


def test_staff_tables_keep_tracking_numbers_and_dates_on_one_line(page, demo_site):
    sign_in(page, "office")
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("staff:foi-list"))
    cells = one_line_each(page)
    # A whole tracking number (2026-0004-00010; the agency's id has four digits or more on a
    # database whose ids have run past 9999) sits on one line.
    numbers = set(FoiRequest.objects.values_list("tracking_number", flat=True))
    assert any(c["text"] in numbers for c in cells)

    page.set_viewport_size(PHONE)
    page.goto(reverse("staff:foi-list"))
    one_line_each(page)
    table = page.locator("main table").filter(has=page.get_by_test_id("request-row"))
    box = table.evaluate(
        "t => ({scroll: t.scrollWidth, client: t.clientWidth, overflow: getComputedStyle(t).overflowX,"
        " page: document.documentElement.scrollWidth, inner: window.innerWidth})")
    # The table scrolls inside its own box; the page itself is no wider than the phone.
    assert box["overflow"] == "auto" and box["scroll"] > box["client"], box
    assert box["page"] <= box["inner"], box
    table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    assert table.evaluate("t => t.scrollLeft") > 0
