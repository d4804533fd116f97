"""The draw's inputs as they stand in the directories when a task is committed.

- candidates: the active entities of the plan agency's directory that the task's filter
  selects, stratum = risk grade;
- inspectors: the active inspectors of the lead agency (of the task's departments when it
  names any) and of each partner agency;
- exclusions: the pairs (certificate, credit code) never drawn together — declared
  conflicts (回避申报) and, when ``avoid_previous``, the inspectors of the candidate's most
  recent earlier inspection (the latest drawn, not superseded draw of another task, not
  cancelled, whose pool included any of this task's inspectors, whichever agency led it;
  the entity is matched by its credit code) — committed as ``draw.pair_hash`` only;
- names: every candidate's and pool inspector's primary key and name as they stand
  (``Draw.frozen_names``), so that the draw never re-reads the live directories.

A city's directory holds hundreds of thousands of entities: the rows come from one
query (no query per row) and the dry check — can every candidate get ``m`` eligible
inspectors? — is made once per (region, grid) place, from that place's pool, and one by
one only for the candidates with exclusions."""

from __future__ import annotations

import gc
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connections
from django.db.models import Q

from gongkai.random_inspections import draw
from gongkai.random_inspections.models import (
    Draw,
    DrawnInspector,
    DrawStatus,
    Entity,
    InspectionTask,
    Inspector,
    InspectorConflict,
    TaskStatus,
)

CHUNK = 20_000
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
PROBLEMS_SHOWN = 5


@dataclass
class Snapshot:
    """The canonical (uncompressed) bytes of the three snapshots and what the commit
    publishes about them; ``problems`` lists, in Chinese, why a draw could not be made."""

    candidates: bytes
    inspectors: bytes
    exclusions: bytes
    candidate_count: int
    inspector_count: int
    exclusion_count: int
    strata: dict[str, int]
    problems: list[str] = field(default_factory=list)
    names: bytes = b""  # the frozen names (see ``frozen_names``), uncompressed


def candidate_queryset(task: InspectionTask):
    """The candidate entities' (credit_code, stratum, region, grid, pk, name), ordered by
    code (the first four make the snapshot, the last two the frozen names)."""
    qs = Entity.objects.filter(agency_id=task.plan.agency_id, is_active=True)
    for key, values in (task.target_filter or {}).items():
        if key in ("kind", "industry", "region", "risk_grade") and values:
            qs = qs.filter(**{f"{key}__in": list(values)})
    return qs.order_by("credit_code").values_list("credit_code", "risk_grade", "region", "grid", "pk", "name")


def candidate_rows(task: InspectionTask) -> list:
    """The candidate entities' (credit_code, stratum, region, grid, pk, name) rows, in code
    order.

    One query, fetched whole: the commit holds every candidate anyway (the dry check and
    the snapshot need them all), and the driver's ``fetchall`` is several times faster
    than a server-side cursor's chunks at a city's million rows."""
    qs = candidate_queryset(task)
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def cyclic_gc_paused():
    """No cyclic garbage collection inside: building a million rows would otherwise run it
    hundreds of times over objects that hold no cycles (as ``draw`` does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def pool_queryset(task: InspectionTask):
    """The task's pool of inspectors (active only): the lead agency's (of the task's
    departments when it names any) and every partner agency's."""
    department_ids = list(task.departments.values_list("pk", flat=True))
    lead = Q(agency_id=task.plan.agency_id)
    if department_ids:
        lead &= Q(department_id__in=department_ids)
    partner_ids = list(task.partner_agencies.values_list("pk", flat=True))
    return Inspector.objects.filter(lead | Q(agency_id__in=partner_ids), is_active=True)


def _pool_agencies(task: InspectionTask) -> set[int]:
    return {task.plan.agency_id, *task.partner_agencies.values_list("pk", flat=True)}


