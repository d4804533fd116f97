"""The search page (Art. 24: the public can search the disclosed information)."""

from html import escape

from django.shortcuts import render
from django.utils.safestring import mark_safe

from gongkai.core import clock
from gongkai.core import selectors as core_selectors
from gongkai.portal import selectors
from gongkai.portal.forms import SearchForm
from gongkai.portal.views import _common

FIRST_YEAR = 2008  # the first regulation took effect on 2008-05-01


KIND_ERROR = "没有该信息类别，已显示全部类别。"
INDENT = "\u3000"  # an ideographic space per level shows an agency's or column's depth


def _options(rows, selected) -> str:
    """A filter menu's ``<option>``s from (value, depth, label) rows, ``selected`` marked.
    Built here rather than in a template loop (about 40 µs an option, and a province's
    agency menu has thousands, on every search); ``html.escape`` is what Django's
    autoescaping applies, so the HTML is the same."""
    return mark_safe("".join(  # noqa: S308 - every value and label is escaped here
        f'<option value="{escape(str(value))}"{" selected" if value == selected else ""}>'
        f"{INDENT * depth}{escape(str(label))}</option>"
        for value, depth, label in rows
    ))


def _kind(request, kinds) -> tuple[str | None, str]:
    """The kind filter of the query string (issue 14): (kind or None, error message)."""
    raw = request.GET.get("kind", "").strip()
    if not raw:
        return None, ""
    return (raw, "") if raw in kinds else (None, KIND_ERROR)


def search(request):
    """Full-text search over every public object (items, interpretations, normative
    documents, annual reports, decisions, guides) with facets by kind, filters (kind,
    agency and its subtree, column, topic, year), relevance or date order and pagination.
    The engine escapes the text and marks the matched words; its ``title_html`` and
    ``snippet_html`` are the only HTML trusted here."""
    from gongkai.portal.search.documents import KINDS

    form = SearchForm(request.GET)
    form.is_valid()
    text = form.value("q") or ""
    kind, kind_error = _kind(request, KINDS)
    agency = form.agency_obj if form.value("agency") else None
    column = form.column_obj if form.value("column") else None
    chosen_topic = form.cleaned_data.get("topic")
    context = {
        "form": form,
        "text": text,
        "order": form.value("order") or "relevance",
        # Only the fields the menus show: a province has thousands of agencies.
        "agency_options": _options(
            core_selectors.agencies_public().values_list("code", "depth", "name"),
            agency.code if agency else None,
        ),
        "topic_options": _options(
            ((pk, 0, name) for pk, name in selectors.topics_all().values_list("pk", "name")),
            chosen_topic.pk if chosen_topic else None,
        ),
        "year_options": _options(
            ((y, 0, f"{y}年") for y in range(clock.today().year, FIRST_YEAR - 1, -1)),
            form.cleaned_data.get("year"),
        ),
        "agency": agency,
        "column": column,
        "results": None,
        "hits": [],
        "kind": kind,
        "kind_label": KINDS.get(kind or "", ""),
        "kind_error": kind_error,
    }
    if context["agency"] is not None:
        # The menu needs no counts: reading them would walk the agency's items.
        context["column_options"] = _options(
            ((c.pk, c.depth, c.name) for c in selectors.agency_column_tree(agency)),
            column.pk if column else None,
        )
    if not text:
        return render(request, "portal/search.html", context)
    try:
        from gongkai.portal.search import SearchQuery
        from gongkai.portal.search import search as search_all
    except ImportError:  # the engine is not installed in this build
        context["unavailable"] = True
        return render(request, "portal/search.html", context, status=503)
    topic = form.value("topic")
    results = search_all(SearchQuery(
        text=text,
        agency_id=context["agency"].pk if context["agency"] else None,
        include_subtree=True,
        column_id=context["column"].pk if context["column"] else None,
        topic_id=topic.pk if topic else None,
        year=form.value("year"),
        order=context["order"],
        page=form.value("page") or 1,
        per_page=_common.PER_PAGE,
        kind=kind,
    ))
    context["results"] = results
    context["facets"] = [
        {"kind": k, "label": label, "count": results.facets.get(k, 0)} for k, label in KINDS.items()
    ]
    context["hits"] = [
        {
            "publication": hit.publication,
            "kind": hit.kind,
            "kind_label": hit.kind_label,
            "title": hit.title,
            "url": hit.url,
            "agency": hit.agency,
            "date": hit.date,
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
