"""Reading monthly figures from a spreadsheet (XLSX or CSV): one row per account and
month. The file is read by its content (``core.tabular``: size limits, a ZIP's
declared sizes checked first, formulas never evaluated).

The header row is the first of the first :data:`HEADER_SEARCH_ROWS` rows naming at least
three known columns. Columns (names as an office's export writes them, any order):

- 平台 — 微信公众号 / 微博 / 今日头条 / 抖音 / 其他 (common short forms accepted);
- 账号ID (微信号, 账号) and/or 账号名称 — matched to the agency's accounts on that
  platform, by ID first, then by name;
- 月份 — 2025-01, 2025/1, 2025年1月, 202501, or an Excel date;
- 发布信息数 (发文量), 月末关注用户数 (关注用户数, 粉丝数), 阅读量 — whole numbers;
- 最近更新日期 — optional: the date of the account's latest post.

:func:`check` returns the good rows and the problems, each with its row number; the
service saves nothing when there is any problem (``services.figures_import``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from gongkai.channels import rules
from gongkai.channels.models import Account, Platform
from gongkai.core.tabular import MAX_FILE_BYTES, FileRefused, is_blank, read_table
from gongkai.decisions.columns import BLANK_TOKENS, BadValue, as_date, as_text

__all__ = ["MAX_FILE_BYTES", "FileRefused", "check", "Problem", "FigureRow", "Checked"]

HEADER_SEARCH_ROWS = 10
MAX_ROWS = 5000
MAX_PROBLEMS_LISTED = 200
MAX_NUMBER = 10**12

HEADERS = {
    "platform": ("平台", "平台类型", "新媒体平台", "账号类型"),
    "handle": ("账号id", "账号标识", "微信号", "账号", "id"),
    "name": ("账号名称", "名称", "公众号名称"),
    "month": ("月份", "统计月份", "年月"),
    "posts": ("发布信息数", "发布信息数量", "发文量", "发布量", "发稿量", "发布数"),
    "followers": ("月末关注用户数", "关注用户数", "关注数", "关注量", "粉丝数", "粉丝量", "订阅数"),
    "reads": ("阅读量", "阅读数", "浏览量", "播放量"),
    "last_post_on": ("最近更新日期", "最近发布日期", "最后更新日期", "最新发布日期"),
}
LABELS = {"platform": "平台", "handle": "账号ID", "name": "账号名称", "month": "月份",
          "posts": "发布信息数", "followers": "月末关注用户数", "reads": "阅读量",
          "last_post_on": "最近更新日期"}
PLATFORM_WORDS = {
    Platform.WECHAT: ("微信公众号", "微信", "公众号", "wechat"),
    Platform.WEIBO: ("微博", "新浪微博", "weibo"),
    Platform.TOUTIAO: ("今日头条", "头条", "头条号", "toutiao"),
    Platform.DOUYIN: ("抖音", "抖音号", "douyin"),
    Platform.OTHER: ("其他", "其它"),
}
_PLATFORMS = {word: p for p, words in PLATFORM_WORDS.items() for word in words}
_MONTH_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})"), re.compile(r"(\d{4})/(\d{1,2})"), re.compile(r"(\d{4})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月?"), re.compile(r"(\d{4})(\d{2})"),
)


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


_HEADER_FIELDS = {_norm(h): name for name, words in HEADERS.items() for h in words}


@dataclass(frozen=True)
class Problem:
    row: int | None  # the file's row number; None for the file as a whole
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行：{self.message}" if self.row else self.message


@dataclass(frozen=True)
class FigureRow:
    row: int
    account: Account
    month: dt.date
    posts: int
    followers: int
    reads: int
    last_post_on: dt.date | None


@dataclass
class Checked:
    rows: list[FigureRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0

    def add(self, row: int | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(Problem(row, message))
        else:
            self.more_problems += 1


def as_month(value) -> dt.date:
    month = _as_month(value)
    if not 2000 <= month.year <= 2100:
        raise BadValue(f"{month:%Y-%m}不在2000年至2100年之间，请核对")
    return month


def _as_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, float) and not value.is_integer():
        # Excel turns 2025.10 into 2025.1: a number cannot say which month it meant.
        raise BadValue("是小数，请将月份列设为文本，或写作2025-01")
    text = unicodedata.normalize("NFKC", as_text(value))  # full-width digits typed in Chinese input
    if text.count("-") == 2 or text.count("/") == 2 or text.count(".") == 2 or "日" in text:
        try:
            day = as_date(text)
        except BadValue:
            day = None
        if day is not None:
            return day.replace(day=1)
    for pattern in _MONTH_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month = int(match[1]), int(match[2])
            if 1 <= month <= 12 and 2000 <= year <= 2100:
                return dt.date(year, month, 1)
            break
    raise BadValue(f"“{text[:20]}”无法识别，应为2025-01或2025年1月")


def as_count(value, *, limit: int = MAX_NUMBER) -> int:
    if isinstance(value, bool):
        raise BadValue("不是整数")
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue("应为整数")
        value = int(value)
    if not isinstance(value, int):
        text = as_text(value).replace(",", "").replace("，", "")
        if not re.fullmatch(r"\d+", text):
            raise BadValue(f"“{text[:20]}”不是非负整数")
        value = int(text)
    if value < 0:
        raise BadValue("不能为负数")
    if value > limit:
        raise BadValue("数值过大，请核对")
    return value


def _count_of(name: str):
    """The reader of a figure column, bounded by what the column stores."""
    limit = min(MAX_NUMBER, rules.FIGURE_LIMITS[name])
    return lambda value: as_count(value, limit=limit)


def _find_header(rows) -> tuple[int, dict[str, int]]:
    for number, cells in rows:
        if all(is_blank(c) for c in cells):
            continue
        found: dict[str, int] = {}
        for i, cell in enumerate(cells):
            try:
                name = _HEADER_FIELDS.get(_norm(as_text(cell)))
            except BadValue:
                name = None
            if name and name not in found:
                found[name] = i
        if len(found) >= 3:
            return number, found
        if number >= HEADER_SEARCH_ROWS:
            break
    raise FileRefused("未找到表头：第一行应写明“平台”“账号ID”“月份”“发布信息数”“月末关注用户数”“阅读量”等列名。")


class _Accounts:
    """The agency's accounts, looked up by platform and ID or name."""

    def __init__(self, agency):
        self.by_handle: dict[tuple[str, str], Account] = {}
        self.by_name: dict[tuple[str, str], list[Account]] = {}
        for a in Account.objects.filter(agency=agency):
            self.by_handle[(a.platform, _norm(a.handle))] = a
            self.by_name.setdefault((a.platform, _norm(a.name)), []).append(a)

    def find(self, platform: str, handle: str, name: str) -> Account:
        if handle:
            account = self.by_handle.get((platform, _norm(handle)))
            if account:
                return account
        if name:
            found = self.by_name.get((platform, _norm(name)), [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise BadValue(f"本机关有多个名为“{name}”的{Platform(platform).label}账号，请填写账号ID")
        label = Platform(platform).label
        raise BadValue(f"本机关没有{label}账号“{handle or name}”，请先在账号列表中登记")


def check(data: bytes, *, agency, today: dt.date) -> Checked:
    """Every data row of the file, checked. Raises :class:`FileRefused` for the file as
    a whole."""
    table = read_table(data)
    rows = iter(table.rows)
    header_row, columns = _find_header(rows)
    missing = [LABELS[f] for f in ("platform", "month", "posts", "followers", "reads") if f not in columns]
    if "handle" not in columns and "name" not in columns:
        missing.insert(1, "账号ID或账号名称")
    if missing:
        raise FileRefused(f"第{header_row}行表头缺少以下列：{'、'.join(missing)}。")
    result = Checked()
    accounts = _Accounts(agency)
    seen: dict[tuple[int, dt.date], int] = {}
    current_month = today.replace(day=1)
    count = 0
    for number, cells in rows:
        if all(is_blank(c) for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileRefused(f"数据超过{MAX_ROWS}行的上限，请分批导入。")

        def cell(name, cells=cells):
            i = columns.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        values: dict = {}
        errors: list[str] = []
        for name, reader in (("month", as_month), ("posts", _count_of("posts")),
                             ("followers", _count_of("followers")), ("reads", _count_of("reads")),
                             ("last_post_on", as_date)):
            raw = cell(name)
            if name != "last_post_on" and (is_blank(raw) or (isinstance(raw, str) and raw.strip().lower() in BLANK_TOKENS)):
                errors.append(f"“{LABELS[name]}”未填写")
                continue
            try:
                values[name] = reader(raw) if not is_blank(raw) else None
            except BadValue as exc:
                errors.append(f"“{LABELS[name]}”{exc.message}")
        account = None
        try:
            platform_text = as_text(cell("platform"))
            platform = _PLATFORMS.get(_norm(platform_text))
            if not platform_text:
                raise BadValue("“平台”未填写")
            if platform is None:
                raise BadValue(f"“平台”“{platform_text[:20]}”无法识别，应为微信公众号、微博、今日头条、抖音或其他")
            handle, name = as_text(cell("handle")), as_text(cell("name"))
            if not handle and not name:
                raise BadValue("“账号ID”和“账号名称”都未填写")
            account = accounts.find(platform, handle, name)
        except BadValue as exc:
            errors.append(exc.message)
        month = values.get("month")
        if month and month > current_month:
            errors.append(f"“月份”{month:%Y-%m}尚未到来")
        last = values.get("last_post_on")
        if last and last > today:
            errors.append(f"“最近更新日期”{last:%Y-%m-%d}晚于今天")
        if account and month:
            earlier = seen.get((account.pk, month))
            if earlier:
                errors.append(f"与第{earlier}行重复（同一账号同一月份）")
            else:
                seen[(account.pk, month)] = number
        if errors:
            result.add(number, "；".join(errors))
            continue
        result.rows.append(FigureRow(number, account, month, values["posts"], values["followers"],
                                     values["reads"], last))
    if not result.rows and not result.problems:
        result.add(None, "文件中没有数据行。")
    return result
