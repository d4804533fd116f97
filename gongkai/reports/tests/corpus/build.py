"""Builds the checker's corpus: realistic published annual reports on the 2021 national
format, in the shapes the checker meets in the wild, with what a correct reading of each is.

    .venv/bin/python -m gongkai.reports.tests.corpus.build

Every report is made from data: figures per cell (consistent, so every arithmetic rule
holds, unless a case prints a real error), then rendered as a CMS web page (tables with
rowspan/colspan), as a PDF printed by WeasyPrint from such a page (ruled tables, CJK font),
as the text converters and crawlers make of a report, or as markdown. Each file gets an
expected result in ``expected/<file>.json``:

* ``year``, ``agency`` — as the title (or, failing that, the issuing line) states them;
* ``cells`` — every cell's printed value, by ``formats.cell_ref``;
* ``blank_cells`` — cells printed empty that the report means as 0 (read as 0 or blank);
* ``optional`` — cells whose reading depends on an ambiguous layout: they may stay
  unplaced, but a placed one must have the printed value;
* ``must_not_place`` — cells whose labels a converter separated from their figures so
  that no reading is certain: placing any of them is a guess;
* ``violations`` — ``[rule, label]`` of every rule the printed figures break (blank = 0);
  ``strict``: with ``true`` the checker's violations and findings must be exactly these,
  with ``false`` (optional or unplaceable cells) only its arithmetic violations;
* ``previous`` / ``cross_year`` — for the later report of a pair: the earlier file and the
  ``[rule, label]`` of the cross-year rule it breaks.

The build is reproducible: the same data gives byte-identical files (the PDFs carry no
dates; their identifier is fixed).
"""

from __future__ import annotations

import html
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from gongkai.core.fonts import check_cjk_fonts
from gongkai.reports.formats import cell_ref, get_format

FMT = get_format("2021")
ROOT = Path(__file__).resolve().parent
FILES = ROOT / "files"
EXPECTED = ROOT / "expected"

T3 = FMT.table("3")
T4 = FMT.table("4")
T3_ROWS = [r.key for r in T3.numbered_rows]
COLS3 = [c.key for c in T3.columns]  # six applicant columns, then total
APPLICANTS = COLS3[:6]
OUTCOMES = [k for k in T3_ROWS if k.startswith("三.") and k != "三.七"]
COLS4 = [c.key for c in T4.columns]

Cells = dict[str, int | Decimal]


# --- figures ---------------------------------------------------------------------------------

# outcome row -> (chance of a non-zero figure for a natural person, largest figure)
_PROFILE = {
    "三.一": (0.95, 40), "三.二": (0.5, 8), "三.三.1": (0.03, 1), "三.三.2": (0.1, 2),
    "三.三.3": (0.1, 2), "三.三.4": (0.25, 3), "三.三.5": (0.2, 3), "三.三.6": (0.2, 3),
    "三.三.7": (0.1, 2), "三.三.8": (0.2, 4), "三.四.1": (0.8, 20), "三.四.2": (0.3, 5),
    "三.四.3": (0.25, 3), "三.五.1": (0.4, 6), "三.五.2": (0.4, 5), "三.五.3": (0.1, 2),
    "三.五.4": (0.1, 3), "三.五.5": (0.1, 2), "三.六.1": (0.4, 8), "三.六.2": (0.1, 2),
    "三.六.3": (0.3, 5),
}
# applicant column -> share of the requests (natural persons file most of them)
_WEIGHT = {"natural_person": 1.0, "commercial_enterprise": 0.35, "research_institution": 0.04,
           "social_welfare_organization": 0.04, "legal_service_institution": 0.15,
           "other_organization": 0.1}


def figures(seed: int, *, scale: int = 1, carried_in: dict[str, int] | None = None) -> Cells:
    """A year of one agency's figures on the 2021 format; every rule holds."""
    rng = random.Random(seed)
    cells: Cells = {}
    cells["2.1/rules/issued"] = rng.choice([0, 0, 0, 1, 2])
    cells["2.1/rules/repealed"] = rng.choice([0, 0, 1])
    cells["2.1/rules/in_force"] = rng.randint(0, 30) if scale > 1 else 0
    cells["2.1/normative/issued"] = rng.randint(1, 12 * scale)
    cells["2.1/normative/repealed"] = rng.randint(0, 5)
    cells["2.1/normative/in_force"] = rng.randint(15, 90 * scale)
    cells["2.5/licensing/decisions"] = rng.randint(40, 4000 * scale)
    cells["2.6/penalty/decisions"] = rng.randint(0, 400 * scale)
    cells["2.6/enforcement/decisions"] = rng.randint(0, 30)
    cells["2.8/fees/amount"] = rng.choice([Decimal(0), Decimal(0), Decimal("12.36"), Decimal("0.85")])
    for column in APPLICANTS:
        weight = _WEIGHT[column]
        total = 0
        for row in OUTCOMES:
            chance, top = _PROFILE[row]
            value = rng.randint(1, max(1, round(top * scale * weight))) if rng.random() < chance * weight else 0
            cells[cell_ref("3", row, column)] = value
            total += value
        cells[cell_ref("3", "三.七", column)] = total
        carried = (carried_in or {}).get(column, rng.randint(0, 3) if rng.random() < weight * 0.6 else 0)
        cells[cell_ref("3", "二", column)] = carried
        carried_out = rng.randint(0, 4) if rng.random() < weight * 0.6 else 0
        cells[cell_ref("3", "四", column)] = carried_out
        new = total + carried_out - carried
        if new < 0:  # more carried in than handled: handle the rest as 予以公开
            cells[cell_ref("3", "三.一", column)] += -new
            cells[cell_ref("3", "三.七", column)] += -new
            new = 0
        cells[cell_ref("3", "一", column)] = new
    for row in T3_ROWS:
        cells[cell_ref("3", row, "total")] = sum(cells[cell_ref("3", row, c)] for c in APPLICANTS)
    for prefix, top in (("administrative_review", 6), ("litigation_direct", 3), ("litigation_after_review", 2)):
        parts = [rng.randint(0, top), rng.choice([0, 0, 1]), rng.choice([0, 0, 1]), rng.randint(0, 2)]
        for key, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            cells[f"4/all/{prefix}.{key}"] = value
        cells[f"4/all/{prefix}.total"] = sum(parts)
    assert set(cells) == set(FMT.cell_refs())
    return cells


