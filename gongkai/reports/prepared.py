"""PDFs the back office asks for, rendered by a worker: a report's working copy (marked
草稿) and a supervising office's roll-up (汇总表). WeasyPrint takes seconds, which no
request waits for: the view asks for the file (``pdf_prepared``), a worker renders it
(task ``reports.render_pdf``) and the view serves it once stored, showing a page that
refreshes itself meanwhile. Without a broker (local mode) the task runs right away and
the first request is served the file.

A file is kept by the content it was made from: its name is the SHA-256 of the page
WeasyPrint prints (``pdf_html``: the document and the templates), so asking again for
an unchanged report serves the stored file and renders nothing, and any change to the
report or to the templates makes a new one. Files are deleted 30 days after they were
made (``reports.purge_prepared``, a scheduled job); asked for again, they are rendered
again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from gongkai.core import clock
from gongkai.reports.document import ReportDocument
from gongkai.reports.rendering import pdf as pdf_rendering
from gongkai.tasks.models import OutboxState, OutboxTask
from gongkai.tasks.outbox import enqueue
from gongkai.tasks.registry import handler

RENDER_PDF = "reports.render_pdf"
PURGE = "reports.purge_prepared"
PREPARED_DIR = "prepared/reports"
KEPT = dt.timedelta(days=30)


@dataclass(frozen=True)
class PreparedPdf:
    """What a request gets: the stored file's name once it is ready; else nothing yet,
    or ``error`` (for people, in Chinese) when it cannot be made on this machine."""

    name: str = ""
    error: str = ""

    @property
    def ready(self) -> bool:
        return bool(self.name)


def _digest(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def stored_name(html: str) -> str:
    return f"{PREPARED_DIR}/{_digest(html)}.pdf"


def ready_mark(name: str) -> str:
    """The empty file written once the PDF is whole: a storage writes a file under its
    final name as it goes, so the name alone could serve half a PDF."""
    return f"{name}.ready"


def _is_ready(name: str) -> bool:
    # Both: a PDF deleted by hand (or by a purge cut short) leaves its mark behind.
    return default_storage.exists(ready_mark(name)) and default_storage.exists(name)


NOT_MADE = "PDF文件未能生成，已记入失败的后台任务；请稍后再试，或请平台管理员重试该任务。"


def page_name(digest: str) -> str:
    """The printed page a worker renders, beside its PDF: the task row carries only the
    digest (a report's page is hundreds of kilobytes, the outbox is read every minute)."""
    return f"{PREPARED_DIR}/{digest}.html"


def _task_for(html: str) -> OutboxTask:
    """The task that renders this page: one per content; once more when the last one is
    done and its file since purged. A task failed for good stays the one (``NOT_MADE``)."""
    digest = _digest(html)
    if not default_storage.exists(page_name(digest)):
        default_storage.save(page_name(digest), ContentFile(html.encode()))
    key = f"{RENDER_PDF}:{digest}"
    args = {"digest": digest}
    task = enqueue(RENDER_PDF, args=args, key=key)
    for _ in range(10):  # each further try is a new row; a handful at most in 30 days
        # Pending or running: wait for it. Failed for good: say so (the administrator
        # retries it), rather than render again on every refresh of the waiting page.
        if task.state != OutboxState.DONE:
            break
        task = enqueue(RENDER_PDF, args=args, key=f"{key}:after:{task.pk}")
    return task


def pdf_prepared(doc: ReportDocument) -> PreparedPdf:
    """The document's PDF if stored, else ask a worker for it (once per content)."""
    html = pdf_rendering.pdf_html(doc)  # milliseconds: what names the file
    name = stored_name(html)
    if _is_ready(name):
        return PreparedPdf(name)
    task = _task_for(html)
    if _is_ready(name):  # local mode: the task has run in this request
        return PreparedPdf(name)
    task.refresh_from_db()
    if task.last_error.startswith(f"{pdf_rendering.MissingCJKFont.__name__}:"):
        # Retrying will not help until a font is installed: say so rather than "wait".
        return PreparedPdf(error=pdf_rendering.MissingCJKFont().message)
    if task.state == OutboxState.FAILED:
        return PreparedPdf(error=NOT_MADE)
    return PreparedPdf()


@handler(RENDER_PDF)
def render_pdf_file(*, digest: str = "", html: str | None = None) -> None:
    """Print the page as PDF and store it under its content's name (a task). Done once per
    content: a second run finds the file. A machine without a CJK font stores nothing
    (``MissingCJKFont``): the task is retried, then listed as failed. The page is read
    from ``page_name(digest)`` (``html`` given: rows written before the page was stored
    apart, and direct calls) and deleted once its PDF is whole."""
    if html is None:
        with default_storage.open(page_name(digest), "rb") as page:
            html = page.read().decode()
    name = stored_name(html)
    if _is_ready(name):
        _drop_page(html)
        return
    body = pdf_rendering.html_to_pdf(html)
    if default_storage.exists(name):  # half written by a run that died, or purged unready
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(body))
    if stored != name:  # another run stored it meanwhile: keep one
        default_storage.delete(stored)
    if not _is_ready(name):
        default_storage.save(ready_mark(name), ContentFile(b""))
    _drop_page(html)


def _drop_page(html: str) -> None:
    # Asked for again after a purge, the page is stored again with its new task.
    if default_storage.exists(page := page_name(_digest(html))):
        default_storage.delete(page)


@handler(PURGE)
def purge_prepared() -> int:
    """Delete the prepared PDFs made more than 30 days ago. Returns how many."""
    try:
        _, files = default_storage.listdir(PREPARED_DIR)
    except FileNotFoundError:
        return 0
    before = clock.now() - KEPT
    deleted = 0
    for file in files:
        name = f"{PREPARED_DIR}/{file}"
        try:
            if default_storage.get_modified_time(name) < before:
                if name.endswith(".pdf"):
                    # Its mark first: a mark without its PDF would be served as ready.
                    default_storage.delete(ready_mark(name))
                    deleted += 1
                default_storage.delete(name)
        except FileNotFoundError:
            continue  # deleted meanwhile
    return deleted
