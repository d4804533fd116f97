"""Reading a spreadsheet export by its content, never its name.

A ZIP with ``xl/workbook.xml`` is XLSX: the ZIP's declared sizes are checked before
anything is inflated, then openpyxl streams the first sheet in read-only mode (its XML
parsed through defusedxml). An old ``.xls``, a PDF, an image or an archive is refused.
Anything else must decode as text — UTF-8 with or without BOM, UTF-16 with BOM, or
GB18030 (what Excel on a Chinese Windows saves as "CSV") — without control characters;
the delimiter is a comma, or a tab when the first line has more tabs than commas.

Formulas are never evaluated: an XLSX formula cell, and a CSV cell starting with ``=``,
``+`` or ``@``, come back as :class:`Formula` for the caller to refuse.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 60
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024  # an XLSX's members together, as the ZIP declares


class FileRefused(Exception):
    """The file as a whole cannot be read; ``message`` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- reading: cells and rows --------------------------------------------------------------------

@dataclass(frozen=True)
class Formula:
    text: str


@dataclass(frozen=True)
class CellError:
    text: str


@dataclass
class Table:
    file_format: str
    encoding: str
    rows: Iterator[tuple[int, list]]  # (row number, cell values)


def read_table(data: bytes, *, max_bytes: int | None = None) -> Table:
    """The file's rows, by content. Raises :class:`FileRefused`.

    ``max_bytes`` raises the size limit for callers whose files are larger by nature (a
    city's directory of market entities); an XLSX may then inflate to
    :data:`MAX_UNCOMPRESSED_BYTES` or eight times ``max_bytes``, whichever is larger."""
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    inflated = MAX_UNCOMPRESSED_BYTES if max_bytes is None else max(MAX_UNCOMPRESSED_BYTES, 8 * max_bytes)
    if not data:
        raise FileRefused("文件是空的。")
    if len(data) > limit:
        raise FileRefused(f"文件超过{limit // (1024 * 1024)}MB的大小上限，请分批导入。")
    if data.startswith(b"PK\x03\x04"):
        return Table("XLSX", "", _xlsx_rows(data, inflated))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx或CSV后再导入。")
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b", b"7z")):
        raise FileRefused("文件内容不是CSV或XLSX表格。")
    text, encoding = _decode(data)
    return Table("CSV", encoding, _csv_rows(text))


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        # Excel on a Chinese Windows saves "CSV" in the ANSI code page (GBK ⊂ GB18030).
        candidates = [("utf-8", "UTF-8"), ("gb18030", "GB18030")]
    for codec, label in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text):
            break  # control characters: a binary file that happened to decode
        return text, label
    raise FileRefused("文件内容不是CSV或XLSX表格（无法按UTF-8或GB18030读取为文本）。")


def _csv_cell(value: str):
    # A leading =, + or @ starts a formula in a spreadsheet: never taken in as data.
    return Formula(value) if value.lstrip()[:1] in ("=", "+", "@") else value


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            if len(record) > MAX_COLUMNS:
                raise FileRefused(f"第{number}行超过{MAX_COLUMNS}列的上限。")
            yield number, [_csv_cell(v) for v in record]
    except csv.Error as exc:
        raise FileRefused(f"CSV格式错误：{exc}") from None


def _xlsx_rows(data: bytes, max_uncompressed: int) -> Iterator[tuple[int, list]]:
    import openpyxl  # only here: a CSV import does not pay for it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRefused("XLSX文件已损坏，无法读取。") from None
    if "xl/workbook.xml" not in names:
        raise FileRefused("压缩文件不是XLSX表格。")
    if declared > max_uncompressed:
        raise FileRefused("XLSX文件解压后过大，请删除无关的工作表或分批导入。")
    try:
        # read_only streams the sheet; data_only=False keeps formulas as formulas (openpyxl
        # never evaluates them), so they can be refused rather than trusted.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a malformed or hostile workbook
        raise FileRefused("XLSX文件无法读取（文件损坏或不是Excel工作簿）。") from None
    try:
        if not workbook.worksheets:
            raise FileRefused("XLSX文件中没有工作表。")
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            yield number, [_xlsx_cell(cell) for cell in row]
    except FileRefused:
        raise
    except Exception:
        raise FileRefused("XLSX文件无法读取（文件损坏或不是Excel工作簿）。") from None
    finally:
        workbook.close()


def _xlsx_cell(cell):
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", None)
    if data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        return Formula(str(value))
    if data_type == "e":
        return CellError(str(value))
    return value


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


