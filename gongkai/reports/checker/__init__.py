"""The checker for published annual reports (issue 5, part 5).

Reads a report another system produced (plain text, HTML, DOCX, PDF text layer; simplified
or traditional characters), recognises its format, places every figure it can at its
canonical cell and runs the format's arithmetic rules — and, given last year's report of
the same agency, the cross-year rule. Nothing is stored.

    results = check_files([("004.txt", data), ...])   # one FileResult per file
"""

from gongkai.reports.checker.check import (
    FileResult,
    check_bytes,
    check_files,
)

__all__ = ["FileResult", "check_bytes", "check_files"]
