"""The report as PDF (WeasyPrint), from ``reports/pdf.html``.

Chinese text needs a CJK font: the page asks fontconfig for "Noto Serif CJK SC" / "Noto
Sans CJK SC" (Debian's fonts-noto-cjk). Nothing is fetched from the network: the only
resource is the report stylesheet, read from the static directory.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from gongkai.reports.document import ReportDocument

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"


class StaticOnlyFetcher(URLFetcher):
    """Fetches ``file:`` URLs inside the static directory and refuses everything else,
    so a report never reaches the network (and cannot read other files)."""

    def __init__(self, root: Path = STATIC_DIR):
        super().__init__(allowed_protocols=("file",))
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        if not url.startswith("file:"):
            raise ValueError(f"refused to fetch {url!r}: reports fetch no remote resources")
        from urllib.parse import unquote, urlsplit

        path = Path(unquote(urlsplit(url).path)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"refused to fetch {url!r}: outside the static directory")
        return super().fetch(url, headers)


def pdf_html(doc: ReportDocument) -> str:
    """The HTML page the PDF is printed from."""
    return render_to_string("reports/pdf.html", {"doc": doc})


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/",
                url_fetcher=StaticOnlyFetcher()).write_pdf()


def render_pdf(doc: ReportDocument) -> bytes:
    """The report as an A4 PDF with the tables' header rows repeated on every page and page
    numbers in the footer."""
    return html_to_pdf(pdf_html(doc))
