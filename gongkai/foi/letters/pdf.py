"""The letter as PDF (WeasyPrint), from the HTML rendering of the same ``LetterText``.

Chinese needs a CJK font: the page asks fontconfig for "Noto Serif CJK SC" (Debian's
fonts-noto-cjk), as the annual report's PDF does. Where no CJK font is installed
WeasyPrint would silently draw boxes, so the PDF's embedded fonts are checked and a PDF
with a non-CJK font refuses to come out (``LetterFontError``). Nothing is fetched: the
page has no external resource and the fetcher refuses every URL.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

# The platform's one CJK font check; embedded_fonts stays importable from here.
from gongkai.core.fonts import MissingCJKFont, check_cjk_fonts, embedded_fonts  # noqa: F401
from gongkai.foi.letters.document import SEAL_MARK, LetterText


class LetterFontError(MissingCJKFont):
    """The PDF was drawn without a CJK font: its Chinese would be boxes. Nothing is
    issued; the back office shows the Chinese message (also its ``str()``, as before)."""

    document = "告知文书PDF"

    def __str__(self) -> str:
        return self.message


class _NoFetch(URLFetcher):
    """A letter's page has no external resource; anything it asks for is refused."""

    def fetch(self, url, headers=None):
        raise ValueError(f"refused to fetch {url!r}: letters use no external resources")


def letter_html(letter: LetterText) -> str:
    """The HTML page the PDF is printed from."""
    return render_to_string("foi/letters/letter.html", {"letter": letter, "seal_mark": SEAL_MARK})


def build_pdf(letter: LetterText) -> bytes:
    """The letter as an A4 PDF; raises ``LetterFontError`` rather than print boxes."""
    pdf = HTML(string=letter_html(letter), url_fetcher=_NoFetch()).write_pdf()
    return check_cjk_fonts(pdf, error=LetterFontError)
