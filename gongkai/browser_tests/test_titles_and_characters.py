"""What a page calls itself and how it reads in 繁體 (issue 14, "Why"), in Chromium on the
demo site: every title names the page and then whose it is (the agency on an agency's
pages, the site otherwise, "后台" in the back office), never the software ("gongkai");
the calendar names its built-in data for people, not as "（chinesecalendar）"; and the
traditional view uses the Taiwan standard forms (為, 眾, 裡, 著; not 爲, 衆, 裏, 着) while
keeping the vocabulary (軟件 stays, not 軟體; 信息, not 資訊)."""

import opencc
import pytest
from django.core.cache import cache
from django.urls import reverse

from gongkai.browser_tests import test_desk as desk
from gongkai.browser_tests.helpers import sign_in
from gongkai.core.models import Agency

pytestmark = pytest.mark.browser

demo_site = desk.demo_site  # what `gongkai demo` loads, the clock at 2026-03-10
SITE = "政府信息公开平台"
STAFF = f" - 后台 - {SITE}"


def _title(page, address: str) -> str:
    response = page.goto(address)
    assert response.status in (200, 404), address
    return page.title()


def test_titles_name_the_page_and_its_owner_never_the_software(page, demo_site):
    from gongkai.publishing.models import Column, Publication
    from gongkai.reports.models import AnnualReport

    bureau = Agency.objects.get(name=desk.BUREAU)
    item = Publication.objects.filter(agency=bureau, status="published").first()
    column = Column.objects.filter(agency=bureau).first()
    report = AnnualReport.objects.get(agency=bureau, published_version__isnull=False)
    code = bureau.code
    agency_pages = {
        reverse("portal:agency-home", args=[code]): "政府信息公开专栏",
        reverse("portal:agency-guide", args=[code]): "政府信息公开指南",
        reverse("portal:agency-normative", args=[code]): "规章和规范性文件",
        reverse("portal:agency-statutory", args=[code]): "法定主动公开内容",
        reverse("portal:agency-rules", args=[code]): "政府信息公开制度",
        reverse("portal:column-detail", args=[column.pk]): column.name,
        reverse("portal:publication-detail", args=[item.pk]): item.title,
        reverse("portal:annual-report-list", args=[code]): "政府信息公开工作年度报告",
        reverse("portal:annual-report-detail", args=[code, report.year]):
            f"{bureau.name}{report.year}年政府信息公开工作年度报告",
    }
    site_pages = {
        reverse("portal:home"): "首页",
        reverse("portal:agency-index"): "机关名录",
        reverse("portal:annual-report-index"): "政府信息公开工作年度报告",
        reverse("portal:search"): "信息检索",
        reverse("portal:apply"): "申请政府信息公开",
        "/no-such-page/": "页面不存在",
    }
    seen = []
    for address, name in agency_pages.items():
        seen.append(title := _title(page, address))
        assert title == f"{name} - {bureau.name}", address
    for address, name in site_pages.items():
        seen.append(title := _title(page, address))
        assert title == f"{name} - {SITE}", address

    sign_in(page, "office")
    staff_pages = {
        reverse("staff:home"): "工作台",
        reverse("staff:foi-list"): "申请列表",
        reverse("staff:publishing-list"): "主动公开",
        reverse("staff:publishing-detail", args=[item.pk]): item.index_number,
        reverse("staff:report-detail", args=[report.pk]): f"{report.year}年度报告",
        reverse("staff:calendar"): "工作日历",
    }
    for address, name in staff_pages.items():
        seen.append(title := _title(page, address))
        assert title == f"{name}{STAFF}", address
    assert not [t for t in seen if "gongkai" in t.lower()]

    # The calendar (the last page above) names its built-in data as staff know it.
    source = page.get_by_test_id("built-in-source").inner_text()
    assert "（国务院办公厅节假日安排，随软件发布）" in source
    assert "chinesecalendar" not in page.content().lower()


BODY = "为群众在这里着力推进软件正版化，围绕着重点领域公开政府信息。"


def test_the_traditional_view_uses_taiwan_forms_and_keeps_the_vocabulary(page, demo_site):
    from gongkai.core.models import Department, User
    from gongkai.core.tests.helpers import at
    from gongkai.portal.tests.conftest import Publisher
    from gongkai.publishing.models import Column

    bureau = Agency.objects.get(name=desk.BUREAU)
    publisher = Publisher(
        agency=bureau, office=User.objects.get(username="office"),
        officer=User.objects.get(username="officer"),
        reviewer=User.objects.get(username="reviewer"),
        leader=User.objects.get(username="leader"),
        department=Department.objects.get(agency=bureau, name="食品安全科"))
    item = publisher.publish("关于为群众办好软件正版化工作的通知", on=desk.TODAY,
                             columns=[Column.objects.filter(agency=bureau).first()],
                             body=f"<p>{BODY}</p>")
    at(desk.TODAY)
    cache.clear()
    expected = opencc.OpenCC("s2tw").convert(BODY)
    assert expected == "為群眾在這裡著力推進軟件正版化，圍繞著重點領域公開政府信息。"

    page.goto(reverse("portal:publication-detail", args=[item.pk]))
    assert BODY in page.locator("main").inner_text()
    page.get_by_role("link", name="繁體").click()
    page.wait_for_url(f"**/publications/{item.pk}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    text = page.locator("body").inner_text()
    assert expected in text
    assert page.get_by_role("heading", level=1).inner_text() == "關於為群眾辦好軟件正版化工作的通知"
    for older_or_mainland in ("爲", "衆", "羣", "裏", "着", "軟體", "資訊"):
        assert older_or_mainland not in text, older_or_mainland
    assert "政府信息公開平臺" in text  # the site's name: 信息 stays
