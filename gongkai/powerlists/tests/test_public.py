"""The public pages: an agency's current list grouped by kind, its search and filters, the
change log and each version's itemised changes, one item, the download, and the index of
agencies with published lists. Drafts are never shown."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from gongkai.powerlists import selectors
from gongkai.powerlists.tests.conftest import FIRST, SECOND, make_version

pytestmark = pytest.mark.django_db


def page(client, name, *args, **params):
    return client.get(reverse(f"portal:{name}", args=args), params)


def names(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="power-item">.*?<a href="[^"]+">([^<]+)</a>', html, re.S)


def test_the_current_list_is_grouped_by_kind_with_counts(client, bureau, published):
    html = page(client, "agency-powerlist", bureau.code).content.decode()
    assert "2025年版（现行）" in html and "青政发〔2025〕3号" in html
    assert "行政许可（2项）" in html and "行政处罚（1项）" in html and "行政确认（1项）" in html
    assert names(html) == ["食品经营许可", "食品生产许可", "对生产不合格食品的处罚", "食品小作坊登记"]
    assert "广告发布登记" not in html  # cancelled in 2025
    counts = re.search(r'data-testid="kind-counts">(.*?)</ul>', html, re.S).group(1)
    assert "行政许可 2" in counts and "行政确认 1" in counts


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "生产"}, ["食品生产许可", "对生产不合格食品的处罚"]),
    ({"q": "经营许可和备案"}, ["食品经营许可"]),  # found in its basis
    ({"q": "食品 许可"}, ["食品经营许可", "食品生产许可"]),  # every word
    ({"kind": "penalty"}, ["对生产不合格食品的处罚"]),
    ({"department": "执法稽查局"}, ["对生产不合格食品的处罚"]),
    ({"q": "生产", "kind": "licensing"}, ["食品生产许可"]),
    ({"q": "不存在的事项"}, []),
])
def test_search_and_filters(client, bureau, published, params, expected):
    html = page(client, "agency-powerlist", bureau.code, **params).content.decode()
    assert names(html) == expected
    assert f"找到{len(expected)}项事项" in html


def test_an_unknown_filter_value_is_ignored_not_an_error(client, bureau, published):
    response = page(client, "agency-powerlist", bureau.code, kind="tax")
    assert response.status_code == 200 and len(names(response.content.decode())) == 4


@pytest.mark.parametrize("name", ["agency-powerlist", "powerlist-changes"])
def test_an_agency_without_a_published_list_says_so(client, bureau, draft, name):
    # 200, not 404: the agency's pages may link here before its first list is published.
    response = page(client, name, bureau.code)
    assert response.status_code == 200 and "尚未在本平台公布权责清单" in response.content.decode()
    assert "食品经营许可" not in response.content.decode()


def test_an_unknown_agency_is_404(client, db):
    assert page(client, "agency-powerlist", "NO-SUCH-AGENCY").status_code == 404


def test_the_change_log_lists_every_published_version_with_its_counts(client, bureau, published, office):
    make_version(office, bureau, FIRST, title="2026年版（草稿）")
    html = page(client, "powerlist-changes", bureau.code).content.decode()
    rows = re.findall(r'<tr data-testid="change-log-row">(.*?)</tr>', html, re.S)
    assert len(rows) == 2 and "草稿" not in html
    assert "2025年版" in rows[0] and "新增1项、取消1项、调整2项" in rows[0]
    assert "2024年版" in rows[1] and "首次公布（共4项）" in rows[1]


def test_a_versions_changes_are_itemised_and_say_what_changed(client, bureau, published):
    _, second = published
    html = page(client, "powerlist-version-changes", bureau.code, second.pk).content.decode()
    added = re.search(r'data-testid="added">(.*?)</table>', html, re.S).group(1)
    removed = re.search(r'data-testid="removed">(.*?)</table>', html, re.S).group(1)
    changed = re.findall(r'<tr data-testid="changed-row">(.*?)</tr>', html, re.S)
    assert "食品小作坊登记" in added and "广告发布登记" in removed
    assert len(changed) == 2
    assert "设定依据" in changed[0] and "《食品经营许可和备案管理办法》" in changed[0]
    assert "实施主体" in changed[1] and "执法稽查局" in changed[1] and "食品经营监管科" in changed[1]


def test_an_old_version_stays_readable(client, bureau, published):
    first, _ = published
    html = page(client, "powerlist-version", bureau.code, first.pk).content.decode()
    assert "历史版本" in html and "广告发布登记" in names(html)


def test_a_draft_is_not_public(client, bureau, published, draft):
    item = selectors.items_of(draft)[0]
    assert page(client, "powerlist-version", bureau.code, draft.pk).status_code == 404
    assert page(client, "powerlist-version-changes", bureau.code, draft.pk).status_code == 404
    assert page(client, "powerlist-download", bureau.code, draft.pk).status_code == 404
    assert page(client, "powerlist-item", bureau.code, item.pk).status_code == 404


def test_a_version_is_only_found_under_its_own_agency(client, bureau, other_agency, published):
    _, second = published
    assert page(client, "powerlist-version", other_agency.code, second.pk).status_code == 404


def test_one_item_shows_its_duties(client, bureau, published):
    _, second = published
    item = selectors.items_of(second)[0]
    html = page(client, "powerlist-item", bureau.code, item.pk).content.decode()
    assert item.name in html and "设定依据" in html and "责任事项" in html


def test_the_list_downloads_as_xlsx(client, bureau, published):
    _, second = published
    response = page(client, "powerlist-download", bureau.code, second.pk)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == ["序号", "事项编码", "权力类型", "事项名称"]
    assert sheet.max_row == 5


def test_the_index_lists_agencies_with_published_lists(client, bureau, other_agency, published, other_office):
    make_version(other_office, other_agency, FIRST, title="草稿")  # a draft: not listed
    html = page(client, "powerlist-index").content.decode()
    rows = re.findall(r'<tr data-testid="agency-list-row">(.*?)</tr>', html, re.S)
    assert len(rows) == 1 and bureau.name in rows[0] and "新增1项、取消1项、调整2项" in rows[0]


def _queries(client, code) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("portal:agency-powerlist", args=[code])).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_page_takes_as_many_queries_for_forty_items_as_for_four(
        client, bureau, published, office, django_capture_on_commit_callbacks):
    few = _queries(client, bureau.code)
    many = [{**FIRST[0], "name": f"事项{n}", "kind": kind}
            for n, kind in enumerate(["licensing", "penalty", "inspection", "other"] * 10)]
    with django_capture_on_commit_callbacks(execute=True):  # publishing drops the cached pages
        make_version(office, bureau, many, title="2026年版", publish=True)
    html = client.get(reverse("portal:agency-powerlist", args=[bureau.code])).content.decode()
    assert "2026年版（现行）" in html and len(names(html)) == 40
    from django.core.cache import cache
    cache.clear()
    assert _queries(client, bureau.code) == few
    assert few <= 12


def test_current_lists_gives_each_agencys_newest_published_version(bureau, other_agency, published, django_assert_num_queries):
    _, second = published
    with django_assert_num_queries(1):
        lists = selectors.current_lists([bureau.pk, other_agency.pk])
    assert list(lists) == [bureau.pk]
    assert lists[bureau.pk] == second and lists[bureau.pk].item_count == 4


def test_names_and_bases_are_escaped(client, office, bureau):
    make_version(office, bureau, [{**FIRST[0], "name": "<script>alert(1)</script>", "basis": "<b>法</b>"}],
                 publish=True)
    html = page(client, "agency-powerlist", bureau.code).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>法</b>" not in html


@pytest.mark.parametrize("params", [{"q": "事项 许可"}, {"kind": "penalty"}, {"q": "食品", "department": "食品经营监管科"}])
def test_a_search_takes_as_many_queries_for_forty_items_as_for_four(client, bureau, office, published, params):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert page(client, "agency-powerlist", bureau.code, **params).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    many = [{**FIRST[0], "name": f"食品事项{n}许可", "kind": kind}
            for n, kind in enumerate(["licensing", "penalty", "inspection", "other"] * 10)]
    make_version(office, bureau, many, title="2026年版", publish=True)
    assert count() == few


def test_a_drafts_items_are_never_found_by_the_public_search_or_download(client, bureau, office, published):
    _, second = published
    draft = make_version(office, bureau, [{**FIRST[0], "name": "草稿独有的事项", "basis": "草稿独有的依据"}],
                         title="2026年版（草稿）")
    assert draft.is_draft
    for params in ({"q": "草稿独有"}, {}, {"q": "草稿独有的依据"}):
        html = page(client, "agency-powerlist", bureau.code, **params).content.decode()
        assert "草稿独有" not in html.replace('value="草稿独有的依据"', "").replace('value="草稿独有"', "")
    for name, args in (("powerlist-index", ()), ("powerlist-changes", (bureau.code,)),
                       ("powerlist-version-changes", (bureau.code, second.pk))):
        assert "草稿独有" not in page(client, name, *args).content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(page(client, "powerlist-download", bureau.code, second.pk).content)).active
    assert not any("草稿独有" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_an_item_moved_to_another_kind_is_one_adjustment_shown_in_chinese(client, bureau, office, published):
    _, second = published
    moved = [dict(x) for x in SECOND]
    moved[3]["kind"] = "other"  # 食品小作坊登记: 行政确认 → 其他行政权力
    third = make_version(office, bureau, moved, title="2026年版", publish=True)
    assert (third.added_count, third.removed_count, third.changed_count) == (0, 0, 1)
    html = page(client, "powerlist-version-changes", bureau.code, third.pk).content.decode()
    [row] = re.findall(r'<tr data-testid="changed-row">(.*?)</tr>', html, re.S)
    assert "食品小作坊登记" in row and "权力类型" in row
    assert "<del class=\"pl-old\">行政确认</del>" in row and "<ins class=\"pl-new\">其他行政权力</ins>" in row
    assert "confirmation" not in row and "other" not in row
