"""Issue 21's journey in Chromium: a platform administrator imports a province of agencies
from a file, moves a county under another city by importing again (the two cities'
supervisors see the county follow), invites a person as the county government's office,
who accepts and signs in through the identity platform (the local OpenID Connect provider,
a real one over HTTP) without a local password. Pages at 1366 and 390 px, axe clean."""

import re
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.core import mail

from gongkai.browser_tests.helpers import (
    DESKTOP,
    PHONE,
    fits_both_screens,
    signed_in,
    through_the_provider,
)
from gongkai.core.models import Agency, AuditEvent, Membership, Role
from gongkai.core.tests.factories import TEST_PASSWORD, UserFactory, member
from gongkai.core.tests.test_agency_import import BUREAU, CITY_A, CITY_B, COUNTY, PROVINCE, csv_file

pytestmark = pytest.mark.browser

INVITED = "li.county@example.gov.cn"


@contextmanager
def browser_of(browser, live_server, user=None):
    """Another person's browser (a context of its own): one browser's cookies are never
    swapped for another's, which a late response (the favicon's, setting the session
    cookie again) could undo."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        page = context.new_page()
        yield signed_in(page, live_server, user) if user is not None else page
    finally:
        context.close()


def import_file(page, data: bytes, name: str) -> None:
    page.goto("/staff/agencies/")
    page.get_by_test_id("agency-import").click()
    page.set_input_files("#id_file", {"name": name, "mimeType": "text/csv", "buffer": data})
    page.get_by_role("button", name="上传并试导入").click()
    page.wait_for_url("**/staff/agencies/import/*/")


def agencies_listed(browser, live_server, user) -> str:
    with browser_of(browser, live_server, user) as page:
        page.goto("/staff/agencies/")
        return page.locator("main").inner_text()


def test_a_province_imported_moved_staffed_and_signed_in_through_the_identity_platform(
        browser, page, live_server, platform_admin, op, settings, axe_serious):
    settings.GONGKAI_LOCAL_PASSWORDS = False  # staff sign in through the platform only
    signed_in(page, live_server, platform_admin)

    # 1. The province from a GBK CSV, as Excel on a Chinese Windows saves it; one bad row.
    bad_row = ["坏代码", "坏机关", "", "人民政府", "市级", "", ""]
    import_file(page, csv_file(PROVINCE, CITY_A, CITY_B, COUNTY, BUREAU, bad_row, encoding="gbk"),
                "省机关名录.csv")
    assert "第7行" in page.get_by_test_id("bad-rows").inner_text()
    fits_both_screens(page)
    axe_serious(page)
    page.get_by_test_id("confirm-import").click()
    page.wait_for_url("**/staff/agencies/")
    assert "新增5个" in page.locator("main").inner_text()
    assert not Agency.objects.filter(name="坏机关").exists()
    city_a, city_b = Agency.objects.get(code=CITY_A[0]), Agency.objects.get(code=CITY_B[0])
    county = Agency.objects.get(code=COUNTY[0])
    old_supervisor = member(UserFactory(username="old_supervisor"), city_a, Role.SUPERVISOR)
    new_supervisor = member(UserFactory(username="new_supervisor"), city_b, Role.SUPERVISOR)
    assert county.name in agencies_listed(browser, live_server, old_supervisor)
    assert county.name not in agencies_listed(browser, live_server, new_supervisor)

    # 2. The county under the other city: the same file format, its parent code changed.
    page.set_viewport_size(PHONE)
    import_file(page, csv_file(COUNTY[:2] + [CITY_B[0]] + COUNTY[3:]), "区划调整.csv")
    assert "调整上级" in page.get_by_test_id("changes").inner_text()
    fits_both_screens(page)
    page.get_by_test_id("confirm-import").click()
    page.wait_for_url("**/staff/agencies/")
    county.refresh_from_db()
    assert county.parent == city_b and county.path.startswith(city_b.path)
    assert AuditEvent.objects.filter(action="agency.update", object_id=str(county.pk),
                                     reason__contains="区划调整.csv").exists()
    # The supervisors' views follow the tree (the bureau below the county with it).
    seen_by_old = agencies_listed(browser, live_server, old_supervisor)
    seen_by_new = agencies_listed(browser, live_server, new_supervisor)
    assert county.name not in seen_by_old and BUREAU[1] not in seen_by_old
    assert county.name in seen_by_new and BUREAU[1] in seen_by_new

    # 3. The county government's office invited by e-mail.
    page.set_viewport_size(DESKTOP)
    page.goto(f"/staff/agencies/{county.pk}/people/")
    form = page.get_by_test_id("invite-form")
    form.get_by_label("电子邮箱").fill(INVITED)
    form.get_by_label("姓名（选填）").fill("李四")
    form.get_by_label("岗位").select_option(Role.OFFICE.value)
    form.get_by_role("button", name="发送邀请").click()
    page.wait_for_load_state()
    pending = page.get_by_test_id("invitations").inner_text()
    assert "l********@example.gov.cn" in pending and INVITED not in pending  # masked
    assert "待接受" in pending
    [message] = mail.outbox
    assert message.to == [INVITED]
    link = re.search(r"https?://\S+/staff/invitation/\S+", message.body).group(0)

    # 4. They accept (no password: local passwords are off) in a browser of their own...
    with browser_of(browser, live_server) as theirs:
        theirs.goto(urlsplit(link).path)
        fits_both_screens(theirs)
        axe_serious(theirs)
        assert theirs.locator("input[type=password]").count() == 0
        theirs.get_by_role("button", name="接受邀请").click()
        theirs.wait_for_load_state()
        assert county.name in theirs.get_by_test_id("invitation-accepted").inner_text()
        invited = Membership.objects.get(agency=county, role=Role.OFFICE).user
        assert invited.email == INVITED and not invited.has_usable_password()

        # 5. ...and sign in through the identity platform, matched on their e-mail.
        op.add_user("lisi", password=TEST_PASSWORD, email=INVITED, name="李四")
        through_the_provider(theirs, op, "lisi")
        assert theirs.url.endswith("/staff/"), theirs.url
        assert county.name in theirs.locator("header").inner_text()  # acting as the county's office
        assert AuditEvent.objects.filter(action="identity.staff_linked",
                                         object_id=str(invited.pk)).exists()
        theirs.goto(f"/staff/agencies/{county.pk}/people/")  # the office runs its own people now
        assert theirs.get_by_test_id("invite-form").is_visible()
        fits_both_screens(theirs)
        axe_serious(theirs)
