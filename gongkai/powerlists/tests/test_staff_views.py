"""The back-office pages: the versions of an agency, a new draft, an import, a draft's
items, comparing, publishing. The office acts; a supervising office reads; other roles
get 403 and another agency 404. Each permission test varies only the actor."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.core import navigation
from gongkai.powerlists import selectors
from gongkai.powerlists.models import ListVersion, PowerItem, VersionStatus
from gongkai.powerlists.tests.helpers import row, xlsx

pytestmark = pytest.mark.django_db


def list_page(client, agency=None):
    return client.get(reverse("staff:powerlist-list"), {"agency": agency.pk} if agency else {})


@pytest.mark.parametrize(("actor", "agency", "status"), [
    ("office", None, 200),
    ("supervisor", "bureau", 200),
    ("platform_admin", "bureau", 200),
    ("officer", None, 403),
    ("reviewer", None, 403),
    ("leader", None, 403),
    ("other_office", "bureau", 404),
])
def test_who_may_open_the_versions(request, client_for, tree, published, actor, agency, status):
    response = list_page(client_for(request.getfixturevalue(actor)), tree[agency] if agency else None)
    assert response.status_code == status
    if status == 200:
        assert len(re.findall(r'data-testid="version-row"', response.content.decode())) == 2


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 200), ("supervisor", 200), ("platform_admin", 200),
    ("officer", 404), ("leader", 404), ("other_office", 404),  # not theirs to read: as if missing
])
def test_who_may_open_a_version(request, client_for, draft, actor, status):
    response = client_for(request.getfixturevalue(actor)).get(reverse("staff:powerlist-version", args=[draft.pk]))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "食品经营许可" in html
        assert ('data-testid="publish-form"' in html) is (actor == "office")


@pytest.mark.parametrize(("actor", "status"), [
    ("office", 302), ("supervisor", 403), ("platform_admin", 403), ("leader", 404), ("other_office", 404),
])
def test_who_may_publish(request, client_for, draft, actor, status):
    client = client_for(request.getfixturevalue(actor))
    response = client.post(reverse("staff:powerlist-publish", args=[draft.pk]),
                           {"publish-effective_on": "2025-07-01", "publish-adopted_by": "青政发〔2025〕3号",
                            "publish-reason": "局务会审定"})
    assert response.status_code == status
    draft.refresh_from_db()
    assert (draft.status == VersionStatus.PUBLISHED) is (status == 302)


def test_the_office_creates_a_draft_from_the_current_list(client_for, office, bureau, published):
    response = client_for(office).post(reverse("staff:powerlist-new"),
                                       {"agency": bureau.pk, "title": "2026年版", "copy_current": "on"})
    version = ListVersion.objects.get(title="2026年版")
    assert response.status_code == 302 and response["Location"] == reverse("staff:powerlist-version", args=[version.pk])
    assert version.items.count() == 4 and version.status == VersionStatus.DRAFT


def test_a_supervisor_cannot_create_a_draft(client_for, supervisor, bureau):
    response = client_for(supervisor).post(reverse("staff:powerlist-new"), {"agency": bureau.pk, "title": "x"})
    assert response.status_code == 403 and not ListVersion.objects.exists()


def test_the_office_imports_a_file(client_for, office, bureau):
    upload = SimpleUploadedFile("清单.xlsx", xlsx([row(1), row(2, kind="行政检查", name="食品安全监督检查")]))
    response = client_for(office).post(reverse("staff:powerlist-import"),
                                       {"agency": bureau.pk, "title": "2026年版", "file": upload})
    assert response.status_code == 302
    assert [i.name for i in PowerItem.objects.order_by("position")] == ["食品经营许可", "食品安全监督检查"]


def test_a_bad_import_lists_its_problems_and_saves_nothing(client_for, office, bureau):
    upload = SimpleUploadedFile("清单.xlsx", xlsx([row(1, kind="公共服务"), row(2, name="")]))
    response = client_for(office).post(reverse("staff:powerlist-import"),
                                       {"agency": bureau.pk, "title": "2026年版", "file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    errors = re.search(r'data-testid="import-errors".*?</div>', html, re.S).group(0)
    assert "第2行：权力类型“公共服务”无法识别" in errors and "第3行：事项名称为空" in errors
    assert not ListVersion.objects.exists()


def test_non_xlsx_bytes_named_xlsx_are_refused(client_for, office, bureau):
    upload = SimpleUploadedFile("清单.xlsx", b"MZ\x90\x00 not a spreadsheet")
    response = client_for(office).post(reverse("staff:powerlist-import"),
                                       {"agency": bureau.pk, "title": "2026年版", "file": upload})
    assert response.status_code == 400 and "文件不是XLSX表格" in response.content.decode()
    assert not ListVersion.objects.exists()


def test_the_template_downloads(client_for, office):
    response = client_for(office).get(reverse("staff:powerlist-template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "权力类型" in [c.value for c in sheet[1]]


def test_the_office_adds_edits_and_removes_an_item(client_for, office, draft):
    client = client_for(office)
    fields = {"kind": "inspection", "name": "食品安全监督检查", "basis": "《食品安全法》第一百一十条",
              "department_name": "食品经营监管科", "level": "市、县"}
    assert client.post(reverse("staff:powerlist-item-new", args=[draft.pk]), fields).status_code == 302
    item = PowerItem.objects.get(name="食品安全监督检查")
    assert item.level == "市级、县级"
    response = client.post(reverse("staff:powerlist-item-edit", args=[item.pk]), {**fields, "name": "食品安全日常检查"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "食品安全日常检查"
    assert client.post(reverse("staff:powerlist-item-remove", args=[item.pk]), {"reason": "重复"}).status_code == 302
    assert not PowerItem.objects.filter(pk=item.pk).exists()


def test_an_item_with_an_unknown_level_is_shown_again_with_the_error(client_for, office, draft):
    fields = {"kind": "inspection", "name": "某检查", "basis": "某法", "level": "中央"}
    response = client_for(office).post(reverse("staff:powerlist-item-new", args=[draft.pk]), fields)
    assert response.status_code == 400 and "行使层级“中央”无法识别" in response.content.decode()
    assert draft.items.count() == 4


def test_publishing_without_a_reason_is_refused(client_for, office, draft):
    response = client_for(office).post(reverse("staff:powerlist-publish", args=[draft.pk]),
                                       {"publish-effective_on": "2025-07-01"})
    assert response.status_code == 400 and "请填写发布说明" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_published_version_offers_no_editing(client_for, office, published):
    first, _ = published
    client = client_for(office)
    html = client.get(reverse("staff:powerlist-version", args=[first.pk])).content.decode()
    assert 'data-testid="publish-form"' not in html and 'data-testid="add-item"' not in html
    item = selectors.items_of(first)[0]
    response = client.post(reverse("staff:powerlist-item-edit", args=[item.pk]),
                           {"kind": "other", "name": "改", "basis": "改"})
    assert response.status_code == 400 and "已发布" in response.content.decode()


def test_comparing_two_versions(client_for, supervisor, published):
    first, second = published
    html = client_for(supervisor).get(reverse("staff:powerlist-compare"),
                                      {"old": first.pk, "new": second.pk}).content.decode()
    assert "新增1项、取消1项、调整2项" in html
    assert len(re.findall(r'data-testid="changed-row"', html)) == 2


def test_comparing_versions_of_an_agency_out_of_scope_is_404(client_for, other_office, published):
    first, second = published
    response = client_for(other_office).get(reverse("staff:powerlist-compare"), {"old": first.pk, "new": second.pk})
    assert response.status_code == 404


def test_a_draft_shows_its_change_against_the_current_list(client_for, office, bureau, published):
    _, second = published
    client = client_for(office)
    client.post(reverse("staff:powerlist-new"), {"agency": bureau.pk, "title": "2026年版", "copy_current": "on"})
    draft = ListVersion.objects.get(title="2026年版")
    html = client.get(reverse("staff:powerlist-version", args=[draft.pk])).content.decode()
    assert "与“2025年版”相比：无变化" in html


def test_the_export_of_a_draft(client_for, office, draft):
    response = client_for(office).get(reverse("staff:powerlist-export", args=[draft.pk]))
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row == 5


def test_the_navigation_entry(office, officer, supervisor):
    def labels(user):
        return [i["label"] for i in navigation.items_for(user, "/staff/")]

    assert "权责清单" in labels(office) and "权责清单" in labels(supervisor)
    assert "权责清单" not in labels(officer)


def test_effective_date_is_required_to_publish(client_for, office, draft):
    response = client_for(office).post(reverse("staff:powerlist-publish", args=[draft.pk]), {"publish-reason": "x"})
    assert response.status_code == 400 and "请填写施行日期" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.effective_on is None


def test_an_import_without_a_file_says_so(client_for, office, bureau):
    response = client_for(office).post(reverse("staff:powerlist-import"), {"agency": bureau.pk, "title": "2026年版"})
    assert response.status_code == 400 and "请选择要导入的文件" in response.content.decode()
    assert not ListVersion.objects.exists()


def test_a_version_warns_of_an_item_typed_twice(client_for, office, draft):
    from gongkai.powerlists import services
    from gongkai.powerlists.tests.conftest import FIRST

    client = client_for(office)
    html = client.get(reverse("staff:powerlist-version", args=[draft.pk])).content.decode()
    assert 'data-testid="duplicates"' not in html
    services.item_add(actor=office, version=draft, **{**FIRST[0], "name": " 食品经营许可。"})
    html = client.get(reverse("staff:powerlist-version", args=[draft.pk])).content.decode()
    warning = re.search(r'data-testid="duplicates">(.*?)</div>', html, re.S).group(1)
    assert "食品经营许可（2项）" in warning and "食品生产许可" not in warning