def _draws_sharing_the_pool(task: InspectionTask, pool: set[str]) -> list[int]:
    """The drawn (not superseded) draws of other, not cancelled tasks whose pool (their
    frozen inspector snapshot) held any certificate of ``pool``. A pool is made of the lead
    agency's and the partner agencies' inspectors, so only draws led by or joined by one of
    this task's pool agencies are read."""
    agencies = _pool_agencies(task)
    ids = sorted(set(Draw.objects.filter(status=DrawStatus.DRAWN)
                     .filter(Q(task__plan__agency_id__in=agencies) | Q(task__partner_agencies__in=agencies))
                     .exclude(task_id=task.pk).exclude(task__status=TaskStatus.CANCELLED)
                     .values_list("pk", flat=True)))
    sharing = []
    for start in range(0, len(ids), 20):  # a snapshot is megabytes: a few at a time
        for pk, data in Draw.objects.filter(pk__in=ids[start:start + 20]).values_list("pk", "inspectors"):
            certificates = {e.certificate for e in draw.parse_inspectors(draw.decompress_snapshot(bytes(data)))}
            if certificates & pool:
                sharing.append(pk)
    return sharing


def _previous_inspectors(task: InspectionTask, pool: set[str]) -> dict[str, set[str]]:
    """credit code → the pool certificates of its most recent earlier inspection: the
    latest of the draws sharing the pool (``_draws_sharing_the_pool``) that drew it."""
    draw_ids = _draws_sharing_the_pool(task, pool)
    if not draw_ids:
        return {}
    rows = (DrawnInspector.objects.filter(target__draw_id__in=draw_ids)
            .values_list("target__credit_code", "certificate_number", "target__draw__drawn_at", "target__draw_id")
            .iterator(chunk_size=CHUNK))
    latest: dict[str, tuple] = {}
    certs: dict[str, set[str]] = {}
    for code, cert, drawn_at, draw_id in rows:
        key = (drawn_at, draw_id)
        seen = latest.get(code)
        if seen is None or key > seen:
            latest[code] = key
            certs[code] = set()
        elif key < seen:
            continue
        if cert in pool:
            certs[code].add(cert)
    return certs


def _name(value: str) -> str:
    """A name as the frozen names hold it: "," becomes "，" (the field separator), line
    breaks and control characters a space."""
    return _UNSAFE.sub(" ", value.replace(",", "，"))


def frozen_names(candidates, inspectors) -> bytes:
    """The sorted lines ``E,<credit_code>,<entity pk>,<name>`` for every candidate
    ``(code, …, pk, name)`` and ``I,<certificate>,<inspector pk>,<name>`` for every pool
    inspector ``(certificate, pk, name)``, each ending "\n", UTF-8."""
    try:
        names = "".join(map(itemgetter(5), candidates))
    except TypeError:  # a name that is not a str: the way that names each row
        names = ","
    if "," in names or _UNSAFE.search(names):
        lines = [f"E,{row[0]},{row[4]},{_name(row[5])}\n" for row in candidates]
    else:  # the usual case, every name as it is: one check over all of them, in C
        lines = [f"E,{row[0]},{row[4]},{row[5]}\n" for row in candidates]
    lines.extend(f"I,{cert},{pk},{_name(name)}\n" for cert, pk, name in inspectors)
    lines.sort()
    return "".join(lines).encode("utf-8")


def take(task: InspectionTask) -> Snapshot:
    """Read the directories for ``task`` and build the three snapshots, with the dry check."""
    with cyclic_gc_paused():
        return _take(task)


