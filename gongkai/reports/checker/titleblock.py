"""The report's year and agency, read from its title block (issue 19, part 5).

A published annual report names its author and year in its heading
("淮安市洪泽区人民政府2023年政府信息公开工作年度报告", sometimes over two or three lines,
"2023年度", with or without 工作, the year first or last), and often again where it is issued:
the web page's 发布机构/来源 line, or the 落款 (the agency's name above the date) at the end.
Those places are read, in this order:

1. the title (a short line, or up to three short lines joined, before the first section);
2. the report named in the preamble ("现公布XX2020年政府信息公开工作年度报告",
   "《XX2023年度政府信息公开工作年度报告》"), only when the words before the name are a
   lead-in (公布, 发布 …) or punctuation and the name itself starts with a place;
3. the issuing line: 发布机构, 发文机关, 发布单位, 信息来源, 来源 (never the site's 主办);
4. the 落款: a line holding nothing but an agency's name, next to a date.

A name is never taken from prose ("2023年，实验区政府…", "我县县政府"): a candidate must be
a whole name (places, then a body such as 人民政府, 办公室, 局, 委员会) with no word of prose in
it. The name is kept as printed (simplified): a report authored by "XX市人民政府办公室"
stays the office's. :func:`same_agency` matches two names for pairing reports of one agency
(consecutive years): the bodies must be the same and one name's chain of places must end
the other's, so "江苏省淮安市洪泽区人民政府" and "洪泽区人民政府" match, while
"南京市鼓楼区人民政府" and "徐州市鼓楼区人民政府" (two districts of one name), or "XX市人民政府"
and "XX市人民政府办公室", do not.

No Django here: the checker's command runs without settings.
"""

from __future__ import annotations

import re
import unicodedata

from gongkai.reports.normalise import normalise_label, to_simplified

__all__ = ["agency_identity", "is_agency_name", "match_rank", "same_agency", "year_and_agency"]

MAX_TITLE_CHARS = 80  # a title line (normalised); longer lines are prose
MAX_STATEMENT_CHARS = 3_000  # longest line searched for the report's name or its period
TITLE_BLOCK_LINES = 400  # lines searched for the title (web pages put chrome before it)
END_LINES = 30  # lines at the end searched for the 落款

_CJK = "\u4e00-\u9fff"
_YEAR = r"(?:19|20)\d{2}"
# what a report is of: 政府信息公开, 政务公开, or both (in either order)
_SUBJECT = r"(?:政府信息公开(?:和政务公开|及政务公开|与政务公开)?|政务公开(?:和政府信息公开|及政府信息公开|与政府信息公开)?)"
# a report's name after its author and year: 政府信息公开工作年度报告, 政务公开工作年度报告 …
_REPORT = rf"(?:的)?{_SUBJECT}(?:工作)?(?:的)?(?:年度报告|报告|年报)"
_NAME = rf"[{_CJK}()]{{2,40}}"
_TAIL = rf"(?:\((?:全文|{_YEAR}年度?)\)|全文|\[全文\])?"
_TITLES = [
    # 淮安市洪泽区人民政府2023年(度)政府信息公开(工作)年度报告; 关于 before or after the name
    re.compile(rf"^(?:关于)?(?P<agency>{_NAME}?)?(?:关于)?(?P<year>{_YEAR})年度?{_REPORT}{_TAIL}$"),
    # 2023年(度)淮安市洪泽区人民政府政府信息公开工作年度报告
    re.compile(rf"^(?:关于)?(?P<year>{_YEAR})年度?(?P<agency>{_NAME}){_REPORT}{_TAIL}$"),
    # 淮安市洪泽区人民政府政府信息公开工作2023年度报告
    re.compile(rf"^(?P<agency>{_NAME}?)?{_SUBJECT}(?:工作)?(?P<year>{_YEAR})年度?(?:年度报告|报告|年报){_TAIL}$"),
    # 淮安市洪泽区人民政府政府信息公开工作年度报告(2023年度)
    re.compile(rf"^(?P<agency>{_NAME}?)?{_REPORT}\((?P<year>{_YEAR})年度?\)$"),
]
# around a title: a tag before it ([年报]), quotes or 《》 around it, the site's name after it
_TITLE_TAG = re.compile(r"^[\[(][^\])]{1,12}[\])]")
_SITE_SUFFIX = re.compile(r"(?:_|\||--|-(?=[\u4e00-\u9fff])).*$")
# the report named inside a sentence: after a lead-in or an opening quote
_LEAD_IN = r"(?:公布|发布|公开|编制|印发|形成|报送|制作|现将|特将|如下|《|\"|^)"
_STATEMENTS = [
    re.compile(rf"{_LEAD_IN}(?:了|的)?(?P<agency>{_NAME}?)(?P<year>{_YEAR})年度?{_REPORT}"),
    re.compile(rf"{_LEAD_IN}(?:了|的)?(?P<year>{_YEAR})年度?(?P<agency>{_NAME}){_REPORT}"),
]
_REPORT_OF = re.compile(rf"(?P<year>{_YEAR})年度?(?:[{_CJK}()]{{0,40}}?){_REPORT}")
_PERIOD = re.compile(rf"(?:统计期限|统计时段|统计期间|统计时限|时间范围|统计范围|统计时间)\D{{0,6}}(?P<year>{_YEAR})年"
                     rf"(?:1月1日|01月01日)?(?:至|到|-|~)(?P<end>{_YEAR})年12月31日")
