"""An agency's disclosure pages: its home with the catalogue, its guide (指南, Art. 12),
its normative documents with their interpretations, a column's listing, an item and
its attachments (Art. 24: search, browse, download)."""

import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

from gongkai.core import clock
from gongkai.core import selectors as core_selectors
from gongkai.portal import disclosure, guide, selectors
from gongkai.portal.forms import ColumnFilterForm
from gongkai.portal.views._common import optional_url, paginate
from gongkai.publishing.sanitise import sanitise_html

LATEST_ON_AGENCY_HOME = 10

# What the upload service accepts (publishing.services.publications), as served.
CONTENT_TYPES = {
    "PDF": "application/pdf",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "JPEG": "image/jpeg",
    "PNG": "image/png",
}


def agency_home(request, code: str):
    """An agency's disclosure home (政府信息公开专栏): the catalogue tree with counts,
    the guide, annual reports, normative documents, the request form, newest items."""
    agency = core_selectors.agency_get_public(code=code)
    catalogue = disclosure.link_catalogue(agency, selectors.agency_catalogue(agency),
                                          with_counts=True)
    return render(request, "portal/agency_home.html", {
        "agency": agency,
        "bar_current": "home",
        "catalogue": catalogue,
        "latest": selectors.latest_publications(agency=agency, limit=LATEST_ON_AGENCY_HOME),
        "sub_agencies": core_selectors.agencies_public().filter(parent=agency),
        "feed_rss": optional_url("portal:agency-feed-rss", agency.code),
        "feed_atom": optional_url("portal:agency-feed-atom", agency.code),
    })


def _tree(agency):
    """The catalogue beside a column or an item: names and links, no counts (one query)."""
    return disclosure.link_catalogue(agency, selectors.agency_column_tree(agency),
                                     with_counts=False)


def agency_guide(request, code: str):
    """The guide to the agency's disclosure (政府信息公开指南, Art. 12): how to request
    and through which channels (Art. 29), when a request counts as received (Art. 31),
    the reply deadlines (Art. 30, 33), fees (Art. 42) and remedies (Art. 51)."""
    agency = core_selectors.agency_get_public(code=code)
    return render(request, "portal/agency_guide.html", {
        **guide.guide_context(agency), "bar_current": "guide"})


def agency_normative(request, code: str):
    """The agency's rules and normative documents, with validity and interpretations."""
    agency = core_selectors.agency_get_public(code=code)
    documents = selectors.agency_normative_documents(agency, today=clock.today())
    return render(request, "portal/agency_normative.html", {
        "agency": agency,
        "bar_current": "statutory",
        "documents": documents,
        "in_force_count": sum(1 for d in documents if d.in_force),
    })


def column_detail(request, pk: int):
    """A column's items (with its sub-columns'), newest first, filtered and paginated."""
    column = selectors.public_column_get(pk=pk)
    form = ColumnFilterForm(request.GET)
    everything = selectors.column_publications(column)
    items = selectors.filter_publications(
        everything, year=form.value("year"), topic=form.value("topic"),
        validity=form.value("validity") or None)
    page, page_note = paginate(items, form.value("page"))
    filtered = any(form.value(name) for name in ("year", "topic", "validity"))
    return render(request, "portal/column_detail.html", {
        "agency": column.agency,
        "bar_current": "catalogue",
        "tree": _tree(column.agency),
        "dedicated_url": disclosure.dedicated_url(column),
        "column": column,
        "ancestors": selectors.column_ancestors(column),
        "children": selectors.column_children(column),
        "form": form,
        "years": selectors.publication_years(everything),
        "page": page,
        "page_note": page_note,
        "filtered": filtered,
        "feed_rss": optional_url("portal:column-feed-rss", column.pk),
        "feed_atom": optional_url("portal:column-feed-atom", column.pk),
    })


def publication_detail(request, pk: int):
    """One published item: its metadata table (索引号, 发布机构, 文号, dates, topic,
    disclosure attribute, validity, columns), its body, attachments and the policy
    interpretations linked to it. Withdrawn or unpublished: 404."""
    publication = selectors.public_publication_get(pk=pk)
    # Bodies are sanitised on save; cleaning again on the way out costs microseconds and
    # keeps a body written by any other path (an import, a migration) from running.
    body = mark_safe(sanitise_html(publication.body))  # noqa: S308 - cleaned by nh3 here
    return render(request, "portal/publication_detail.html", {
        "agency": publication.agency,
        "bar_current": "catalogue",
        "tree": _tree(publication.agency),
        "publication": publication,
        "body": body,
        **selectors.publication_policy_links(publication),
    })


def publication_attachment(request, pk: int, attachment_pk: int):
    """Download an active attachment of a published item, under its display name with the
    file's extension (RFC 5987 ``filename*``), never sniffed into another type by the browser."""
    attachment = selectors.public_attachment_get(publication_pk=pk, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("附件文件不存在") from None
    content_type = (CONTENT_TYPES.get(attachment.kind)
                    or mimetypes.guess_type(attachment.original_name)[0]
                    or "application/octet-stream")
    response = FileResponse(handle, as_attachment=True, filename=attachment.download_name,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
