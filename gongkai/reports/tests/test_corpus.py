"""The checker on the project's own corpus of published annual reports (issue 19).

``corpus/files`` holds realistic reports on the 2021 format as their publishers and the
tools around them leave them (CMS pages, ruled PDFs, converter and crawler text,
markdown); ``corpus/expected`` says, for each, what a correct reading is. They are built
from data by ``corpus/build.py`` (``.venv/bin/python -m gongkai.reports.tests.corpus.build``).

Each report must be read whole — every cell at its place with its printed value, the
year and the agency as its title states them, exactly the rules the printed figures
break — and, separately, never misread: a cell the checker places must hold the printed
value, and a cell whose figures a converter separated from their labels must not be
placed at all. The cases that fail today are marked in the tables below (``XFAIL``: read
whole, ``XFAIL_TITLE``: year and agency, ``MISREAD``: never misread, ``XFAIL_PAIRS`` /
``XFAIL_BATCH_PAIRS``: the cross-year pairs), each with its failure class; remove an entry
when its fix lands (the marks are strict: a case that passes while marked fails the run).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from gongkai.reports.checker import check_bytes, check_files

CORPUS = Path(__file__).parent / "corpus"
FILES = CORPUS / "files"
EXPECTED = CORPUS / "expected"

# Cases not read whole today (cells and violations): file -> the failure class (see corpus/build.py).
XFAIL: dict[str, str] = {
}

# Cases whose year or agency is read wrong today: file -> the failure class.
XFAIL_TITLE: dict[str, str] = {
}

# Cases that place a cell with a wrong value today (a silent misread): file -> reason.
MISREAD: dict[str, str] = {
}

# Cross-year pairs (keyed by the later file) whose pairing or cross-year rule fails today.
XFAIL_PAIRS: dict[str, str] = {
}

# The same for the batch's pairing (``checker.batch.pair_across_years``).
XFAIL_BATCH_PAIRS: dict[str, str] = {
}

# Every failure class of issue 19 the corpus must cover.
CLASSES = {
    "pdf-merged-group-labels", "pdf-wrapped-labels", "converter-text", "labels-before-figures",
    "converter-markdown", "trailing-empty-cell", "blank-means-zero", "blank-total-over-parts",
    "label-variants", "table4-split", "table4-one-cell-per-line", "digit-run", "real-arithmetic-error",
    "cross-year-pair", "cross-year-violation", "title-with-city-prefix", "title-without-city-prefix",
    "office-as-author", "issuing-line", "prose-other-bodies", "shuffled-labels", "html-cms",
}


def _load() -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(EXPECTED.glob("*.json"))]


CASES = _load()


def _params(marks: dict[str, str], prefix: str = "") -> list:
    return [pytest.param(case, id=case["file"], marks=[pytest.mark.xfail(
        strict=True, reason=prefix + marks[case["file"]])] if case["file"] in marks else [])
        for case in CASES]


def _same(placed, case: dict, ref: str) -> bool:
    """The placed value is the printed one (a cell printed empty for 0 may read as 0 or blank)."""
    if ref in case["blank_cells"] and placed in (None, 0):
        return True
    if placed is None:
        return False
    return Decimal(str(placed)) == Decimal(str(case["cells"][ref]))


def _wrong_cells(result, case: dict) -> list[str]:
    cells = result.extraction.cells if result.extraction else {}
    wrong = [f"{ref}={value!r}（应为{case['cells'].get(ref)!r}）" for ref, value in cells.items()
             if ref in case["cells"] and not _same(value, case, ref)]
    wrong += [f"{ref}={cells[ref]!r}（不应放置）" for ref in case["must_not_place"] if ref in cells]
    return wrong


def _violations(result, case: dict, *, extra: list | None = None) -> tuple[list, list]:
    found = sorted([v.rule, v.label] for v in result.violations)
    if not case["strict"]:  # unplaced cells make findings: compare the arithmetic only
        found = [v for v in found if not v[0].startswith("格式.")]
    return found, sorted(case["violations"] + (extra or []))


def _check(case: dict):
    return check_bytes(case["file"], (FILES / case["file"]).read_bytes())


_results: dict[str, object] = {}


def _checked(case: dict):
    """One reading per file for the tests that only look at it (a pairing re-checks its
    results, so the pair tests read the files afresh)."""
    if case["file"] not in _results:
        _results[case["file"]] = _check(case)
    return _results[case["file"]]


def test_the_corpus_covers_every_failure_class():
    assert len(CASES) >= 20
    assert sorted(p.name for p in FILES.iterdir()) == sorted(c["file"] for c in CASES)
    assert CLASSES - {cls for case in CASES for cls in case["classes"]} == set()
    for marks in (XFAIL, XFAIL_TITLE, MISREAD, XFAIL_PAIRS, XFAIL_BATCH_PAIRS):
        assert set(marks) <= {c["file"] for c in CASES}
    assert sum(p.stat().st_size for p in FILES.iterdir()) < 4 * 1024 * 1024


@pytest.mark.parametrize("case", _params(XFAIL))
def test_the_report_is_read_whole(case):
    """Every cell at its place with its printed value, and exactly the rules the printed
    figures break (no finding of a missing cell or an uncheckable rule)."""
    result = _checked(case)
    assert result.extraction is not None and result.format is not None, result.error
    assert result.format.id == case["format"]
    assert _wrong_cells(result, case) == []
    cells = result.extraction.cells
    skipped = set(case["optional"]) | set(case["must_not_place"])
    missing = [ref for ref in case["cells"] if ref not in skipped and ref not in cells]
    assert missing == []
    found, expected = _violations(result, case)
    assert found == expected


@pytest.mark.parametrize("case", _params(XFAIL_TITLE))
def test_the_year_and_the_agency_are_those_of_the_title(case):
    """The year, and the agency as the title names it (the issuing line when the title
    names none): an 办公厅 that is the author stays the agency, prose naming other bodies
    does not count."""
    result = _checked(case)
    assert result.extraction is not None, result.error
    assert (result.extraction.year, result.extraction.agency) == (case["year"], case["agency"])


@pytest.mark.parametrize("case", _params(MISREAD, "misread: "))
def test_never_a_silent_misread(case):
    result = _checked(case)
    assert _wrong_cells(result, case) == []


PAIRS = [case for case in CASES if case.get("previous")]


@pytest.mark.parametrize("case", [p for p in _params(XFAIL_PAIRS) if p.values[0].get("previous")])
def test_consecutive_years_of_one_agency_are_paired(case):
    earlier = next(c for c in CASES if c["file"] == case["previous"])
    results = check_files([(c["file"], (FILES / c["file"]).read_bytes()) for c in (earlier, case)])
    later = next(r for r in results if r.name == case["file"])
    assert later.previous == earlier["file"]
    found, expected = _violations(later, case, extra=case["cross_year"])
    assert found == expected


@pytest.mark.parametrize("case", [p for p in _params(XFAIL_BATCH_PAIRS) if p.values[0].get("previous")])
def test_the_batch_pairs_consecutive_years_of_one_agency(case):
    """The batch of ``gongkai report check`` (several files): the pair is found and the
    cross-year rule holds or breaks as printed."""
    from gongkai.reports.checker.batch import pair_across_years

    earlier = next(c for c in CASES if c["file"] == case["previous"])
    results = [_check(c) for c in (earlier, case)]
    pairs = pair_across_years(results)
    assert [(p.files, p.years, p.holds) for p in pairs] == [
        ((earlier["file"], case["file"]), (earlier["year"], case["year"]), not case["cross_year"])]
    found, expected = _violations(results[1], case, extra=case["cross_year"])
    assert found == expected


def test_the_corpus_has_pairs_holding_and_breaking_the_cross_year_rule():
    assert any(case["cross_year"] == [] for case in PAIRS)
    assert any(case["cross_year"] for case in PAIRS)


def test_the_build_is_reproducible(tmp_path):
    """Building again gives the committed text, HTML and markdown files and expected
    results byte for byte (the PDFs are compared in the next test)."""
    from gongkai.reports.tests.corpus import build

    build.build(tmp_path, pdfs=False)
    for directory in ("files", "expected"):
        committed = sorted(p.name for p in (CORPUS / directory).iterdir() if not p.name.endswith(".pdf"))
        assert sorted(p.name for p in (tmp_path / directory).iterdir()) == committed
        for name in committed:
            assert (tmp_path / directory / name).read_bytes() == (CORPUS / directory / name).read_bytes(), name


def test_a_pdf_of_the_corpus_prints_the_same_bytes_twice():
    """No date or random identifier in the PDFs: printing a report twice gives one file."""
    from gongkai.reports.tests.corpus import build

    case = next(c for c in build.cases() if c.file.endswith(".pdf"))
    assert case.render(case.report) == case.render(case.report)
