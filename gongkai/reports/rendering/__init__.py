"""The report as DOCX and PDF (the HTML is the ``reports/_document.html`` partial)."""

from gongkai.reports.rendering.docx import render_docx
from gongkai.reports.rendering.pdf import render_pdf

__all__ = ["render_docx", "render_pdf"]
