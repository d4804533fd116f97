"""Is a PDF printed with a Chinese font? The one check for every PDF the platform makes
(annual reports, letters to applicants, the applicant's receipt).

Where fontconfig finds no CJK font, WeasyPrint falls back to a Latin one (DejaVu) and
prints every Chinese character as a box, without failing. So a PDF's embedded fonts are
read back, and one without a CJK font is refused (``MissingCJKFont``) rather than stored,
issued or served. The apps render; this module only checks (core imports no app).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from gongkai.core.errors import DomainError

# A font embedded under one of these names has Chinese glyphs (matched without regard to
# case, anywhere in the base name: ``AAAAAA+NotoSerifCJKsc-Regular``).
CJK_FONT_FAMILIES = ("CJK", "Han", "WenQuanYi", "WQY", "Droid Sans Fallback", "AR PL", "SimSun",
                     "SimHei", "FangSong", "KaiTi", "Song", "Hei")
FONT_PACKAGE = "fonts-noto-cjk"


class MissingCJKFont(DomainError):
    """No CJK font: the PDF would print Chinese as boxes. ``message`` is for people
    (Chinese); ``str()`` and ``english`` are for the command line and the logs.

    An app may subclass it to name its document (``document``) or to be caught on its own
    (the receipt's ``ReceiptFontMissing``, the letters' ``LetterFontError``)."""

    document = "PDF"

    def __init__(self, fonts: Iterable[str] = ()):
        self.fonts = sorted(fonts)
        super().__init__(
            f"服务器没有中文字体，生成的{self.document}会把汉字显示为方框，因此未生成，也未保存。"
            f"请系统管理员安装中文字体（Debian：{FONT_PACKAGE}）后重试。"
        )
        self.english = (
            f"No CJK font found: the PDF would print Chinese as boxes (fonts embedded: "
            f"{', '.join(self.fonts) or 'none'}), so it was not produced, stored or published. "
            f"Install a CJK font (Debian: apt-get install {FONT_PACKAGE})."
        )

    def __str__(self) -> str:
        return self.english


def embedded_fonts(pdf: bytes) -> list[str]:
    """The base names of the fonts a PDF embeds, over all its pages, sorted
    (``AAAAAA+NotoSerifCJKsc-Regular``)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont", "")).lstrip("/"))
    return sorted(n for n in names if n)


def is_cjk_font(name: str) -> bool:
    return any(family.lower() in name.lower() for family in CJK_FONT_FAMILIES)


def check_cjk_fonts(pdf: bytes, *, error: type[MissingCJKFont] = MissingCJKFont) -> bytes:
    """``pdf`` itself if it embeds a CJK font; otherwise raises ``error`` (a
    ``MissingCJKFont``) naming the fonts it does embed."""
    fonts = embedded_fonts(pdf)
    if not any(is_cjk_font(name) for name in fonts):
        raise error(fonts)
    return pdf
