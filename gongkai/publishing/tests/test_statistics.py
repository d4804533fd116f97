"""The proactive-disclosure statistics: items per column (an item in several columns counts
in each, and once in the distinct total), the top-10 columns and their share, year-over-
year change, late items on the real calendar (Art. 26), releases per channel, stale and
blank columns by the website inspection rules, who may open the page and its query
count."""

import datetime as dt
import html
import itertools
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from gongkai.core.tests.helpers import at
from gongkai.publishing import selectors
from gongkai.publishing.models import ChannelRelease, Column, ColumnKind, Publication
from gongkai.publishing.services import normative as normative_services

pytestmark = pytest.mark.django_db
D = dt.date
_numbers = itertools.count(1)
TODAY = D(2025, 12, 15)


@pytest.fixture(autouse=True)
def _today():
    at(TODAY)


def column(agency, name, kind=ColumnKind.NOTICE, **extra) -> Column:
    return Column.objects.create(agency=agency, name=name, kind=kind, **extra)


def item(
    agency,
    user,
    published_on,
    *columns,
    status="published",
    written_on=None,
    doc_number="",
    title="关于食品安全监督抽检情况的通告",
) -> Publication:
    publication = Publication.objects.create(
        agency=agency,
        index_number=f"{agency.code}/T-{next(_numbers):05d}",
        title=title,
        status=status,
        published_on=published_on,
        written_on=written_on or published_on or TODAY,
        doc_number=doc_number,
        issuing_agency=agency.name,
        disclosure_attribute="proactive",
        created_by=user,
    )
    publication.columns.set(columns)
    return publication


def stats(agency, year=2025):
    return selectors.publication_statistics(agency=agency, year=year)


def cell(response, testid: str) -> str:
    match = re.search(
        rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', response.content.decode(), re.S
    )
    assert match, f"no element {testid!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


# --- counts per column --------------------------------------------------------------------------


def test_an_item_in_several_columns_counts_in_each_and_once_in_the_distinct_total(office, bureau):
    quality, rewards, recalls, sampling = (
        column(bureau, n)
        for n in ("质量提升品牌建设", "行政奖励结果", "产品召回信息", "抽检计划及结果发布")
    )
    item(bureau, office, D(2025, 3, 3), quality, rewards)  # 政府质量奖: listed twice
    item(bureau, office, D(2025, 4, 1), quality)
    item(bureau, office, D(2025, 5, 6), rewards, recalls, sampling, doc_number="青市监〔2025〕5号")
    item(bureau, office, D(2025, 6, 3))  # in no column
    item(bureau, office, D(2024, 7, 1), quality)
    item(bureau, office, D(2025, 7, 1), quality, status="withdrawn")  # off the site
    item(bureau, office, None, quality, status="draft")
    result = stats(bureau)

    per_column = {c.name: (c.count.this_year, c.count.last_year) for c in result.columns}
    assert per_column == {
        "质量提升品牌建设": (2, 1),
        "行政奖励结果": (2, 0),
        "产品召回信息": (1, 0),
        "抽检计划及结果发布": (1, 0),
    }
    assert (result.releases.this_year, result.releases.last_year) == (6, 1)
    assert (result.items.this_year, result.items.last_year) == (4, 1)
    assert (result.documents.this_year, result.documents.last_year) == (1, 0)
    assert result.unlisted == 1


def test_top_ten_columns_with_their_share_of_all_releases(office, bureau):
    columns = [column(bureau, f"栏目{n:02d}", sort_order=n) for n in range(12)]
    for n, c in enumerate(columns):
        for _ in range(12 - n):  # 12, 11, …, 1 items
            item(bureau, office, D(2025, 2, 3), c)
    result = stats(bureau)
    assert result.releases.this_year == 78
    assert [c.name for c in result.top_columns] == [f"栏目{n:02d}" for n in range(10)]
    assert [c.share for c in result.top_columns][:2] == [Decimal("15.38"), Decimal("14.10")]
    # 75 of 78 releases; the rounded shares add up to the same within rounding.
    assert result.top_share == Decimal("96.15")
    assert abs(sum(c.share for c in result.top_columns) - result.top_share) <= Decimal("0.05")
    assert sum(c.share for c in result.columns) == pytest.approx(100, abs=0.1)


