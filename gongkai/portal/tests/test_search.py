"""Search over published items: kept in step with publish and withdraw (same transaction),
traditional/simplified, filters, ordering, paging, highlighting, the command."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from gongkai.core import clock
from gongkai.core.tests.helpers import at
from gongkai.portal import search
from gongkai.portal.search import SearchQuery, search_publications, stats
from gongkai.portal.search import text as t
from gongkai.publishing.models import Column, ColumnKind, Publication, Topic
from gongkai.publishing.services import publications as svc


@pytest.fixture(autouse=True)
def _today():
    at(dt.date(2026, 3, 2))


@pytest.fixture
def columns(bureau):
    parent = Column.objects.create(agency=bureau, name="重点领域信息", kind=ColumnKind.NOTICE)
    return {
        "parent": parent,
        "recalls": Column.objects.create(
            agency=bureau, parent=parent, name="产品召回信息", kind=ColumnKind.NOTICE
        ),
        "news": Column.objects.create(agency=bureau, name="新闻动态", kind=ColumnKind.DYNAMIC),
    }


@pytest.fixture
def make_published(bureau, office, officer, reviewer, leader, columns):
    """Draft → review → approval → publish, through the services."""

    def make(title, body="", *, column="news", doc_number="", topic=None, on=None):
        if on is not None:
            at(on)
        item = svc.publication_create(
            actor=officer, agency=bureau, title=title,
            written_on=clock.today(), disclosure_attribute="proactive", body=body,
            doc_number=doc_number, topic=topic, columns=[columns[column]],
        )
        approve(item, officer, reviewer, leader)
        return svc.publication_publish(actor=office, publication=item)

    return make


def approve(item, officer, reviewer, leader):
    svc.publication_submit(actor=officer, publication=item)
    svc.publication_review(
        actor=reviewer, publication=item, involves_state_secrets=False,
        involves_privacy_or_trade_secrets=False, endangers_security_or_stability=False,
        conclusion="may_publish",
    )
    svc.publication_approve(actor=leader, publication=item, opinion="同意")


def found(text, **kwargs) -> list[str]:
    results = search_publications(SearchQuery(text=text, per_page=100, **kwargs))
    assert results.total == len(results.hits)
    return [hit.publication.title for hit in results.hits]


# --- kept in step with publishing ---------------------------------------------------------


def test_a_published_item_is_found_and_a_withdrawn_one_never(make_published, office):
    item = make_published("关于食品安全监督抽检情况的通告", "<p>共抽检食品样品1268批次。</p>")
    assert found("抽检") == ["关于食品安全监督抽检情况的通告"]

    svc.publication_withdraw(actor=office, publication=item, reason="内容有误")

    assert found("抽检") == []
    assert found("食品") == []


def test_a_publish_rolled_back_leaves_no_index_row(
    bureau, office, officer, reviewer, leader, columns
):
    item = svc.publication_create(
        actor=officer, agency=bureau, title="节日市场专项检查通知",
        written_on=clock.today(), disclosure_attribute="proactive", columns=[columns["news"]],
    )
    approve(item, officer, reviewer, leader)

    with pytest.raises(RuntimeError), transaction.atomic():
        svc.publication_publish(actor=office, publication=item)
        assert found("专项检查") == ["节日市场专项检查通知"]  # visible inside the transaction
        raise RuntimeError("the surrounding transaction fails")

    assert Publication.objects.get(pk=item.pk).status == "approved"
    assert found("专项检查") == []
    assert search.verify_index().ok


def test_an_item_published_again_after_revision_is_found_once_with_its_new_text(
    make_published, office, officer, reviewer, leader
):
    item = make_published("旧标题的通知", "<p>旧的正文内容</p>")
    svc.publication_withdraw(actor=office, publication=item, reason="修改")
    svc.publication_revise(actor=office, publication=item)
    item = svc.publication_update(actor=office, publication=item, title="新标题的通知",
                                  body="<p>新的正文内容</p>")
    approve(item, officer, reviewer, leader)
    svc.publication_publish(actor=office, publication=item)

    assert found("正文") == ["新标题的通知"]
    assert found("旧的") == []
    assert search.verify_index().ok


def test_imported_items_are_indexed_by_the_importer(office, bureau, columns):
    from gongkai.publishing.importer import import_publications

    rows = [
        {"title": f"历史信息第{n}号公告", "written_on": "2018-05-02", "published_on": "2018-05-03",
         "columns": ["新闻动态"], "body": f"<p>仓储物流检查{n}</p>", "doc_number": f"测〔2018〕{n}号"}
        for n in range(1, 4)
    ]
    report = import_publications(
        actor=office, agency=bureau, source=json.dumps(rows, ensure_ascii=False).encode(),
        fmt="json", dry_run=False,
    )
    assert report.ok and report.imported == 3

    assert sorted(found("仓储物流")) == ["历史信息第1号公告", "历史信息第2号公告", "历史信息第3号公告"]
    assert found("2018 2号") == ["历史信息第2号公告"]
    assert search.verify_index().ok


def test_items_of_an_inactive_agency_are_not_found(make_published, bureau):
    make_published("停用机关的通知", "<p>停用前发布</p>")
    bureau.is_active = False
    bureau.save(update_fields=["is_active"])

    assert found("停用") == []
    assert search_publications(SearchQuery(text="停用")).total == 0


# --- text -----------------------------------------------------------------------------------


def test_traditional_query_finds_simplified_text_and_the_reverse(make_published):
    make_published("关于政府信息公开工作年度报告的通知")
    make_published("甘肅省政府信息公開辦公室關於年度報告的通知")

    assert sorted(found("信息公開")) == sorted(
        ["关于政府信息公开工作年度报告的通知", "甘肅省政府信息公開辦公室關於年度報告的通知"]
    )
    assert found("办公室") == ["甘肅省政府信息公開辦公室關於年度報告的通知"]


def test_full_width_and_case_are_folded_and_numbers_are_found(make_published):
    make_published("ＡＢＣ检测机构名单", doc_number="国办发〔2019〕14号")

    assert found("abc") == ["ＡＢＣ检测机构名单"]
    assert found("2019") == ["ＡＢＣ检测机构名单"]
    assert found("14号") == ["ＡＢＣ检测机构名单"]
    assert found("〔2019〕14") == ["ＡＢＣ检测机构名单"]
    assert found("2020") == []


def test_a_batch_is_normalised_as_each_text_alone():
    """The rebuild folds and converts a batch's fields in one call: each keeps its place,
    even where lowercasing would change a length (İ) or a text is empty or has lines."""
    texts = ["ＡＢＣ關於", "", "İstanbul 年度報告\n第二行", "\u3000全角　空格", "x", "資訊公開"]
    assert t.normalise_many(texts) == [t.normalise(text) for text in texts]
    assert t.normalise_many(texts)[0] == "abc关于"


def test_a_two_character_word_is_found_inside_longer_words(make_published):
    # Word segmentation would cut 县市场所 as 县 / 市 / 场所 and lose 市场.
    make_published("关于县市场所整治的通知")
    make_published("场所整治")

    assert found("市场") == ["关于县市场所整治的通知"]
    assert found("市") == ["关于县市场所整治的通知"]  # one character: a prefix of bigrams


def test_words_must_all_match_and_a_quoted_string_is_one_phrase(make_published):
    make_published("食品安全抽检通告")
    make_published("安全生产与食品经营检查")

    assert sorted(found("食品 安全")) == ["安全生产与食品经营检查", "食品安全抽检通告"]
    assert found('"食品安全"') == ["食品安全抽检通告"]
    assert found("食品 抽检") == ["食品安全抽检通告"]


@pytest.mark.parametrize(
    ("raw", "total"),
    [('"', 0), ('"食品', 1), ("AND OR NOT", 0), ("食品*", 1), ("(食品", 1), ("-食品", 1),
     ("NEAR(食品)", 0), ("{title}:食品", 0), ("'; DROP", 0), ("^$", 0), ("near 食品", 1)],
)
def test_query_syntax_never_raises_and_is_read_as_plain_words(make_published, raw, total):
    make_published("食品经营许可 NEAR")  # "NEAR(食品)" is the run near then 食品: no match

    results = search_publications(SearchQuery(text=raw))

    assert results.total == total


def test_a_blank_query_returns_nothing(make_published):
    make_published("任意通知")
    for raw in ["", "   ", "，。！", None]:
        results = search_publications(SearchQuery(text=raw))
        assert (results.total, results.hits, results.num_pages) == (0, [], 0)


def test_titles_and_snippets_are_escaped_and_marked(make_published):
    make_published("<b>食品</b>抽检", "<p>前文很长" + "。" * 300 + "这里有食品与&lt;抽检&gt;的内容。</p>")

    hit = search_publications(SearchQuery(text="食品 抽检")).hits[0]

    assert hit.title_html == "&lt;b&gt;<mark>食品</mark>&lt;/b&gt;<mark>抽检</mark>"
    assert "<mark>食品</mark>与&lt;<mark>抽检</mark>&gt;" in hit.snippet_html
    assert hit.snippet_html.startswith("…")


def test_highlight_uses_the_original_characters_of_traditional_text():
    terms = t.parse_query("公开")
    assert t.highlight("信息公開辦公室", terms) == "信息<mark>公開</mark>辦公室"


# --- filters, order, pages ------------------------------------------------------------------


def test_filters_agency_subtree_column_topic_and_year(
    make_published, tree, bureau, other_agency, other_office, columns
):
    topic = Topic.objects.first()
    make_published("抽检一", column="recalls", topic=topic, on=dt.date(2025, 5, 1))
    make_published("抽检二", column="news", on=dt.date(2026, 1, 5))
    other_column = Column.objects.create(agency=other_agency, name="通知", kind=ColumnKind.NOTICE)
    at(dt.date(2026, 2, 1))
    from gongkai.core.models import Role
    from gongkai.core.tests.factories import UserFactory, member

    officer = member(UserFactory(username="o2"), other_agency, Role.OFFICER)
    reviewer = member(UserFactory(username="r2"), other_agency, Role.REVIEWER)
    leader = member(UserFactory(username="l2"), other_agency, Role.LEADER)
    item = svc.publication_create(
        actor=officer, agency=other_agency, title="抽检三", written_on=clock.today(),
        disclosure_attribute="proactive", columns=[other_column],
    )
    approve(item, officer, reviewer, leader)
    svc.publication_publish(actor=other_office, publication=item)

    assert sorted(found("抽检")) == ["抽检一", "抽检三", "抽检二"]
    assert sorted(found("抽检", agency_id=tree["city"].pk)) == ["抽检一", "抽检三", "抽检二"]
    assert sorted(found("抽检", agency_id=bureau.pk)) == ["抽检一", "抽检二"]
    assert found("抽检", agency_id=tree["county"].pk) == ["抽检三"]
    assert found("抽检", agency_id=tree["county"].pk, include_subtree=False) == []
    assert found("抽检", column_id=columns["parent"].pk) == ["抽检一"]  # via its sub-column
    assert found("抽检", column_id=columns["recalls"].pk) == ["抽检一"]
    assert found("抽检", topic_id=topic.pk) == ["抽检一"]
    assert found("抽检", year=2025) == ["抽检一"]
    assert sorted(found("抽检", year=2026)) == ["抽检三", "抽检二"]
    assert found("抽检", year=2024) == []


def test_relevance_puts_title_hits_first_then_newest_and_date_order_is_newest_first(
    make_published,
):
    make_published("年度工作报告", "<p>涉及食品</p>", on=dt.date(2026, 2, 1))
    make_published("食品经营许可公告", on=dt.date(2025, 1, 1))
    make_published("其他通知", "<p>食品抽检结果</p>", on=dt.date(2026, 2, 20))
    make_published("食品召回通知", on=dt.date(2025, 6, 1))

    assert found("食品") == ["食品召回通知", "食品经营许可公告", "其他通知", "年度工作报告"]
    assert found("食品", order="date") == ["其他通知", "年度工作报告", "食品召回通知", "食品经营许可公告"]
    scores = [h.score for h in search_publications(SearchQuery(text="食品")).hits]
    assert scores == sorted(scores, reverse=True)


def test_pages_across_the_title_tier_and_the_rest(make_published):
    for n in range(3):
        make_published(f"食品标题{n}", on=dt.date(2025, 1, 1 + n))
    for n in range(4):
        make_published(f"正文{n}", f"<p>食品{n}</p>", on=dt.date(2025, 2, 1 + n))
    expected = ["食品标题2", "食品标题1", "食品标题0", "正文3", "正文2", "正文1", "正文0"]

    pages = [search_publications(SearchQuery(text="食品", page=p, per_page=2)) for p in (1, 2, 3, 4, 5)]

    assert [r.total for r in pages] == [7] * 5
    assert pages[0].num_pages == 4
    assert [h.publication.title for r in pages for h in r.hits] == expected
    assert pages[4].hits == []


# --- the kept counts and the command ------------------------------------------------------------


def test_tracked_counts_follow_publish_and_withdraw_and_give_the_counted_totals(
    make_published, office, monkeypatch
):
    monkeypatch.setattr(stats, "TRACK_AT", 1)  # track every string, however rare
    a = make_published("食品抽检", "<p>食品</p>")
    make_published("食品安全", "<p>抽检</p>")
    search.rebuild_index()
    assert (stats.frequency("食品"), stats.frequency("¦抽检"), stats.frequency("食")) == (2, 1, 2)

    svc.publication_withdraw(actor=office, publication=a, reason="撤回")
    make_published("食堂安全", "<p>安全</p>")

    assert (stats.frequency("食品"), stats.frequency("¦抽检"), stats.frequency("食")) == (1, 0, 2)
    assert stats.frequency("食堂") is None  # new since the rebuild: not tracked, counted
    backend = search._backend()
    for word in ["食品", "抽检", "食", "品抽", "安全", "食堂"]:
        spec = search._spec(SearchQuery(text=word), t.parse_query(word))
        assert search._count(backend, spec, "all") == backend.count(spec, "all")
        assert search._count(backend, spec, "title") == backend.count(spec, "title")
        assert search_publications(SearchQuery(text=word)).total == backend.count(spec, "all")
    assert search.verify_index().ok


def test_verify_detects_a_wrong_tracked_count(make_published, monkeypatch):
    monkeypatch.setattr(stats, "TRACK_AT", 1)
    make_published("食品抽检")
    search.rebuild_index()
    stats.apply(added=[], removed=["食品 品抽 抽检 检"])  # as if an item were lost

    every_substring = {"食品抽检"[i:j] for i in range(4) for j in range(i + 1, 5)}
    assert search.verify_index().wrong_counts == sorted(every_substring)


def test_search_verify_reports_drift_and_rebuild_repairs_it(make_published, capsys):
    item = make_published("漂移检测通知")
    search.remove_publication(item)  # the index loses a published item behind our back

    with pytest.raises(CommandError):
        call_command("search", "verify")
    assert f"1 missing from the index: {item.pk}" in capsys.readouterr().out

    call_command("search", "rebuild")
    call_command("search", "verify")
    assert "search index OK" in capsys.readouterr().out
    assert found("漂移") == ["漂移检测通知"]


def test_a_rebuild_handed_to_a_worker_repairs_the_index(make_published, capsys,
                                                         django_capture_on_commit_callbacks):
    from gongkai.tasks.models import OutboxState, OutboxTask

    item = make_published("漂移检测通知")
    search.remove_publication(item)
    with django_capture_on_commit_callbacks(execute=True):  # local mode: run after commit
        call_command("search", "rebuild", "--queue")
    assert "rebuild queued" in capsys.readouterr().out
    [task] = OutboxTask.objects.filter(name=search.REBUILD)
    assert task.state == OutboxState.DONE
    assert search.verify_index().ok
    assert found("漂移") == ["漂移检测通知"]


def test_the_same_rebuild_key_twice_queues_one_rebuild(db):
    from gongkai.tasks.models import OutboxTask

    with transaction.atomic():
        search.rebuild_later(key="drift-20261207")
        search.rebuild_later(key="drift-20261207")
    assert OutboxTask.objects.filter(name=search.REBUILD).count() == 1
