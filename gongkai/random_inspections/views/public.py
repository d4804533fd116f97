"""The public pages of random inspections — where anyone can check a draw:

- an agency's published plans and their tasks with status;
- a task: everything frozen before the draw (filter, strata, quotas, the snapshots'
  SHA-256, the seed's commitment or the named public value, the time of commitment) and,
  after it, the seed, the drawn targets with their inspectors (name and certificate, as
  亮证执法 requires — never a phone or ID number) and the list's SHA-256; every draw,
  superseded ones too, with the reasons;
- downloads: the candidates' and inspectors' snapshots (canonical text), the inputs
  document (canonical JSON), the published list rebuilt from the stored rows (with each
  target's skipped certificates), and ``draw.py`` itself. The exclusions' snapshot is NOT
  downloadable: both halves of every pair are public, so its hashes would give away who
  declared a conflict with whom (docs/random_inspections.md §1); its SHA-256 and count are
  shown, and the pairs the draw actually skipped are in the list;
- a check page that re-runs the draw (``verify.verify_draw``: the re-run, the audit
  trail's entries of the draw, the frozen names), says in words what was and what cannot
  be checked from inside the platform, and when it was computed. The outcome is kept in
  the cache for a few minutes under a cheap key (the draw's stored hashes and fields, and
  a few aggregates of its stored rows computed by the database: counts, highest keys, sums
  and extremes), so that a visit costs one small query when nothing changed; the rate
  limit applies only to visits that re-run the draw.

Nothing is public before the plan is published and the task's inputs committed."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gongkai.core import clock, ratelimit
from gongkai.random_inspections import draw as draw_module
from gongkai.random_inspections.models import DrawnInspector, DrawnTarget, DrawStatus, SeedMode
from gongkai.random_inspections.selectors import tasks as selectors

# Re-running a draw of a city's directory costs a second or two: a visitor may check a
# few draws a minute, not flood the server.
CHECKS = ratelimit.Rule("ri-draw-check", limit=20, window_seconds=600)

# The exclusions' snapshot is not among them: see the module's docstring.
SNAPSHOTS = {"candidates.txt": "candidates", "inspectors.txt": "inspectors"}
DOWNLOADS = (*SNAPSHOTS, "inputs.json", "result.txt")


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


@require_GET
def agency_page(request, code: str):
    agency = selectors.public_agency(code=code)
    return render(request, "random_inspections/public/agency.html", {
        "agency": agency, "plans": selectors.public_plans(agency),
        "matters_url": _url("portal:ri-matters", code=agency.code),
        "results_url": _url("portal:ri-results", code=agency.code),
    })


@require_GET
def task_page(request, code: str, pk: int):
    agency = selectors.public_agency(code=code)
    task = selectors.public_task(agency=agency, pk=pk)
    page = selectors.task_page(task, target_pages=selectors.requested_target_pages(request.GET))
    return render(request, "random_inspections/public/task.html", {
        "agency": agency, "task": task, "plan": task.plan, "page": page,
        "results_url": _url("portal:ri-results", code=agency.code),
    })


def published_list(draw) -> bytes:
    """The published list (draw.DrawOutcome.result_text) rebuilt from the stored rows."""
    targets = DrawnTarget.objects.filter(draw=draw).prefetch_related("inspectors")
    rows = sorted(
        (draw_module.DrawnRow(credit_code=t.credit_code, stratum=t.stratum, rank=t.rank, score=t.score,
                              certificates=tuple(i.certificate_number
                                                 for i in sorted(t.inspectors.all(), key=lambda i: i.position)),
                              skipped=tuple(t.skipped_certificates.split(";")) if t.skipped_certificates else ())
         for t in targets),
        key=lambda r: (r.stratum, r.rank))
    return draw_module.DrawOutcome(quotas=dict((draw.inputs or {}).get("quotas") or {}), rows=tuple(rows)).result_text


def _text_response(data: bytes | io.IOBase, *, filename: str, content_type: str) -> HttpResponse:
    if isinstance(data, bytes):
        response = HttpResponse(data, content_type=content_type)
    else:
        response = FileResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def draw_download(request, code: str, pk: int, number: int, name: str):
    if name not in DOWNLOADS:
        raise Http404("没有该文件")
    agency = selectors.public_agency(code=code)
    task = selectors.public_task(agency=agency, pk=pk)
    draw = selectors.public_draw(task=task, number=number)
    stem = draw.reference.replace("/", "-").replace("#", "-")
    if name in SNAPSHOTS:
        stored = bytes(getattr(draw, SNAPSHOTS[name]))
        # Streamed as it decompresses: a city's candidate snapshot is tens of megabytes.
        return _text_response(gzip.GzipFile(fileobj=io.BytesIO(stored)), filename=f"{stem}-{name}",
                              content_type="text/plain; charset=utf-8")
    if name == "inputs.json":
        return _text_response(draw_module.canonical_json(draw.inputs), filename=f"{stem}-inputs.json",
                              content_type="application/json; charset=utf-8")
    if draw.drawn_at is None:
        raise Http404("尚未抽取")
    return _text_response(published_list(draw), filename=f"{stem}-result.txt",
                          content_type="text/plain; charset=utf-8")


@require_GET
def draw_source(request):
    """The draw's algorithm as it runs here, to read and run anywhere."""
    data = Path(draw_module.__file__).read_bytes()
    return _text_response(data, filename="draw.py", content_type="text/x-python; charset=utf-8")