def test_ties_in_the_top_ten_keep_catalogue_order(office, bureau):
    second, first = column(bureau, "后", sort_order=2), column(bureau, "前", sort_order=1)
    item(bureau, office, D(2025, 2, 3), second, first)
    assert [c.name for c in stats(bureau).top_columns] == ["前", "后"]


def test_year_over_year_change_per_column_and_in_total(office, bureau):
    # One decimal, as annual reports print it (362 → 417 releases, +15.2%).
    growing, shrinking, new = (
        column(bureau, "业务文件"),
        column(bureau, "处罚结果"),
        column(bureau, "意见征集"),
    )
    for _ in range(10):
        item(bureau, office, D(2024, 5, 6), growing, shrinking)
    for _ in range(13):
        item(bureau, office, D(2025, 5, 6), growing)
    for _ in range(8):
        item(bureau, office, D(2025, 5, 6), shrinking)
    item(bureau, office, D(2025, 5, 6), new)
    item(bureau, office, D(2023, 5, 6), new)  # two years back: not compared
    result = stats(bureau)
    change = {c.name: (c.count.delta, c.count.pct) for c in result.columns}
    assert change == {
        "业务文件": (3, Decimal("30.0")),
        "处罚结果": (-2, Decimal("-20.0")),
        "意见征集": (1, None),
    }
    assert (result.releases.this_year, result.releases.last_year, result.releases.pct) == (
        22,
        20,
        Decimal("10.0"),
    )
    assert (result.items.this_year, result.items.last_year, result.items.pct) == (
        22,
        10,
        Decimal("120.0"),
    )


def test_statistics_of_one_agency_ignore_the_others(office, other_office, bureau, other_agency):
    mine, theirs = column(bureau, "通知公告"), column(other_agency, "通知公告")
    item(bureau, office, D(2025, 2, 3), mine)
    item(other_agency, other_office, D(2025, 2, 3), theirs)
    ChannelRelease.objects.create(
        publication=item(other_agency, other_office, D(2025, 2, 3)),
        channel="wechat",
        released_on=D(2025, 2, 3),
        recorded_by=other_office,
    )
    result = stats(bureau)
    assert [c.name for c in result.columns] == ["通知公告"] and result.items.this_year == 1
    assert {c.channel: c.count for c in result.channels}["wechat"] == 0


# --- late items, interpretations, channels -------------------------------------------------------


@pytest.mark.parametrize(
    ("published_on", "late"),
    [
        (D(2025, 2, 27), False),  # the 20th working day after Friday 01-24 (Spring Festival)
        (D(2025, 2, 28), True),  # the 21st
    ],
)
def test_items_published_more_than_twenty_working_days_after_writing_are_late(
    office, bureau, published_on, late
):
    target = item(bureau, office, published_on, written_on=D(2025, 1, 24))
    item(bureau, office, D(2024, 12, 31), written_on=D(2024, 1, 2))  # late, but last year
    result = stats(bureau)
    assert [p.pk for p in result.late] == ([target.pk] if late else [])
    if late:
        assert result.late[0].working_days == 21 and not result.late[0].provisional


def test_documents_without_or_with_late_interpretation_are_counted(office, bureau):
    def register(issued_on, number):
        return normative_services.normative_document_register(
            actor=office,
            agency=bureau,
            kind="normative_document",
            title="规定",
            doc_number=number,
            issued_on=issued_on,
        )

    register(D(2025, 9, 26), "规〔2025〕1号")  # no interpretation, limit 10-10 passed
    late = register(D(2025, 9, 26), "规〔2025〕2号")
    normative_services.interpretation_add(
        actor=office, document=late, form="text", title="解读", published_on=D(2025, 10, 11)
    )
    register(D(2025, 12, 12), "规〔2025〕3号")  # Friday; limit Friday 12-19: pending
    register(D(2024, 9, 26), "规〔2024〕1号")  # another year
    result = stats(bureau)
    assert [r.document.doc_number for r in result.interpretation_overdue] == ["规〔2025〕1号"]
    assert [r.document.doc_number for r in result.interpretation_late] == ["规〔2025〕2号"]
    assert [r.document.doc_number for r in result.interpretation_pending] == ["规〔2025〕3号"]


