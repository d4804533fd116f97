"""Import of the two directories (两库) from CSV or XLSX files.

``import_directory(actor=, agency=, kind=, file_name=, data=)`` reads the file by content
(``core.tabular``: UTF-8, GB18030 or XLSX; formulas never evaluated), finds the header
row (the first of the first :data:`HEADER_SEARCH_ROWS` rows naming every required column;
headers are mapped by ``data/directory_columns.toml``), checks every row and writes the good
ones. A bad row — a wrong credit code or identity number, a missing name, a code already
given on an earlier row of the file — is refused with its row number and a Chinese reason;
the rest are kept. Entities are updated by credit code, inspectors by certificate number:
only the columns the file has are written, so a file without a 网格 column keeps the grids
already known. The result (counts and refused rows) is a :class:`DirectoryImport` row and
one audit entry.

A file that cannot be read (not a table, no header row, a CSV broken half way through) is
refused as a whole with :class:`DirectoryRefused` and changes nothing: the import is one
transaction.

The back office's page does not import while its request waits: it checks what is cheap
(:func:`check_readable`), keeps the file on a queued :class:`DirectoryImport` and a worker
runs :func:`import_queued` (``services.directories``). The command line and the demo call
:func:`import_directory`.

A city's entity directory has hundreds of thousands of rows, so rows are streamed and
written in batches of :data:`BATCH_SIZE`: per batch, one query reads the rows already
known for its codes and one ``INSERT … ON CONFLICT DO UPDATE`` writes the new and changed
ones; unchanged rows are not written at all.

The draw's snapshots join fields with ``","`` (``draw.py``), so the fields that enter them
(credit code, risk grade, region and grid of an entity; certificate number, region and
grid of an inspector) may not hold an ASCII comma; such a row is refused.
"""

from __future__ import annotations

import codecs
import datetime as dt
import decimal
import hashlib
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gongkai.core import audit, clock
from gongkai.core.errors import DomainError
from gongkai.core.identifiers import normalise_id_number, validate_resident_id, validate_uscc
from gongkai.core.models import Agency, Department
from gongkai.core.tabular import CellError, FileRefused, Formula, Table, is_blank, read_table
from gongkai.random_inspections import permissions
from gongkai.random_inspections.models import DirectoryImport, Entity, Inspector

Kind = DirectoryImport.Kind

MAX_DIRECTORY_BYTES = 100 * 1024 * 1024  # within the back office's request limit (settings)
# What the back office's import page takes. The page only keeps the file (encrypted, on
# its DirectoryImport) and a worker imports it (about 150,000 rows in 20-40 s on PostgreSQL);
# the limit keeps that stored copy and the upload itself within reason; larger files go
# through `gongkai inspections import-entities`.
MAX_WEB_DIRECTORY_BYTES = 25 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
BATCH_SIZE = 2000
MAX_REFUSED_STORED = 5000  # refused rows kept on the import; the count is always exact
NOT_OFFICE = "只有本机关的公开办可以维护检查对象名录和执法检查人员名录。"

# Fields that enter the draw's comma-separated snapshots (draw.py).
SNAPSHOT_FIELDS = {
    Kind.ENTITIES: ("credit_code", "risk_grade", "region", "grid"),
    Kind.INSPECTORS: ("certificate_number", "region", "grid"),
}


class DirectoryRefused(DomainError):
    """The file as a whole cannot be imported; nothing was changed."""


class RowRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the columns ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    field: str
    label: str
    aliases: tuple[str, ...]
    required: bool


def normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in text if not ch.isspace() and ch != "*").lower()


def _load_columns() -> tuple[dict[str, tuple[Column, ...]], dict[str, list[str]]]:
    raw = tomllib.loads((Path(__file__).parent / "data" / "directory_columns.toml").read_text("utf-8"))
    columns = {
        kind: tuple(Column(c["field"], c["label"], tuple(c.get("aliases", ())), bool(c.get("required")))
                    for c in raw[kind])
        for kind in (Kind.ENTITIES.value, Kind.INSPECTORS.value)
    }
    return columns, raw["status"]


