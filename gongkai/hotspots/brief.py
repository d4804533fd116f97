"""The weekly (or monthly) brief as a DOCX: a title, a drafted summary paragraph (counts,
change, top terms, emerging topics), the charts of the staff page as PNG images
(matplotlib, Agg backend) each followed by its data table, and the emerging topics with
example summaries.

Charts are drawn with a CJK font found by matplotlib's font manager (Noto Sans CJK SC
first; any font ``core.fonts.is_cjk_font`` recognises otherwise). Where the server has
none, Chinese labels would be drawn as boxes: the brief then has no images and says so
in a paragraph of its own, and keeps every table.
"""

from __future__ import annotations

import io
from functools import cache

from gongkai.core.charts import LINE, SHARE, Chart
from gongkai.core.fonts import FONT_PACKAGE, is_cjk_font
from gongkai.hotspots.analysis import Analysis
from gongkai.hotspots.charts import charts_for

PREFERRED_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
NO_FONT_NOTICE = (f"说明：服务器没有中文字体，图表中的汉字会显示为方框，因此本简报未附图表，"
                  f"数据见各表。请系统管理员安装中文字体（Debian：{FONT_PACKAGE}）。")
COLOURS = ["#9b1b1b", "#0b4f8a", "#8a8a8a", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f",
           "#c2185b", "#5d4037", "#455a64"]
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@cache
def cjk_font_name() -> str | None:
    """The family of a CJK font matplotlib can use, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in PREFERRED_FONTS:
        if name in names:
            return name
    return next((n for n in sorted(names) if is_cjk_font(n)), None)


def _pct(value: float | None) -> str:
    if value is None:
        return "无可比数据"
    if value == 0:
        return "持平"
    return f"{'增长' if value > 0 else '下降'}{abs(value):g}%"


def summary_paragraph(analysis: Analysis, *, scope: str) -> str:
    """The drafted summary: what the office edits into its brief."""
    a = analysis
    parts = [f"{a.period.label}，{scope}共收到{_sources_phrase(a)}{a.total}件，"
             f"较{a.previous_label}（{a.previous_total}件）{_pct(a.change_previous)}，"
             f"较上年同期（{a.last_year_total}件）{_pct(a.change_last_year)}。"]
    for dimension, noun in (("category", "问题类别"), ("region", "区域")):
        rows = [r for r in a.dimensions.get(dimension, []) if r.label not in ("未填写", "其他")]
        if rows and a.total:
            top = rows[:3]
            parts.append(f"按{noun}，居前的是" + "、".join(
                f"{r.label}（{r.current}件，占{r.current * 100 / a.total:.1f}%）" for r in top) + "。")
    if a.top_terms:
        parts.append("高频词依次为" + "、".join(f"“{t.term}”" for t in a.top_terms[:5]) + "。")
    if a.emerging:
        parts.append("新出现的热点：" + "；".join(
            f"“{e.term}”本期{e.count}件（前{8}期平均{e.mean:g}件）" for e in a.emerging[:3]) + "，建议关注。")
    else:
        parts.append("本期未发现明显新出现的热点。")
    return "".join(parts)


def _sources_phrase(a: Analysis) -> str:
    if a.sources == "complaints":
        return "12315投诉举报"
    if a.sources == "messages":
        return "留言"
    return "投诉举报和留言"


def chart_png(chart: Chart, font: str) -> bytes:
    """One chart as a PNG (150 dpi), drawn with ``font``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.6), dpi=150)
    with matplotlib.rc_context({"font.family": [font], "axes.unicode_minus": False}):
        axes = figure.subplots()
        if chart.type == LINE:
            for i, dataset in enumerate(chart.datasets):
                axes.plot(chart.labels, dataset.data, marker="o", label=dataset.label,
                          color=COLOURS[i % len(COLOURS)])
            axes.tick_params(axis="x", labelrotation=45, labelsize=7)
            axes.legend(fontsize=8)
        elif chart.type == SHARE:
            values = chart.datasets[0].data
            if any(values):
                axes.pie(values, labels=chart.labels, autopct="%1.0f%%", startangle=90,
                         colors=COLOURS[:len(values)], wedgeprops={"width": 0.45},
                         textprops={"fontsize": 8})
            axes.set_aspect("equal")
        else:
            count = len(chart.datasets)
            width = 0.8 / count
            positions = range(len(chart.labels))
            for i, dataset in enumerate(chart.datasets):
                shifted = [p - 0.4 + width * (i + 0.5) for p in positions]
                draw = axes.barh if chart.horizontal else axes.bar
                draw(shifted, dataset.data, width, label=dataset.label,
                     color=COLOURS[i % len(COLOURS)])
            if chart.horizontal:
                axes.set_yticks(list(positions), chart.labels, fontsize=7)
                axes.invert_yaxis()
            else:
                axes.set_xticks(list(positions), chart.labels, fontsize=7, rotation=30)
            axes.legend(fontsize=8)
        axes.set_title(chart.title, fontsize=10)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render_docx(analysis: Analysis, *, agency_name: str, scope: str) -> bytes:
    """The brief as DOCX bytes."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    a = analysis
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Noto Sans CJK SC"
    normal.font.size = Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    kind = "周报" if a.period.grain == "W" else "月报"
    title = document.add_heading(f"投诉举报热点{kind}", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph(f"{agency_name}　{a.period.label}")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_heading("一、总体情况", level=1)
    document.add_paragraph(summary_paragraph(a, scope=scope))

    font = cjk_font_name()
    document.add_heading("二、图表", level=1)
    if font is None:
        document.add_paragraph(NO_FONT_NOTICE)
    for chart in charts_for(a):
        document.add_heading(chart.title, level=2)
        if font is not None and not chart.empty:
            document.add_picture(io.BytesIO(chart_png(chart, font)), width=Cm(15))
        table = document.add_table(rows=1, cols=1 + len(chart.datasets))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["项目", *[d.label for d in chart.datasets]],
                              strict=True):
            cell.text = text
        for label, values in chart.rows:
            cells = table.add_row().cells
            cells[0].text = label
            for cell, value in zip(cells[1:], values, strict=True):
                cell.text = str(value)

    document.add_heading("三、新出现的热点", level=1)
    if not a.emerging:
        document.add_paragraph("本期未发现明显新出现的热点。")
    for e in a.emerging:
        document.add_paragraph(
            f"“{e.term}”：本期{e.count}件，前8期平均{e.mean:g}件（z = {e.z:g}）。", style="List Bullet")
        for example in e.examples:
            document.add_paragraph(f"例：{example}", style="List Continue")
    document.add_paragraph(
        "判定规则：某词本期提及件数不少于5件且不少于前8期平均数的3倍，并且高出前8期平均数3个标准差以上"
        "（标准差小于1时按1计）。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