_PERIOD_LOOSE = re.compile(rf"(?:统计期限|统计时段|统计期间|统计时限)\D{{0,6}}(?P<year>{_YEAR})年")
_DAY = r"[\d一二三四五六七八九十]{1,3}月(?:[\d一二三四五六七八九十]{1,3}日)?"
_DATE = re.compile(rf"^(?P<year>{_YEAR})年{_DAY}$|^(?P<iso>{_YEAR})[-./]\d{{1,2}}[-./]\d{{1,2}}$")

# the issuing line: label, optional 名称, colon, the name (a label of the same line ends it)
_ISSUER_LABELS = ("发布机构", "发文机关", "发布单位", "发文单位", "公开主体", "信息来源", "来源", "发布机关",
                  "公开机构", "信息发布机构", "制发机关")
_ISSUER = re.compile(r"(?:^|[^" + _CJK + r"])?(?P<label>" + "|".join(sorted(_ISSUER_LABELS, key=len, reverse=True))
                     + rf")(?:名称)?\s*[:：]\s*(?P<value>[{_CJK}()（）]{{2,60}})")
_FIELD_LABELS = re.compile(r"(?:发布日期|发布时间|成文日期|生效日期|索引号|主题分类|文号|发文字号|公开方式|公开范围|"
                           r"公开时限|信息类别|体裁分类|组配分类|关键词|有效性|浏览次数|访问量|字号|作者|责任编辑|编辑|"
                           r"点击|阅读|日期|时间|分享)")

# --- names -------------------------------------------------------------------------------

# the body that ends an agency's name (the longest spelling first)
_BODIES = ("人民政府办公厅", "人民政府办公室", "人民政府", "政府办公厅", "政府办公室", "政府", "办公厅", "办公室",
           "管理委员会", "管委会", "委员会", "街道办事处", "办事处", "委", "局", "厅", "署", "院", "中心", "管理处",
           "处", "办", "所", "站", "队", "社", "馆", "部", "行", "会", "室")
_BODY_END = re.compile("(?:" + "|".join(_BODIES) + ")$")
# words no agency's name holds: the name was cut out of a sentence
_PROSE = re.compile(r"我|本(?!溪)|名称|首页|位置|网站|栏目|链接|该|其|此|这|各|全年|年度|报告|公布|发布|公开|根据|按照|依据|要求|现将|工作|情况|关于|的|了|和$")
_PROSE_START = re.compile(r"^(?:并|与|及|在|对|由|为|是|已|向|据|加强|推进|坚持|围绕|名称|单位|机构|来源|发布)")
# national bodies and party organs need no place before them
_NATIONAL = re.compile(r"^(?:国务院|国家|中国|中华人民共和国|中共|中国共产党|[^\W\d_]{1,6}部$|海关总署|审计署)")

