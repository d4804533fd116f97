"""The monthly self-inspection report opens in LibreOffice and prints what it says
(skipped without LibreOffice, except under CI)."""

import datetime as dt

import pytest

from gongkai.core.tests.helpers import at
from gongkai.core.tests.libreoffice import docx_to_pdf, pdf_text, squeezed
from gongkai.inspection import checks, report_docx, services
from gongkai.inspection.models import SiteCheck
from gongkai.inspection.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_the_monthly_report_converts_in_libreoffice_with_its_text(bureau, column, publish, today, tmp_path):
    publish(column("新闻动态"), "新闻")
    column("空白栏目", "static")
    at(TODAY - dt.timedelta(days=1))
    services.site_check_store(result=checks.inspect(bureau))
    at(TODAY)
    services.site_check_store(result=checks.inspect(bureau))
    data = report_docx.render_month(bureau, 2025, 6, list(SiteCheck.objects.order_by("checked_on")), [])
    text = squeezed(pdf_text(docx_to_pdf(data, tmp_path, "site-check")))
    assert squeezed(f"{bureau.name}网站自查月报（2025年6月）") in text
    assert squeezed("本月共自查2次") in text
    assert squeezed("栏目“空白栏目”为空白栏目") in text
    assert "2025-06-16" in text