COLUMNS, _STATUS = _load_columns()
HEADERS: dict[str, dict[str, str]] = {
    kind: {normalise_header(name): c.field for c in cols for name in (c.label, *c.aliases)}
    for kind, cols in COLUMNS.items()
}
LABELS: dict[str, dict[str, str]] = {kind: {c.field: c.label for c in cols} for kind, cols in COLUMNS.items()}
ENTITY_INACTIVE_WORDS = tuple(_STATUS["entity_inactive_words"])
INSPECTOR_ACTIVE = frozenset(normalise_header(v) for v in _STATUS["inspector_active"])
INSPECTOR_INACTIVE = frozenset(normalise_header(v) for v in _STATUS["inspector_inactive"])

ENTITY_FIELDS = ("name", "kind", "industry", "region", "grid", "address", "risk_grade", "credit_grade",
                 "is_active")
INSPECTOR_FIELDS = ("name", "department_name", "region", "grid", "expertise", "is_active", "phone", "id_number")


def _max_length(model, field: str) -> int | None:
    return model._meta.get_field(field).max_length


def template_csv(kind: str) -> bytes:
    """The import template: the header row, UTF-8 with a BOM (so Excel reads it as such)."""
    return ("\ufeff" + ",".join(c.label for c in COLUMNS[Kind(kind).value]) + "\r\n").encode("utf-8")


# --- cleaning one value ---------------------------------------------------------------------

