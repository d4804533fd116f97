"""The public pages of annual reports (条例 Art. 49–50): an agency's published reports by
year, one report as HTML with its DOCX and PDF downloads (the files stored when the
version was published: a download renders nothing), and earlier versions of a corrected
report. Only published versions are ever shown: a draft is a 404.

Also the download responses the back office shares: a working copy's DOCX (rendered in
the request, a fraction of a second) and PDF (rendered by a worker: ``prepared``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from gongkai.core.selectors import agency_get_public
from gongkai.reports import prepared, selectors, services
from gongkai.reports.document import ReportDocument
from gongkai.reports.rendering.pdf import MissingCJKFont

FILE_PENDING_RETRY_SECONDS = 30  # a report's files take a worker a few seconds to render
# A back-office PDF is one file, asked for by someone waiting for it: look again sooner.
PREPARING_RETRY_SECONDS = 5
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _attachment(body, *, kind: str, name: str) -> HttpResponse:
    response = (FileResponse(body, content_type=CONTENT_TYPES[kind]) if hasattr(body, "read")
                else HttpResponse(body, content_type=CONTENT_TYPES[kind]))
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{kind}")
    return response


def download_response(request, doc: ReportDocument, kind: str, *, back_url: str,
                      suffix: str = "") -> HttpResponse:
    """The back office's document (a working copy marked 草稿, a roll-up) as an attachment
    named in Chinese; published versions are stored. The DOCX is rendered now (a fraction
    of a second); the PDF (seconds of WeasyPrint) by a worker: meanwhile a page that
    refreshes itself until the file is ready, which is then kept by its content, so the
    same document asked for again is served without rendering. Without a CJK font on the
    server: the message on ``back_url``."""
    from gongkai.reports.rendering import render_docx

    if kind not in CONTENT_TYPES:
        raise Http404("不支持的格式")
    name = f"{doc.title}{suffix}"
    if kind == "docx":
        return _attachment(render_docx(doc), kind=kind, name=name)
    ready = prepared.pdf_prepared(doc)
    if ready.error:
        messages.error(request, ready.error)
        return redirect(back_url)
    if ready.ready:
        return _attachment(default_storage.open(ready.name, "rb"), kind=kind, name=name)
    return _pending(render(request, "reports/staff/file_pending.html", {
        "title": name, "kind": kind.upper(), "back_url": back_url,
        "refresh": PREPARING_RETRY_SECONDS}, status=503), PREPARING_RETRY_SECONDS)


def _pending(response: HttpResponse, seconds: int) -> HttpResponse:
    """A file not rendered yet: 503 with Retry-After, the status a client or crawler reads
    as "come back", but not an error of the site. Django's request logger would write an
    ERROR for each refresh of the page; it is marked as logged so that alerts on errors
    stay meaningful (a task that fails for good is reported by the queue)."""
    response["Retry-After"] = str(seconds)
    response._has_been_logged = True
    return response


def version_download(version, kind: str, *, html_url: str, suffix: str = "") -> HttpResponse:
    """A published version's DOCX or PDF as stored at publication (never rendered on a
    download: rendering takes seconds and the file must not change with the templates).
    While a worker renders it: a 503 page (``_pending``) that refreshes itself and links to ``html_url``,
    the report's web page, readable at once."""
    if kind not in CONTENT_TYPES:
        raise Http404("不支持的格式")
    stored = getattr(version, kind)
    if not stored:  # just published, or published before files were stored: a worker renders them
        try:
            version = services.report_version_files_ensure(version=version)
        except MissingCJKFont as exc:  # local mode renders here
            return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
        stored = getattr(version, kind)
    if not stored:
        return _pending(render(None, "reports/public/file_pending.html",
                               {"version": version, "kind": kind.upper(), "html_url": html_url,
                                "refresh": FILE_PENDING_RETRY_SECONDS}, status=503),
                        FILE_PENDING_RETRY_SECONDS)
    return _attachment(stored.open("rb"), kind=kind, name=f"{selectors.version_title(version)}{suffix}")


def _version_number(request) -> int | None:
    raw = request.GET.get("version", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("该版本不存在")
    return int(raw)


@require_GET
def report_list(request, code: str):
    agency = agency_get_public(code=code)
    return render(request, "reports/public/list.html", {
        "agency": agency, "reports": selectors.published_reports(agency),
    })


@require_GET
def report_detail(request, code: str, year: int):
    agency = agency_get_public(code=code)
    report = selectors.published_report_get(agency=agency, year=year)
    versions = selectors.report_versions(report)
    number = _version_number(request)
    version = report.published_version if number is None else selectors.version_get(report, number)
    return render(request, "reports/public/detail.html", {
        "agency": agency, "report": report, "version": version,
        "doc": selectors.version_document(version), "versions": versions,
        "is_current": version.pk == report.published_version_id,
    })


def _download(request, code: str, year: int, kind: str):
    agency = agency_get_public(code=code)
    report = selectors.published_report_get(agency=agency, year=year)
    number = _version_number(request)
    version = report.published_version if number is None else selectors.version_get(report, number)
    current = version.pk == report.published_version_id
    suffix = "" if current else f"（第{version.number}版）"
    html_url = reverse("portal:annual-report-detail", args=[agency.code, report.year])
    if not current:
        html_url += f"?version={version.number}"
    return version_download(version, kind, suffix=suffix, html_url=html_url)


@require_GET
def report_docx(request, code: str, year: int):
    return _download(request, code, year, "docx")


@require_GET
def report_pdf(request, code: str, year: int):
    return _download(request, code, year, "pdf")
