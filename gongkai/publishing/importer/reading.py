"""Reading an import file: the columns it may have, its encoding, and its rows as
(row number, {field: raw value}), CSV streamed again on each pass, JSON parsed once."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from gongkai.core.uploads import sha256_of
from gongkai.publishing.importer.report import Format, ImportFileError, RowError

# Field → the Chinese header of the catalogue (政府信息公开目录) and the maximum length.
FIELDS: dict[str, tuple[str, int | None]] = {
    "index_number": ("索引号", 64),
    "title": ("标题", 300),
    "issuing_agency": ("发布机构", 200),
    "doc_number": ("文号", 100),
    "written_on": ("成文日期", None),
    "published_on": ("发布日期", None),
    "topic": ("主题分类", None),
    "columns": ("栏目", None),
    "disclosure_attribute": ("公开属性", None),
    "validity": ("有效性", None),
    "body": ("正文", None),
    "keywords": ("关键词", 200),
}
REQUIRED = ("title", "written_on", "published_on", "columns")
_HEADER_ALIASES = {"发布时间": "published_on", "成文时间": "written_on"}  # common in old exports
HEADERS: dict[str, str] = {
    **{label: key for key, (label, _) in FIELDS.items()},
    **{key: key for key in FIELDS},
    **_HEADER_ALIASES,
}


def file_sha256(stream: BinaryIO) -> str:
    """Identifies the file in the audit trail (which file was imported, byte for byte)."""
    return sha256_of(stream)


class Reader:
    """The file's rows as (row number, {field: raw value}), readable more than once:
    CSV is streamed again on each pass, JSON is parsed once."""

    def __init__(self, stream: BinaryIO, fmt: Format):
        self.stream, self.fmt = stream, fmt
        self.encoding = _sniff_encoding(stream) if fmt == "csv" else "utf-8-sig"
        self.labels: dict[str, str] = {key: key for key in FIELDS}  # field → name in the file
        self.missing: list[str] = []  # required CSV columns the header lacks
        self._json: list | None = None

    def rows(
        self, header_errors: list[RowError] | None = None
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        if self.fmt == "json":
            yield from self._json_rows(header_errors)
            return
        try:
            yield from self._csv_rows(header_errors)
        except UnicodeDecodeError:
            if self.encoding == "gb18030":
                raise ImportFileError(
                    "文件编码无法识别，请保存为UTF-8或GB18030编码的CSV文件"
                ) from None
            raise RetryEncoding from None

    def _csv_rows(self, header_errors):
        self.stream.seek(0)
        text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
        try:
            records = csv.reader(text)
            header = next(records, None)
            if header is None:
                raise ImportFileError("文件为空")
            columns = self._header(header, header_errors)
            width = len(columns)
            for number, record in enumerate(records, start=2):
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) > width and any(cell.strip() for cell in record[width:]):
                    yield number, {"__extra__": True}
                    continue
                yield (
                    number,
                    {
                        key: record[i]
                        for i, key in enumerate(columns)
                        if key is not None and i < len(record)
                    },
                )
        except csv.Error as exc:
            raise ImportFileError(f"CSV文件格式错误（{exc}）") from None
        finally:
            text.detach()  # leave the caller's stream open

    def _header(self, header: list[str], errors: list[RowError] | None) -> list[str | None]:
        columns: list[str | None] = []
        seen: set[str] = set()
        for cell in header:
            name = cell.strip().lstrip("\ufeff").strip()
            key = HEADERS.get(name) or HEADERS.get(name.lower())
            if key is None or key in seen:
                if name and errors is not None:
                    message = "表头重复" if key else "无法识别的表头，可用的表头见导入说明"
                    errors.append(RowError(1, name, message))
                columns.append(None)
                continue
            seen.add(key)
            self.labels[key] = name
            columns.append(key)
        self.missing = [key for key in REQUIRED if key not in seen]
        if errors is not None:
            errors.extend(RowError(1, FIELDS[key][0], "缺少必填列") for key in self.missing)
        return columns

    def _json_rows(self, header_errors):
        if self._json is None:
            self.stream.seek(0)
            try:
                data = json.loads(self.stream.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise ImportFileError("JSON文件应为UTF-8编码") from None
            except json.JSONDecodeError as exc:
                raise ImportFileError(
                    f"JSON格式错误（第{exc.lineno}行第{exc.colno}列：{exc.msg}）"
                ) from None
            if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
                raise ImportFileError("JSON文件应为对象的列表，每个对象是一条信息")
            self._json = data
        for number, item in enumerate(self._json, start=1):
            row = {}
            for key, value in item.items():
                if key not in FIELDS:
                    if header_errors is not None:
                        header_errors.append(RowError(number, str(key), "无法识别的字段"))
                    continue
                row[key] = value
            yield number, row


class RetryEncoding(Exception):
    """A CSV taken for UTF-8 turned out not to be: read it again as GB18030."""


def _sniff_encoding(stream: BinaryIO) -> str:
    stream.seek(0)
    head = stream.read(1 << 16)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError("不支持UTF-16编码，请保存为UTF-8或GB18030编码的CSV文件")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"  # what Excel saves "CSV" as on a Chinese Windows
    return "utf-8"
