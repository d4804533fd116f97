"""The agency import pages (upload, dry run, apply by a worker, templates) and
`gongkai agencies import`."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from gongkai.core import agency_import as rules
from gongkai.core.models import Agency, AgencyImport, AgencyImportState, AuditEvent
from gongkai.core.services import agencies as services
from gongkai.core.tests.factories import AdminFactory
from gongkai.core.tests.helpers import at
from gongkai.core.tests.test_agency_import import CITY_A, COUNTY, PROVINCE, csv_file


def upload(client, data: bytes, name="省机关名录.csv"):
    return client.post(reverse("staff:agency-import"), {"file": SimpleUploadedFile(name, data)})


def staged(client, data: bytes, name="省机关名录.csv") -> AgencyImport:
    response = upload(client, data, name)
    assert response.status_code == 302
    return AgencyImport.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_upload_dry_run_and_apply(platform_admin, client_for, django_capture_on_commit_callbacks):
    client = client_for(platform_admin)
    data = csv_file(PROVINCE, CITY_A, ["坏代码", "坏", "", "人民政府", "市级", "", ""], COUNTY, encoding="gbk")
    response = upload(client, data)
    kept = AgencyImport.objects.get()  # the file itself, in the database
    assert bytes(kept.content) == data and kept.digest == rules.digest(data)
    assert kept.state == AgencyImportState.STAGED and kept.uploaded_by == platform_admin
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:agency-import-preview", args=[kept.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "第4行" in html and "机关代码“坏代码”无效" in html
    assert "云泽县人民政府" in html and "新增" in html
    assert reverse("staff:agency-import-apply", args=[kept.pk]) in html
    assert not Agency.objects.exists()  # the dry run wrote nothing
    with django_capture_on_commit_callbacks(execute=True):  # the commit: the worker applies
        response = client.post(reverse("staff:agency-import-apply", args=[kept.pk]))
    status_url = reverse("staff:agency-import-status", args=[kept.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    assert Agency.objects.count() == 3
    assert AuditEvent.objects.filter(action="agency.create", reason__contains="省机关名录.csv").count() == 3
    kept.refresh_from_db()
    assert kept.state == AgencyImportState.DONE and bytes(kept.content) == b""  # used once
    done = client.get(status_url)
    assert done.status_code == 302 and done["Location"] == reverse("staff:agency-list")
    listing = client.get(reverse("staff:agency-list")).content.decode()
    assert "已导入“省机关名录.csv”：新增3个，修改0个，调整上级0个，0个不变；1行有错误，未导入。" in listing


def test_apply_queues_the_file_and_the_status_page_waits_for_the_worker(
        platform_admin, client_for, django_capture_on_commit_callbacks):
    """The request only queues the apply: until the worker has run, a page that refreshes
    itself; once it has, the summary."""
    client = client_for(platform_admin)
    kept = staged(client, csv_file(PROVINCE, CITY_A))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("staff:agency-import-apply", args=[kept.pk]))
    kept.refresh_from_db()
    assert kept.state == AgencyImportState.QUEUED and kept.confirmed_by == platform_admin
    assert not Agency.objects.exists()
    status_url = reverse("staff:agency-import-status", args=[kept.pk])
    pending = client.get(status_url)
    html = pending.content.decode()
    assert pending.status_code == 200 and "导入中" in html
    assert '<meta http-equiv="refresh" content="3">' in html
    # The dry run is not offered again for a file the worker now holds.
    assert client.get(reverse("staff:agency-import-preview", args=[kept.pk]))["Location"] == status_url

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:  # the commit: the worker applies (local mode)
            callback()
    kept.refresh_from_db()
    assert kept.state == AgencyImportState.DONE
    assert kept.outcome == {"counts": {"create": 2, "update": 0, "move": 0, "unchanged": 0, "bad": 0}}
    assert set(Agency.objects.values_list("code", flat=True)) == {PROVINCE[0], CITY_A[0]}
    listing = client.get(status_url, follow=True).content.decode()
    assert "已导入“省机关名录.csv”：新增2个，修改0个，调整上级0个，0个不变。" in listing
    assert 'http-equiv="refresh"' not in listing


def test_applying_twice_applies_once(platform_admin, client_for, django_capture_on_commit_callbacks):
    client = client_for(platform_admin)
    kept = staged(client, csv_file(PROVINCE, CITY_A))
    apply_url = reverse("staff:agency-import-apply", args=[kept.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(apply_url)
        second = client.post(apply_url)  # a double click, the back button
    assert first["Location"] == second["Location"] == reverse("staff:agency-import-status", args=[kept.pk])
    assert Agency.objects.count() == 2
    assert AuditEvent.objects.filter(action="agency.import").count() == 1
    # A redelivery of the task to the worker applies nothing either.
    services.agency_import_run(import_id=kept.pk)
    assert AuditEvent.objects.filter(action="agency.create").count() == 2


def test_an_administrator_who_lost_the_right_before_the_worker_ran_imports_nothing(
        platform_admin, client_for, django_capture_on_commit_callbacks):
    client = client_for(platform_admin)
    kept = staged(client, csv_file(PROVINCE))
    with django_capture_on_commit_callbacks(execute=False):  # the worker is not run here
        client.post(reverse("staff:agency-import-apply", args=[kept.pk]))
    platform_admin.is_superuser = False
    platform_admin.save(update_fields=["is_superuser"])
    services.agency_import_run(import_id=kept.pk)
    kept.refresh_from_db()
    assert kept.state == AgencyImportState.REFUSED and bytes(kept.content) == b""
    assert kept.outcome == {"reason": "只有平台管理员可以导入机关名录"}
    assert not Agency.objects.exists() and not AuditEvent.objects.filter(action="agency.create").exists()


def test_a_code_taken_while_the_worker_applies_refuses_the_whole_file(
        platform_admin, client_for, monkeypatch, django_capture_on_commit_callbacks):
    """Another administrator saves one of the file's new codes after the worker's plan and
    before its insert: the worker writes nothing at all and the status page says why, in
    Chinese."""
    client = client_for(platform_admin)
    kept = staged(client, csv_file(PROVINCE, CITY_A, COUNTY))
    real = rules.make_plan

    def then_a_colleague_saves_the_county(data, **kwargs):
        plan = real(data, **kwargs)
        Agency.objects.create(name="别处", code=COUNTY[0], level="county", path="elsewhere.")
        return plan

    monkeypatch.setattr(rules, "make_plan", then_a_colleague_saves_the_county)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:agency-import-apply", args=[kept.pk]))
    kept.refresh_from_db()
    assert kept.state == AgencyImportState.REFUSED and bytes(kept.content) == b""
    assert kept.outcome == {"reason": "导入期间另有相同机关代码的机关被保存，请重新上传并试导入。"}
    assert not Agency.objects.filter(code__in=[PROVINCE[0], CITY_A[0]]).exists()  # nothing written
    assert not AuditEvent.objects.filter(action__in=["agency.create", "agency.import"]).exists()
    page = client.get(reverse("staff:agency-import-status", args=[kept.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "导入未完成，未写入任何变化：导入期间另有相同机关代码" in text
    assert 'http-equiv="refresh"' not in text and "IntegrityError" not in text


def test_a_rule_broken_at_apply_time_refuses_with_its_message(
        platform_admin, client_for, monkeypatch, django_capture_on_commit_callbacks):
    from gongkai.core.errors import DomainError

    client = client_for(platform_admin)
    kept = staged(client, csv_file(PROVINCE, CITY_A))
    real = services._create_many

    def refused(**kwargs):
        real(**kwargs)
        raise DomainError("上级机关已停用")

    monkeypatch.setattr(services, "_create_many", refused)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:agency-import-apply", args=[kept.pk]))
    kept.refresh_from_db()
    assert kept.state == AgencyImportState.REFUSED and kept.outcome == {"reason": "上级机关已停用"}
    assert not Agency.objects.exists()


def test_a_code_saved_by_someone_else_meanwhile_fails_the_apply_cleanly(
        platform_admin, client_for, monkeypatch, django_capture_on_commit_callbacks):
    from django.db import IntegrityError

    client = client_for(platform_admin)
    kept = staged(client, csv_file(PROVINCE, CITY_A))
    real = services.agency_import

    def raced(**kwargs):
        real(**kwargs)  # writes, then the insert of a code saved meanwhile fails
        raise IntegrityError("UNIQUE constraint failed: core_agency.code")

    monkeypatch.setattr(services, "agency_import", raced)
    with django_capture_on_commit_callbacks(execute=True):  # the commit: the worker applies
        client.post(reverse("staff:agency-import-apply", args=[kept.pk]))
    response = client.get(reverse("staff:agency-import-status", args=[kept.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "另有相同机关代码的机关被保存" in html
    assert "UNIQUE" not in html  # the database's words stay in the log
    assert not Agency.objects.exists()  # rolled back to the savepoint: nothing written
    kept.refresh_from_db()
    assert kept.state == AgencyImportState.REFUSED


def test_the_queue_giving_up_refuses_the_import_instead_of_waiting_for_ever(platform_admin):
    from gongkai.tasks import registry

    kept = services.agency_import_stage(actor=platform_admin, data=csv_file(PROVINCE), file_name="a.csv")
    AgencyImport.objects.filter(pk=kept.pk).update(state=AgencyImportState.QUEUED)
    registry.give_up_hook(services.AGENCY_IMPORT_JOB)(import_id=kept.pk, error=RuntimeError("boom"))
    kept.refresh_from_db()
    assert kept.state == AgencyImportState.REFUSED and "后台导入多次出错" in kept.outcome["reason"]


def test_uploads_never_applied_are_removed_after_a_week_but_not_queued_ones(platform_admin, client_for):
    client = client_for(platform_admin)
    at(dt.date(2026, 3, 2))
    old = staged(client, csv_file(PROVINCE))
    waiting = staged(client, csv_file(COUNTY))
    AgencyImport.objects.filter(pk=waiting.pk).update(state=AgencyImportState.QUEUED)
    at(dt.date(2026, 3, 9), hour=11)  # a week and an hour later
    new = staged(client, csv_file(CITY_A))
    assert set(AgencyImport.objects.values_list("pk", flat=True)) == {waiting.pk, new.pk}
    assert old.pk != new.pk


def test_the_same_file_uploaded_again_is_the_same_upload(platform_admin, client_for):
    client = client_for(platform_admin)
    first = staged(client, csv_file(PROVINCE), name="a.csv")
    again = staged(client, csv_file(PROVINCE), name="b.csv")
    assert again.pk == first.pk and again.file_name == "b.csv" and AgencyImport.objects.count() == 1


def test_any_platform_administrator_may_open_and_apply_anothers_upload(
        platform_admin, client_for, django_capture_on_commit_callbacks):
    kept = staged(client_for(platform_admin), csv_file(PROVINCE))
    colleague = AdminFactory(username="colleague")
    client = client_for(colleague)
    assert client.get(reverse("staff:agency-import-preview", args=[kept.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:agency-import-apply", args=[kept.pk]))
    # Applied as the one who confirmed it.
    assert AuditEvent.objects.get(action="agency.create").actor == colleague


def test_an_unknown_upload_is_404(platform_admin, client_for):
    client = client_for(platform_admin)
    assert client.get("/staff/agencies/import/999/").status_code == 404
    assert client.post("/staff/agencies/import/999/apply/").status_code == 404
    assert client.get("/staff/agencies/import/999/status/").status_code == 404
    assert client.get("/staff/agencies/import/../../etc/passwd/").status_code == 404


def test_an_unreadable_file_is_refused_on_the_form(platform_admin, client_for):
    response = upload(client_for(platform_admin), b"PK\x03\x04not a workbook", name="x.xlsx")
    assert response.status_code == 400
    assert "XLSX文件已损坏" in response.content.decode()
    assert not AgencyImport.objects.exists()


@pytest.mark.parametrize("persona", ["office", "supervisor"])
def test_only_platform_administrators_reach_the_pages(request, client_for, persona, platform_admin):
    data = csv_file(PROVINCE)
    kept = staged(client_for(platform_admin), data)
    client = client_for(request.getfixturevalue(persona))
    assert upload(client, data).status_code == 403
    assert client.get(reverse("staff:agency-import-preview", args=[kept.pk])).status_code == 403
    assert client.post(reverse("staff:agency-import-apply", args=[kept.pk])).status_code == 403
    assert client.get(reverse("staff:agency-import-status", args=[kept.pk])).status_code == 403
    kept.refresh_from_db()
    assert kept.state == AgencyImportState.STAGED
    assert client.get(reverse("staff:agency-import-template", args=["csv"])).status_code == 403
    assert "agency-import" not in client.get(reverse("staff:agency-list")).content.decode()
    assert not Agency.objects.filter(code=PROVINCE[0]).exists()


def test_the_agency_list_links_to_the_import_for_administrators(platform_admin, client_for):
    html = client_for(platform_admin).get(reverse("staff:agency-list")).content.decode()
    assert reverse("staff:agency-import") in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_templates_download_and_read_back_clean(platform_admin, client_for, fmt):
    response = client_for(platform_admin).get(reverse("staff:agency-import-template", args=[fmt]))
    assert response.status_code == 200
    assert f"agency-import-template.{fmt}" in response["Content-Disposition"]
    plan = rules.make_plan(response.content, file_name=f"t.{fmt}")
    assert plan.bad == [] and plan.counts()["create"] == 2


def test_a_template_in_another_format_is_404(platform_admin, client_for):
    assert client_for(platform_admin).get("/staff/agencies/import/template.pdf").status_code == 404


def test_the_preview_lists_at_most_500_rows_of_a_province(platform_admin, client_for):
    rows = [PROVINCE] + [[f"3301{i:08d}", f"第{i}局", PROVINCE[0], "政府工作部门", "省级", "", ""]
                         for i in range(1, 600)]
    client = client_for(platform_admin)
    response = client.get(upload(client, csv_file(*rows))["Location"])
    html = response.content.decode()
    assert "共600个机关将发生变化，仅列出前500个" in html
    assert "第500局" not in html and "第499局" in html


# --- gongkai agencies import --------------------------------------------------------------------


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("agencies", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_cli_dry_run_then_import(platform_admin, tmp_path):
    path = tmp_path / "province.csv"
    path.write_bytes(csv_file(PROVINCE, CITY_A, COUNTY))
    code, out, _ = command("import", str(path), "--dry-run")
    assert code == 0 and "3 to create" in out and not Agency.objects.exists()
    code, out, _ = command("import", str(path))
    assert code == 0 and "3 created" in out and Agency.objects.count() == 3
    code, out, _ = command("import", str(path))
    assert "0 created" in out and "3 unchanged" in out


def test_cli_lists_bad_rows_and_exits_non_zero(platform_admin, tmp_path):
    path = tmp_path / "province.csv"
    path.write_bytes(csv_file(PROVINCE, ["1", "坏", "", "人民政府", "市级", "", ""]))
    code, out, err = command("import", str(path))
    assert code == 1 and "row 3" in err and "1 created" in out


def test_cli_refuses_without_a_platform_administrator(db, tmp_path):
    path = tmp_path / "province.csv"
    path.write_bytes(csv_file(PROVINCE))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--user"):
        command("import", str(path))
    with pytest.raises(CommandError, match="no active platform administrator"):
        command("import", str(path), "--user", "nobody")
