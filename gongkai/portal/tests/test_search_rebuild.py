"""The batch rebuild (issue 20): ``rebuild_index`` reads the small tables once, builds a
batch's documents with one normalisation and writes them in bulk (COPY on PostgreSQL, its
search indexes built once at the end). The index it leaves must be the one indexing every
object item by item leaves — the same rows, the same kept counts — on both backends, and
a rebuild that fails must leave the index as it was."""

import datetime as dt
import zlib

import pytest
from django.db import connection, transaction

from gongkai.core.tests.helpers import at
from gongkai.decisions import services as decision_services
from gongkai.decisions.models import DecisionStatus
from gongkai.decisions.tests.conftest import DecisionFactory
from gongkai.portal import search
from gongkai.portal.search import _backend, documents, sources, stats
from gongkai.publishing.models import Publication, PublicationAttachment
from gongkai.publishing.models.publication import PublicationStatus
from gongkai.publishing.services import normative as normative_services

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def every_kind(site, publisher, office, bureau):
    """The site's items (columns under columns, topics, an attachment, a withdrawn one, a
    draft), items in traditional characters and full-width forms, an item whose
    attachment is longer than a tsvector holds (several parts on PostgreSQL), a normative
    document and its interpretation, a published decision and the agencies' guides."""
    at(dt.date(2026, 3, 10))
    notices = [site["columns"]["通知公告"]]
    publisher.publish("關於開展食品安全檢查的通知", body="<p>各單位：ＡＢＣ１２３，請認真落實。</p>",
                      columns=notices, doc_number="青市監〔2026〕３號")
    regulation = publisher.publish("青岚市食品摊贩管理办法", body="<p>摊贩登记。</p>", columns=notices)
    explained = publisher.publish("《青岚市食品摊贩管理办法》政策解读", body="<p>摊贩登记解读。</p>",
                                  columns=notices)
    document = normative_services.normative_document_register(
        actor=office, agency=bureau, kind="normative_document", title=regulation.title,
        doc_number="青市监规〔2026〕1号", issued_on=dt.date(2026, 3, 10), publication=regulation)
    normative_services.interpretation_add(
        actor=office, document=document, form="text", title=explained.title,
        published_on=dt.date(2026, 3, 10), publication=explained)
    long = Publication.objects.create(
        agency=bureau, index_number="long/1", status=PublicationStatus.PUBLISHED, title="长附件",
        issuing_agency=bureau.name, written_on=dt.date(2020, 1, 1),
        published_on=dt.date(2020, 1, 2), disclosure_attribute="proactive",
        body="<p>开头的独特词甲乙</p>", created_by=office,
    )
    for n, text in enumerate(["政务公开工作要点和信息公开年度报告" * 3000 + "结尾的独特词丙丁", "",
                              "第二个附件"]):
        PublicationAttachment.objects.create(
            publication=long, file=f"publishing/z{n}.pdf", original_name=f"{n}.pdf", kind="PDF",
            size=1, text=text, uploaded_by=office)
    PublicationAttachment.objects.create(
        publication=long, file="publishing/old.pdf", original_name="old.pdf", kind="PDF", size=1,
        text="已删除的附件", uploaded_by=office, is_active=False)
    at(dt.date(2026, 3, 9))
    decision = DecisionFactory(agency=bureau, status=DecisionStatus.PENDING, published_on=None,
                               party_name="青岚市宏达食品贸易有限公司", matter="销售过期食品")
    decision_services.decision_publish(actor=office, decision=decision)
    at(dt.date(2026, 3, 10))
    return site


def index_one_by_one() -> None:
    """The index as publishing builds it: each public object on its own, one after another
    (the path of a publish, ``index_publication``, and of the other objects' events)."""
    backend = _backend()
    backend.clear()
    stats.clear()
    stats.clear_last_days()
    for item in Publication.objects.order_by("pk"):
        search.index_publication(item)
    for model, pks in (
        (sources.REPORT, [r.pk for r in sources.public_reports()]),
        (sources.DECISION, [d.pk for d, _ in sources.public_decisions()]),
        (sources.GUIDE, [a.pk for a in sources.public_guides()]),
    ):
        for pk in pks:
            search.index_objects(model, [pk])


