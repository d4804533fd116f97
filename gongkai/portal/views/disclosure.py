"""The pages of the 政务公开专栏 conventions: the index of agencies, the index of annual
reports, an agency's statutory content (条例第二十条), its disclosure rules, one entry of
its register of normative documents, and the site's icon."""

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from gongkai.core import clock
from gongkai.core import selectors as core_selectors
from gongkai.foi import fees
from gongkai.portal import disclosure, selectors
from gongkai.reports import formats

FAVICON = "gongkai/favicon.ico"


def agency_index(request):
    """Every agency on the platform, under its parent (机关名录)."""
    return render(request, "portal/agency_index.html", {"groups": disclosure.agencies_by_parent()})


def reports_index(request):
    """Every agency's published annual reports (政府信息公开工作年度报告, 条例第四十九条)."""
    return render(request, "portal/reports_index.html",
                  {"by_agency": disclosure.published_reports_by_agency()})


def agency_statutory(request, code: str):
    """The information the agency must publish proactively (法定主动公开内容, 条例第二十条),
    item by item, with the catalogue columns that carry it and their counts."""
    agency = core_selectors.agency_get_public(code=code)
    catalogue = disclosure.link_catalogue(agency, selectors.agency_catalogue(agency),
                                          with_counts=True)
    return render(request, "portal/agency_statutory.html", {
        "agency": agency,
        "bar_current": "statutory",
        "items": disclosure.statutory_content(catalogue),
    })


def agency_rules(request, code: str):
    """The rules the agency's disclosure work follows (政府信息公开制度): the national
    instruments the platform applies, and the agency's own column of rules if it has one."""
    agency = core_selectors.agency_get_public(code=code)
    catalogue = disclosure.link_catalogue(agency, selectors.agency_column_tree(agency),
                                          with_counts=False)
    return render(request, "portal/agency_rules.html", {
        "agency": agency,
        "bar_current": "rules",
        "own_columns": disclosure.rules_columns(catalogue),
        "fee_source": fees.load_fee_schedule().source,
        "report_format": formats.format_for_year(clock.today().year - 1),
    })


def normative_detail(request, code: str, pk: int):
    """One entry of the agency's register of normative documents: what the register
    records, and its interpretations (政策解读), each a link when it was published."""
    agency = core_selectors.agency_get_public(code=code)
    # The register of one agency is short; reading it whole keeps one rule of validity.
    documents = selectors.agency_normative_documents(agency, today=clock.today())
    document = next((d for d in documents if d.pk == pk), None)
    if document is None:
        raise Http404("该规范性文件不存在")
    return render(request, "portal/normative_detail.html", {
        "agency": agency, "bar_current": "statutory", "document": document,
    })


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the icon from the static files."""
    path = finders.find(FAVICON)
    if not path:
        raise Http404("图标不存在")
    return FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115
