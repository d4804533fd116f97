"""The public power list (权责清单) in Chromium: the agency's current list grouped by kind,
searched and filtered, its change log and one version's itemised changes, at 1366 and
390 px — nothing wider than the screen — checked by axe."""

import pytest

from gongkai.browser_tests.helpers import DESKTOP, PHONE, as_user
from gongkai.powerlists.tests.conftest import FIRST, SECOND, make_version

pytestmark = pytest.mark.browser

LONG_BASIS = ("《中华人民共和国食品安全法》第三十五条、第一百二十二条；《食品经营许可和备案管理办法》"
              "第四条、第十条；《云泽省食品小作坊小餐饮店小食杂店和食品摊贩管理条例》第十条")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_public_list_and_change_log(page, live_server, bureau, office, axe_serious, tmp_path, viewport):
    width = viewport["width"]
    make_version(office, bureau, FIRST, title="2024年版", publish=True)
    second = make_version(office, bureau, SECOND + [{**SECOND[0], "name": "食品经营许可（仅销售预包装食品）",
                                                     "basis": LONG_BASIS, "code": "330217-XK-000123456789"}],
                          title="2025年版", publish=True)
    page.set_viewport_size(viewport)

    page.goto("/power-lists/")
    page.get_by_role("link", name=bureau.name).click()
    assert page.get_by_test_id("kind-group").count() == 3
    assert page.get_by_test_id("power-item").count() == 5
    assert no_horizontal_scroll(page)
    axe_serious(page)
    page.screenshot(path=str(tmp_path / f"powerlist-{width}.png"), full_page=True)

    page.get_by_label("关键词").fill("生产")
    page.get_by_role("button", name="检索").click()
    assert page.get_by_test_id("result-count").inner_text() == "找到2项事项。"
    page.locator("#id_kind").select_option("penalty")
    page.get_by_role("button", name="检索").click()
    assert page.get_by_test_id("power-item").count() == 1

    page.get_by_role("link", name="调整情况").first.click()
    assert page.get_by_test_id("change-log-row").count() == 2
    assert no_horizontal_scroll(page)
    axe_serious(page)
    page.get_by_role("link", name="新增2项、取消1项、调整2项").click()
    assert page.url.endswith(f"/versions/{second.pk}/changes/")
    assert page.get_by_test_id("added-row").count() == 2
    assert page.get_by_test_id("removed-row").count() == 1
    assert page.get_by_test_id("changed-row").count() == 2
    assert no_horizontal_scroll(page)
    axe_serious(page)
    page.screenshot(path=str(tmp_path / f"powerlist-changes-{width}.png"), full_page=True)


def test_the_office_imports_edits_compares_and_publishes(page, live_server, bureau, office, axe_serious, tmp_path):
    from gongkai.powerlists.models import ListVersion, VersionStatus
    from gongkai.powerlists.tests.helpers import row, xlsx

    make_version(office, bureau, FIRST, title="2024年版", publish=True)
    upload = tmp_path / "清单.xlsx"
    upload.write_bytes(xlsx([row(1, level="市级"), row(2, name="食品生产许可", level="市级"),
                              row(3, kind="行政检查", name="食品安全监督检查", level="市级")]))
    as_user(page, live_server, office)
    page.set_viewport_size(DESKTOP)
    page.goto("/staff/power-lists/")
    page.get_by_role("link", name="从Excel导入新版本").click()
    page.fill("#id_title", "2025年版")
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="导入").click()
    assert "与“2024年版”相比：新增1项、取消2项、调整0项" in page.get_by_test_id("change-summary").inner_text()
    axe_serious(page)
    page.get_by_role("link", name="编辑").first.click()
    page.fill("#id_basis", "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》")
    page.get_by_role("button", name="保存").click()
    assert "调整1项" in page.get_by_test_id("change-summary").inner_text()
    page.get_by_role("link", name="查看逐项比较").click()
    assert page.get_by_test_id("changed-row").count() == 1
    axe_serious(page)
    page.go_back()
    page.locator("summary", has_text="发布").click()
    page.fill("#id_publish-effective_on", "2025-07-01")
    page.fill("#id_publish-adopted_by", "青政发〔2025〕3号")
    page.fill("#id_publish-reason", "经局务会审定")
    page.get_by_test_id("publish-form").get_by_role("button", name="发布").click()
    version = ListVersion.objects.get(title="2025年版")
    assert version.status == VersionStatus.PUBLISHED and version.changed_count == 1
    page.screenshot(path=str(tmp_path / "staff-version.png"), full_page=True)