# administrative levels: a place name ends with one of these (down to the township: 镇, 乡,
# 街道, 苏木); the 区 of a zone (开发区 …) is part of the body, not a level. 西城区, 新城区,
# 平城区, 洛阳市老城区, 阳泉市城区/郊区/矿区 are districts; 主城区, 中心城区 are parts of a
# city, not places that publish reports.
_LEVELS = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "盟", "县", "区", "旗",
           "民族乡", "街道", "苏木", "镇", "乡")
_ZONE = re.compile(r"(?:开发|园|实验|试验|示范|保税|高新|高新技术产业开发|景|风景|风景名胜|度假|合作|工业|功能|产业|"
                   r"综合|贸易|口岸|管理|片|社|主城|中心城|步行街|历史文化街|小)区$")
# districts whose name is one character before 区 (阳泉市城区, 郊区, 矿区)
_ONE_CHARACTER_DISTRICTS = ("城", "郊", "矿")
_NOT_IN_PLACE = re.compile(r"[局厅委办院署会所部处室站队馆的]|政府|人民")


def _place_at(name: str, start: int) -> int:
    """The end of the administrative place name starting at ``start`` ("淮安市" in
    "淮安市洪泽区…"), or -1: the shortest run ending in a level's suffix, its stem at least
    two characters (one for 县 and 旗: 沛县), holding no word of a body."""
    for end in range(start + 2, min(len(name), start + 16) + 1):
        piece = name[start:end]
        for level in _LEVELS:
            if not piece.endswith(level):
                continue
            stem = piece[: -len(level)]
            shortest = 1 if level in ("县", "旗") or (level == "区" and stem in _ONE_CHARACTER_DISTRICTS) else 2
            if len(stem) < shortest or _NOT_IN_PLACE.search(stem):
                continue
            if level == "区" and _ZONE.search(piece):
                return -1
            if level in ("乡", "镇") and re.search(r"[和与及、]城$", stem):  # 住房和城乡建设局: no township
                continue
            if end < len(name) and name[end] in "场":  # 市场 is no city
                continue
            return end
    return -1


def _places(name: str) -> list[str]:
    """The administrative place names at the start of ``name``, outermost first."""
    out, start = [], 0
    while start < len(name):
        end = _place_at(name, start)
        if end < 0:
            break
        out.append(name[start:end])
        start = end
    return out


def _fold_name(text: str) -> str:
    name = normalise_label(text)
    return name.strip(":.,;、\"'[]")


def is_agency_name(name: str, *, needs_place: bool = False) -> bool:
    """``name`` (folded) is a whole agency's name: CJK only, ends with a body, no word of
    prose; with ``needs_place``, it also starts with a place (or is a national body)."""
    if not 3 <= len(name) <= 40 or not re.fullmatch(rf"[{_CJK}()]+", name):
        return False
    bare = re.sub(r"\([^)]*\)$", "", name)  # (区粮食和物资储备局): a second name in brackets
    if not _BODY_END.search(bare) or _PROSE.search(bare) or _PROSE_START.match(bare):
        return False
    places = _places(bare)
    if places and bare == "".join(places):  # a place alone: no body
        return False
    return bool(places) or not needs_place or bool(_NATIONAL.match(bare))


def agency_identity(name: str) -> tuple[tuple[str, ...], str]:
    """``name`` folded for matching reports of one agency (never shown): (its chain of
    places, outermost first; its body). Simplified, no spaces or brackets' second name,
    政府 read as 人民政府, 管委会 as 管理委员会; a place alone (a title's) stands for its
    government (a 街道's 办事处). The body stays whole: a government and its office differ.
    ("", "") for no name."""
    folded = _fold_name(name or "")
    if not folded:
        return (), ""
    folded = re.sub(r"\([^)]*\)$", "", folded) or folded
    folded = re.sub(r"(?<!人民)政府", "人民政府", folded)
    folded = folded.replace("管委会", "管理委员会")
    places = _places(folded)
    body = folded[sum(map(len, places)):]
    if places and not body:
        body = "办事处" if places[-1].endswith("街道") else "人民政府"
    return tuple(places), body


