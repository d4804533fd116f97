"""A PDF is never printed in boxes: without a CJK font rendering fails with a clear error
(Chinese for the back office, English for the command line), nothing is stored or
published, and ``gongkai check --deploy`` reports the missing font.

The machine without CJK fonts is simulated as in test_rendering.py: fontconfig is pointed
at Debian's fonts-dejavu-core only, in a process of its own (fontconfig reads its
configuration once per process)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import registry
from django.test import TestCase
from django.urls import reverse

from gongkai.reports import checks, services
from gongkai.reports.models import ReportState, ReportVersion
from gongkai.reports.rendering import pdf
from gongkai.reports.rendering.pdf import MissingCJKFont, cjk_font_problem, require_cjk_fonts
from gongkai.reports.tests import test_services as base

# The real printer, imported before conftest caches printed pages by their HTML.
REAL_HTML_TO_PDF = pdf.html_to_pdf

records = base.records
report = base.report

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def latin_only_env(tmp_path) -> dict:
    # `make test` installs fonts-dejavu-core; without it the control proves nothing.
    assert DEJAVU.is_dir(), "install Debian's fonts-dejavu-core"
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{DEJAVU}</dir>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="module")
def boxes_pdf(tmp_path_factory) -> bytes:
    """The report's probe page printed where fontconfig knows only DejaVu: boxes."""
    tmp_path = tmp_path_factory.mktemp("boxes")
    script = ("import sys; from gongkai.reports.rendering.pdf import PROBE_HTML, write_pdf; "
              "sys.stdout.buffer.write(write_pdf(PROBE_HTML))")
    return subprocess.run([sys.executable, "-c", script], env=latin_only_env(tmp_path),
                          check=True, capture_output=True, timeout=120).stdout


def test_a_pdf_in_boxes_is_refused_with_a_chinese_and_an_english_message(boxes_pdf):
    assert not any("CJK" in name for name in pdf.embedded_fonts(boxes_pdf))
    with pytest.raises(MissingCJKFont) as caught:
        require_cjk_fonts(boxes_pdf)
    assert "中文字体" in caught.value.message and "fonts-noto-cjk" in caught.value.message
    assert str(caught.value).startswith("No CJK font found") and "DejaVu" in str(caught.value)


def test_this_machine_prints_chinese():
    assert cjk_font_problem() is None
    assert checks.cjk_font_check() == []


def test_publication_without_a_cjk_font_stores_and_publishes_nothing(
        report, office, leader, boxes_pdf, monkeypatch, settings, client_for):
    base.ready_to_publish(report, office, leader)
    monkeypatch.setattr(pdf, "write_pdf", lambda html: boxes_pdf)
    monkeypatch.setattr(pdf, "html_to_pdf", REAL_HTML_TO_PDF)  # no cached good page
    media = Path(settings.MEDIA_ROOT)

    response = client_for(office).post(reverse("staff:report-publish", args=[report.pk]), follow=True)
    assert "服务器没有中文字体" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SIGNED_OFF and report.published_version is None
    assert not ReportVersion.objects.filter(report=report).exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    with pytest.raises(MissingCJKFont):
        services.report_publish(actor=office, report=report)


def test_a_draft_pdf_without_a_cjk_font_is_an_error_message_not_boxes(
        report, office, boxes_pdf, monkeypatch, client_for, settings):
    monkeypatch.setattr(pdf, "write_pdf", lambda html: boxes_pdf)
    monkeypatch.setattr(pdf, "html_to_pdf", REAL_HTML_TO_PDF)
    client = client_for(office)
    url = reverse("staff:report-pdf", args=[report.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):  # the worker's try (local mode)
        assert client.get(url).status_code == 503
    # The worker was refused for want of a font: the page says so instead of "wait".
    response = client.get(url, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "服务器没有中文字体" in response.content.decode()
    assert response.redirect_chain == [(reverse("staff:report-detail", args=[report.pk]), 302)]
    assert not Path(settings.MEDIA_ROOT).exists() or not any(
        p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_the_font_is_a_deploy_check():
    deploy = registry.registry.get_checks(include_deployment_checks=True)
    assert checks.cjk_font_check in deploy
    assert checks.cjk_font_check not in registry.registry.get_checks()  # not on every start


def test_check_deploy_names_the_missing_font_in_english(tmp_path):
    env = {k: v for k, v in latin_only_env(tmp_path).items()
           if not k.startswith(("GONGKAI_", "DJANGO_", "DATABASE_"))}
    env.update(GONGKAI_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               DJANGO_SETTINGS_MODULE="gongkai.settings")
    gongkai = Path(sys.executable).with_name("gongkai")
    result = subprocess.run([str(gongkai), "check", "--deploy"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "reports.E001" in out and "No CJK font found" in out and "fonts-noto-cjk" in out
