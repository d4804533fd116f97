"""The API's list parameters are read in one place (``api.params``): each endpoint names
the parameters it takes, and gets the same checks and messages."""

import ast
from pathlib import Path

import pytest
from django.test import RequestFactory

from gongkai.api import params

pytestmark = pytest.mark.django_db
API = Path(params.__file__).resolve().parent


def get(**query):
    return RequestFactory().get("/api/v1/x", query)


def test_only_the_named_parameters_are_read_and_the_rest_refused(bureau):
    found = params.filters(get(q=" 食品 ", agency=bureau.code, page="2"), ("q", "agency", "page"))
    assert (found.text, found.agency, found.page, found.kind, found.column) == ("食品", bureau, 2, None, None)
    with pytest.raises(params.BadParameter, match="不支持的参数：column。可用参数为 q、kind、agency、page。"):
        params.filters(get(q="食品", column="3"), ("q", "kind", "agency", "page"))


@pytest.mark.parametrize("query, message", [
    ({}, "请提供检索词 q"),
    ({"q": "食" * (params.MAX_QUERY_LENGTH + 1)}, "检索词过长"),
    ({"q": "食品", "page": "０"}, "参数 page（页码）应为正整数"),
    ({"q": "食品", "kind": "news"}, "未知的信息类别“news”"),
    ({"q": "食品", "agency": "NOPE"}, "没有机关代码为“NOPE”的机关"),
])
def test_each_check_has_its_chinese_message(query, message):
    with pytest.raises(params.BadParameter, match=message):
        params.filters(get(**query), ("q", "kind", "agency", "page"), text_required=True)


def test_a_page_past_the_last_is_refused_but_page_one_of_nothing_is_not():
    assert params.num_pages(41, 3) == 3 and params.num_pages(0, 1) == 0
    with pytest.raises(params.BadParameter, match="页码超出范围：共 3 页"):
        params.num_pages(41, 4)


def test_the_views_parse_no_parameters_themselves_nor_share_private_helpers():
    for name in ("views.py", "search_views.py"):
        tree = ast.parse((API / name).read_text(encoding="utf-8"))
        private = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and (node.module or "").startswith("gongkai.api")
                   for alias in node.names if alias.name.startswith("_")]
        assert private == [], (name, private)
        defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.ClassDef)}
        assert not defined & {"BadParameter", "_positive_int", "_filters", "_publication_filters"}, name
