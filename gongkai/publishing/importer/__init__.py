"""Bulk import of items already published in an agency's old disclosure system (历史信息迁移).

An agency moving to gongkai brings the catalogue its old site has published for years.
Those items were public there, so they arrive PUBLISHED — with one version, one
``import`` event each, and one audit entry for the whole file — not through the secrecy
review and approval a new item needs (Art. 17 applied when the old system published them).

The file is a CSV export (UTF-8, UTF-8 with BOM or GB18030; the header row in Chinese or
English) or a JSON list of objects with the English keys:

    索引号 index_number   标题 title (required)    发布机构 issuing_agency   文号 doc_number
    成文日期 written_on (required)   发布日期 published_on (required, not before 成文日期)
    主题分类 topic (code or name)    栏目 columns (paths such as 重点领域信息/产品召回信息, several
    separated by ;)   公开属性 disclosure_attribute (主动公开 or blank)   有效性 validity
    正文 body (HTML, sanitised)      关键词 keywords

Index numbers (索引号) are kept when given and well formed (``{agency code}/{year}-{n}``);
rows without one get the next numbers of the series for the year they were published,
after every legacy number of that year. Afterwards each year's counter stands at least at
the highest number imported, so numbers handed out later never collide with legacy ones
and no number is reused.

Nothing is half-imported: the file is validated in full first (every row, every field;
the report lists row, field and a Chinese message) and any error means nothing is
written. The rows are then written in batches of ``bulk_create`` (no query per row).

Two write modes:

- ``atomic`` (default): the whole write is one transaction. Simplest and all-or-nothing
  even against a crash, but on SQLite it holds the database's single write lock for the
  whole write phase — every other writer on the platform waits, and after the 20-second busy
  timeout fails — and the WAL file grows to the size of everything written (~2.5 GB for
  a million items; see bench/README.md). On PostgreSQL one large transaction is fine.
- ``batch_commit``: validation still runs first, so no row error can stop the import half
  way; then the series is reserved in one short transaction and each batch commits on its
  own. Only a crash or a database failure can leave part of a file imported; the audit
  entry is committed with the last batch, or an ``import_interrupted`` entry says how many
  items were committed.

Memory: CSV is read as a stream twice (validate, then write) and never held decoded; what
stays in memory is one batch of rows plus one integer per index number (duplicate
checks). JSON is parsed whole, so use CSV for very large imports.

The package follows the seams of the job: ``reading`` (the file's columns, encoding and
rows), ``validation`` (each row checked and mapped, the index-number plan), ``writing``
(the batches) and ``report`` (what was found and done).
"""

from __future__ import annotations

import io
import time
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from gongkai.core import permissions as core_permissions
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, Role
from gongkai.publishing.importer.reading import FIELDS, HEADERS, REQUIRED, Reader, file_sha256
from gongkai.publishing.importer.report import (
    MODE_LABELS,
    Format,
    ImportConflict,
    ImportFileError,
    ImportReport,
    Mode,
    RowError,
    write_error_report,
)
from gongkai.publishing.importer.validation import series_preview, validate
from gongkai.publishing.importer.writing import IMPORT_ACTION, Writer

__all__ = [
    "BATCH_SIZE",
    "FIELDS",
    "HEADERS",
    "IMPORT_ACTION",
    "MAX_ERRORS",
    "MODE_LABELS",
    "REQUIRED",
    "Format",
    "ImportConflict",
    "ImportFileError",
    "ImportReport",
    "Mode",
    "RowError",
    "import_publications",
    "write_error_report",
]

BATCH_SIZE = 2000
MAX_ERRORS = 1000  # errors listed in the report; all are counted


def import_publications(
    *,
    actor,
    agency: Agency,
    source: bytes | BinaryIO,
    fmt: Format,
    dry_run: bool,
    batch_commit: bool = False,
    batch_size: int = BATCH_SIZE,
    max_errors: int = MAX_ERRORS,
) -> ImportReport:
    """Import an old system's published items into ``agency`` (its disclosure office, or a
    platform administrator). ``source`` is the file's bytes or a seekable binary file.

    Returns the report; with any error, or with ``dry_run``, nothing is written and the
    report says what would have happened. Raises ``ImportFileError`` for a file that
    cannot be read, ``PermissionDenied`` for the wrong actor, and ``ImportConflict`` when a
    concurrent change took an index number between validation and writing (nothing
    written in atomic mode).
    """
    if not (
        core_permissions.is_platform_admin(actor)
        or core_permissions.has_role(actor, agency, Role.OFFICE)
    ):
        raise PermissionDenied("只有本机关公开办或平台管理员可以导入历史信息")
    if not agency.is_active:
        raise DomainError("该机关已停用，不能导入信息")
    if fmt not in ("csv", "json"):
        raise ValueError(f"unknown format {fmt!r}")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
    mode: Mode = "dry_run" if dry_run else "batch_commit" if batch_commit else "atomic"
    report = ImportReport(agency_code=agency.code, fmt=fmt, mode=mode, sha256=file_sha256(stream))

    started = time.perf_counter()
    reader = Reader(stream, fmt)
    plan = validate(reader, agency=agency, report=report, max_errors=max_errors)
    report.validate_seconds = time.perf_counter() - started
    if not report.ok:
        return report
    if dry_run:
        report.series = series_preview(agency, plan)
        return report

    started = time.perf_counter()
    writer = Writer(actor=actor, agency=agency, plan=plan, report=report, batch_size=batch_size)
    try:
        if batch_commit:
            writer.write_in_batches(reader)
        else:
            with transaction.atomic():
                writer.write_all(reader)
    except IntegrityError as exc:
        raise ImportConflict(
            "导入期间数据发生了变化（如索引号已被占用），"
            + (
                "本次未导入任何信息，请重新导入"
                if not batch_commit
                else f"已提交{report.imported}条，请核对后处理其余信息"
            )
        ) from exc
    report.write_seconds = time.perf_counter() - started
    return report