def set_row(cells: Cells, row: str, values: list[int]) -> None:
    """Prints ``values`` (six applicant columns) in a row of table 三 and keeps every rule
    of the year holding (the difference goes to or comes from 新收 and (七)总计)."""
    for column, value in zip(APPLICANTS, values, strict=True):
        ref = cell_ref("3", row, column)
        delta = value - cells[ref]
        cells[ref] = value
        if row.startswith("三.") and row != "三.七":
            cells[cell_ref("3", "三.七", column)] += delta
            cells[cell_ref("3", "一", column)] += delta
        elif row in ("二", "四"):  # 一 + 二 = 三.七 + 四
            cells[cell_ref("3", "一", column)] += delta if row == "四" else -delta
        assert all(cells[cell_ref("3", r, column)] >= 0 for r in T3_ROWS), (row, column)
    for r in T3_ROWS:
        cells[cell_ref("3", r, "total")] = sum(cells[cell_ref("3", r, c)] for c in APPLICANTS)


def violations(cells: Cells) -> list[list[str]]:
    """[rule, label] of every rule the printed figures break, a blank read as 0."""
    out = []
    for instance in FMT.rule_instances():
        left = sum(Decimal(cells.get(ref) or 0) for ref in instance.left)
        right = sum(Decimal(cells.get(ref) or 0) for ref in instance.right)
        holds = left >= right if instance.rule.kind == "at_least" else left == right
        if not holds:
            out.append([instance.rule.id, instance.label])
    return sorted(out)


def cross_year(earlier: Cells, later: Cells) -> list[list[str]]:
    out = []
    for instance in FMT.rule_instances(cross_year=True):
        this = sum(Decimal(later.get(ref) or 0) for ref in instance.left)
        last = sum(Decimal(earlier.get(ref) or 0) for ref in instance.right)
        if this != last:
            out.append([instance.rule.id, instance.label])
    return sorted(out)


# --- the tables as printed -------------------------------------------------------------------

@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    kind: str = ""  # "g1"/"g2": a group label merged down; "label": a row label; "num"; "head"


_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "："})


def printed(label: str) -> str:
    """A label as the national template prints it: full-width brackets and commas."""
    return label.translate(_FULL_WIDTH)


