"""The exchange file of published results for the enterprise credit information system
(国家企业信用信息公示系统): a CSV whose columns are data (``data/exchange_format.toml``),
UTF-8 with a BOM so that Excel opens it, one row per published result of a task, or of
an agency's tasks of a year.

Only published results, and only what the public page shows: who actually inspected (name
and certificate number, the drawn inspectors for a result entered without them) and the
reason of a replacement, but no record and no summary (an internal note). A joint task's
rows name every implementing agency (the lead first, then the partners) and appear in the
year file of each of them. A cell that would start a spreadsheet formula (= + - @, or a tab or carriage
return before one) is prefixed with an apostrophe."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import Prefetch, Q

from gongkai.random_inspections import findings
from gongkai.random_inspections.models import DrawnInspector, InspectionTask, Inspector, Result

FORMAT_FILE = Path(__file__).parent / "data" / "exchange_format.toml"
FIELDS = ("credit_code", "name", "agency", "inspected_on", "finding_label", "finding_code", "matters",
          "task_number", "task_title", "joint", "lead_agency", "inspectors", "substitution_reason", "published_on")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExchangeColumn:
    header: str
    field: str = ""
    value: str = ""


@dataclass(frozen=True)
class ExchangeFormat:
    encoding: str
    date_format: str
    list_separator: str
    agency_separator: str
    columns: tuple[ExchangeColumn, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@cache
def exchange_format() -> ExchangeFormat:
    data = tomllib.loads(FORMAT_FILE.read_text(encoding="utf-8"))
    columns = tuple(ExchangeColumn(**c) for c in data["column"])
    for c in columns:
        if bool(c.field) == bool(c.value) or (c.field and c.field not in FIELDS):
            raise ValueError(f"exchange_format.toml: column {c.header!r} needs one known field or a value")
    return ExchangeFormat(data["encoding"], data["date_format"], data["list_separator"],
                          data.get("agency_separator", "、"), columns)


def neutralise(text: str) -> str:
    """A cell a spreadsheet would read as a formula, made plain text."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def published_results(*, task: InspectionTask | None = None, agency_ids=None, year: int | None = None):
    """Published results of one task, or of the tasks of ``year`` that ``agency_ids`` led
    or took part in as partner agencies of a joint task."""
    qs = Result.objects.filter(published_on__isnull=False, target__draw__status="drawn")
    if task is not None:
        qs = qs.filter(target__draw__task=task)
    if agency_ids is not None:
        ids = list(agency_ids)
        qs = qs.filter(Q(target__draw__task__plan__agency_id__in=ids)
                       | Q(target__draw__task__partner_agencies__in=ids))
    if year is not None:
        qs = qs.filter(target__draw__task__plan__year=year)
    return (Result.objects.filter(pk__in=qs.values("pk")).select_related("target__draw__task__plan__agency")
            .prefetch_related(Prefetch("target__inspectors", queryset=DrawnInspector.objects.order_by("position")),
                              Prefetch("actual_inspectors",
                                       queryset=Inspector.objects.only("pk", "name", "certificate_number")))
            .order_by("target__draw__task__plan__year", "target__draw__task__number", "target__credit_code"))


def _matters_by_task(task_ids) -> dict[int, list[str]]:
    through = InspectionTask.matters.through
    names: dict[int, list[str]] = defaultdict(list)
    for task_id, name in (through.objects.filter(inspectiontask_id__in=task_ids)
                          .order_by("inspectiontask_id", "inspectionmatter__position", "inspectionmatter_id")
                          .values_list("inspectiontask_id", "inspectionmatter__name")):
        names[task_id].append(name)
    return names


def _partners_by_task(task_ids) -> dict[int, list[str]]:
    through = InspectionTask.partner_agencies.through
    names: dict[int, list[str]] = defaultdict(list)
    for task_id, name in (through.objects.filter(inspectiontask_id__in=task_ids)
                          .order_by("inspectiontask_id", "agency__code", "agency_id")
                          .values_list("inspectiontask_id", "agency__name")):
        names[task_id].append(name)
    return names


def rows(results) -> list[dict[str, str]]:
    """The exchange fields of each result, as text."""
    from gongkai.random_inspections.selectors.results import actual_inspectors

    fmt = exchange_format()
    results = list(results)
    task_ids = {r.target.draw.task_id for r in results}
    matters = _matters_by_task(task_ids)
    partners = _partners_by_task(task_ids)

    def day(d: dt.date | None) -> str:
        return d.strftime(fmt.date_format) if d else ""

    out = []
    for r in results:
        task = r.target.draw.task
        finding = findings.get(r.finding)
        out.append({
            "credit_code": r.target.credit_code,
            "name": r.target.name,
            # 检查实施机关: every implementing agency, lead first (our reading of the format)
            "agency": fmt.agency_separator.join([task.plan.agency.name, *partners.get(task.pk, [])]),
            "lead_agency": task.plan.agency.name,
            "inspectors": fmt.list_separator.join(
                f"{i.name}（{i.certificate_number}）"
                for i in actual_inspectors(r, list(r.target.inspectors.all()))),
            "substitution_reason": r.substitution_reason,
            "inspected_on": day(r.inspected_on),
            "finding_label": finding.exchange_label if finding else r.finding,
            "finding_code": finding.exchange_code if finding else "",
            "matters": fmt.list_separator.join(matters.get(task.pk, [])),
            "task_number": task.number,
            "task_title": task.title,
            "joint": "是" if task.is_joint else "否",
            "published_on": day(r.published_on),
        })
    return out


def write_csv(results) -> bytes:
    """The exchange file of these (published) results."""
    fmt = exchange_format()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fmt.headers)
    for row in rows(results):
        writer.writerow([neutralise(row[c.field] if c.field else c.value) for c in fmt.columns])
    return buffer.getvalue().encode(fmt.encoding)


def task_csv(task: InspectionTask) -> bytes:
    return write_csv(published_results(task=task))


def agency_year_csv(agency_ids, year: int) -> bytes:
    return write_csv(published_results(agency_ids=agency_ids, year=year))
