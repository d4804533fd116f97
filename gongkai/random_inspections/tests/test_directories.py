"""The two directories' pages and the inspector services: filters and search, imports
through the page, masking of inspectors' personal data, declared conflicts, and who may
do what (tests vary only the actor)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from gongkai.core.errors import DomainError
from gongkai.core.models import AuditEvent
from gongkai.random_inspections.models import DirectoryImport, Entity, Inspector, InspectorConflict
from gongkai.random_inspections.services import directories as services
from gongkai.random_inspections.tests.conftest import uscc

PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"
READERS = [("office", 200), ("officer", 200), ("supervisor", 200), ("other_office", 404)]


@pytest.fixture
def zhang(today, bureau, office, department):
    return services.inspector_create(actor=office, agency=bureau, name="张三", certificate_number="12010000001",
                                     department_name=department.name, region="和平区", grid="和平所",
                                     expertise="食品安全", phone=PHONE, id_number=ID_NUMBER)


def upload(content: bytes, name="名录.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- entities ---------------------------------------------------------------------------------

@pytest.mark.parametrize("persona, status", READERS)
def test_who_reads_the_entity_directory(entities, bureau, client_for, request, persona, status):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("staff:ri-entities"), {"agency": bureau.pk})
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "共60户符合条件" in page
        assert ("导入检查对象名录" in page) is (persona == "office")


def test_entity_directory_filters_searches_and_pages(entities, bureau, office, client_for):
    client = client_for(office)
    url = reverse("staff:ri-entities")
    page = client.get(url, {"agency": bureau.pk, "risk_grade": "高", "region": "和平区"}).content.decode()
    expected = sum(1 for e in entities if e.risk_grade == "高" and e.region == "和平区")
    assert f"共{expected}户符合条件" in page
    page = client.get(url, {"agency": bureau.pk, "q": uscc(7).lower()}).content.decode()
    assert "共1户符合条件" in page and "测试商贸有限公司00007" in page
    page = client.get(url, {"agency": bureau.pk, "q": "有限公司0001"}).content.decode()
    assert "共10户符合条件" in page
    page = client.get(url, {"agency": bureau.pk, "page": 2}).content.decode()
    assert page.count('data-testid="entity-row"') == 10 and "第2页，共2页" in page


def test_entity_directory_query_count_does_not_grow_with_rows(entities, bureau, office, client_for,
                                                             django_assert_max_num_queries):
    client = client_for(office)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("staff:ri-entities"), {"agency": bureau.pk}).status_code == 200


def test_import_through_the_page_shows_counts_and_refused_rows(today, bureau, office, client_for):
    client = client_for(office)
    data = f"名称,统一社会信用代码\n甲公司,{uscc(1)}\n乙公司,{uscc(2)[:17]}0\n".encode()
    if uscc(2).endswith("0"):
        data = data.replace(f"{uscc(2)[:17]}0".encode(), f"{uscc(2)[:17]}1".encode())
    with TestCase.captureOnCommitCallbacks(execute=True):  # the commit: the worker imports (local mode)
        response = client.post(reverse("staff:ri-entities-import"), {"agency": bureau.pk, "file": upload(data)})
    record = DirectoryImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("staff:ri-directory-import",
                                                                            args=[record.pk])
    page = client.get(response["Location"]).content.decode()
    assert "第3行" in page and "统一社会信用代码校验位不正确" in page
    assert Entity.objects.filter(agency=bureau).count() == 1


def test_an_unreadable_upload_is_refused_with_a_message(today, bureau, office, client_for):
    response = client_for(office).post(reverse("staff:ri-entities-import"),
                                       {"agency": bureau.pk, "file": upload(b"%PDF-1.7 ...", "a.csv")})
    assert response.status_code == 400 and "文件内容不是CSV或XLSX表格" in response.content.decode()
    assert not DirectoryImport.objects.exists()


@pytest.mark.parametrize("persona, status", [("officer", 403), ("supervisor", 403), ("other_office", 404)])
def test_only_the_office_imports_through_the_page(today, bureau, client_for, request, persona, status):
    client = client_for(request.getfixturevalue(persona))
    data = f"名称,统一社会信用代码\n甲公司,{uscc(1)}\n".encode()
    response = client.post(reverse("staff:ri-entities-import"), {"agency": bureau.pk, "file": upload(data)})
    assert response.status_code == status
    assert not Entity.objects.exists()


@pytest.mark.parametrize("kind, first", [("entities", "名称,统一社会信用代码,"), ("inspectors", "姓名,执法证号,")])
def test_template_download_holds_the_header_row(today, office, client_for, kind, first):
    response = client_for(office).get(reverse("staff:ri-directory-template", args=[kind]))
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").startswith(first)


# --- inspectors: masking ----------------------------------------------------------------------

@pytest.mark.parametrize("persona, status", READERS)
def test_inspector_pages_mask_phone_and_id_number(zhang, bureau, client_for, request, persona, status):
    client = client_for(request.getfixturevalue(persona))
    listing = client.get(reverse("staff:ri-inspectors"), {"agency": bureau.pk})
    detail = client.get(reverse("staff:ri-inspector", args=[zhang.pk]))
    assert (listing.status_code, detail.status_code) == (status, status)
    if status == 200:
        for page in (listing.content.decode(), detail.content.decode()):
            assert "张三" in page and "12010000001" in page
            assert PHONE not in page and ID_NUMBER not in page
            assert "139****5678" in page and "110***********002X" in page


def test_the_edit_page_shows_them_masked_with_empty_inputs(zhang, office, officer, client_for):
    url = reverse("staff:ri-inspector-edit", args=[zhang.pk])
    page = client_for(office).get(url).content.decode()
    assert PHONE not in page and ID_NUMBER not in page
    assert "139****5678" in page and "110***********002X" in page
    assert 'name="clear_phone"' in page and 'name="clear_id_number"' in page
    assert client_for(officer).get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="random_inspections.inspector_reveal").exists()


def test_the_audit_trail_never_holds_phone_or_id_number(zhang, office):
    services.inspector_update(actor=office, inspector=zhang, name="张三", certificate_number="12010000001",
                              phone="13800000000", id_number="")
    events = AuditEvent.objects.filter(action__startswith="random_inspections.inspector_")
    assert events.count() == 2
    for event in events:
        text = f"{event.before}{event.after}{event.reason}{event.object_repr}"
        assert PHONE not in text and "13800000000" not in text and ID_NUMBER not in text
    update = events.get(action="random_inspections.inspector_update")
    assert update.after["phone_changed"] is True and update.after["id_number_changed"] is True
    zhang.refresh_from_db()
    assert zhang.phone == "13800000000" and zhang.id_number == ""


# --- inspectors: changes ----------------------------------------------------------------------

def test_office_adds_an_inspector_through_the_page(today, bureau, office, department, client_for):
    response = client_for(office).post(reverse("staff:ri-inspector-new") + f"?agency={bureau.pk}", {
        "agency": bureau.pk, "name": "李四", "certificate_number": "１２０１００００００２", "department_name": department.name,
        "phone": PHONE, "id_number": ID_NUMBER.lower()})
    inspector = Inspector.objects.get()
    assert response.status_code == 302
    assert inspector.certificate_number == "12010000002" and inspector.department == department
    assert inspector.id_number == ID_NUMBER


@pytest.mark.parametrize("fields, message", [
    ({"id_number": "110105194912310021"}, "校验位"), ({"certificate_number": "12010000001"}, "已有执法证号"),
    ({"phone": "电话号码"}, "联系电话"), ({"region": "和平区,河西区"}, "英文逗号"),
])
def test_bad_inspector_details_are_refused(zhang, bureau, office, fields, message):
    with pytest.raises(DomainError) as exc:
        services.inspector_create(actor=office, agency=bureau, **({"name": "王五", "certificate_number": "12010000009"}
                                                                  | fields))
    assert message in exc.value.message
    assert Inspector.objects.count() == 1


def test_deactivation_needs_a_reason_and_is_audited(zhang, office, client_for):
    client = client_for(office)
    url = reverse("staff:ri-inspector-deactivate", args=[zhang.pk])
    assert client.post(url, {"status-reason": ""}).status_code == 400
    assert client.post(url, {"status-reason": "调离执法岗位"}).status_code == 302
    zhang.refresh_from_db()
    assert not zhang.is_active
    event = AuditEvent.objects.get(action="random_inspections.inspector_deactivate")
    assert event.reason == "调离执法岗位" and event.actor == office


def test_conflicts_are_declared_and_withdrawn_with_audit(zhang, office, client_for):
    client = client_for(office)
    response = client.post(reverse("staff:ri-conflict-declare", args=[zhang.pk]),
                           {"conflict-credit_code": uscc(5).lower(), "conflict-reason": "近亲属任该企业监事"})
    assert response.status_code == 302
    conflict = InspectorConflict.objects.get()
    assert conflict.credit_code == uscc(5) and conflict.declared_by == office
    response = client.post(reverse("staff:ri-conflict-declare", args=[zhang.pk]),
                           {"conflict-credit_code": "123", "conflict-reason": "x"})
    assert response.status_code == 400 and "统一社会信用代码应为18位" in response.content.decode()
    client.post(reverse("staff:ri-conflict-withdraw", args=[conflict.pk]), {"withdraw-reason": "已离职"})
    assert not InspectorConflict.objects.exists()
    actions = list(AuditEvent.objects.filter(action__startswith="random_inspections.conflict_")
                   .values_list("action", flat=True).order_by("seq"))
    assert actions == ["random_inspections.conflict_declare", "random_inspections.conflict_withdraw"]


@pytest.mark.parametrize("persona", ["officer", "supervisor", "other_office"])
def test_only_the_office_changes_inspectors(zhang, request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.inspector_deactivate(actor=user, inspector=zhang, reason="x")
    with pytest.raises(PermissionDenied):
        services.conflict_declare(actor=user, inspector=zhang, credit_code=uscc(1), reason="x")
    zhang.refresh_from_db()
    assert zhang.is_active and not InspectorConflict.objects.exists()


@pytest.mark.parametrize("persona, status", [("officer", 403), ("supervisor", 403), ("other_office", 404)])
def test_readers_cannot_post_inspector_changes(zhang, client_for, request, persona, status):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(reverse("staff:ri-inspector-deactivate", args=[zhang.pk]), {"status-reason": "x"})
    assert response.status_code == status
    zhang.refresh_from_db()
    assert zhang.is_active
