"""The 政务公开专栏 conventions of an agency's disclosure pages: the catalogue columns that
have a page of their own (规范性文件, 年报, 指南) and what those pages count, the statutory
content of 条例第二十条 found in the catalogue, the platform's index of annual reports and
of agencies. The column names are data (``data/disclosure_column.toml``), so a catalogue
that names its columns otherwise needs an edit there, not here."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.urls import reverse

from gongkai.core import selectors as core_selectors
from gongkai.core.models import Agency
from gongkai.publishing.models import Column, NormativeDocument
from gongkai.reports.models import AnnualReport

DATA = Path(__file__).resolve().parent / "data" / "disclosure_column.toml"

# The dedicated pages, by the key the data file uses: the URL name of each.
PAGES = {
    "normative": "portal:agency-normative",
    "reports": "portal:annual-report-list",
    "guide": "portal:agency-guide",
}


@dataclass(frozen=True)
class StatutoryItem:
    """One item of 条例第二十条 and the catalogue's names for the columns that carry it."""

    item: str
    text: str
    column_names: tuple[str, ...]


@dataclass(frozen=True)
class Conventions:
    dedicated: dict[str, str]  # column name -> page key
    statutory: tuple[StatutoryItem, ...]
    rules_columns: tuple[str, ...]


@functools.cache
def conventions() -> Conventions:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    dedicated = {}
    for entry in data["dedicated"]:
        if entry["page"] not in PAGES:
            raise ValueError(f"{DATA.name}: unknown page {entry['page']!r}")
        for name in entry["columns"]:
            dedicated[name] = entry["page"]
    statutory = tuple(StatutoryItem(e["item"], e["text"], tuple(e["columns"]))
                      for e in data["statutory"])
    return Conventions(dedicated, statutory, tuple(data["rules"]["columns"]))


def dedicated_counts(agency: Agency, pages: set[str]) -> dict[str, int]:
    """What each dedicated page lists, counted as the page counts it: the register's
    documents (in force or not), the published annual reports, the one guide. One query
    per page asked for, none for the guide."""
    counts = {}
    if "normative" in pages:
        counts["normative"] = NormativeDocument.objects.filter(agency=agency).count()
    if "reports" in pages:
        counts["reports"] = AnnualReport.objects.filter(
            agency=agency, published_version__isnull=False).count()
    if "guide" in pages:
        counts["guide"] = 1
    return counts


def link_catalogue(agency: Agency, columns: list[Column], *, with_counts: bool) -> list[Column]:
    """Give each column its ``.url``: its dedicated page when it has one, its listing
    otherwise; with ``with_counts``, a dedicated column's ``.count`` becomes what its page
    lists (an annual report is no catalogue item, so the column itself holds none)."""
    dedicated = conventions().dedicated
    pages = {dedicated[c.name] for c in columns if c.name in dedicated}
    counts = dedicated_counts(agency, pages) if with_counts else {}
    for column in columns:
        page = dedicated.get(column.name)
        column.dedicated = page is not None
        if page is None:
            column.url = reverse("portal:column-detail", args=[column.pk])
            continue
        column.url = reverse(PAGES[page], args=[agency.code])
        if with_counts:
            column.count = counts[page]
    return columns


def dedicated_url(column: Column) -> str | None:
    """The page of its own a column stands for, if any (the column page links it)."""
    page = conventions().dedicated.get(column.name)
    return reverse(PAGES[page], args=[column.agency.code]) if page else None


def statutory_content(catalogue: list[Column]) -> list[dict]:
    """条例第二十条, item by item, with the agency's columns that carry each one (from
    ``link_catalogue``'s list, in catalogue order); an empty list where none is set up."""
    by_name: dict[str, list[Column]] = {}
    for column in catalogue:
        by_name.setdefault(column.name, []).append(column)
    return [
        {"item": entry.item, "text": entry.text,
         "columns": [c for name in entry.column_names for c in by_name.get(name, [])]}
        for entry in conventions().statutory
    ]


def rules_columns(catalogue: list[Column]) -> list[Column]:
    """The agency's own 政府信息公开制度 column(s), if its catalogue has one."""
    names = set(conventions().rules_columns)
    return [c for c in catalogue if c.name in names]


def agencies_by_parent() -> list[dict]:
    """Every public agency, grouped under its parent in tree order: the agencies index.
    A group is ``{"parent": Agency | None, "agencies": [...]}``; the roots form the first."""
    agencies = list(core_selectors.agencies_public().select_related("parent"))
    public_ids = {a.pk for a in agencies}
    groups: dict[int | None, dict] = {}
    for agency in agencies:
        parent_id = agency.parent_id if agency.parent_id in public_ids else None
        group = groups.setdefault(parent_id, {
            "parent": agency.parent if parent_id else None, "agencies": []})
        group["agencies"].append(agency)
    # Tree order of the groups: roots first, then each parent where it stands in the tree.
    order = {a.pk: n for n, a in enumerate(agencies)}
    return sorted(groups.values(),
                  key=lambda g: -1 if g["parent"] is None else order[g["parent"].pk])


def published_reports_by_agency() -> list[dict]:
    """The platform's published annual reports, by agency in tree order, newest year
    first: the reports index (条例第四十九条: each agency publishes its own)."""
    reports = (AnnualReport.objects.filter(published_version__isnull=False,
                                           agency__in=core_selectors.agencies_public())
               .select_related("agency").order_by("agency__path", "-year"))
    grouped: dict[int, dict] = {}
    for report in reports:
        grouped.setdefault(report.agency_id, {"agency": report.agency, "reports": []})[
            "reports"].append(report)
    return list(grouped.values())