# What the check re-computes, in the order it does (for the page).
CHECKED = (
    "三个快照（含不公开的回避快照）的SHA-256与公布的摘要一致",
    "抽取条件（JSON）的SHA-256与公布的摘要一致",
    "公开的随机种子的SHA-256与抽取前公布的承诺值一致（承诺随机种子方式）",
    "用公开的算法、抽取条件、快照和随机种子重新计算，抽中的检查对象、名次、排序值、执法检查人员和因回避跳过的人员"
    "与公布的逐一相同，跳过的每一组都在事先固定的回避快照中",
    "审计日志中本次公布抽取条件和抽取的记录存在、未被改动，且记录的摘要、承诺值、随机种子与保存的一致",
    "公布的检查对象名称和执法人员姓名与公布抽取条件时固定的一致",
    "重新计算的抽取结果清单的SHA-256与公布的摘要一致",
)


# A re-run of a million-candidate draw costs seconds: its outcome is kept this long, under a
# key that changes with anything the verification reads (so a tampered row is caught at once).
CHECK_CACHE_SECONDS = 600


@dataclass(frozen=True)
class CheckedDraw:
    """What the check page shows of a verification (``verify.Verification`` without the
    re-run's rows), and when it was computed."""

    matches: bool
    problems: tuple[str, ...]
    checks: tuple
    target_count: int | None
    recomputed_sha256: str | None
    computed_at: dt.datetime


def check_key(draw) -> str:
    """The cache key of ``draw``'s verification: cheap — the draw's stored hashes and
    fields, and aggregates of its stored rows computed by the database in one query per
    table (no row is loaded, no snapshot hashed). A change to a hash, the seed, a row
    added or removed, or a row's rank, score, certificate or position changes it; a
    tampering that keeps every aggregate is caught when the kept check expires
    (``CHECK_CACHE_SECONDS``)."""
    from django.db.models import Count, Max, Min, Sum
    from django.db.models.functions import Length

    digest = hashlib.sha256()
    for value in (draw.pk, draw.number, draw.status, draw.algorithm, draw.reference, draw.inputs_sha256,
                  draw.candidates_sha256, draw.candidate_count, draw.inspectors_sha256, draw.inspector_count,
                  draw.exclusions_sha256, draw.frozen_names_sha256, draw.seed_mode, draw.seed_commitment,
                  draw.public_value_source, draw.seed, draw.result_sha256, draw.drawn_at and draw.drawn_at.timestamp()):
        digest.update(f"{value}\x1f".encode())  # str(): the same for an enum member and its value
    targets = DrawnTarget.objects.filter(draw=draw).aggregate(
        n=Count("pk"), top=Max("pk"), ranks=Sum("rank"), entities=Sum("entity_id"), low=Min("score"),
        high=Max("score"), first=Min("credit_code"), last=Max("credit_code"),
        skipped=Sum(Length("skipped_certificates")), names=Sum(Length("name")))
    places = DrawnInspector.objects.filter(target__draw=draw).aggregate(
        n=Count("pk"), top=Max("pk"), positions=Sum("position"), targets=Sum("target_id"),
        people=Sum("inspector_id"), low=Min("certificate_number"), high=Max("certificate_number"),
        names=Sum(Length("name")))
    digest.update(repr((sorted(targets.items()), sorted(places.items()))).encode())
    return f"ri-draw-check:{draw.pk}:{digest.hexdigest()}"


