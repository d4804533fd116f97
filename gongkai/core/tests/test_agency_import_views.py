"""The agency import pages (upload, dry run, apply, templates) and `gongkai agencies import`."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from gongkai.core import agency_import as rules
from gongkai.core.models import Agency, AuditEvent
from gongkai.core.tests.test_agency_import import CITY_A, COUNTY, PROVINCE, csv_file


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the stored uploads: this test's own


def upload(client, data: bytes, name="省机关名录.csv"):
    return client.post(reverse("staff:agency-import"), {"file": SimpleUploadedFile(name, data)})


def test_upload_dry_run_and_apply(platform_admin, client_for, tmp_path):
    client = client_for(platform_admin)
    data = csv_file(PROVINCE, CITY_A, ["坏代码", "坏", "", "人民政府", "市级", "", ""], COUNTY, encoding="gbk")
    response = upload(client, data)
    digest = rules.digest(data)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:agency-import-preview", args=[digest])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "第4行" in html and "机关代码“坏代码”无效" in html
    assert "云泽县人民政府" in html and "新增" in html
    assert not Agency.objects.exists()  # the dry run wrote nothing
    response = client.post(reverse("staff:agency-import-apply", args=[digest]))
    assert response.status_code == 302 and response["Location"] == reverse("staff:agency-list")
    assert Agency.objects.count() == 3
    assert AuditEvent.objects.filter(action="agency.create", reason__contains="省机关名录.csv").count() == 3
    assert not (tmp_path / "agency_imports" / digest).exists()  # used once
    listing = client.get(reverse("staff:agency-list")).content.decode()
    assert "新增3个" in listing and "1行有错误" in listing


def test_apply_uses_the_stored_file_and_the_database_now(platform_admin, client_for):
    """The browser names only the digest: a plan is made again from the stored upload."""
    client = client_for(platform_admin)
    data = csv_file(PROVINCE, CITY_A)
    upload(client, data)
    client.post(reverse("staff:agency-import-apply", args=[rules.digest(data)]))
    assert set(Agency.objects.values_list("code", flat=True)) == {PROVINCE[0], CITY_A[0]}


def test_a_code_saved_by_someone_else_meanwhile_fails_the_apply_cleanly(platform_admin, client_for,
                                                                         monkeypatch):
    from django.db import IntegrityError

    from gongkai.core.views import agency_import as views

    client = client_for(platform_admin)
    data = csv_file(PROVINCE)
    upload(client, data)

    real = views.agency_import

    def raced(**kwargs):
        if kwargs.get("dry_run"):
            return real(**kwargs)
        raise IntegrityError("UNIQUE constraint failed: core_agency.code")

    monkeypatch.setattr(views, "agency_import", raced)
    response = client.post(reverse("staff:agency-import-apply", args=[rules.digest(data)]), follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "另有相同机关代码的机关被保存" in html
    assert "UNIQUE" not in html  # the database's words stay in the log


def test_uploads_never_applied_are_removed_after_a_week(platform_admin, client_for, tmp_path):
    import os

    from gongkai.core import clock
    from gongkai.core.views.agency_import import KEEP_SECONDS

    client = client_for(platform_admin)
    old, new = csv_file(PROVINCE), csv_file(CITY_A)
    upload(client, old)
    stored = tmp_path / "agency_imports" / rules.digest(old)
    stale = clock.now().timestamp() - KEEP_SECONDS - 60
    os.utime(stored, (stale, stale))
    upload(client, new)
    assert not stored.exists()
    assert (tmp_path / "agency_imports" / rules.digest(new)).exists()


@pytest.mark.parametrize("digest", ["0" * 64, "../../etc/passwd", "ABC"])
def test_an_unknown_or_malformed_digest_is_404(platform_admin, client_for, digest):
    client = client_for(platform_admin)
    assert client.get(f"/staff/agencies/import/{digest}/").status_code == 404
    assert client.post(f"/staff/agencies/import/{digest}/apply/").status_code == 404


def test_an_unreadable_file_is_refused_on_the_form(platform_admin, client_for, tmp_path):
    response = upload(client_for(platform_admin), b"PK\x03\x04not a workbook", name="x.xlsx")
    assert response.status_code == 400
    assert "XLSX文件已损坏" in response.content.decode()
    assert not (tmp_path / "agency_imports").exists()


@pytest.mark.parametrize("persona", ["office", "supervisor"])
def test_only_platform_administrators_reach_the_pages(request, client_for, persona, platform_admin):
    data = csv_file(PROVINCE)
    upload(client_for(platform_admin), data)
    client = client_for(request.getfixturevalue(persona))
    digest = rules.digest(data)
    assert upload(client, data).status_code == 403
    assert client.get(reverse("staff:agency-import-preview", args=[digest])).status_code == 403
    assert client.post(reverse("staff:agency-import-apply", args=[digest])).status_code == 403
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
