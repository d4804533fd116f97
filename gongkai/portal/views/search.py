"""The search page (Art. 24: the public can search the disclosed information)."""

from django.shortcuts import render
from django.utils.safestring import mark_safe

from gongkai.core import clock
from gongkai.core import selectors as core_selectors
from gongkai.portal import selectors
from gongkai.portal.forms import SearchForm
from gongkai.portal.views import _common

FIRST_YEAR = 2008  # the first regulation took effect on 2008-05-01


def search(request):
    """Full-text search with filters (agency and its subtree, column, topic, year),
    relevance or date order and pagination. The engine escapes the text and marks the
    matched words; its ``title_html`` and ``snippet_html`` are the only HTML trusted here."""
    form = SearchForm(request.GET)
    form.is_valid()
    text = form.value("q") or ""
    context = {
        "form": form,
        "text": text,
        "order": form.value("order") or "relevance",
        "agencies": core_selectors.agencies_public(),
        "topics": selectors.topics_all(),
        "years": range(clock.today().year, FIRST_YEAR - 1, -1),
        "agency": form.agency_obj if form.value("agency") else None,
        "column": form.column_obj if form.value("column") else None,
        "results": None,
        "hits": [],
    }
    if context["agency"] is not None:
        # The menu needs no counts: reading them would walk the agency's items.
        context["agency_columns"] = selectors.agency_column_tree(context["agency"])
    if not text:
        return render(request, "portal/search.html", context)
    try:
        from gongkai.portal.search import SearchQuery, search_publications
    except ImportError:  # the engine is not installed in this build
        context["unavailable"] = True
        return render(request, "portal/search.html", context, status=503)
    topic = form.value("topic")
    results = search_publications(SearchQuery(
        text=text,
        agency_id=context["agency"].pk if context["agency"] else None,
        include_subtree=True,
        column_id=context["column"].pk if context["column"] else None,
        topic_id=topic.pk if topic else None,
        year=form.value("year"),
        order=context["order"],
        page=form.value("page") or 1,
        per_page=_common.PER_PAGE,
    ))
    context["results"] = results
    context["hits"] = [
        {
            "publication": hit.publication,
            "title_html": mark_safe(hit.title_html),  # noqa: S308 - escaped by the engine
            "snippet_html": mark_safe(hit.snippet_html),  # noqa: S308 - escaped by the engine
        }
        for hit in results.hits
    ]
    context["first_number"] = (results.page - 1) * results.per_page + 1
    context["has_previous"] = results.page > 1
    context["has_next"] = results.page < results.num_pages
    context["previous_page"] = results.page - 1
    context["next_page"] = results.page + 1
    return render(request, "portal/search.html", context)