def index_rows() -> dict[str, list]:
    """Every row the index holds: the entries (tokens as indexed), the backend's own rows
    (SQLite: every token instance FTS5 holds, read through ``fts5vocab``; PostgreSQL: the
    parts and their tsvectors) and the decisions' last days."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT publication_id, key, tokens FROM portal_search_entry ORDER BY publication_id")
        entries = [(pk, key, zlib.decompress(bytes(tokens)).decode())
                   for pk, key, tokens in cursor.fetchall()]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT publication_id, part, sort_key, multi, vec::text "
                           "FROM portal_search_pg ORDER BY publication_id, part")
        else:
            cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_instances "
                           "USING fts5vocab(main, portal_search_fts, instance)")
            cursor.execute("SELECT term, doc, col, \"offset\" FROM temp.search_instances "
                           "ORDER BY doc, \"offset\"")
        rows = cursor.fetchall()
        cursor.execute("SELECT doc_id, last_day FROM portal_search_expiry ORDER BY doc_id")
        last_days = cursor.fetchall()
    return {"entries": entries, "rows": rows, "last_days": last_days}


def expected_counts() -> dict[str, int]:
    """The kept counts a rebuild must leave, recounted from the indexed token strings (a
    path of its own: the runs read back from the tokens)."""
    counts = stats.count_all(_backend().all_tokens())
    kept = {g: n for g, n in counts.items() if n >= stats.TRACK_AT or stats.is_owner_count(g)}
    kept.setdefault(stats.OWNERS, 0)
    return kept


@pytest.mark.parametrize("one_transaction", [True, False], ids=["bulk", "batch-commits"])
def test_a_batch_rebuild_leaves_the_rows_and_counts_of_indexing_item_by_item(
    every_kind, monkeypatch, one_transaction
):
    monkeypatch.setattr(stats, "TRACK_AT", 2)  # most strings tracked: the counts compared
    index_one_by_one()
    one_by_one = index_rows()
    assert len(sources.public_decisions()) == 1 and len(one_by_one["last_days"]) == 1
    assert len(one_by_one["rows"]) > len(one_by_one["entries"])
    assert len(one_by_one["entries"]) == Publication.objects.filter(
        status=PublicationStatus.PUBLISHED).count() + 1 + sources.public_guides().count()
    if connection.vendor == "postgresql":  # the long attachment: several parts
        assert any(part > 0 for _, part, *_ in one_by_one["rows"])
    counts = expected_counts()
    assert counts["食品"] >= 4 and counts[documents.HEADLINE + "摊贩"] == 2

    # batches of 2: items of one batch share the normalisation; several batches
    search.rebuild_index(batch_size=2, commit_each_batch=not one_transaction)

    assert index_rows() == one_by_one
    assert stats.tracked() == counts
    assert search.verify_index().ok


def test_the_batch_documents_are_those_built_item_by_item(every_kind):
    """``build_rows`` (one normalisation for the batch, the catalogue read once) against
    ``build`` with each item's own queries and normalisation."""
    from gongkai.publishing.models import Column, Topic

    items = list(Publication.objects.filter(status=PublicationStatus.PUBLISHED).order_by("pk"))
    rows = list(Publication.objects.filter(pk__in=[p.pk for p in items]).order_by("pk")
                .values_list(*documents.ROW))
    batch = documents.build_rows(rows, documents.Catalogue.load())
    kinds = documents.publication_kinds([p.pk for p in items])
    assert set(kinds.values()) == {"normative", "interpretation"}
    one_by_one = []
    for item in items:
        columns = Column.objects.filter(agency_id=item.agency_id)
        one_by_one.append(documents.build(
            item,
            agency_path=item.agency.path,
            column_ids=list(item.columns.values_list("pk", flat=True)),
            column_parents=dict(columns.values_list("pk", "parent_id")),
            column_names=dict(columns.values_list("pk", "name")),
            attachment_texts=[a.text for a in item.attachments.filter(is_active=True).order_by("id")
                              if a.text],
            topic_name=Topic.objects.get(pk=item.topic_id).name if item.topic_id else "",
            kind=kinds.get(item.pk, "publication"),
        ))
    assert batch == one_by_one
    assert any("檢" in p.title for p in items)  # traditional text was normalised alike
    assert all("检" in d.text for d in batch if d.publication_id == next(
        p.pk for p in items if "檢" in p.title))


def test_a_batch_reads_its_rows_by_range_when_dense_by_list_when_sparse(every_kind):
    through = Publication.columns.through
    ids = sorted(through.objects.values_list("publication_id", flat=True).distinct())
    assert len(ids) >= 3

    def rows(queryset):
        return sorted(r for r in queryset.values_list("publication_id", "column_id") if r[0] in chosen)

    chosen = ids[::2]  # dense: read by range (the ones between too, looked up by item)
    dense = documents._of_items(through.objects, chosen)
    assert " IN (" not in str(dense.query)
    assert rows(dense) == rows(through.objects.filter(publication_id__in=chosen))
    chosen = [ids[0], ids[-1] + 10**6]  # sparse: by list, never a million rows between
    sparse = documents._of_items(through.objects, chosen)
    assert " IN (" in str(sparse.query)
    assert rows(sparse) == rows(through.objects.filter(publication_id=ids[0]))


def _search_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'portal_search_pg'")
        return {row[0] for row in cursor.fetchall()}


def _merge_settings() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT k, v FROM portal_search_fts_config WHERE k IN ('automerge', 'crisismerge')")
        return dict(cursor.fetchall())


def _bulk_state():
    return _search_indexes() if connection.vendor == "postgresql" else _merge_settings()


def test_a_rebuild_puts_back_its_indexes_and_a_failed_one_leaves_the_index_as_it_was(
    every_kind, monkeypatch
):
    index_one_by_one()
    before, state = index_rows(), _bulk_state()
    search.rebuild_index(batch_size=3)
    after = _bulk_state()
    if connection.vendor == "postgresql":
        assert after == state and set(search.postgres.REBUILT_INDEXES) <= after
    else:
        assert after.get("automerge", 4) == 4 and after.get("crisismerge", 16) == 16

    def fail(counts):
        raise RuntimeError("disk full")

    monkeypatch.setattr(stats, "replace", fail)
    with pytest.raises(RuntimeError), transaction.atomic():
        search.rebuild_index(batch_size=3)
    assert index_rows() == before
    assert _bulk_state() == after
    assert search.search_publications(search.SearchQuery(text="丙丁")).total == 1


def test_publishing_after_a_rebuild_still_indexes_in_its_own_transaction(every_kind, publisher):
    search.rebuild_index()
    with pytest.raises(RuntimeError), transaction.atomic():
        publisher.publish("回滚的公告甲", columns=[every_kind["columns"]["通知公告"]])
        assert search.search_publications(search.SearchQuery(text="回滚的公告甲")).total == 1
        raise RuntimeError
    assert search.search_publications(search.SearchQuery(text="回滚的公告甲")).total == 0
    publisher.publish("发布的公告乙", columns=[every_kind["columns"]["通知公告"]])
    assert search.search_publications(search.SearchQuery(text="发布的公告乙")).total == 1
    assert search.verify_index().ok
