"""`gongkai report check` over several files (issue 19, parts 5 and 6): one JSON document
with the reports and the cross-year pairs, reports of one agency paired across years
whatever higher-level place names their titles print, the exit status, files checked on
several processes with the same results, and the Django-free command giving exactly the
management command's output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from gongkai.reports.checker import batch, cli
from gongkai.reports.checker.batch import check_paths, workers_for
from gongkai.reports.checker.check import check_bytes
from gongkai.reports.formats import get_format
from gongkai.reports.tests.fixtures.renditions import report_html
from gongkai.reports.tests.fixtures.sample_reports import REPORT_2018, REPORT_2020

ROOT = Path(__file__).resolve().parents[3]


def report(agency: str, year: int, *, carried_in: int = 0, carried_out: int = 0) -> str:
    """A 2021-format report whose every rule holds: ``carried_in`` requests carried in from
    last year (all answered, 予以公开) and ``carried_out`` new ones still open at the year's
    end, all from natural persons."""
    fmt = get_format("2021")
    cells = dict.fromkeys(fmt.cell_refs(), 0)
    for column in ("natural_person", "total"):
        cells[f"3/一/{column}"] = carried_out
        cells[f"3/二/{column}"] = carried_in
        cells[f"3/三.一/{column}"] = carried_in
        cells[f"3/三.七/{column}"] = carried_in
        cells[f"3/四/{column}"] = carried_out
    return report_html(fmt, cells, agency=agency, year=year)


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*files, as_json: bool = True, workers: int | None = 1) -> tuple[int, str, str]:
    out, err = [], []
    status = cli.run([str(f) for f in files], as_json=as_json, out=out.append, err=err.append, workers=workers)
    return status, "\n".join(out), "\n".join(err)


def run_json(*files, workers: int | None = 1):
    status, out, _ = run(*files, workers=workers)
    return status, json.loads(out)


# --- the JSON document -------------------------------------------------------------------------

def test_one_file_prints_that_files_object_unchanged():
    status, doc = run_json(REPORT_2020)
    assert status == 0
    expected = check_bytes(str(REPORT_2020), REPORT_2020.read_bytes()).as_dict()
    assert doc == json.loads(json.dumps(expected, ensure_ascii=False))
    assert "reports" not in doc and doc["file"] == str(REPORT_2020)


def test_several_files_print_one_document_with_reports_in_the_order_given(tmp_path):
    other = write(tmp_path, "other.html", report("灌云县人民政府", 2023))
    status, doc = run_json(REPORT_2018, REPORT_2020, other)
    assert status == 0
    assert set(doc) == {"reports", "cross_year"}
    assert [r["file"] for r in doc["reports"]] == [str(REPORT_2018), str(REPORT_2020), other]
    assert [r["format"] for r in doc["reports"]] == ["legacy", "2019", "2021"]
    single = json.loads(json.dumps(check_bytes(str(REPORT_2020), REPORT_2020.read_bytes()).as_dict(),
                                   ensure_ascii=False))
    assert doc["reports"][1] == single  # each file's object as it is printed alone
    assert doc["cross_year"] == []  # no agency with two consecutive years


def test_unreadable_file_in_a_batch_keeps_its_place_with_an_error(tmp_path):
    missing = tmp_path / "missing.pdf"
    status, out, err = run(REPORT_2020, missing)
    doc = json.loads(out)
    assert status == 2
    assert doc["reports"][1]["file"] == str(missing) and doc["reports"][1]["format"] is None
    assert f"{missing}: error: cannot read" in err


# --- pairing across years ----------------------------------------------------------------------

def test_reports_of_one_agency_pair_across_higher_level_prefixes(tmp_path):
    earlier = write(tmp_path, "2022.html", report("江苏省青岚市青山区人民政府", 2022, carried_out=3))
    later = write(tmp_path, "2023.html", report("青山区人民政府", 2023, carried_in=3))
    status, doc = run_json(later, earlier)
    assert status == 0
    assert doc["reports"][0]["cross_year_with"] == earlier
    assert doc["reports"][1]["cross_year_with"] is None
    [pair] = doc["cross_year"]
    assert (pair["agency"], pair["years"], pair["holds"]) == ("青山区人民政府", [2022, 2023], True)
    assert pair["files"] == [earlier, later]
    cells = {c["cell"]: (c["earlier"], c["later"]) for c in pair["cells"]}
    assert cells["3/二/natural_person"] == (3, 3) and cells["3/二/total"] == (3, 3)
    assert len(cells) == len(get_format("2021").table("3").columns)


def test_a_broken_cross_year_rule_is_reported_with_its_cells_and_exit_1(tmp_path):
    earlier = write(tmp_path, "2022.html", report("淮安市洪泽区人民政府", 2022, carried_out=2))
    later = write(tmp_path, "2023.html", report("洪泽区人民政府", 2023, carried_in=5))
    status, doc = run_json(earlier, later)
    assert status == 1
    [pair] = doc["cross_year"]
    assert pair["holds"] is False
    assert {c["cell"]: (c["earlier"], c["later"]) for c in pair["cells"]}["3/二/natural_person"] == (2, 5)
    broken = {(v["rule"], v["label"]) for v in doc["reports"][1]["violations"]}
    assert broken == {("三.跨年结转", "自然人"), ("三.跨年结转", "总计")}
    assert doc["reports"][0]["violations"] == []


@pytest.mark.parametrize(("first", "second", "years"), [
    ("淮安市人民政府", "淮安市人民政府办公室", (2022, 2023)),  # a government and its office
    ("淮安市城市管理局", "南京市城市管理局", (2022, 2023)),
    ("洪泽区人民政府", "洪泽区人民政府", (2021, 2023)),  # not consecutive
])
def test_no_pair(tmp_path, first, second, years):
    a = write(tmp_path, "a.html", report(first, years[0], carried_out=1))
    b = write(tmp_path, "b.html", report(second, years[1], carried_in=4))
    status, doc = run_json(a, b)
    assert status == 0 and doc["cross_year"] == []
    assert [r["cross_year_with"] for r in doc["reports"]] == [None, None]


def test_districts_of_one_name_in_two_cities_are_not_paired(tmp_path):
    nanjing = write(tmp_path, "nanjing.html", report("南京市鼓楼区人民政府", 2022, carried_out=1))
    xuzhou = write(tmp_path, "xuzhou.html", report("徐州市鼓楼区人民政府", 2023, carried_in=4))
    status, doc = run_json(nanjing, xuzhou)
    assert status == 0 and doc["cross_year"] == []


@pytest.mark.parametrize("ambiguous", ["earlier", "later"])
def test_no_pair_where_two_reports_fit_and_the_report_says_so(tmp_path, ambiguous):
    """A bare "鼓楼区人民政府" could follow (or precede) either city's 鼓楼区: nothing is
    paired, and the report says which reports could have been its pair."""
    if ambiguous == "earlier":  # two reports of the year before fit the later one
        files = [write(tmp_path, "a.html", report("南京市鼓楼区人民政府", 2022, carried_out=3)),
                 write(tmp_path, "b.html", report("徐州市鼓楼区人民政府", 2022, carried_out=1)),
                 write(tmp_path, "c.html", report("鼓楼区人民政府", 2023, carried_in=3))]
    else:  # the earlier one fits two later ones
        files = [write(tmp_path, "a.html", report("鼓楼区人民政府", 2022, carried_out=3)),
                 write(tmp_path, "b.html", report("南京市鼓楼区人民政府", 2023, carried_in=3)),
                 write(tmp_path, "c.html", report("徐州市鼓楼区人民政府", 2023, carried_in=1))]
    status, doc = run_json(*files)
    assert doc["cross_year"] == []
    assert all(r["cross_year_with"] is None for r in doc["reports"])
    said = [r for r in doc["reports"] if any("同样相符" in n and "未核对跨年度勾稽关系" in n for n in r["notes"])]
    assert said, doc["reports"]
    if ambiguous == "earlier":  # the later report names both reports of the year before
        assert said[0]["file"] == files[2] and all(f in " ".join(said[0]["notes"]) for f in files[:2])
    else:  # each later report names the shared earlier report and the other later one
        assert {r["file"] for r in said} == set(files[1:])
        assert all(files[0] in " ".join(r["notes"]) for r in said)


def test_the_same_chain_of_places_wins_over_a_bare_district(tmp_path):
    """福州市鼓楼区 2022 → 2023 pairs though another city's report titled only "鼓楼区" is
    in the batch; the bare one stays unpaired and says which report was taken."""
    files = [write(tmp_path, "fz2022.html", report("福州市鼓楼区人民政府", 2022, carried_out=3)),
             write(tmp_path, "fz2023.html", report("福州市鼓楼区人民政府", 2023, carried_in=3)),
             write(tmp_path, "bare2023.html", report("鼓楼区人民政府", 2023, carried_in=1))]
    _, doc = run_json(*files)
    assert [(p["files"], p["holds"]) for p in doc["cross_year"]] == [([files[0], files[1]], True)]
    bare = doc["reports"][2]
    assert bare["cross_year_with"] is None
    assert any("更相符" in n and "fz2023.html" in n for n in bare["notes"])


def test_names_that_leave_their_place_out_are_never_paired(tmp_path):
    a = write(tmp_path, "a.html", report("市教育局", 2022, carried_out=3))
    b = write(tmp_path, "b.html", report("市教育局", 2023, carried_in=1))
    _, doc = run_json(a, b)
    assert doc["cross_year"] == []


def test_the_public_pages_pairing_is_the_report_paired_not_one_of_the_same_name():
    """Two uploads named alike: the cross-year rule and what the page shows use the report
    the checker paired, by identity."""
    from gongkai.reports.checker.check import check_files

    texts = [("年度报告.html", report("徐州市鼓楼区人民政府", 2022, carried_out=9)),
             ("年度报告.html", report("南京市鼓楼区人民政府", 2022, carried_out=3)),
             ("2023.html", report("南京市鼓楼区人民政府", 2023, carried_in=3))]
    results = check_files([(name, text.encode("utf-8")) for name, text in texts])
    assert results[2].previous_result is results[1]
    assert results[2].status == 0


def test_the_back_office_and_the_command_pair_the_same_reports(tmp_path):
    """``check_files`` (the back office, the public page) and the command's batch share one
    pairing: two copies of one year's report leave the next year unpaired in both, and the
    closer of two names wins in both."""
    from gongkai.reports.checker.check import check_files

    copies = [("2022a.html", report("洪泽区人民政府", 2022, carried_out=2)),
              ("2022b.html", report("洪泽区人民政府", 2022, carried_out=5)),
              ("2023.html", report("洪泽区人民政府", 2023, carried_in=5))]
    results = check_files([(name, text.encode("utf-8")) for name, text in copies])
    assert [r.previous for r in results] == ["", "", ""]
    _, doc = run_json(*(write(tmp_path, name, text) for name, text in copies))
    assert doc["cross_year"] == []
    closer = [("2022a.html", report("洪泽区人民政府", 2022, carried_out=2)),
              ("2022b.html", report("淮安市洪泽区人民政府", 2022, carried_out=5)),
              ("2023.html", report("淮安市洪泽区人民政府", 2023, carried_in=5))]
    results = check_files([(name, text.encode("utf-8")) for name, text in closer])
    assert results[2].previous == "2022b.html" and results[2].status == 0
    (tmp_path / "b").mkdir()
    _, doc = run_json(*(write(tmp_path / "b", name, text) for name, text in closer))
    assert [p["files"][0].endswith("2022b.html") for p in doc["cross_year"]] == [True]


def test_human_output_names_the_earlier_report(tmp_path):
    earlier = write(tmp_path, "2022.html", report("淮安市洪泽区人民政府", 2022))
    later = write(tmp_path, "2023.html", report("洪泽区人民政府", 2023))
    status, out, _ = run(earlier, later, as_json=False)
    assert status == 0
    assert f"   cross-year rule against / 跨年核对: {earlier}" in out
    assert out.count("== ") == 2


# --- exit status -------------------------------------------------------------------------------

def test_exit_status_is_the_worst_files(tmp_path):
    fine = write(tmp_path, "fine.html", report("灌云县人民政府", 2023))
    minutes = write(tmp_path, "minutes.txt", "会议纪要\n出席人员 12 人\n")
    earlier = write(tmp_path, "2022.html", report("灌云县人民政府", 2022, carried_out=1))
    assert run(fine, as_json=False)[0] == 0
    assert run(earlier, fine, as_json=False)[0] == 1  # 1 carried out, 0 carried in
    assert run(earlier, fine, minutes, as_json=False)[0] == 2


# --- several processes -------------------------------------------------------------------------

def test_processes_give_the_results_of_one_process_in_the_same_order(tmp_path):
    files = [write(tmp_path, f"{year}.html", report("洪泽区人民政府" if year % 2 else "淮安市洪泽区人民政府", year,
                                                      carried_in=year % 3, carried_out=year % 2))
             for year in range(2019, 2025)]
    files.insert(2, str(REPORT_2020))
    serial, serial_pairs = check_paths(files, workers=1)
    parallel, parallel_pairs = check_paths(files, workers=2)
    assert [r.as_dict() for r in parallel] == [r.as_dict() for r in serial]
    assert [p.as_dict() for p in parallel_pairs] == [p.as_dict() for p in serial_pairs]
    assert len(serial_pairs) == 5 and not all(p.holds for p in serial_pairs)


def _dies_on_crash_files(path):
    if path.endswith("crash.html"):
        os._exit(9)  # as the kernel's out-of-memory killer ends a process
    return _read_and_check(path)


_read_and_check = batch.read_and_check


def test_a_failure_of_the_checker_on_one_file_costs_only_that_file(tmp_path, monkeypatch):
    from gongkai.reports.checker import check as check_module

    real = check_module.check_bytes

    def flaky(name, data):
        if name.endswith("bad.html"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(name, data)

    monkeypatch.setattr(check_module, "check_bytes", flaky)
    files = [write(tmp_path, f"{n}.html", report("灌云县人民政府", 2021 + n)) for n in range(3)]
    files.insert(1, write(tmp_path, "bad.html", report("灌云县人民政府", 2030)))
    for workers in (1, 2):
        results, _ = check_paths(files, workers=workers)
        assert [r.status for r in results] == [0, 2, 0, 0]
        assert results[1].error.startswith("the checker failed on this file") and "出错" in results[1].error_zh


def test_a_worker_that_dies_costs_only_its_own_file(tmp_path, monkeypatch):
    """A worker killed while reading a file does not hang the batch or lose the others:
    that file is reported unreadable, every other file is checked, in the order given."""
    monkeypatch.setattr(batch, "read_and_check", _dies_on_crash_files)  # the forked workers inherit it
    files = [write(tmp_path, f"{n}.html", report("灌云县人民政府", 2021 + n)) for n in range(5)]
    files.insert(2, write(tmp_path, "crash.html", report("灌云县人民政府", 2030)))
    results, _ = check_paths(files, workers=2)
    assert [r.name for r in results] == files
    crashed = results[2]
    assert crashed.status == 2 and crashed.error == batch.CRASHED and "意外终止" in crashed.error_zh
    assert all(r.status == 0 for i, r in enumerate(results) if i != 2)


def _slow_files_finish_late(path):
    if path.endswith("slow.html"):
        import time

        time.sleep(20)
        Path(path + ".finished").write_text("read")  # only if the worker was let run on
    return _read_and_check(path)


def test_a_batch_stopped_early_ends_its_workers_instead_of_waiting_for_them(tmp_path, monkeypatch):
    """Ctrl-C, a closed pipe or an error in the caller: the files still being read are
    abandoned (their workers ended), not waited for."""
    import multiprocessing

    monkeypatch.setattr(batch, "read_and_check", _slow_files_finish_late)
    files = [write(tmp_path, "fast.html", report("灌云县人民政府", 2023))]
    files += [write(tmp_path, f"{n}slow.html", report("灌云县人民政府", 2023)) for n in range(3)]
    results = batch._results(files, 2)
    assert next(results).name == files[0]
    results.close()  # what the command's loop does when it is interrupted
    for child in multiprocessing.active_children():
        child.join(timeout=30)
    assert not any(Path(f + ".finished").exists() for f in files[1:])


def test_every_cpu_but_never_more_processes_than_files():
    cpus = os.cpu_count() or 1
    assert workers_for(1) == 1
    assert workers_for(1000) == cpus
    assert workers_for(3, 8) == 3 and workers_for(10, 2) == 2


# --- the Django-free command -------------------------------------------------------------------

def management_command(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("report", "check", *map(str, args), stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


PROBE = (
    "import sys\n"
    "from gongkai.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "finally:\n"
    "    loaded = [m for m in ('gongkai.settings', 'django.apps', 'django.db') if m in sys.modules]\n"
    "    sys.stderr.write(f'DJANGO:{loaded}\\n')\n"
)


def console(*args) -> tuple[int, str, str, str]:
    """``gongkai ARGS`` in a fresh process, without DJANGO_SETTINGS_MODULE: status, stdout,
    stderr and the Django modules it loaded."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)
    err, _, probe = done.stderr.rpartition("DJANGO:")
    return done.returncode, done.stdout, err, probe.strip()


@pytest.mark.parametrize("as_json", [False, True])
def test_django_free_command_prints_what_the_management_command_prints(tmp_path, as_json):
    earlier = write(tmp_path, "2022.html", report("淮安市洪泽区人民政府", 2022, carried_out=2))
    later = write(tmp_path, "2023.html", report("洪泽区人民政府", 2023, carried_in=5))
    args = [REPORT_2020, REPORT_2018, earlier, later, tmp_path / "missing.txt", *(["--json"] if as_json else [])]
    status, out, err, loaded = console("report", "check", *args)
    assert (status, out, err) == management_command(*args)
    assert status == 2
    assert loaded == "[]"  # neither Django's settings nor its apps were loaded


def test_django_free_command_exit_status_and_single_file_json():
    status, out, _, loaded = console("report", "check", REPORT_2020, "--json")
    assert status == 0 and loaded == "[]"
    assert json.loads(out)["file"] == str(REPORT_2020)


def test_other_options_go_to_the_management_command():
    # Django's own options are served by Django (the same checker behind it)
    status, out, _, loaded = console("report", "--no-color", "check", REPORT_2020)
    assert status == 0 and "198 of 198" in out
    assert "gongkai.settings" in loaded
