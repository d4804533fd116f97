"""The query parameters of the API's lists (``/publications``, ``/search``): read once,
here, with the same checks and the same Chinese messages for every endpoint.

``filters(request, PARAMETERS)`` reads the parameters an endpoint names (``q``,
``agency``, ``column``, ``topic``, ``kind``, ``page``) and refuses any other, and
``num_pages`` checks the page against the total. Either raises ``BadParameter``, which
the view answers with 400 and its ``message``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongkai.core import selectors as core_selectors
from gongkai.core.models import Agency
from gongkai.portal import selectors as portal_selectors

PER_PAGE = 20
MAX_QUERY_LENGTH = 100


class BadParameter(Exception):
    """A query parameter the API cannot use; answered 400 with ``message``."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Filters:
    text: str = ""
    agency: Agency | None = None
    column: object | None = None  # publishing.Column
    topic: object | None = None  # publishing.Topic
    kind: str | None = None  # a kind of the portal's search (portal.search.documents.KINDS)
    page: int = 1


def positive_int(request, name: str, label: str, default: int | None = None) -> int | None:
    """The parameter ``name`` as a positive integer (ASCII digits), ``default`` when it is
    absent or empty."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        raise BadParameter(f"参数 {name}（{label}）应为正整数，收到“{raw[:20]}”。")
    return int(raw)


def _text(request, *, required: bool) -> str:
    text = request.GET.get("q", "").strip()
    if required and not text:
        raise BadParameter("请提供检索词 q。")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadParameter(f"检索词过长，最多 {MAX_QUERY_LENGTH} 个字符。")
    return text


def public_agency(request) -> Agency | None:
    """``?agency=CODE``: a public agency, None when absent; BadParameter when unknown."""
    code = request.GET.get("agency", "").strip()
    if not code:
        return None
    agency = core_selectors.agencies_public().filter(code=code).first()
    if agency is None:
        raise BadParameter(f"没有机关代码为“{code[:20]}”的机关（见 GET /agencies）。")
    return agency


def _column(request):
    column_pk = positive_int(request, "column", "栏目编号")
    if column_pk is None:
        return None
    column = portal_selectors.public_columns().filter(pk=column_pk).first()
    if column is None:
        raise BadParameter(f"没有编号为 {column_pk} 的栏目。")
    return column


def _topic(request):
    """The topic by its code (``Topic.code``) or its id; a code first, as codes may be
    digits."""
    raw = request.GET.get("topic", "").strip()
    if not raw:
        return None
    topics = portal_selectors.topics_all()
    topic = topics.filter(code=raw).first()
    if topic is None and raw.isascii() and raw.isdigit() and len(raw) <= 9:
        topic = topics.filter(pk=int(raw)).first()
    if topic is None:
        raise BadParameter(f"没有编号或代码为“{raw[:20]}”的主题分类。")
    return topic


def _kind(request) -> str | None:
    from gongkai.portal.search.documents import KINDS

    kind = request.GET.get("kind", "").strip() or None
    if kind is not None and kind not in KINDS:
        raise BadParameter(
            f"未知的信息类别“{kind[:20]}”。可用类别为 {'、'.join(KINDS)}"
            f"（{'、'.join(KINDS.values())}）。")
    return kind


def filters(request, parameters: tuple[str, ...], *, text_required: bool = False) -> Filters:
    """The filters of a list from the query string: only ``parameters`` are accepted
    (any other is refused, naming the accepted ones in this order), each checked."""
    unknown = set(request.GET) - set(parameters)
    if unknown:
        raise BadParameter(
            f"不支持的参数：{'、'.join(sorted(unknown))}。可用参数为 {'、'.join(parameters)}。")
    return Filters(
        text=_text(request, required=text_required) if "q" in parameters else "",
        agency=public_agency(request) if "agency" in parameters else None,
        column=_column(request) if "column" in parameters else None,
        topic=_topic(request) if "topic" in parameters else None,
        kind=_kind(request) if "kind" in parameters else None,
        page=positive_int(request, "page", "页码", default=1) if "page" in parameters else 1,
    )


def num_pages(total: int, page: int, per_page: int = PER_PAGE) -> int:
    """How many pages ``total`` results fill; a page past the last (other than the first
    page of an empty list) is refused."""
    pages = -(-total // per_page)
    if page > 1 and page > pages:
        raise BadParameter(f"页码超出范围：共 {pages} 页。")
    return pages