def _take(task: InspectionTask) -> Snapshot:
    m = task.inspectors_per_target
    problems: list[str] = []

    pool_rows = list(pool_queryset(task).values_list("certificate_number", "region", "grid", "pk", "name"))
    certificates = Counter(cert for cert, *_ in pool_rows)
    duplicated = sorted(c for c, n in certificates.items() if n > 1)
    if duplicated:
        problems.append(f"执法证号{'、'.join(duplicated[:PROBLEMS_SHOWN])}在参与机关的名录中重复，请先核对执法检查人员名录")
    unique = {cert: (region, grid) for cert, region, grid, _pk, _name in reversed(pool_rows)}
    inspectors = [draw.InspectorEntry(cert, region, grid) for cert, (region, grid) in sorted(unique.items())]
    pool = set(certificates)
    if len(pool) < m:
        problems.append(f"执法检查人员名录中符合条件的在岗人员只有{len(pool)}名，少于每户{m}名")

    excluded: dict[str, set[str]] = {}
    for cert, code in (InspectorConflict.objects.filter(inspector__in=pool_queryset(task))
                       .values_list("inspector__certificate_number", "credit_code")):
        excluded.setdefault(code, set()).add(cert)
    if task.avoid_previous:
        for code, certs in _previous_inspectors(task, pool).items():
            excluded.setdefault(code, set()).update(certs)

    # Base pools per (region, grid) of a candidate, as the draw forms them.
    # (Set differences, not a pass over the inspectors per place: a city has hundreds of
    # places.)
    base_cache: dict[tuple[str | None, str | None], frozenset[str]] = {}
    everyone = frozenset(e.certificate for e in inspectors)
    in_region: dict[str, set[str]] = {}
    in_grid: dict[str, set[str]] = {}
    for e in inspectors:
        if e.region:
            in_region.setdefault(e.region, set()).add(e.certificate)
        if e.grid:
            in_grid.setdefault(e.grid, set()).add(e.certificate)

    def base_pool(region: str, grid: str) -> frozenset[str]:
        key = (region if task.avoid_same_region else None, grid if task.avoid_same_grid else None)
        found = base_cache.get(key)
        if found is None:
            found = base_cache[key] = (everyone - in_region.get(key[0] or "", set())
                                       - in_grid.get(key[1] or "", set()))
        return found

    # One pass in C where it can: the strata, then the dry check per (region, grid) — a
    # candidate's base pool depends on these only — and one by one only for the candidates
    # with exclusions (or all of a short place's, when there is one).
    candidates = list(candidate_rows(task))
    strata: Counter = Counter(map(itemgetter(1), candidates))
    short_places = {place for place in set(map(itemgetter(2, 3), candidates)) if len(base_pool(*place)) < m}
    pair_hashes: set[str] = set()
    short: list[str] = []
    short_count = 0
    checked = (candidates if short_places
               else [row for row in candidates if row[0] in excluded]) if excluded or short_places else []
    for code, _stratum, region, grid, *_ in checked:
        base = base_pool(region, grid)
        mine = excluded.get(code)
        eligible = len(base)
        if mine:
            blocked = mine & base
            eligible -= len(blocked)
            pair_hashes.update(draw.pair_hash(cert, code) for cert in mine)
        if eligible < m:
            short_count += 1
            if len(short) < PROBLEMS_SHOWN:
                short.append(code)
    if not candidates:
        problems.append("没有符合抽查对象范围的检查对象（名录中在册且符合筛选条件的对象为0户）")
    if short_count and len(pool) >= m:
        problems.append(f"有{short_count}户检查对象在回避后可抽取的执法人员少于{m}名"
                        f"（如{'、'.join(short)}），请扩大执法人员范围或调整回避设置")

    return Snapshot(
        candidates=draw.serialise_candidates(map(itemgetter(0, 1, 2, 3), candidates)),
        inspectors=draw.serialise_inspectors(inspectors),
        exclusions=draw.serialise_exclusions(pair_hashes),
        candidate_count=len(candidates), inspector_count=len(inspectors), exclusion_count=len(pair_hashes),
        strata=dict(sorted(strata.items())), problems=problems,
        names=frozen_names(candidates, [(cert, pk, name) for cert, _r, _g, pk, name in pool_rows]) if not problems
        else b"",
    )
