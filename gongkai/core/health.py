"""``/healthz``: for load balancers and monitoring.

200 ``ok`` when everything answers. When the cache (Redis) does not, the platform still
serves (``core.cachehealth``): the answer stays 200, so a load balancer keeps sending
traffic, but the first line says ``degraded`` and the next says why. With
``Accept: application/json`` (or ``?format=json``) the same comes as JSON, with this
process's counters: ``cache_errors_total`` (failed cache calls) and
``degraded_reports_total`` (how many times the once-a-minute "degraded" warning was
logged) — the project's metrics, per gunicorn worker.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from gongkai.core import cachehealth

PROBE_KEY = "healthz:probe"


def _probe_cache() -> None:
    """Ask the cache once unless it is known to be down (then the answer is known)."""
    if not cachehealth.usable():
        return
    try:
        cache.get(PROBE_KEY)
    except cachehealth.ERRORS as exc:
        cachehealth.failed(exc, "health check")
    else:
        cachehealth.succeeded()


def _wants_json(request) -> bool:
    return (request.GET.get("format") == "json"
            or "application/json" in request.META.get("HTTP_ACCEPT", ""))


@never_cache
def healthz(request):
    """Public: says *that* the cache is down and since when, not the error's text (which
    names hosts and ports); the log line (gongkai.cache) has the details."""
    _probe_cache()
    state = cachehealth.status()
    degraded = state["cache"] != "ok"
    if _wants_json(request):
        return JsonResponse({
            "status": "degraded" if degraded else "ok",
            "reasons": ["cache unavailable"] if degraded else [],
            "cache": {"status": state["cache"], "down_since": state["down_since"]},
            "consequences": cachehealth.CONSEQUENCES if degraded else "",
            "metrics": {
                "cache_errors_total": state["errors_total"],
                "degraded_reports_total": state["degraded_reports_total"],
            },
        })
    if not degraded:
        return HttpResponse("ok", content_type="text/plain")
    lines = [
        "degraded",
        f"cache unavailable since {state['down_since']}",
        f"consequences: {cachehealth.CONSEQUENCES}",
        f"cache_errors_total {state['errors_total']}",
        f"degraded_reports_total {state['degraded_reports_total']}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
