"""Benchmark: importing a province's agency tree from a file (issue 21, bound: 3,000
agencies in under a minute), on SQLite and PostgreSQL.

Workload: a generated province file (fixed, no randomness), the tree ``bench/province.py``
builds: the province's people's government → 15 cities' governments → 10 counties'
governments each, plus a government office per government, 2 townships per county and
departments spread over the governments until there are ``--agencies`` (default 3,000);
every row carries a code, name, parent code, kind, level, region code and the guide's
contact details. Written as UTF-8 CSV with BOM and as XLSX.

Measured on an empty migrated database (a platform administrator only), each phase
timed: reading and planning the file (the dry run, CSV and XLSX), the import itself (every
agency through ``agency_create``, each audited, its guide indexed for search), then the
same file again (every row unchanged, nothing written), then a file that moves one county
under another city (its subtree's paths rewritten). The result is checked (count, every
path and depth against its parent, one audit entry per agency) before the figures print.

Run: .venv/bin/python bench/agency_import_bench.py [--agencies 3000] [--only sqlite|postgres]
     (PostgreSQL: a temporary database gongkai_agency_import_bench on
     postgres://postgres@127.0.0.1:5432, dropped at the end)
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import provenance
import province

PG_DB = "gongkai_agency_import_bench"
BOUND = 60.0
HEADER = ["机关代码", "机关名称", "简称", "上级机关代码", "机关类别", "层级", "行政区划代码",
          "办公地址", "邮政编码", "咨询电话", "传真", "电子邮箱", "办公时间", "受理申请"]


def province_rows(n: int, cities: int = 15, counties: int = 10) -> list[list[str]]:
    """The province's rows, parents first (the importer does not need that order)."""
    rows: list[list[str]] = []
    serial = iter(range(1, 10**9))

    def add(name, parent, kind, level, region):
        code = f"33{next(serial):010d}"
        rows.append([code, name, "", parent, kind, level, region, f"{name}政务服务中心1号",
                     "310000", f"0571-{len(rows):08d}", "", f"gk{len(rows)}@example.gov.cn",
                     "工作日 9:00-17:00", "是"])
        return code

    governments = [(add("云泽省人民政府", "", "人民政府", "省级", "330000"), "省级", "云泽省")]
    for c in range(1, cities + 1):
        city = add(f"第{c}市人民政府", governments[0][0], "人民政府", "市级", f"33{c:02d}00")
        governments.append((city, "市级", f"第{c}市"))
        for k in range(1, counties + 1):
            county = add(f"第{c}市第{k}县人民政府", city, "人民政府", "县级", f"33{c:02d}{k:02d}")
            governments.append((county, "县级", f"第{c}市第{k}县"))
            for t in range(1, 3):
                add(f"第{c}市第{k}县第{t}镇人民政府", county, "人民政府", "乡镇级", f"33{c:02d}{k:02d}{t:03d}")
    for code, level, place in list(governments):
        add(f"{place}人民政府办公室", code, "政府办公厅（室）", level, "")
    i = 0
    while len(rows) < n:
        code, level, place = governments[i % len(governments)]
        add(f"{place}第{i // len(governments) + 1}局", code, "政府工作部门", level, "")
        i += 1
    return rows[:n]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def check_tree(n: int) -> None:
    from gongkai.core.models import Agency, AuditEvent

    agencies = {a.pk: a for a in Agency.objects.all()}
    assert len(agencies) == n, f"{len(agencies)} agencies, expected {n}"
    for a in agencies.values():
        parent = agencies.get(a.parent_id)
        expected = (parent.path if parent else "") + str(a.pk).zfill(Agency.PATH_STEP) + "."
        assert a.path == expected and a.depth == (parent.depth + 1 if parent else 0), a.code
    audited = AuditEvent.objects.filter(action="agency.create").count()
    assert audited == n, f"{audited} audit entries, expected {n}"


def measure(backend: str, n: int) -> bool:
    from django.core.management import call_command
    from django.db import connection

    from gongkai.core import agency_import as rules
    from gongkai.core.models import Agency, AuditEvent, User
    from gongkai.core.services.agencies import agency_import

    call_command("migrate", verbosity=0)
    admin = User.objects.create(username="bench-admin", is_superuser=True, is_staff=True)
    rows = province_rows(n)
    data, workbook = csv_bytes(rows), xlsx_bytes(rows)
    print(f"-- {backend} ({connection.vendor}): {n:,} agencies, CSV {len(data) / 1e6:.2f} MB, "
          f"XLSX {len(workbook) / 1e6:.2f} MB")

    def run(payload, name, **kw):
        return agency_import(actor=admin, data=payload, file_name=name, **kw)

    t_csv, plan = timed(lambda: run(data, "province.csv", dry_run=True))
    t_xlsx, _ = timed(lambda: rules.make_plan(workbook, file_name="province.xlsx"))
    assert plan.counts()["create"] == n and not plan.bad, plan.counts()
    t_import, plan = timed(lambda: run(data, "province.csv"))
    check_tree(n)
    events = AuditEvent.objects.count()
    t_again, again = timed(lambda: run(data, "province.csv"))
    assert again.counts()["unchanged"] == n and AuditEvent.objects.count() == events, again.counts()
    county = next(r for r in rows if r[5] == "县级" and r[4] == "人民政府")
    other_city = next(r for r in rows if r[5] == "市级" and r[0] != county[3])
    moved = [county[:3] + [other_city[0]] + county[4:]]
    subtree = Agency.objects.filter(path__startswith=Agency.objects.get(code=county[0]).path).count()
    t_move, plan = timed(lambda: run(csv_bytes(moved), "move.csv"))
    assert plan.counts()["move"] == 1
    check_tree(n)
    ok = t_import < BOUND
    print(f"   dry run (read + plan), CSV   {t_csv:7.2f} s")
    print(f"   dry run, XLSX (plan only)    {t_xlsx:7.2f} s")
    print(f"   import into empty database   {t_import:7.2f} s  ({n / t_import:,.0f} agencies/s)  "
          f"bound {BOUND:.0f} s: {'ok' if ok else 'OVER'}")
    print(f"   same file again (unchanged)  {t_again:7.2f} s")
    print(f"   move one county ({subtree} agencies in its subtree)  {t_move:7.2f} s")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.only is None:
        provenance.announce()
        print(f"== agency import: {args.agencies:,} agencies, bound {BOUND:.0f} s")
        codes = [subprocess.call([sys.executable, __file__, "--agencies", str(args.agencies), "--only", b])
                 for b in ("sqlite", "postgres")]
        return max(codes)
    if args.only == "sqlite":
        with tempfile.TemporaryDirectory() as tmp, province.bench_database(
                argparse.Namespace(keep=False), sqlite=str(Path(tmp) / "bench.sqlite3")):
            return 0 if measure("SQLite", args.agencies) else 1
    with province.bench_database(argparse.Namespace(keep=False, db=PG_DB)):
        return 0 if measure("PostgreSQL", args.agencies) else 1


if __name__ == "__main__":
    sys.exit(main())
