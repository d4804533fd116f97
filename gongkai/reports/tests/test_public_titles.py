"""The public annual report pages' titles follow the site's rule (templates/base.html): the
page's name, then its owner, the agency named once ("政府信息公开工作年度报告 - 青岚市市场监督
管理局", not "青岚市市场监督管理局 政府信息公开工作年度报告 - 青岚市市场监督管理局")."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_the_agencys_reports_page_names_the_agency_once(client, bureau):
    html = client.get(reverse("portal:annual-report-list", args=[bureau.code])).content.decode()
    assert title_of(html) == f"政府信息公开工作年度报告 - {bureau.name}"
    assert f"<h1>{bureau.name} · 政府信息公开工作年度报告</h1>" in html  # the heading keeps it
