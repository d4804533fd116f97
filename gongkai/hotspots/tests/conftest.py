import csv
import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from gongkai.core.tests.helpers import at

TODAY = dt.date(2026, 3, 11)  # a Wednesday: the last complete week is 2 March – 8 March (W10)
HEADER = ["工单编号", "登记日期", "诉求类型", "问题类别", "涉及行业", "所属区域", "承办单位",
          "投诉人", "联系电话", "内容摘要"]


@pytest.fixture(autouse=True)
def _today():
    at(TODAY)


def row(number="QL001", date="2026-03-02", kind="投诉", category="预付卡", subject="健身服务",
        region="城东区", department="价格监督检查科", summary="健身房闭店，预付卡余额无法退费。",
        name="张先生", phone="13812345678") -> list:
    return [number, date, kind, category, subject, region, department, name, phone, summary]


def csv_bytes(rows: list[list], header: list | None = None, *, encoding="utf-8-sig") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], header: list | None = None, *, title: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header or HEADER)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name="export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@dataclass
class Imported:
    staged: object  # the StagedComplaintFile, refreshed after the worker ran
    batch: object | None  # its ComplaintImport

    @property
    def problems(self) -> list:
        from gongkai.hotspots.importer import Problem

        return [Problem(*p) for p in self.batch.problems] if self.batch else []


@pytest.fixture
def import_file(office, bureau):
    """import_file(data, name=…, mapping=None) → Imported, the way the office imports:
    upload, confirm the mapping (the guessed one unless given), and the task run by the
    worker (here, at the commit)."""
    from gongkai.hotspots import services
    from gongkai.hotspots.columns import guess_mapping
    from gongkai.hotspots.models import ComplaintImport

    def run(data: bytes, name: str = "export.csv", mapping: dict | None = None, actor=None):
        actor = actor or office
        staged = services.staged_file_create(actor=actor, agency=bureau, upload=upload(data, name))
        chosen = mapping if mapping is not None else guess_mapping(
            staged.headers, services.remembered_mapping(bureau))
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.complaints_import_confirm(actor=actor, staged=staged, mapping=chosen)
        staged.refresh_from_db()
        batch = ComplaintImport.objects.filter(pk=staged.outcome.get("batch")).first()
        return Imported(staged, batch)

    return run