# a body that starts with a level's word names a place it leaves out ("市教育局"): whose it
# is cannot be told, and it is never matched with another report's
_PLACE_LEFT_OUT = re.compile(r"^(?:省|市|州|盟|县|区|旗|镇|乡)")


def match_rank(a: str, b: str) -> int:
    """How closely ``a`` and ``b`` name one agency: 0 not the same agency; otherwise
    1 + the number of places both print ("洪泽区人民政府" and "淮安市洪泽区人民政府": 2;
    the same chain on both: the chain's length + 1, the highest). One agency: the same
    body, and one chain of places ends the other (never "南京市鼓楼区…" and
    "徐州市鼓楼区…"); a name without places (a national body) matches only itself."""
    (places_a, body_a), (places_b, body_b) = agency_identity(a), agency_identity(b)
    if not body_a or body_a != body_b:
        return 0
    short, long = sorted((places_a, places_b), key=len)
    if not short:
        return 0 if long or _PLACE_LEFT_OUT.match(body_a) else 1
    if long[len(long) - len(short):] != short:
        return 0
    return len(short) + 1 + (len(short) == len(long))


def same_agency(a: str, b: str) -> bool:
    """``a`` and ``b`` name one agency (:func:`match_rank`)."""
    return match_rank(a, b) > 0


# --- the title block ---------------------------------------------------------------------

_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")


def _arabic_years(text: str) -> str:
    """二〇二三年 → 2023年 (a title may print its year in Chinese numerals)."""
    return re.sub(r"[〇○零一二三四五六七八九]{4}(?=年)", lambda m: m.group().translate(_CN_DIGITS), text)


def _text(cells) -> str:
    return _arabic_years(normalise_label(" ".join(cells)))


def _from_title(text: str) -> tuple[int, str] | None:
    if not text or len(text) > MAX_TITLE_CHARS:
        return None
    bare = _SITE_SUFFIX.sub("", _TITLE_TAG.sub("", text)).strip("\"《》")
    for candidate in dict.fromkeys((bare, text)):
        for pattern in _TITLES:
            match = pattern.match(candidate)
            if match:
                return int(match["year"]), match["agency"] or ""
    return None


def _title_name(raw: str) -> str:
    """The name a title prints, when it is a whole name or a place alone ("宿迁市湖滨新区
    2023年…": kept as printed, never completed by a guess)."""
    if not raw:
        return ""
    if is_agency_name(raw):
        return raw
    places = _places(raw)
    if places and raw == "".join(places) and not _PROSE.search(raw) and not _PROSE_START.match(raw):
        return raw
    return ""


def _is_heading(text: str) -> bool:
    return bool(re.match(r"^[一二三四五六七八九十]{1,3}[、.]", text)) or text.startswith("引言")


def _title(candidates: list[tuple[str, bool]]) -> tuple[int | None, str]:
    """The year and agency of the first title in the title block (a title over up to three
    short lines is joined); a title with an agency beats one without."""
    found: tuple[int | None, str] = (None, "")
    texts = [text for text, _ in candidates]
    for i, text in enumerate(texts[:TITLE_BLOCK_LINES]):
        if _is_heading(text) and found[0] is not None:
            break
        for n in (1, 2, 3):
            if i + n > len(texts):
                break
            joined = "".join(texts[i:i + n])
            if n > 1 and any(not t or len(t) > MAX_TITLE_CHARS or _is_heading(t) or not alone
                             for t, alone in candidates[i:i + n]):
                break
            match = _from_title(joined)
            if match is None:
                continue
            year, raw = match
            name = _title_name(raw)
            if name:
                return year, name
            if found[0] is None:
                found = (year, "")
            break
    return found