def show(value, *, blank_zero: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if blank_zero and value == 0:
        return ""
    return str(value)


@dataclass
class Style:
    """How one report prints its tables."""

    labels: dict[str, str] = field(default_factory=dict)  # the format's label -> as printed
    blank_zero: bool = False  # zeros of tables 三 and 四 printed as empty cells
    blanks: frozenset[str] = frozenset()  # further cells printed empty (a blank total)
    split4: bool = False  # table 四 as three small tables
    br_labels: bool = False  # HTML: long row labels broken by the editor with <br>
    nbsp_blanks: bool = False  # HTML: an empty cell holds &nbsp; (as CMS editors leave it)

    def label(self, text: str) -> str:
        return printed(self.labels.get(text, text))

    def value(self, cells: Cells, ref: str) -> str:
        if ref in self.blanks:
            return ""
        return show(cells[ref], blank_zero=self.blank_zero and ref.split("/")[0] in ("3", "4"))


def grid2(cells: Cells, style: Style) -> list[list[Cell]]:
    """Section 二 as the template prints it: one table of four columns."""
    out = []
    for key in ("2.1", "2.5", "2.6", "2.8"):
        table = FMT.table(key)
        out.append([Cell(style.label(table.title), colspan=4, kind="head")])
        span = 1 if len(table.columns) == 3 else 3
        out.append([Cell(style.label(table.corner), kind="head")]
                   + [Cell(style.label(c.label), colspan=span, kind="head") for c in table.columns])
        for row in table.rows:
            out.append([Cell(style.label(row.label), kind="label")]
                       + [Cell(style.value(cells, cell_ref(key, row.key, c.key)), colspan=span, kind="num")
                          for c in table.columns])
    return out


def _chain(row) -> list[str]:
    """The group labels beside a row of table 三, outermost first."""
    chain, group = [], row.group
    while group:
        chain.insert(0, group)
        group = T3.row(next(r.key for r in T3.rows if r.label == group)).group
    return chain


def grid3(cells: Cells, style: Style) -> list[list[Cell]]:
    """Table 三 as the template prints it: the corner over three label columns, 三 merged
    down beside its 22 rows, each group label merged down beside its sub-rows."""
    out = [
        [Cell(style.label(T3.corner), colspan=3, rowspan=3, kind="head"),
         Cell("申请人情况", colspan=7, kind="head")],
        [Cell("自然人", rowspan=2, kind="head"), Cell("法人或其他组织", colspan=5, kind="head"),
         Cell("总计", rowspan=2, kind="head")],
        [Cell(style.label(c.label), kind="head") for c in T3.columns[1:6]],
    ]
    rows = T3.numbered_rows
    chains = {r.key: _chain(r) for r in rows}
    seen: set[str] = set()
    for row in rows:
        line: list[Cell] = []
        chain = chains[row.key]
        for depth, name in enumerate(chain):
            if name not in seen:
                seen.add(name)
                under = sum(1 for r in rows if name in chains[r.key])
                line.append(Cell(style.label(name), rowspan=under, kind=f"g{depth + 1}"))
        line.append(Cell(style.label(row.label), colspan=3 - len(chain), kind="label"))
        line += [Cell(style.value(cells, cell_ref("3", row.key, c)), kind="num") for c in COLS3]
        out.append(line)
    return out


def grid4(cells: Cells, style: Style) -> list[list[list[Cell]]]:
    """Table 四: one table of fifteen columns, or (``split4``) three of five."""
    values = [Cell(style.value(cells, cell_ref("4", "all", c)), kind="num") for c in COLS4]
    heads = [Cell(t, kind="head") for t in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
    if style.split4:
        return [
            [[Cell("行政复议", colspan=5, kind="head")], heads, values[0:5]],
            [[Cell("行政诉讼（未经复议直接起诉）", colspan=5, kind="head")], heads, values[5:10]],
            [[Cell("行政诉讼（复议后起诉）", colspan=5, kind="head")], heads, values[10:15]],
        ]
    return [[
        [Cell("行政复议", colspan=5, kind="head"), Cell("行政诉讼", colspan=10, kind="head")],
        [Cell(h.text, rowspan=2, kind="head") for h in heads]
        + [Cell("未经复议直接起诉", colspan=5, kind="head"), Cell("复议后起诉", colspan=5, kind="head")],
        heads + heads,
        values,
    ]]


# --- the report around the tables -----------------------------------------------------------

@dataclass
class Report:
    """One published report: its title block, prose and tables (rendered by ``render``)."""

    agency: str  # as the title prints it
    year: int
    cells: Cells
    style: Style = field(default_factory=Style)
    title: str = ""  # default: "{agency}{year}年政府信息公开工作年度报告"
    issuer: str = ""  # the issuing line at the end (default: the agency)
    date: str = ""  # the date under it
    overview: str = ""  # the first paragraph of section 一
    others: str = "本机关"  # how the prose names the agency

    @property
    def signed(self) -> str:
        return self.date or f"{self.year + 1}年1月20日"

    @property
    def heading(self) -> str:
        return self.title or f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def preamble(self) -> list[str]:
        return [
            f"本报告由{self.issuer or self.agency}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）"
            "和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
            "（国办公开办函〔2021〕30号）要求编制。",
            f"本报告中使用数据统计期限为{self.year}年1月1日至{self.year}年12月31日。"
            "如对本报告有任何疑问，请与本机关政务公开工作机构联系。",
        ]

    def sections(self) -> dict[str, list[str]]:
        c = self.cells
        new = c["3/一/total"]
        public = c["2.1/normative/issued"]
        return {
            "一": [
                self.overview or (
                    f"{self.year}年，{self.others}深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，"
                    "按照省政府办公厅、市政务公开领导小组的工作要求，会同司法、数据、信访等部门，"
                    "持续提升政务公开质量。"),
                f"（一）主动公开。全年通过门户网站主动公开政府信息{1200 + public * 37}条，"
                f"其中政策文件{public}件、政策解读{public + 3}篇，回应社会关切{18 + public}次。",
                f"（二）依申请公开。全年新收政府信息公开申请{new}件，均在法定期限内答复，"
                "未发生因答复不规范被纠错的情况。",
                "（三）政府信息管理。严格落实公开前保密审查制度，对行政规范性文件实行统一登记、统一编号、统一公开。",
                "（四）政府信息公开平台建设。优化政府门户网站信息公开专栏，政务新媒体同步发布重要信息。",
                "（五）监督保障。将政务公开纳入年度绩效考核，组织业务培训2次，参训120人次。",
            ],
            "五": [
                "（一）存在的主要问题：一是政策解读形式较为单一；二是基层政务公开标准化规范化建设仍需加强。",
                f"（二）改进情况：{self.year + 1}年将丰富图解、视频等解读形式，进一步加强业务培训。",
            ],
            "六": [
                "本年度未收取信息处理费。",
                f"{self.others}{self.year}年度政务公开工作要点落实情况已在门户网站专栏公开。",
            ],
        }


SECTION_TITLES = {s.number: s.title for s in FMT.sections}


def blocks(report: Report) -> list[tuple[str, object]]:
    """The report as a sequence of ("h1" | "h2" | "p" | "table" | "sign", content)."""
    out: list[tuple[str, object]] = [("h1", report.heading)]
    out += [("p", text) for text in report.preamble()]
    prose = report.sections()
    for number in "一二三四五六":
        out.append(("h2", SECTION_TITLES[number]))
        if number in prose:
            out += [("p", text) for text in prose[number]]
        elif number == "二":
            out.append(("table", grid2(report.cells, report.style)))
        elif number == "三":
            out.append(("table", grid3(report.cells, report.style)))
        else:
            out += [("table", g) for g in grid4(report.cells, report.style)]
    out.append(("sign", [report.issuer or report.agency, report.signed]))
    return out


# --- HTML and PDF ----------------------------------------------------------------------------

def _broken(text: str) -> str:
    """A long label as an editor broke it: "<br>" after its first half."""
    if len(text) < 16:
        return html.escape(text)
    half = len(text) // 2
    return html.escape(text[:half]) + "<br>" + html.escape(text[half:])


def table_html(grid: list[list[Cell]], *, cms: bool = True, style: Style | None = None) -> str:
    style = style or Style()
    rows = []
    for line in grid:
        tds = []
        for cell in line:
            attrs = ""
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.kind:
                attrs += f' class="{cell.kind}"'
            inner = _broken(cell.text) if style.br_labels and cell.kind == "label" else html.escape(cell.text)
            if style.nbsp_blanks and not cell.text:
                inner = "&nbsp;"
            if cms and cell.text:  # CMS editors wrap every cell's text in a styled paragraph
                inner = f'<p style="text-align:center"><span style="font-size:14px">{inner}</span></p>'
            tds.append(f"<td{attrs}>{inner}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return '<table border="1" cellspacing="0" cellpadding="0">\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>"


def body_html(report: Report, *, cms: bool = True, colgroups: dict[int, str] | None = None) -> str:
    parts = []
    tables = 0
    for kind, content in blocks(report):
        if kind == "h1":
            parts.append("<h1>" + "<br>".join(html.escape(t) for t in content.split("\n")) + "</h1>")
        elif kind == "h2":
            number = "一二三四五六".index(content[0]) + 1
            parts.append(f'<h2 class="sec{number}">{html.escape(content)}</h2>')
        elif kind == "p":
            parts.append(f"<p>{html.escape(content)}</p>")
        elif kind == "table":
            tables += 1
            table = table_html(content, cms=cms, style=report.style)
            if colgroups and tables in colgroups:
                table = table.replace("<tbody>", colgroups[tables] + "\n<tbody>", 1)
            parts.append(table)
        else:
            parts.append('<p class="sign">' + "<br>".join(html.escape(t) for t in content) + "</p>")
    return "\n".join(parts)


def _iso(date: str) -> str:
    """"2024年1月18日" → "2024-01-18"."""
    year, rest = date.split("年")
    month, day = rest.rstrip("日").split("月")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def cms_page(report: Report, *, meta: list[tuple[str, str]] | None = None, source: str = "") -> bytes:
    """A government portal's article page: navigation, an index block, the article, a footer."""
    meta = meta or []
    meta_html = ""
    if meta:
        meta_html = ('<table class="xxgk-meta">\n' + "\n".join(
            f"<tr><th>{html.escape(k)}：</th><td>{html.escape(v)}</td></tr>" for k, v in meta) + "\n</table>")
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{html.escape(report.heading.replace(chr(10), ""))}_政府信息公开年报_{html.escape(report.agency)}</title>
<script>var _hmt = _hmt || []; var siteId = "3208130001";</script>
<style>.nav li{{display:inline}} table{{border-collapse:collapse}}</style>
</head>
<body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="position">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>
{meta_html}
<div class="article">
<div class="info">{html.escape(source)}　发布时间：{_iso(report.signed)}　浏览次数：<span id="hits">0</span></div>
{body_html(report)}
</div>
<div class="footer">主办单位：{html.escape(report.issuer or report.agency)}　网站标识码：3208130001
<br>技术支持：本站信息中心</div>
</body>
</html>
"""
    return page.encode("utf-8")


PDF_CSS = """
@page { size: A4; margin: 18mm 15mm; }
body { font-family: 'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif; font-size: 10pt; line-height: 1.5; }
h1 { font-size: 16pt; text-align: center; font-weight: normal; margin: 0 0 8pt; }
h2 { font-size: 11pt; font-weight: normal; margin: 8pt 0 4pt; }
p { text-indent: 2em; margin: 2pt 0; }
p.sign { text-align: right; text-indent: 0; margin-top: 16pt; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 4pt 0 8pt; }
td { border: 0.6pt solid #000; padding: 1.5pt 2pt; font-size: 8pt; line-height: 1.25;
     text-align: center; vertical-align: middle; word-break: break-all; }
td.label { text-align: left; }
"""
NO_RULES_CSS = "td { border: none; }"
# table 三's columns: three label columns (group, sub-group, row label), then seven figures
COLS_MERGED = ('<colgroup><col style="width:1.6em"><col style="width:3.2em"><col style="width:13em">'
               + '<col>' * 7 + "</colgroup>")
COLS_WRAPPED = ('<colgroup><col style="width:3.6em"><col style="width:4.2em"><col style="width:8.5em">'
                + '<col>' * 7 + "</colgroup>")
COLS_WIDE = ('<colgroup><col style="width:5em"><col style="width:5em"><col style="width:17em">'
             + '<col>' * 7 + "</colgroup>")


def pdf(report: Report, *, colgroup: str = COLS_MERGED, rules: bool = True, split3: bool = False,
        landscape: bool = False) -> bytes:
    """The report printed as PDF; table 三 starts a page unless ``split3`` (then it runs on
    over a page break, its merged cells continued on the next page)."""
    from weasyprint import HTML  # only the build prints PDFs

    css = (PDF_CSS + ("" if rules else NO_RULES_CSS) + ("" if split3 else "h2.sec3 { break-before: page; }")
           + ("@page { size: A4 landscape; }" if landscape else ""))
    page = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html.escape(report.heading.replace(chr(10), ''))}</title><style>{css}</style></head><body>"
            + body_html(report, cms=False, colgroups={2: colgroup}) + "</body></html>")
    # no dates in the document, and a fixed identifier: the same report prints the same bytes
    printed_pdf = HTML(string=page).write_pdf(identifier=b"gongkai-corpus", uncompressed_pdf=False)
    return check_cjk_fonts(printed_pdf)  # never a corpus printed in boxes (no CJK font installed)


# --- text as converters and crawlers make it -------------------------------------------------

def cell_texts(line: list[Cell]) -> list[str]:
    return [c.text for c in line]


def crawler_text(report: Report, *, sep: str = " | ", run_rows: frozenset[str] = frozenset()) -> bytes:
    """A crawler's copy of the page: paragraphs, then each table row's cells joined (merged
    cells once). ``run_rows``: rows of table 三 whose figures lost their separators."""
    out = []
    for kind, content in blocks(report):
        if kind == "table":
            for line in content:
                texts = cell_texts(line)
                label = next((c.text for c in line if c.kind == "label"), "")
                row = next((r.key for r in T3.numbered_rows if report.style.label(r.label) == label), None)
                if row in run_rows:
                    numbers = [c.text for c in line if c.kind == "num"]
                    labels = [c.text for c in line if c.kind != "num"]
                    out.append(sep.join([*labels, "".join(numbers)]))
                else:
                    out.append(sep.join(texts))
        elif kind == "sign":
            out += content
        else:
            out.append(content)
    return ("\n".join(out) + "\n").encode("utf-8")


def one_cell_per_line(report: Report) -> bytes:
    """A converter's text of the document: every paragraph and every table cell on a line
    of its own (a merged cell once), blank lines between paragraphs."""
    out = []
    for kind, content in blocks(report):
        if kind == "table":
            for line in content:
                out += [c.text for c in line if c.text]
            out.append("")
        elif kind == "sign":
            out += content
        else:
            out += [content, ""]
    return ("\n".join(out) + "\n").encode("utf-8")


def markdown(report: Report) -> bytes:
    """A converter's markdown: merged cells dropped (markdownify-style), a separator line
    under each table's first row, and an empty last column (the Word table had one)."""
    out = []
    for kind, content in blocks(report):
        if kind == "h1":
            out += [f"# {content}", ""]
        elif kind == "h2":
            out += [f"## {content}", ""]
        elif kind == "table":
            for i, line in enumerate(content):
                out.append("| " + " | ".join(cell_texts(line)) + " |  |")
                if i == 0:
                    out.append("|" + " --- |" * (len(line) + 1))
            out.append("")
        elif kind == "sign":
            out += [*content, ""]
        else:
            out += [content, ""]
    return ("\n".join(out) + "\n").encode("utf-8")


def layout_text(report: Report, *, labels_first: tuple[str, ...] = (), shuffled: dict | None = None) -> bytes:
    """What a PDF-to-text converter makes of the printed report: a line per printed line,
    figures separated by spaces, a merged group label on the line of its middle row.

    ``labels_first``: groups of table 三 (e.g. "(四)无法提供") whose sub-row labels the
    converter printed on lines of their own, before the rows of figures.
    ``shuffled``: {group: (label order, figure order)} — the sub-rows' labels and figures
    printed apart, each in an order of its own (indexes into the group's sub-rows)."""
    shuffled = shuffled or {}
    out = []
    for kind, content in blocks(report):
        if kind != "table":
            if kind == "sign":
                out += content
            else:
                out.append(content)
            continue
        if content[0][0].text != report.style.label(T3.corner):
            for line in content:
                out.append(" ".join(c.text for c in line if c.text))
            continue
        out += table3_layout(report, labels_first, shuffled)
    return ("\n".join(out) + "\n").encode("utf-8")


def table3_layout(report: Report, labels_first: tuple[str, ...], shuffled: dict) -> list[str]:
    style, cells = report.style, report.cells
    out = ["（本列数据的勾稽关系为：第一项加第二项之和，", "申请人情况",
           "等于第三项加第四项之和）", "法人或其他组织",
           "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"]

    def figures_of(row: str) -> str:
        return " ".join(style.value(cells, cell_ref("3", row, c)) or "0" for c in COLS3)

    rows = T3.numbered_rows
    middle_of_three = rows[len(rows) // 2].key  # "三、本年度办理结果" sits beside the middle row
    groups = {}
    for row in rows:
        if row.group and row.group != "三、本年度办理结果":
            groups.setdefault(row.group, []).append(row)
    done: set[str] = set()
    for row in rows:
        if row.key in done:
            continue
        group = row.group if row.group in groups else ""
        if group and (group in labels_first or group in shuffled):
            subs = groups[group]
            middle = len(subs) // 2
            names = [style.label(s.label) for s in subs]
            label_order, figure_order = shuffled.get(group, (range(len(subs)), range(len(subs))))
            for position, index in enumerate(label_order):
                prefix = []
                if any(s.key == middle_of_three for s in subs) and position == middle:
                    prefix.append(style.label("三、本年度办理结果"))
                if position == middle:
                    prefix.append(style.label(group))
                out.append(" ".join([*prefix, names[index]]))
            for index in figure_order:
                out.append(figures_of(subs[index].key))
            done.update(s.key for s in subs)
            continue
        prefix = []
        if row.key == middle_of_three:
            prefix.append(style.label("三、本年度办理结果"))
        if group and groups[group][len(groups[group]) // 2].key == row.key:
            prefix.append(style.label(group))
        out.append(" ".join([*prefix, style.label(row.label), figures_of(row.key)]))
    return out


# --- the cases -------------------------------------------------------------------------------

@dataclass
class Case:
    file: str
    report: Report
    render: Callable[[Report], bytes]
    classes: tuple[str, ...]  # the failure classes of issue 19 the case covers
    agency: str = ""  # expected agency (default: the report's)
    optional: frozenset[str] = frozenset()
    must_not_place: frozenset[str] = frozenset()
    previous: str = ""  # the earlier report of the same agency (cross-year pair)
    note: str = ""

    def expected(self, by_file: dict[str, Case]) -> dict:
        cells = self.report.cells
        style = self.report.style
        blank = sorted(ref for ref in cells if style.value(cells, ref) == "")
        printed_cells = {ref: (0 if ref in style.blanks else cells[ref]) for ref in FMT.cell_refs()}
        data = {
            "file": self.file,
            "format": FMT.id,
            "year": self.report.year,
            "agency": self.agency or self.report.agency,
            "classes": list(self.classes),
            "note": self.note,
            "cells": {ref: _json_number(v) for ref, v in printed_cells.items()},
            "blank_cells": blank,
            "optional": sorted(self.optional),
            "must_not_place": sorted(self.must_not_place),
            "violations": violations(printed_cells),
            "strict": not (self.optional or self.must_not_place),
        }
        if self.previous:
            data["previous"] = self.previous
            data["cross_year"] = cross_year(by_file[self.previous].report.cells, cells)
        return data


def _json_number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _rows(*groups: str) -> frozenset[str]:
    """Every cell of the sub-rows of the named groups of table 三."""
    return frozenset(cell_ref("3", r.key, c) for r in T3.numbered_rows if r.group in groups for c in COLS3)


VARIANTS = {
    "行政规范性文件": "规范性文件",
    "2.其他法律行政法规禁止公开": "2.其他法律行政止公开",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请":
        "1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请":
        "2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请",
}


def cases() -> list[Case]:
    out: list[Case] = []

    # Hongze district, two consecutive years: the agency named in two forms (cross-year pair).
    hz23 = figures(2301, scale=2)
    hz24 = figures(2401, scale=2, carried_in={c: hz23[cell_ref("3", "四", c)] for c in APPLICANTS})
    out.append(Case(
        "html_hongze_2023.html",
        Report("淮安市洪泽区人民政府", 2023, hz23, issuer="淮安市洪泽区人民政府办公室",
               others="区政府办公室", date="2024年1月18日"),
        lambda r: cms_page(r, meta=[("索引号", "014112345/2024-00003"), ("信息分类", "政府信息公开年报"),
                                    ("发布机构", "洪泽区政府办公室"), ("发文日期", "2024-01-18")],
                           source="来源：洪泽区政府办公室"),
        ("html-cms", "title-with-city-prefix", "cross-year-pair", "prose-other-bodies", "issuing-line"),
        note="政府年报由区政府办公室编制；标题写全称“淮安市洪泽区人民政府”"))
    out.append(Case(
        "pdf_hongze_2024_merged_labels.pdf",
        Report("洪泽区人民政府", 2024, hz24, issuer="洪泽区人民政府办公室", others="区政府办公室",
               date="2025年1月22日"),
        lambda r: pdf(r, colgroup=COLS_MERGED, split3=True),
        ("pdf-merged-group-labels", "title-without-city-prefix", "cross-year-pair", "pdf-table-over-page-break"),
        previous="html_hongze_2023.html",
        note="三、本年度办理结果与各分组标签在窄的纵向合并单元格中逐字换行"))

    # Guanyun county, two years as crawler text and HTML; the later year's 上年结转 differs.
    gy22 = figures(2202)
    gy23 = figures(2302, carried_in={c: gy22[cell_ref("3", "四", c)] for c in APPLICANTS})
    set_row(gy23, "二", [gy22[cell_ref("3", "四", c)] + (2 if c == "natural_person" else 0) for c in APPLICANTS])
    out.append(Case(
        "text_guanyun_2022_crawler.txt",
        Report("江苏省灌云县人民政府", 2022, gy22, issuer="灌云县人民政府办公室", others="县政府",
               date="2023年3月20日"),
        crawler_text,
        ("crawler-text", "cross-year-pair", "title-with-province-prefix")))
    out.append(Case(
        "html_guanyun_2023.html",
        Report("灌云县人民政府", 2023, gy23, issuer="灌云县人民政府办公室", others="县政府",
               date="2024年3月15日"),
        lambda r: cms_page(r, source="来源：灌云县人民政府办公室"),
        ("html-cms", "cross-year-pair", "cross-year-violation"),
        previous="text_guanyun_2022_crawler.txt",
        note="本年“二、上年结转”自然人列比上年“四、结转下年度继续办理”多2件"))

    # PDFs.
    out.append(Case(
        "pdf_shuyang_fgj_2023_wrapped_labels.pdf",
        Report("沭阳县发展和改革局", 2023, figures(2303), date="2024年1月25日"),
        lambda r: pdf(r, colgroup=COLS_WRAPPED),
        ("pdf-wrapped-labels", "pdf-merged-group-labels"),
        note="行标签列较窄，长标签在单元格内折成两行"))
    out.append(Case(
        "pdf_huzhou_office_2023.pdf",
        Report("湖州市人民政府办公室", 2023, figures(2304, scale=3), others="市政府办公室",
               overview="2023年，市政府办公室在市委、市政府的坚强领导下，会同市司法局、市大数据发展管理局，"
                        "指导各区县人民政府和市级各部门做好政务公开工作。", date="2024年1月26日"),
        lambda r: pdf(r, colgroup=COLS_WIDE),
        ("office-as-author", "prose-other-bodies", "issuing-line", "pdf-merged-group-labels")))
    xuyi = figures(2305)
    out.append(Case(
        "pdf_xuyi_jtj_2023_blank_zero.pdf",
        Report("盱眙县交通运输局", 2023, xuyi, style=Style(blank_zero=True), date="2024年1月19日"),
        lambda r: pdf(r, colgroup=COLS_WIDE),
        ("pdf-merged-group-labels", "blank-means-zero")))
    out.append(Case(
        "pdf_haizhou_jyj_2022_table4_split.pdf",
        Report("连云港市海州区教育局", 2022, figures(2206), style=Style(split4=True), date="2023年1月16日"),
        lambda r: pdf(r, colgroup=COLS_WIDE),
        ("pdf-merged-group-labels", "table4-split")))
    out.append(Case(
        "pdf_suqian_scq_czj_2022_no_rules.pdf",
        Report("宿迁市宿城区财政局", 2022, figures(2207), date="2023年1月12日"),
        lambda r: pdf(r, colgroup=COLS_WIDE, rules=False),
        ("pdf-without-ruling-lines",),
        note="表格无边框线，只能按文字层读取"))
    out.append(Case(
        "pdf_qingjiangpu_2023_variants.pdf",
        Report("淮安市清江浦区人民政府", 2023, figures(2308, scale=2), style=Style(labels=VARIANTS),
               issuer="淮安市清江浦区人民政府办公室", others="区政府", date="2024年3月22日"),
        lambda r: pdf(r, colgroup=COLS_WIDE),
        ("pdf-merged-group-labels", "label-variants")))
    out.append(Case(
        "pdf_guannan_2023_title_two_lines.pdf",
        Report("灌南县人民政府", 2023, figures(2309, scale=2), issuer="灌南县人民政府办公室",
               title="灌南县人民政府2023年政府信息公开\n工作年度报告", others="我县县政府",
               date="2024年3月18日"),
        lambda r: pdf(r, colgroup=COLS_MERGED),
        ("pdf-merged-group-labels", "title-over-two-lines", "prose-other-bodies"),
        note="标题折成两行；正文称“我县县政府”"))

    out.append(Case(
        "pdf_lianyungang_2021_landscape.pdf",
        Report("连云港市人民政府", 2021, figures(2125, scale=4), issuer="连云港市人民政府办公室",
               style=Style(labels={k: v for k, v in VARIANTS.items() if "，" in v}), others="市政府办公室",
               date="2022年3月25日"),
        lambda r: pdf(r, colgroup=COLS_WRAPPED, landscape=True),
        ("pdf-merged-group-labels", "pdf-wrapped-labels", "label-variants", "pdf-landscape"),
        note="横向A4；“（六）其他处理”两行用逗号代替顿号，长标签折行"))

    # HTML pages.
    out.append(Case(
        "html_siyang_2023_variants.html",
        Report("泗阳县人民政府", 2023, figures(2310, scale=2), style=Style(labels=VARIANTS),
               issuer="泗阳县人民政府办公室", others="县政府", date="2024年3月25日"),
        lambda r: cms_page(r, source="来源：泗阳县政府办公室"),
        ("html-cms", "label-variants")))
    out.append(Case(
        "html_jinhu_sfj_2023_blank_zero.html",
        Report("金湖县司法局", 2023, figures(2311), style=Style(blank_zero=True, nbsp_blanks=True),
               date="2024年1月22日"),
        lambda r: cms_page(r, source="来源：金湖县司法局"),
        ("html-cms", "blank-means-zero")))
    ls = figures(2312)
    ls["4/all/administrative_review.upheld"] = 2
    ls["4/all/administrative_review.corrected"] = 1
    ls["4/all/administrative_review.total"] = 3
    out.append(Case(
        "html_lianshui_zjj_2023_blank_total.html",
        Report("涟水县住房和城乡建设局", 2023, ls,
               style=Style(blank_zero=True, blanks=frozenset({"4/all/administrative_review.total"})),
               date="2024年1月23日"),
        lambda r: cms_page(r, source="来源：涟水县住房和城乡建设局"),
        ("html-cms", "blank-means-zero", "blank-total-over-parts"),
        note="行政复议“总计”空白，而结果维持2、结果纠正1"))
    out.append(Case(
        "html_huaiyin_2023_table4_split.html",
        Report("淮安市淮阴区人民政府", 2023, figures(2313, scale=2), style=Style(split4=True, br_labels=True),
               issuer="淮安市淮阴区人民政府办公室", others="区政府", date="2024年3月26日"),
        lambda r: cms_page(r, source="来源：淮阴区政府办公室"),
        ("html-cms", "table4-split", "html-labels-broken-by-br")))
    out.append(Case(
        "html_shuyang_fgj_2022_metadata.html",
        Report("沭阳县发展和改革局", 2022, figures(2214), date="2023年1月30日"),
        lambda r: cms_page(r, meta=[("索引号", "K10532144/2023-00011"), ("分类", "政府信息公开年报"),
                                    ("发布机构", "沭阳县发展和改革局"),
                                    ("名称", "沭阳县发展和改革局2022年度政府信息公开工作年度报告"),
                                    ("文号", ""), ("生效日期", "2023-01-30")]),
        ("html-cms", "metadata-block"),
        note="信息公开目录的元数据表（名称：…）在标题之前"))
    out.append(Case(
        "html_shiyanqu_2023_prose.html",
        Report("宿迁市湖滨新区", 2023, figures(2315), others="实验区政府", issuer="宿迁市湖滨新区管理委员会",
               overview="2023年，实验区政府信息公开工作在新区党工委、管委会的领导下，对照省、市政务公开"
                        "工作要点，会同区社会事业局、区综合行政执法局稳步推进。", date="2024年3月12日"),
        lambda r: cms_page(r, source="来源：湖滨新区党政办公室"),
        ("html-cms", "prose-other-bodies"),
        note="标题中的机关名称不以“局、委员会、人民政府”等结尾；概述段以“2023年，实验区政府……”开头"))
    out.append(Case(
        "html_jiangning_sfj_2023_issuer_only.html",
        Report("南京市江宁区司法局", 2023, figures(2316), title="政府信息公开工作年度报告（2023年度）",
               date="2024年1月18日"),
        lambda r: cms_page(r),
        ("html-cms", "agency-only-in-issuing-line"),
        note="标题不写机关名称，机关只见于文末落款"))

    # Converter and crawler text.
    out.append(Case(
        "text_yancheng_tyj_2023_labels_first.txt",
        Report("盐城市体育局", 2023, figures(2317), date="2024年1月24日"),
        lambda r: layout_text(r, labels_first=("(四)无法提供", "(六)其他处理")),
        ("converter-text", "labels-before-figures"),
        optional=_rows("(四)无法提供", "(六)其他处理"),
        note="（四）（六）两组的分项标签先列出，其后才是各行数字：可以不放置，但不得放错"))
    out.append(Case(
        "md_binhai_wjw_2023_trailing_cell.md",
        Report("滨海县卫生健康委员会", 2023, figures(2318), date="2024年1月26日"),
        markdown,
        ("converter-markdown", "trailing-empty-cell")))
    out.append(Case(
        "text_xiangshui_2023_one_cell_per_line.txt",
        Report("响水县人民政府", 2023, figures(2319, scale=2), issuer="响水县人民政府办公室",
               others="县政府", date="2024年3月28日"),
        one_cell_per_line,
        ("converter-text", "table4-one-cell-per-line")))
    dr = figures(2320)
    set_row(dr, "三.一", [71, 3, 0, 0, 0, 0])
    out.append(Case(
        "text_funing_mzj_2023_digit_run.txt",
        Report("阜宁县民政局", 2023, dr, date="2024年1月29日"),
        lambda r: crawler_text(r, run_rows=frozenset({"三.一"})),
        ("crawler-text", "digit-run"),
        note="“（一）予以公开”一行的数字连在一起：713000074，按行合计只有一种拆法"))
    de = figures(2321)
    set_row(de, "三.一", [71, 3, 0, 0, 0, 0])
    de["3/三.七/natural_person"] -= 6  # printed 6 short of the rows above it
    de["3/三.七/total"] -= 6
    out.append(Case(
        "text_sheyang_2023_digit_run_error.txt",
        Report("射阳县农业农村局", 2023, de, date="2024年1月30日"),
        lambda r: crawler_text(r, run_rows=frozenset({"三.一"})),
        ("crawler-text", "digit-run", "real-arithmetic-error"),
        note=f"（七）总计的总计列印作{de['3/三.七/total']}，各行之和为{de['3/三.七/total'] + 6}"))
    am = figures(2324)
    set_row(am, "三.四.1", [11, 1, 0, 0, 0, 0])
    out.append(Case(
        "text_jianhu_scjgj_2023_digit_run_ambiguous.txt",
        Report("建湖县市场监督管理局", 2023, am, date="2024年1月26日"),
        lambda r: crawler_text(r, run_rows=frozenset({"三.四.1"})),
        ("crawler-text", "digit-run-ambiguous"),
        optional=frozenset(cell_ref("3", "三.四.1", c) for c in COLS3),
        note="“1.本机关不掌握相关政府信息”一行的数字连在一起：111000012，按行合计有两种拆法"
             "（11/1/…/12 与 1/11/…/12）：只有列合计等其他规则能定，否则不得放置"))
    sh = figures(2322)
    for row, values in zip(("三.五.1", "三.五.2", "三.五.3", "三.五.4", "三.五.5"),
                           ([6, 1, 0, 0, 0, 0], [3, 0, 0, 0, 0, 0], [1, 0, 0, 0, 1, 0],
                            [2, 2, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]), strict=True):
        set_row(sh, row, values)
    out.append(Case(
        "text_dongtai_zrzyj_2023_shuffled.txt",
        Report("东台市自然资源和规划局", 2023, sh, date="2024年1月25日"),
        lambda r: layout_text(r, shuffled={"(五)不予处理": ((2, 0, 4, 1, 3), (1, 3, 0, 4, 2))}),
        ("converter-text", "shuffled-labels"),
        must_not_place=_rows("(五)不予处理"),
        note="（五）不予处理的分项标签与数字被转换器分开并各自打乱顺序：正确的读法是不放置"))
    out.append(Case(
        "text_jiangsu_bgt_2023_office_crawler.txt",
        Report("江苏省人民政府办公厅", 2023, figures(2323, scale=2), others="省政府办公厅",
               overview="2023年，省政府办公厅在省委、省政府的坚强领导下，指导各设区市人民政府、省各部门"
                        "做好政务公开工作，会同省司法厅、省政务服务管理办公室推进基层政务公开标准化规范化。",
               date="2024年1月31日"),
        crawler_text,
        ("crawler-text", "office-as-author")))
    return out


def splits(digits: str, parts: int):
    """Every way to cut ``digits`` into ``parts`` figures (no figure but 0 starts with 0)."""
    if parts == 1:
        if digits == "0" or (digits and digits[0] != "0"):
            yield [int(digits)]
        return
    for end in range(1, len(digits) - parts + 2):
        head = digits[:end]
        if head == "0" or head[0] != "0":
            for rest in splits(digits[end:], parts - 1):
                yield [int(head), *rest]


def row_splits(digits: str) -> list[list[int]]:
    """The cuts of a run of table 三's seven figures whose total is the sum of the six
    applicant columns (the row's own rule)."""
    return [s for s in splits(digits, len(COLS3)) if sum(s[:-1]) == s[-1]]


def build(target: Path = ROOT, *, pdfs: bool = True) -> list[Case]:
    """Writes every file and its expected result under ``target`` (``pdfs=False``: all but
    the PDFs); returns the cases."""
    files, expected = target / "files", target / "expected"
    for directory in (files, expected):
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
    all_cases = cases()
    by_file = {c.file: c for c in all_cases}
    assert len(by_file) == len(all_cases)
    for case in all_cases:
        if "digit-run" in case.classes:  # the run must have one reading only
            digits = "".join(str(case.report.cells[cell_ref("3", "三.一", c)]) for c in COLS3)
            assert row_splits(digits) == [[case.report.cells[cell_ref("3", "三.一", c)] for c in COLS3]]
        data = case.expected(by_file)
        # figures are consistent unless the case prints an error on purpose
        assert bool(data["violations"]) == bool({"real-arithmetic-error", "blank-total-over-parts"}
                                                & set(case.classes)), case.file
        if pdfs or not case.file.endswith(".pdf"):
            (files / case.file).write_bytes(case.render(case.report))
        (expected / f"{case.file}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8")
    return all_cases


if __name__ == "__main__":
    built = build()
    size = sum(p.stat().st_size for p in FILES.iterdir())
    print(f"{len(built)} reports, {size // 1024} KB in {FILES}")
