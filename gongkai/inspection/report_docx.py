"""The monthly self-inspection report (网站自查月报) as DOCX: the month's daily scores,
the latest result's single-veto items, deductions and warnings, and the error reports of
the month. Fonts as the annual report sets them (``reports.rendering.docx.set_fonts``)."""

from __future__ import annotations

import calendar
import io
import re

from docx import Document
from docx.shared import Pt

from gongkai.core.models import Agency
from gongkai.inspection.models import SiteCheck, SiteErrorReport
from gongkai.reports.rendering.docx import BODY_FONT, HEADING_FONT, TABLE_FONT, set_fonts

# Characters XML 1.0 cannot hold (C0 controls but tab and newlines, lone surrogates,
# U+FFFE/U+FFFF): python-docx refuses them. A reporter's description or a link's label may
# carry one; it is dropped from the document rather than failing the download.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text) -> str:
    return _NOT_XML.sub("", str(text))


def _para(doc, text: str, *, font: str = BODY_FONT, size: int = 12, bold: bool = False,
          style: str | None = None):
    p = doc.add_paragraph(style=style)
    run = p.add_run(_xml_text(text))
    run.font.size, run.font.bold = Pt(size), bold
    set_fonts(run._r, font)
    return p


def _table(doc, header: list[str], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.font.bold, run.font.size = True, Pt(10)
        set_fonts(run._r, TABLE_FONT)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(_xml_text(text))
            run.font.size = Pt(10)
            set_fonts(run._r, TABLE_FONT)
    return table


def _verdict(check: SiteCheck) -> str:
    if check.veto:
        return "不合格（单项否决）"
    return "合格" if check.passed else "不合格（得分低于合格线）"


def render_month(agency: Agency, year: int, month: int, checks: list[SiteCheck],
                 reports: list[SiteErrorReport]) -> bytes:
    doc = Document()
    _para(doc, f"{agency.name}网站自查月报（{year}年{month}月）", font=HEADING_FONT, size=18, bold=True)
    _para(doc, "依据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号），"
               "本平台每日对本机关政府信息公开专栏进行自查，本报告汇总本月自查情况。")
    last_day = calendar.monthrange(year, month)[1]
    _para(doc, "一、本月自查概况", font=HEADING_FONT, size=14, bold=True)
    if not checks:
        _para(doc, f"{year}年{month}月1日至{month}月{last_day}日没有自查记录。")
    else:
        latest = checks[-1]
        scores = [c.score for c in checks]
        _para(doc, f"本月共自查{len(checks)}次，最近一次（{latest.checked_on:%Y-%m-%d}）得分{latest.score}分，"
                   f"结论：{_verdict(latest)}；本月最高{max(scores)}分，最低{min(scores)}分；"
                   f"出现单项否决的天数{sum(1 for c in checks if c.veto)}天。")
        _para(doc, "二、每日得分", font=HEADING_FONT, size=14, bold=True)
        _table(doc, ["日期", "得分", "单项否决", "扣分项", "提示"],
               [[f"{c.checked_on:%Y-%m-%d}", str(c.score), str(len(c.veto)), str(len(c.deductions)),
                 str(len(c.warnings))] for c in checks])
        _para(doc, f"三、最近一次自查发现的问题（{latest.checked_on:%Y-%m-%d}）", font=HEADING_FONT,
              size=14, bold=True)
        _para(doc, "（一）单项否决", font=HEADING_FONT, size=12, bold=True)
        if latest.veto:
            _table(doc, ["指标", "问题"], [[v["indicator"], v["detail"]] for v in latest.veto])
        else:
            _para(doc, "无。")
        _para(doc, "（二）扣分", font=HEADING_FONT, size=12, bold=True)
        if latest.deductions:
            _table(doc, ["指标", "扣分", "问题"],
                   [[d["indicator"], f"{d['points']:g}", d["detail"]] for d in latest.deductions])
        else:
            _para(doc, "无。")
        _para(doc, "（三）提示", font=HEADING_FONT, size=12, bold=True)
        if latest.warnings:
            _table(doc, ["指标", "问题"], [[w["indicator"], w["detail"]] for w in latest.warnings])
        else:
            _para(doc, "无。")
    _para(doc, "四、网民纠错（我为政府网站找错）", font=HEADING_FONT, size=14, bold=True)
    if reports:
        _table(doc, ["编号", "提交日期", "状态", "错误描述"],
               [[r.tracking_number, f"{r.submitted_at:%Y-%m-%d}", r.get_status_display(),
                 r.description[:200]] for r in reports])
    else:
        _para(doc, "本月没有收到网民纠错。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
