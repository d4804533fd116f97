"""GET /api/v1/search — the portal's search over every public object (issue 14): items,
policy interpretations, normative documents, annual reports, licensing and penalty
decisions in their publication period, agencies' guides. Paged like ``/publications``
(20 a page; a page past the last is 400), with the matches per kind."""

from __future__ import annotations

from gongkai.api import params
from gongkai.api.views import error, methods, ok

PARAMETERS = ("q", "kind", "agency", "page")


@methods("GET")
def search(request):
    """GET /search?q=&kind=&agency=&page= — the matches of every kind (or of ``kind``),
    in order of relevance, 20 a page, with the total and the matches per kind."""
    from gongkai.portal.feeds import absolute
    from gongkai.portal.search import SearchQuery
    from gongkai.portal.search import search as search_all

    try:
        found = params.filters(request, PARAMETERS, text_required=True)
    except params.BadParameter as exc:
        return error(exc.message, status=400)
    per_page = params.PER_PAGE
    results = search_all(SearchQuery(
        text=found.text, agency_id=found.agency.pk if found.agency else None,
        include_subtree=True, order="relevance", page=found.page, per_page=per_page,
        kind=found.kind,
    ))
    try:
        num_pages = params.num_pages(results.total, found.page, per_page)
    except params.BadParameter as exc:
        return error(exc.message, status=400)
    return ok({
        "total": results.total,
        # True when ``total`` is an estimate (a search of the whole site for several common
        # words or a long phrase): the pages hold the real matches, the last ones may be empty.
        "total_estimated": results.estimated,
        "page": found.page,
        "per_page": per_page,
        "num_pages": num_pages,
        "q": found.text,
        "facets": results.facets,
        "results": [
            {
                "kind": hit.kind,
                "kind_label": hit.kind_label,
                "title": hit.title,
                "url": absolute(hit.url, request),
                "agency": {"code": hit.agency.code, "name": hit.agency.name},
                "date": hit.date.isoformat() if hit.date else None,
                "snippet_html": hit.snippet_html,
            }
            for hit in results.hits
        ],
    })
