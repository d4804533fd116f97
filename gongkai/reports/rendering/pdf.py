"""The report as PDF (WeasyPrint), from ``reports/pdf.html``.

Chinese text needs a CJK font: the page asks fontconfig for "Noto Serif CJK SC" / "Noto
Sans CJK SC" (Debian's fonts-noto-cjk). Without one, rendering fails (``MissingCJKFont``,
the check every PDF of the platform goes through: ``core.fonts``) instead of printing
boxes, and ``gongkai check --deploy`` says so (``reports.checks``). Nothing is fetched
from the network: the only resource is the report stylesheet, read from the static
directory.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

# The check lives in core, one for every PDF; MissingCJKFont and embedded_fonts stay
# importable from here (the report views catch the one, the tests read the other).
from gongkai.core.fonts import MissingCJKFont, check_cjk_fonts, embedded_fonts  # noqa: F401
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


require_cjk_fonts = check_cjk_fonts  # ``pdf`` if it embeds a CJK font, else MissingCJKFont


def write_pdf(html: str) -> bytes:
    """The page as PDF, unchecked (the control in the tests prints it without CJK fonts)."""
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/",
                url_fetcher=StaticOnlyFetcher()).write_pdf()


def html_to_pdf(html: str) -> bytes:
    """The page as PDF; raises ``MissingCJKFont`` rather than return one printed in boxes."""
    return require_cjk_fonts(write_pdf(html))


# The report's font stack (``reports/pdf.html``), printed once by the deploy check.
PROBE_HTML = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
              '<body style="font-family: \'Noto Serif CJK SC\', \'Noto Sans CJK SC\', serif">'
              "政府信息公开工作年度报告</body></html>")


def cjk_font_problem() -> MissingCJKFont | None:
    """None when this machine prints Chinese in a report PDF; else the error."""
    try:
        html_to_pdf(PROBE_HTML)
    except MissingCJKFont as exc:
        return exc
    return None


def render_pdf(doc: ReportDocument) -> bytes:
    """The report as an A4 PDF with the tables' header rows repeated on every page and page
    numbers in the footer."""
    return html_to_pdf(pdf_html(doc))
