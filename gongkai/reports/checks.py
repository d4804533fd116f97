"""System checks of the annual reports, run by ``gongkai check --deploy``.

A report's PDF is rendered once, at publication, and stored for good; a server without a
CJK font would refuse every publication (``core.fonts.MissingCJKFont``, the same check
that refuses a letter's or a receipt's PDF). The deploy check finds that before the
first report is published.
"""

from __future__ import annotations

from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def cjk_font_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from gongkai.core.fonts import FONT_PACKAGE
    from gongkai.reports.rendering.pdf import cjk_font_problem

    problem = cjk_font_problem()
    if problem is None:
        return []
    return [checks.Error(
        problem.english,
        hint=(f"apt-get install {FONT_PACKAGE} (annual report PDFs are rendered at publication; "
              "letters to applicants and the applicant's receipt are PDFs too)."),
        id="reports.E001",
    )]
