"""LibreOffice as a test tool: does a DOCX we make open in an office suite, and what text
does it print? ``docx_to_pdf`` converts with ``soffice --headless --convert-to pdf`` (a
private profile per call, so parallel runs do not share one; a timeout), ``pdf_text``
reads the PDF back with ``pdftotext`` (poppler-utils).

Without soffice the test is skipped with the reason, except under CI (``CI=true``), where
a missing LibreOffice is a failure: `make test` installs libreoffice-writer-nogui.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

TIMEOUT_SECONDS = 180


def soffice() -> str:
    """The soffice executable, or skip (fail under CI) with the reason."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path:
        return path
    reason = ("LibreOffice (soffice) is not installed: `make test` installs Debian's "
              "libreoffice-writer-nogui, or run `apt-get install libreoffice-writer-nogui`")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def convert_to_pdf(files: list[Path], outdir: Path) -> list[Path]:
    """Convert ``files`` (DOCX) to PDF in ``outdir`` in one LibreOffice run; returns the
    PDFs in the same order. Fails the test if LibreOffice cannot open one."""
    executable = soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.gettempdir()) / f"gongkai-lo-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        result = subprocess.run(
            [executable, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
            env={**os.environ, "HOME": str(profile)},
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = [outdir / f"{Path(f).stem}.pdf" for f in files]
    missing = [p.name for p in pdfs if not p.is_file() or p.stat().st_size == 0]
    assert not missing, (f"LibreOffice did not convert {missing} (exit {result.returncode}): "
                         f"{result.stdout}\n{result.stderr}")
    return pdfs


def docx_to_pdf(data: bytes, tmp_path: Path, name: str = "document") -> Path:
    """One DOCX (bytes) converted to a PDF file by LibreOffice."""
    source = tmp_path / f"{name}.docx"
    source.write_bytes(data)
    return convert_to_pdf([source], tmp_path / "pdf")[0]


def pdf_text(pdf: Path) -> str:
    """The PDF's text as pdftotext reads it."""
    assert shutil.which("pdftotext"), "pdftotext is missing: install Debian's poppler-utils"
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True, timeout=60).stdout.decode("utf-8")


def squeezed(text: str) -> str:
    """Text without whitespace: a PDF breaks lines wherever the page does."""
    return re.sub(r"\s+", "", text)