def cell_text(value, label: str) -> str:
    """A cell as one line of text: spaces collapsed, control characters gone; a number as
    written (an integral float without its ``.0``). A formula or an error cell refuses the
    row."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value.isprintable() and "  " not in value:
            return value.strip()
        return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    if isinstance(value, Formula):
        raise RowRefused(f"“{label}”是公式，请将表格另存为数值后再导入")
    if isinstance(value, CellError):
        raise RowRefused(f"“{label}”单元格有错误（{value.text}）")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def clean_credit_code(value: str) -> str:
    """A unified social credit code, normalised (upper case, half-width, no spaces) and
    checked (GB 32100-2015, with its check character). Raises :class:`RowRefused`."""
    code = normalise_id_number(value or "")
    if not code:
        raise RowRefused("缺少统一社会信用代码")
    try:
        validate_uscc(code)
    except ValidationError as exc:
        raise RowRefused(exc.messages[0]) from None
    return code


def clean_certificate(value: str) -> str:
    certificate = normalise_id_number(value or "")
    if not certificate:
        raise RowRefused("缺少执法证号")
    if len(certificate) > _max_length(Inspector, "certificate_number"):
        raise RowRefused(f"执法证号超过{_max_length(Inspector, 'certificate_number')}个字符")
    if "," in certificate:
        raise RowRefused("执法证号不能包含英文逗号")
    return certificate


def clean_id_number(value: str) -> str:
    number = normalise_id_number(value or "")
    if not number:
        return ""
    try:
        validate_resident_id(number)
    except ValidationError as exc:
        raise RowRefused(exc.messages[0]) from None
    return number


def clean_phone(value: str) -> str:
    phone = "".join(unicodedata.normalize("NFKC", value or "").split())
    if not phone:
        return ""
    if len(phone) > 30 or not all(ch.isascii() and (ch.isdigit() or ch in "+-()") for ch in phone):
        raise RowRefused("联系电话格式不正确（只能包含数字和“+”“-”“()”）")
    return phone


_LIMITS = {model: {f.name: f.max_length for f in model._meta.concrete_fields if f.max_length}
           for model in (Entity, Inspector)}


def _check_length(model, field: str, value: str, label: str) -> None:
    limit = _LIMITS[model].get(field)
    if limit and len(value) > limit:
        raise RowRefused(f"“{label}”超过{limit}个字")


def entity_is_active(status: str) -> bool:
    """An entity whose status says 注销/吊销 (deregistered, revoked) has left the directory."""
    return not any(word in status for word in ENTITY_INACTIVE_WORDS)


def inspector_is_active(status: str) -> bool:
    key = normalise_header(status)
    if key in INSPECTOR_ACTIVE:
        return True
    if key in INSPECTOR_INACTIVE:
        return False
    raise RowRefused(f"“状态”应为“在岗”或“离岗”（也可填“是”“否”），不能为“{status[:20]}”")


def clean_snapshot_field(value: str, label: str) -> str:
    if "," in value:
        raise RowRefused(f"“{label}”不能包含英文逗号“,”")
    return value


# --- the import -----------------------------------------------------------------------------

@dataclass
class _Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0


def _find_header(kind: str, rows: Iterator[tuple[int, list]]) -> tuple[dict[int, str], list[str]]:
    """(column index → field, ignored headers) from the header row; the rows iterator is
    left just after it."""
    headers = HEADERS[kind]
    required = [c for c in COLUMNS[kind] if c.required]
    for number, cells in rows:
        mapping: dict[int, str] = {}
        written: dict[str, str] = {}
        ignored: list[str] = []
        for index, cell in enumerate(cells):
            if is_blank(cell) or not isinstance(cell, str | int | float):
                continue
            field = headers.get(normalise_header(cell))
            if field is None:
                ignored.append(str(cell).strip()[:50])
                continue
            if field in written:
                raise DirectoryRefused(
                    f"第{number}行（表头）中“{written[field]}”和“{str(cell).strip()}”表示同一列"
                    f"“{LABELS[kind][field]}”，请只保留一列。")
            written[field] = str(cell).strip()
            mapping[index] = field
        if all(c.field in written for c in required):
            return mapping, ignored
        if number >= HEADER_SEARCH_ROWS:
            break
    names = "、".join(f"“{c.label}”" for c in required)
    raise DirectoryRefused(f"没有找到表头行：文件前{HEADER_SEARCH_ROWS}行中应有一行包含{names}列。"
                           "可下载导入模板对照。")


class _Run:
    """One import: reads the rows, refuses the bad ones, writes the rest in batches."""

    def __init__(self, *, kind: str, agency: Agency, record: DirectoryImport, now: dt.datetime):
        self.kind = kind
        self.agency = agency
        self.record = record
        self.now = now
        self.counts = _Counts()
        self.refused: list[dict] = []
        self.seen: dict[str, int] = {}
        if kind == Kind.INSPECTORS:
            self.departments = dict(Department.objects.filter(agency=agency).values_list("name", "pk"))

    def refuse(self, number: int, message: str) -> None:
        self.counts.refused += 1
        if len(self.refused) < MAX_REFUSED_STORED:
            self.refused.append({"row": number, "message": message})

    def run(self, rows: Iterator[tuple[int, list]]) -> list[str]:
        mapping, ignored = _find_header(self.kind, rows)
        self.present = frozenset(mapping.values())
        clean = self._clean_entity if self.kind == Kind.ENTITIES else self._clean_inspector
        key = "credit_code" if self.kind == Kind.ENTITIES else "certificate_number"
        key_label = LABELS[self.kind][key]
        items = tuple(mapping.items())
        batch: list[dict] = []
        for number, cells in rows:
            values: dict[str, object] = {}
            blank = True
            width = len(cells)
            for index, field in items:
                value = cells[index] if index < width else None
                if not is_blank(value):
                    blank = False
                values[field] = value
            if blank:
                continue
            self.counts.rows += 1
            try:
                row = clean(values)
            except RowRefused as exc:
                self.refuse(number, exc.message)
                continue
            first = self.seen.get(row[key])
            if first is not None:
                self.refuse(number, f"{key_label}与第{first}行重复（保留第{first}行）")
                continue
            self.seen[row[key]] = number
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)
        return ignored

    # -- rows --

    def _text(self, values: dict, field: str) -> str:
        return cell_text(values.get(field), LABELS[self.kind][field])

    def _clean_entity(self, values: dict) -> dict:
        labels = LABELS[Kind.ENTITIES]
        code = clean_credit_code(self._text(values, "credit_code"))
        name = self._text(values, "name")
        if not name:
            raise RowRefused("缺少名称")
        row = {"credit_code": code, "name": name}
        for field in ("kind", "industry", "region", "grid", "address", "risk_grade", "credit_grade"):
            if field in self.present:
                row[field] = self._text(values, field)
        for field, value in row.items():
            _check_length(Entity, field, value, labels[field])
        for field in ("risk_grade", "region", "grid"):
            if field in row:
                clean_snapshot_field(row[field], labels[field])
        if "status" in self.present:
            row["is_active"] = entity_is_active(self._text(values, "status"))
        return row

    def _clean_inspector(self, values: dict) -> dict:
        labels = LABELS[Kind.INSPECTORS]
        certificate = clean_certificate(self._text(values, "certificate_number"))
        name = self._text(values, "name")
        if not name:
            raise RowRefused("缺少姓名")
        row = {"certificate_number": certificate, "name": name}
        for field in ("department_name", "region", "grid", "expertise"):
            if field in self.present:
                row[field] = self._text(values, field)
        for field, value in row.items():
            _check_length(Inspector, field, value, labels[field])
        for field in ("region", "grid"):
            if field in row:
                clean_snapshot_field(row[field], labels[field])
        if "status" in self.present:
            status = self._text(values, "status")
            row["is_active"] = inspector_is_active(status) if status else True
        if "phone" in self.present:
            row["phone"] = clean_phone(self._text(values, "phone"))
        if "id_number" in self.present:
            row["id_number"] = clean_id_number(self._text(values, "id_number"))
        return row

    # -- writing --

    def _write(self, batch: list[dict]) -> None:
        if self.kind == Kind.ENTITIES:
            model, key, fields = Entity, "credit_code", ENTITY_FIELDS
        else:
            model, key, fields = Inspector, "certificate_number", INSPECTOR_FIELDS
        defaults = dict.fromkeys(fields, "") | {"is_active": True}
        existing = {
            row[0]: row[1:]
            for row in model.objects.filter(agency=self.agency, **{f"{key}__in": [r[key] for r in batch]})
            .values_list(key, *fields)
        }
        objects = []
        for row in batch:
            old = existing.get(row[key])
            if old is None:
                merged = {f: row.get(f, defaults[f]) for f in fields}
                self.counts.created += 1
            else:
                before = dict(zip(fields, old, strict=True))
                merged = {f: row.get(f, before[f]) for f in fields}
                if merged == before:
                    self.counts.unchanged += 1
                    continue
                self.counts.updated += 1
            extra = {}
            if self.kind == Kind.INSPECTORS:
                extra["department_id"] = self.departments.get(merged["department_name"])
            objects.append(model(agency_id=self.agency.pk, **{key: row[key]}, **merged, **extra,
                                 last_import_id=self.record.pk, updated_at=self.now))
        if objects:
            update_fields = [*fields, "last_import", "updated_at"]
            if self.kind == Kind.INSPECTORS:
                update_fields.append("department")
            model.objects.bulk_create(objects, update_conflicts=True, unique_fields=["agency", key],
                                      update_fields=update_fields)


def _check_actor(actor, agency: Agency) -> None:
    if actor is not None and not permissions.can_manage(actor, agency):
        raise PermissionDenied(NOT_OFFICE)


def clean_kind(kind: str) -> str:
    try:
        return Kind(kind).value
    except ValueError:
        raise DomainError("未知的名录类型") from None


def clean_file_name(file_name: str) -> str:
    return (file_name or "").strip()[-200:] or "（未命名文件）"


def _read(data: bytes) -> Table:
    try:
        return read_table(data, max_bytes=MAX_DIRECTORY_BYTES)
    except FileRefused as exc:
        raise DirectoryRefused(exc.message) from None


READABLE_CHECK_BYTES = 64 * 1024


def check_readable(data: bytes) -> None:
    """The cheap part of reading a file, for the request that uploads it: not empty, not too
    large, a table by its first bytes (an XLSX's ZIP or text that decodes). Raises
    :class:`DirectoryRefused`. Everything else — the whole text's encoding, the header row,
    each row — is checked by the import itself, on a worker."""
    # Whole lines only: a multi-byte character cut in two is no decoding error (no UTF-8 or
    # GB18030 character holds the byte 0x0A; UTF-16, rare, is checked whole).
    cut = data.rfind(b"\n", 0, READABLE_CHECK_BYTES)
    if (len(data) <= READABLE_CHECK_BYTES or len(data) > MAX_DIRECTORY_BYTES or cut < 0
            or data.startswith((b"PK\x03\x04", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))):
        _read(data)  # an XLSX is opened only once its rows are read: its first bytes here
        return
    _read(data[:cut + 1])


def _import_rows(record: DirectoryImport, table: Table) -> DirectoryImport:
    """Write the table's rows into the record's agency and directory; fill in the record's
    counts and refused rows and write the audit entry."""
    actor, agency, kind = record.imported_by, record.agency, record.kind
    run = _Run(kind=kind, agency=agency, record=record, now=record.imported_at)
    try:
        ignored = run.run(iter(table.rows))
    except FileRefused as exc:  # a CSV or workbook broken after its first rows
        raise DirectoryRefused(exc.message) from None
    counts = run.counts
    if counts.rows == 0:
        raise DirectoryRefused("文件中除表头外没有数据行。")
    record.row_count = counts.rows
    record.created_count = counts.created
    record.updated_count = counts.updated
    record.unchanged_count = counts.unchanged
    record.refused_count = counts.refused
    record.refused_rows = run.refused
    record.save(update_fields=["row_count", "created_count", "updated_count", "unchanged_count",
                               "refused_count", "refused_rows"])
    # Counts only: no row of the file (inspectors' phone and ID numbers) enters the trail.
    audit.record(actor=actor, action="random_inspections.directory_import", obj=record, agency=agency,
                 after={"kind": kind, "file": record.file_name, "sha256": record.file_sha256,
                        "format": table.file_format, "rows": counts.rows, "created": counts.created,
                        "updated": counts.updated, "unchanged": counts.unchanged,
                        "refused": counts.refused, "ignored_columns": ignored[:20]})
    return record


@transaction.atomic
def import_directory(*, actor, agency: Agency, kind: str, file_name: str, data: bytes) -> DirectoryImport:
    """Import an entity (``Kind.ENTITIES``) or inspector (``Kind.INSPECTORS``) directory
    file into the agency's directory (国发〔2019〕5号: 两库 kept by each department), now.
    ``actor`` is the agency's office, or None for the command line. Raises
    :class:`DirectoryRefused` for a file that cannot be read (nothing changed) and
    ``PermissionDenied`` for the wrong actor. The back office's page queues its imports
    instead (``services.directories.directory_import_queue``)."""
    _check_actor(actor, agency)
    kind = clean_kind(kind)
    record = DirectoryImport(
        agency=agency, kind=kind, file_name=clean_file_name(file_name),
        file_sha256=hashlib.sha256(data).hexdigest(), imported_by=actor, imported_at=clock.now())
    table = _read(data)  # a file that is no table leaves no record
    record.save()
    return _import_rows(record, table)


@transaction.atomic
def import_queued(record: DirectoryImport, *, data: bytes) -> DirectoryImport:
    """A queued import, on the worker: the same import into the record the upload made,
    as its uploader (whose role is checked again now). Raises like :func:`import_directory`;
    nothing is changed then (the record's counts included)."""
    _check_actor(record.imported_by, record.agency)
    table = _read(data)
    record.imported_at = clock.now()
    record.state = DirectoryImport.State.DONE
    record.save(update_fields=["imported_at", "state"])
    return _import_rows(record, table)