def kept_check(draw) -> tuple[str, CheckedDraw | None]:
    """The cache key of ``draw``'s verification, and the verification kept under it (None
    when there is none: expired, or something the key covers has changed)."""
    key = check_key(draw)
    found = cache.get(key)
    return key, found if isinstance(found, CheckedDraw) else None


def checked_draw(draw, kept: tuple[str, CheckedDraw | None] | None = None) -> tuple[CheckedDraw, bool]:
    """The verification of ``draw`` (from the cache when nothing it reads has changed), and
    whether it came from the cache; ``kept`` is :func:`kept_check`'s answer if already asked."""
    key, found = kept or kept_check(draw)
    if found is not None:
        return found, True
    from gongkai.random_inspections import verify

    verification = verify.verify_draw(draw)
    outcome = verification.outcome
    checked = CheckedDraw(
        matches=verification.matches, problems=tuple(verification.problems), checks=tuple(verification.checks),
        target_count=None if outcome is None else len(outcome.rows),
        recomputed_sha256=None if outcome is None else outcome.result_sha256, computed_at=clock.now())
    cache.set(key, checked, CHECK_CACHE_SECONDS)
    return checked, False


@never_cache  # the answer depends on what is stored now: only the server's own cache keeps it
@require_GET
def draw_check(request, code: str, pk: int, number: int):
    agency = selectors.public_agency(code=code)
    task = selectors.public_task(agency=agency, pk=pk)
    draw = selectors.public_draw(task=task, number=number)
    if draw.drawn_at is None:
        raise Http404("尚未抽取")
    # Only a visit that re-runs the draw counts against the rate limit: a kept check is cheap.
    kept = kept_check(draw)
    if kept[1] is None and not CHECKS.allows(request):
        return render(request, "random_inspections/public/check.html", {
            "agency": agency, "task": task, "draw": draw, "limited": True}, status=429)
    verification, cached = checked_draw(draw, kept)
    return render(request, "random_inspections/public/check.html", {
        "agency": agency, "task": task, "draw": draw, "verification": verification, "checked": CHECKED,
        "superseded": draw.status == DrawStatus.SUPERSEDED, "cached": cached,
        "cache_minutes": CHECK_CACHE_SECONDS // 60,
        "public_value": draw.seed_mode == SeedMode.PUBLIC_VALUE,
    })


public_patterns: list = [
    path("agencies/<str:code>/random-inspections/", agency_page, name="ri-agency"),
    path("agencies/<str:code>/random-inspections/tasks/<int:pk>/", task_page, name="ri-task"),
    path("agencies/<str:code>/random-inspections/tasks/<int:pk>/draws/<int:number>/check/", draw_check,
         name="ri-draw-check"),
    path("agencies/<str:code>/random-inspections/tasks/<int:pk>/draws/<int:number>/<str:name>", draw_download,
         name="ri-draw-download"),
    path("random-inspections/draw.py", draw_source, name="ri-draw-source"),
]
