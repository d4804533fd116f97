"""`gongkai inspections verify TASK`: exit 0 when the published draw re-runs identically,
1 when it does not (a tampered row, a tampered published list), 2 for a usage error; and
the two directory imports."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.random_inspections.models import DirectoryImport, Entity
from gongkai.random_inspections.tests.conftest import uscc
from gongkai.random_inspections.tests.test_verify import make_draw

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(bureau, office, entities, inspectors):
    return make_draw(bureau, office, entities, inspectors)


def verify(*args) -> tuple[int, str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("inspections", "verify", *map(str, args), stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_verify_exits_0_for_an_intact_draw_then_1_once_a_row_is_tampered(made):
    code, out, _ = verify(made.task_id)
    assert code == 0
    assert "[ok] SHA-256 of the revealed seed is the published commitment" in out
    assert f"the draw re-runs identically: 12 targets, result SHA-256 {made.result_sha256}" in out
    # the checks against the audit trail and the frozen names are printed too
    assert "[ok] the audit trail holds the commit entry of this draw" in out
    assert "[ok] the audit trail holds the draw entry of this draw" in out
    assert "[ok] every stored name is the one frozen at the commit" in out
    assert "skipped pairs are in the committed exclusion snapshot" in out

    target = made.targets.order_by("stratum", "rank")[1]
    target.rank = 1
    target.save()
    code, out, err = verify(made.task_id)
    assert code == 1
    assert "[FAILED] 12 stored targets and their inspectors equal the re-run" in out
    assert target.credit_code in err and "does NOT re-run identically" in err


def test_verify_exits_1_when_a_name_shown_with_the_list_is_not_the_frozen_one(made):
    target = made.targets.first()
    target.name = "某某无关公司"
    target.save()
    code, out, err = verify(made.task_id)
    assert code == 1
    assert "[FAILED] every stored name is the one frozen at the commit" in out
    assert "某某无关公司" in err


def test_verify_exits_1_when_the_commit_was_never_audited(bureau, office, entities, inspectors):
    made = make_draw(bureau, office, entities, inspectors, audited=False)
    code, out, _ = verify(made.task_id)
    assert code == 1
    assert "[FAILED] the audit trail holds the commit entry of this draw" in out


def test_verify_finds_the_task_by_its_draw_reference_and_a_draw_by_number(made):
    assert verify(made.reference)[0] == 0
    assert verify(made.reference, "--draw", 1)[0] == 0


def test_verify_a_published_list_file(made, tmp_path):
    from gongkai.random_inspections.verify import verify_draw

    published = verify_draw(made).outcome.result_text
    path = tmp_path / "list.csv"
    path.write_bytes(published)
    code, out, _ = verify(made.task_id, "--list", path)
    assert code == 0 and f"verifying the list {path}" in out
    path.write_bytes(published.replace(b",1,", b",2,", 1))
    assert verify(made.task_id, "--list", path)[0] == 1


@pytest.mark.parametrize("args", [
    ("999999",),  # no such task
    ("no/such/reference",),
    ("{task}", "--draw", "7"),  # no such draw
    ("{task}", "--list", "/nonexistent/list.csv"),
])
def test_verify_usage_errors_exit_2(made, args):
    args = [a.format(task=made.task_id) for a in args]
    with pytest.raises(CommandError) as caught:
        call_command("inspections", "verify", *args)
    assert caught.value.returncode == 2


def test_verify_of_a_task_not_yet_drawn_is_a_usage_error(bureau, office, entities, inspectors):
    committed = make_draw(bureau, office, entities, inspectors, drawn=False)
    with pytest.raises(CommandError, match="no drawn draw") as caught:
        call_command("inspections", "verify", str(committed.task_id))
    assert caught.value.returncode == 2


def test_import_entities_prints_counts_and_refused_rows(bureau, tmp_path, today, capsys):
    pytest.importorskip("gongkai.random_inspections.importer")
    path = tmp_path / "entities.csv"
    good, bad = uscc(1), uscc(2)[:-1] + ("0" if uscc(2)[-1] != "0" else "1")
    path.write_text("统一社会信用代码,名称,主体类型,行业,区域,网格,住所,风险等级,信用等级\n"
                    f"{good},甲商贸有限公司,企业,食品销售,和平区,和平区第1网格,测试路1号,高,A\n"
                    f"{bad},乙商贸有限公司,企业,食品销售,和平区,和平区第1网格,测试路2号,低,A\n", encoding="utf-8")
    call_command("inspections", "import-entities", bureau.code, str(path))
    captured = capsys.readouterr()
    assert "1 created" in captured.out and "1 refused" in captured.out
    assert "row 3: 统一社会信用代码校验位" in captured.err  # the file's line, header being line 1
    assert Entity.objects.filter(agency=bureau, credit_code=good).exists()
    assert not Entity.objects.filter(agency=bureau, credit_code=bad).exists()
    assert DirectoryImport.objects.get().kind == DirectoryImport.Kind.ENTITIES


def test_import_of_an_unknown_agency_is_a_usage_error(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("x\n")
    with pytest.raises(CommandError, match="no agency") as caught:
        call_command("inspections", "import-inspectors", "000000000000000000", str(path))
    assert caught.value.returncode == 2