def test_releases_per_channel_with_the_website_itself(office, bureau):
    news = column(bureau, "新闻动态", ColumnKind.DYNAMIC)
    first, second = (
        item(bureau, office, D(2025, 3, 3), news),
        item(bureau, office, D(2025, 3, 4), news),
    )
    for publication, channel, day in [
        (first, "wechat", D(2025, 3, 3)),
        (second, "wechat", D(2025, 3, 4)),
        (first, "weibo", D(2025, 3, 3)),
        (first, "wechat", D(2024, 12, 1)),
    ]:
        ChannelRelease.objects.create(
            publication=publication, channel=channel, released_on=day, recorded_by=office
        )
    counts = {c.channel: c.count for c in stats(bureau).channels}
    assert counts["website"] == 2 and counts["wechat"] == 2 and counts["weibo"] == 1
    assert counts["toutiao"] == 0


# --- column freshness ------------------------------------------------------------------------------


def test_stale_and_blank_columns_by_the_inspection_rules(office, bureau):
    fresh_news = column(bureau, "新闻动态", ColumnKind.DYNAMIC)
    stale_news = column(bureau, "工作动态", ColumnKind.DYNAMIC)
    fresh_notice = column(bureau, "通知公告")
    stale_notice = column(bureau, "业务文件")
    stale_plan = column(bureau, "规划计划", ColumnKind.PLAN)
    old_static = column(bureau, "机构职能", ColumnKind.STATIC)
    blank_static = column(bureau, "领导信息", ColumnKind.STATIC)
    parent = column(bureau, "重点领域信息")
    child = column(bureau, "产品召回信息", parent=parent)
    hidden = column(bureau, "旧栏目", ColumnKind.DYNAMIC, is_active=False)
    withdrawn_only = column(bureau, "处罚结果")

    item(bureau, office, TODAY - dt.timedelta(days=14), fresh_news)  # 2 weeks: still fresh
    item(bureau, office, TODAY - dt.timedelta(days=15), stale_news)
    item(bureau, office, TODAY - dt.timedelta(days=183), fresh_notice)
    item(bureau, office, TODAY - dt.timedelta(days=184), stale_notice)
    item(bureau, office, TODAY - dt.timedelta(days=366), stale_plan)
    item(bureau, office, TODAY - dt.timedelta(days=1000), old_static)
    item(bureau, office, TODAY - dt.timedelta(days=3), child)
    item(bureau, office, TODAY - dt.timedelta(days=400), hidden)
    item(bureau, office, TODAY - dt.timedelta(days=1), withdrawn_only, status="withdrawn")

    report = selectors.column_freshness(agency=bureau)
    assert {c.column for c in report.stale} == {stale_news, stale_notice, stale_plan}
    assert {c.column for c in report.blank} == {blank_static, withdrawn_only}
    rows = {c.column: c for c in report.columns}
    assert hidden not in rows
    assert rows[parent].last_published_on == TODAY - dt.timedelta(days=3)  # from its child
    assert (rows[stale_news].days_since, rows[stale_news].limit_days) == (15, 14)
    assert rows[child].name == "重点领域信息 › 产品召回信息"
    assert report.site_last_published_on == TODAY - dt.timedelta(days=3)
    assert report.veto_reasons == []  # 2 stale dynamic/notice columns, 2 blank


def test_five_stale_or_five_blank_columns_fail_the_inspection(office, bureau):
    for n in range(5):
        item(
            bureau,
            office,
            TODAY - dt.timedelta(days=20),
            column(bureau, f"动态{n}", ColumnKind.DYNAMIC),
        )
        column(bureau, f"空白{n}", ColumnKind.STATIC)
    report = selectors.column_freshness(agency=bureau)
    assert len(report.stale) == 5 and len(report.blank) == 5
    assert report.veto_reasons == [
        "5个动态类或通知公告/政策文件类栏目未按期更新（5个及以上即单项否决）",
        "5个空白栏目（5个及以上即单项否决）",
        "14天内没有发布任何信息（首页不更新即单项否决）",
    ]


# --- the page ----------------------------------------------------------------------------------------


