import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.decisions.models import Decision, DecisionKind
from gongkai.decisions.tests.conftest import csv_bytes, penalty_row, person_row, xlsx_bytes


@pytest.fixture(autouse=True)
def _today():
    at(dt.date(2025, 3, 10))


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("decisions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_then_import(tmp_path, bureau):
    path = tmp_path / "处罚.xlsx"
    path.write_bytes(xlsx_bytes([penalty_row(), person_row()]))

    out, _ = run("import", str(path), "--agency", bureau.code, "--dry-run")
    assert "XLSX, 2 data row(s)" in out
    assert "dry run, nothing saved: would import 2 penalty; 2 to publish" in out
    assert not Decision.objects.exists()

    out, _ = run("import", str(path), "--agency", bureau.code)
    assert "imported (batch" in out and Decision.objects.count() == 2
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "decisions.import" and event.actor is None


def test_problems_are_printed_and_nothing_is_imported(tmp_path, bureau):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([penalty_row(), person_row(date="明天")], encoding="gb18030"))
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("decisions", "import", str(path), "--agency", bureau.code, stdout=StringIO(),
                     stderr=err)
    assert "第3行“处罚决定日期”" in err.getvalue() and not Decision.objects.exists()


def test_user_must_be_the_agency_office(tmp_path, bureau, leader, office):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([penalty_row()]))
    with pytest.raises(CommandError, match="只有本机关"):
        run("import", str(path), "--agency", bureau.code, "--user", leader.username)
    run("import", str(path), "--agency", bureau.code, "--user", office.username, "--hold")
    assert Decision.objects.get().status == "pending"


def test_unknown_agency_and_missing_file(tmp_path, bureau):
    with pytest.raises(CommandError, match="no agency"):
        run("import", str(tmp_path / "x.csv"), "--agency", "NOPE")
    with pytest.raises(CommandError, match="no such file"):
        run("import", str(tmp_path / "x.csv"), "--agency", bureau.code)


def test_counts(bureau, make_decision):
    make_decision(decision_date=dt.date(2024, 5, 5))
    make_decision(kind=DecisionKind.LICENCE, penalty_types=0, fine_amount=None,
                  decision_date=dt.date(2024, 6, 6))
    out, _ = run("counts", "--year", "2024", "--agency", bureau.code)
    assert out.strip().endswith("2024: 行政许可 1, 行政处罚 1, 行政强制 0")
