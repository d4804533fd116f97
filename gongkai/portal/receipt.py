"""The applicant's receipt (回执) as PDF: agency, tracking number, time of submission, a
summary of the description and where to look the request up; the secret only when the
applicant asks for it (on the receipt page, in the session that submitted).

Printed with the annual report's WeasyPrint setup (no network, static files only). The
page asks fontconfig for Noto CJK; if no CJK font was embedded the receipt would print
Chinese as boxes, so that is an error (``ReceiptFontMissing``, the platform's one font
check: ``core.fonts``), never a PDF; the view answers 503 with a Chinese page."""

from __future__ import annotations

from django.template.loader import render_to_string

from gongkai.core.fonts import MissingCJKFont, check_cjk_fonts
from gongkai.reports.rendering import pdf as report_pdf

SUMMARY_LENGTH = 120


class ReceiptFontMissing(MissingCJKFont):
    """No CJK font is installed on this host (Debian: apt-get install fonts-noto-cjk)."""

    document = "回执PDF"


def summary(text: str, length: int = SUMMARY_LENGTH) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[:length] + "……"


def render_receipt_pdf(*, foi_request, status_url: str, secret: str | None = None) -> bytes:
    html = render_to_string("portal/receipt_pdf.html", {
        "foi_request": foi_request, "secret": secret, "status_url": status_url,
        "summary": summary(foi_request.description),
    })
    # printed unchecked, then checked once here, so a missing font is ReceiptFontMissing
    return check_cjk_fonts(report_pdf.write_pdf(html), error=ReceiptFontMissing)