def test_the_page_shows_the_numbers(client_for, office, bureau):
    quality, rewards = column(bureau, "质量提升品牌建设"), column(bureau, "行政奖励结果")
    item(bureau, office, D(2025, 3, 3), quality, rewards)
    item(bureau, office, D(2025, 3, 4), quality)
    item(bureau, office, D(2024, 3, 4), quality)
    item(bureau, office, D(2025, 3, 5), written_on=D(2025, 1, 2))
    page = client_for(office).get(reverse("staff:publishing-statistics"), {"year": 2025})
    assert page.status_code == 200
    assert cell(page, "total-releases").split() == [
        "发布信息（各栏目合计，重复发布分别计）",
        "3",
        "1",
        "增长200.0%",
    ]
    assert cell(page, "total-items").split() == ["非重复信息", "3", "1", "增长200.0%"]
    assert cell(page, "top-share") == "100.00%"
    assert cell(page, f"column-{quality.pk}").split() == [
        "质量提升品牌建设",
        "2",
        "1",
        "1",
        "增长100.0%",
    ]
    assert "晚于公开期限（成文日期后第20个工作日）发布的共 1 条" in cell(page, "late-count")
    assert cell(page, "channel-website").split() == ["政府网站（本平台）", "3"]
    assert cell(page, "blank-count") == "0" and cell(page, "stale-count") == "2"


@pytest.mark.parametrize(
    ("actor", "params", "status"),
    [
        ("office", {}, 200),
        ("leader", {}, 200),
        ("supervisor", {"agency": "bureau"}, 200),
        ("platform_admin", {"agency": "bureau"}, 200),
        ("officer", {}, 403),
        ("reviewer", {}, 403),
        ("other_office", {"agency": "bureau"}, 404),
        ("office", {"agency": "other"}, 404),
    ],
)
def test_who_may_open_the_statistics(request, client_for, tree, actor, params, status):
    user = request.getfixturevalue(actor)
    params = {k: tree[v].pk for k, v in params.items()}
    response = client_for(user).get(reverse("staff:publishing-statistics"), params)
    assert response.status_code == status
    if status == 200:
        assert f"主动公开统计 · {tree['bureau'].name} · 2025年" in response.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(
    client_for, office, bureau, django_assert_num_queries
):
    client = client_for(office)
    client.get(reverse("staff:publishing-statistics"))  # warm the session and the calendar
    for size in (1, 4):
        for n in range(size):
            c = column(bureau, f"栏目{size}-{n}")
            item(bureau, office, D(2025, 3, 3), c, column(bureau, f"另一栏目{size}-{n}"))
            item(bureau, office, D(2024, 3, 3), c, written_on=D(2024, 1, 2))
            normative_services.normative_document_register(
                actor=office,
                agency=bureau,
                kind="rule",
                title="办法",
                doc_number=f"令第{size}-{n}号",
                issued_on=D(2025, 3, 3),
            )
        # session, user, memberships, has an authenticator; the agency check; calendar
        # (2); columns, totals, channels, documents, agency settings, late items; the
        # session saved (savepoint, update, release).
        with django_assert_num_queries(16):
            response = client.get(reverse("staff:publishing-statistics"), {"year": 2025})
        assert response.status_code == 200


def test_items_converted_from_repeated_requests_are_counted_apart(client_for, office, bureau):
    """Art. 44: items whose origin is 依申请转主动, published in the year (and the last)."""
    from gongkai.publishing.models.publication import PublicationOrigin

    converted = PublicationOrigin.CONVERTED_FROM_REQUESTS
    quality = column(bureau, "质量提升品牌建设")
    for published_on in (D(2025, 3, 3), D(2025, 4, 1), D(2024, 5, 6)):
        Publication.objects.filter(pk=item(bureau, office, published_on, quality).pk).update(origin=converted)
    item(bureau, office, D(2025, 3, 4), quality)  # drafted here
    draft = item(bureau, office, None, quality, status="draft")
    Publication.objects.filter(pk=draft.pk).update(origin=converted)  # not public: not counted
    result = stats(bureau)
    assert (result.converted.this_year, result.converted.last_year) == (2, 1)
    assert result.items.this_year == 3
    page = client_for(office).get(reverse("staff:publishing-statistics"), {"year": 2025})
    assert cell(page, "total-converted").split() == ["其中：依申请转主动公开", "2", "1", "增长100.0%"]