def _statement(texts: list[str]) -> tuple[int | None, str]:
    """The report named in a sentence ("现公布XX2020年政府信息公开工作年度报告")."""
    for text in texts:
        for pattern in _STATEMENTS:
            for match in pattern.finditer(text):
                name = match["agency"]
                # the lazy name may have started inside a longer lead-in: try each start
                for start in range(len(name)):
                    if is_agency_name(name[start:], needs_place=True):
                        if start and not re.search(r"[,.;:、\"《》()了的将]$|公布|发布|公开|编制|印发|形成|报送|制作",
                                                   name[:start]):
                            break
                        return int(match["year"]), name[start:]
    return None, ""


def _issuer(lines) -> str:
    """The name on the issuing line (发布机构：…, or a 发布机构 cell beside its value)."""
    for line in lines:
        cells = [unicodedata.normalize("NFKC", to_simplified(c)).strip() for c in line.cells]
        for i, cell in enumerate(cells[:-1]):  # a metadata table: 发布机构 | 洪泽区人民政府办公室
            label = re.sub(r"[\s:：]", "", cell)
            if label.removesuffix("名称") in _ISSUER_LABELS:
                name = _fold_name(cells[i + 1])
                if is_agency_name(name):
                    return name
        text = " ".join(cells)
        if len(text) > MAX_STATEMENT_CHARS:
            continue
        for match in _ISSUER.finditer(text):
            value = match["value"]
            field = _FIELD_LABELS.search(value)
            if field:
                value = value[: field.start()]
            name = _fold_name(value)
            if is_agency_name(name):
                return name
    return ""


def _signature(texts: list[str]) -> str:
    """The 落款: the agency's name alone on a line next to the date (or before it on one
    line), among the last lines."""
    tail = texts[-END_LINES:]
    for i in range(len(tail) - 1, -1, -1):
        text = tail[i]
        if _DATE.match(text):
            for j in (i - 1, i + 1):
                if 0 <= j < len(tail) and is_agency_name(tail[j], needs_place=True):
                    return tail[j]
            continue
        match = re.match(rf"^(?P<agency>{_NAME}?)(?P<year>{_YEAR})年{_DAY}$", text)
        if match and is_agency_name(match["agency"], needs_place=True):
            return match["agency"]
    return ""


def _stated_year(texts: list[str]) -> tuple[int | None, int | None]:
    """(the year the report names itself for, the year of its statistics period)."""
    reported = next((int(m["year"]) for m in map(_REPORT_OF.search, texts) if m), None)
    period = next((int(m["year"]) for m in map(_PERIOD.search, texts) if m and m["year"] == m["end"]), None)
    if period is None:
        period = next((int(m["year"]) for m in map(_PERIOD_LOOSE.search, texts) if m), None)
    return reported, period


def year_and_agency(doc, year_header: int | None) -> tuple[int | None, str, list[str]]:
    """The report's year and agency from its title block, and notes (Chinese) on how they
    were read when that is worth saying. ``year_header`` is the year a table's header
    printed ("2018年度" over the legacy appendix), the last resort for the year."""
    lines = [line for line in doc.lines if sum(map(len, line.cells)) <= MAX_STATEMENT_CHARS]
    texts = [_text(line.cells) for line in lines]
    notes: list[str] = []
    # a title may sit in one cell of a layout table's row: each cell is tried on its own
    # (a title is joined over lines of one cell only)
    candidates = [(t, len(line.cells) == 1) for line, text in zip(lines, texts, strict=True)
                  for t in ([text] if len(line.cells) == 1 else [_text((c,)) for c in line.cells if c.strip()])]
    year, agency = _title(candidates)
    statement_year, statement_agency = (None, "")
    if year is None or not agency:
        statement_year, statement_agency = _statement(texts)
    year = year or statement_year
    agency = agency or statement_agency
    if not agency:
        agency = _issuer(lines)
    if not agency:
        agency = _signature(texts)
    reported, period = _stated_year(texts)
    if year is None:
        year = reported or period or year_header
    elif period is not None and period != year:
        notes.append(f"标题为{year}年度报告，统计期限却是{period}年")
    return year, agency, notes
