"""Each column's newest public item, kept on the column (``publishing.column_dates``): after
every way an item goes public, goes off the site, moves between columns, is imported or
deleted, the kept dates equal the ones counted from the items."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.core.tests.helpers import at
from gongkai.publishing import column_dates
from gongkai.publishing.models import Column, Publication
from gongkai.publishing.services import publications as svc
from gongkai.publishing.tests.test_importer import item, run
from gongkai.publishing.tests.test_services import draft, review

pytestmark = pytest.mark.django_db

D = dt.date


def kept(*columns) -> list:
    return [Column.objects.get(pk=c.pk).newest_public_on for c in columns]


def published(on, *, bureau, officer, reviewer, leader, office, columns, department) -> Publication:
    """An item through the whole workflow, public on ``on``, in 产品召回信息 and 新闻动态."""
    at(on)
    publication = draft(officer, bureau, columns, department=department)
    svc.publication_submit(actor=officer, publication=publication)
    review(reviewer, publication)
    svc.publication_approve(actor=leader, publication=publication, opinion="同意发布")
    svc.publication_publish(actor=office, publication=Publication.objects.get(pk=publication.pk))
    return Publication.objects.get(pk=publication.pk)


@pytest.fixture
def people(bureau, officer, reviewer, leader, office, columns, department):
    return {"bureau": bureau, "officer": officer, "reviewer": reviewer, "leader": leader,
            "office": office, "columns": columns, "department": department}


def test_publishing_raises_the_dates_and_withdrawing_the_newest_lowers_them(people, columns):
    recalls, news, parent = columns["recalls"], columns["news"], columns["parent"]
    assert kept(recalls, news, parent) == [None, None, None]
    first = published(D(2025, 4, 7), **people)
    assert kept(recalls, news, parent) == [D(2025, 4, 7), D(2025, 4, 7), None]
    second = published(D(2025, 4, 21), **people)
    assert kept(recalls, news) == [D(2025, 4, 21)] * 2
    assert column_dates.out_of_step() == {}

    svc.publication_withdraw(actor=people["office"], publication=second, reason="内容有误")
    assert kept(recalls, news) == [D(2025, 4, 7)] * 2
    svc.publication_withdraw(actor=people["office"], publication=first, reason="已过时")
    assert kept(recalls, news) == [None, None]
    assert column_dates.out_of_step() == {}


def test_moving_a_public_item_between_columns_either_side_counts_them_again(people, columns):
    recalls, news = columns["recalls"], columns["news"]
    other = Column.objects.create(agency=people["bureau"], name="政策解读", kind="notice")
    old = published(D(2025, 3, 3), **people)
    new = published(D(2025, 4, 7), **people)
    new.columns.remove(news)
    assert kept(news) == [D(2025, 3, 3)]
    new.columns.set([other])
    assert kept(recalls, other) == [D(2025, 3, 3), D(2025, 4, 7)]
    new.columns.clear()
    assert kept(other) == [None]
    other.publications.add(old)  # from the column's side
    assert kept(other) == [D(2025, 3, 3)]
    other.publications.remove(old)
    assert kept(other) == [None]
    assert column_dates.out_of_step() == {}


def test_deleting_a_public_item_counts_its_columns_again(bureau, officer, columns):
    """Items with a workflow history cannot be deleted (their revisions are protected);
    one written straight to the table, as a migration or a fixture would, can."""
    def public(n, on):
        item = Publication.objects.create(
            agency=bureau, index_number=f"{bureau.code}-{n}", title=f"政府信息{n}", status="published",
            issuing_agency=bureau.name, written_on=on, published_on=on, disclosure_attribute="proactive",
            created_by=officer)
        item.columns.add(columns["recalls"], columns["news"])
        return item

    public(1, D(2025, 3, 3))
    newest = public(2, D(2025, 4, 7))
    assert kept(columns["recalls"], columns["news"]) == [D(2025, 4, 7)] * 2
    newest.delete()
    assert kept(columns["recalls"], columns["news"]) == [D(2025, 3, 3)] * 2
    assert column_dates.out_of_step() == {}


def test_a_draft_costs_no_statement_and_leaves_the_dates_alone(people, columns):
    published(D(2025, 3, 3), **people)
    at(D(2025, 4, 7))
    with CaptureQueriesContext(connection) as captured:
        item_draft = draft(people["officer"], people["bureau"], columns, department=people["department"])
        item_draft.title = "改后的标题"
        item_draft.save()
    assert not [q for q in captured.captured_queries if "newest_public_on" in q["sql"]]
    assert kept(columns["recalls"]) == [D(2025, 3, 3)]


def test_an_import_raises_the_dates_of_its_columns(office, bureau, columns):
    at(D(2026, 3, 2))
    rows = [item(bureau, index_number=f"{bureau.code}/2019-{n}", published_on=on)
            for n, on in ((1, "2019-06-12"), (2, "2021-01-05"), (3, "2020-02-02"))]
    assert run(office, bureau, rows).imported == 3
    assert kept(columns["recalls"], columns["news"]) == [D(2021, 1, 5)] * 2
    older = [item(bureau, index_number=f"{bureau.code}/2018-1", written_on="2018-01-01", published_on="2018-01-02")]
    assert run(office, bureau, older).imported == 1
    assert kept(columns["recalls"]) == [D(2021, 1, 5)]  # an older item leaves the newest
    # Batches committing on their own raise the dates with each batch.
    newer = [item(bureau, index_number=f"{bureau.code}/2022-{n}", written_on="2022-01-01",
                  published_on=f"2022-01-0{n}") for n in (2, 3, 4)]
    assert run(office, bureau, newer, batch_commit=True, batch_size=2).imported == 3
    assert kept(columns["recalls"], columns["news"]) == [D(2022, 1, 4)] * 2
    assert column_dates.out_of_step() == {}


def test_the_nightly_check_finds_a_wrong_date_and_the_repair_puts_it_right(people, columns):
    published(D(2025, 4, 7), **people)
    Column.objects.filter(pk=columns["news"].pk).update(newest_public_on=D(2020, 1, 1))
    Column.objects.filter(pk=columns["parent"].pk).update(newest_public_on=D(2025, 1, 1))
    wrong = column_dates.out_of_step()
    assert wrong == {columns["news"].pk: (D(2020, 1, 1), D(2025, 4, 7)),
                     columns["parent"].pk: (D(2025, 1, 1), None)}
    assert column_dates.repair() == wrong
    assert column_dates.out_of_step() == {}
    assert kept(columns["news"], columns["parent"]) == [D(2025, 4, 7), None]


def test_the_command_reports_the_wrong_dates_fails_and_repairs_them(people, columns):
    import io

    from django.core.management import CommandError, call_command

    published(D(2025, 4, 7), **people)
    out = io.StringIO()
    call_command("publishing", "column-dates", stdout=out)
    assert "matches" in out.getvalue()
    Column.objects.filter(pk=columns["news"].pk).update(newest_public_on=None)
    with pytest.raises(CommandError) as failed:
        call_command("publishing", "column-dates", stdout=(out := io.StringIO()))
    assert failed.value.returncode == 1
    assert f"column {columns['news'].pk}: kept -, items 2025-04-07" in out.getvalue()
    call_command("publishing", "column-dates", "--repair", stdout=(out := io.StringIO()))
    assert "1 column(s) repaired" in out.getvalue()
    assert kept(columns["news"]) == [D(2025, 4, 7)]


def _race(first, second) -> list:
    """``first`` writes in a transaction and holds it open until ``second``, started
    meanwhile, is waiting for a lock; then both finish. The errors either raised."""
    import threading

    from django.db import connection, connections, transaction

    wrote, errors = threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                first()
                wrote.set()
                # Commit only once the other writer is waiting for a row lock.
                with connection.cursor() as cursor:
                    for _ in range(1000):
                        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                        if cursor.fetchone()[0]:
                            break
                        threading.Event().wait(0.01)
        except Exception as exc:  # surfaced by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    def follow():
        try:
            wrote.wait(timeout=10)
            with transaction.atomic():
                second()
        except Exception as exc:  # surfaced by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hold), threading.Thread(target=follow)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.fixture
def raw_item(bureau, officer, columns):
    """An item written straight to the table, in 新闻动态, public on ``on`` (else approved)."""
    def make(n, on, status="published"):
        made = Publication.objects.create(
            agency=bureau, index_number=f"{bureau.code}-{n}", title=f"政府信息{n}", status=status,
            issuing_agency=bureau.name, written_on=on, published_on=on if status == "published" else None,
            disclosure_attribute="proactive", created_by=officer)
        made.columns.add(columns["news"])
        return made
    return make


def _set(pk, **fields):
    item = Publication.objects.get(pk=pk)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="concurrent writers need PostgreSQL")


@pytest.mark.django_db(transaction=True)
@on_postgresql
@pytest.mark.parametrize("newer", [D(2025, 5, 5), D(2025, 4, 7)], ids=["later", "same-day"])
def test_a_publish_racing_the_withdrawal_of_the_newest_is_kept_either_way(raw_item, columns, newer):
    """A newer item (or one of the same day) goes public while the column's newest item is
    taken off the site, whichever of the two holds the column first: the new item's date
    is kept."""
    news = columns["news"]
    for publish_first in (True, False):
        Publication.objects.all().delete()
        Column.objects.filter(pk=news.pk).update(newest_public_on=None)
        raw_item(1, D(2025, 3, 3))
        old_newest = raw_item(2, D(2025, 4, 7))
        pending = raw_item(3, D(2025, 4, 7), status="approved")

        def publish(pk=pending.pk):
            _set(pk, status="published", published_on=newer)

        def withdraw(pk=old_newest.pk):
            _set(pk, status="withdrawn")

        errors = _race(publish, withdraw) if publish_first else _race(withdraw, publish)
        assert errors == []
        assert kept(news) == [newer], f"publish first: {publish_first}"
        assert column_dates.out_of_step() == {}


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_two_withdrawals_at_once_leave_the_item_still_public(raw_item, columns):
    raw_item(1, D(2025, 3, 3))
    second = raw_item(2, D(2025, 4, 7))
    newest = raw_item(3, D(2025, 5, 5))
    errors = _race(lambda: _set(newest.pk, status="withdrawn"), lambda: _set(second.pk, status="withdrawn"))
    assert errors == []
    assert kept(columns["news"]) == [D(2025, 3, 3)]
    assert column_dates.out_of_step() == {}


def test_an_edit_of_a_column_loaded_earlier_does_not_write_its_date_back(people, columns):
    stale_copy = Column.objects.get(pk=columns["news"].pk)
    assert stale_copy.newest_public_on is None
    published(D(2025, 4, 7), **people)
    stale_copy.name = "新闻动态（更名）"
    stale_copy.save()
    assert kept(columns["news"]) == [D(2025, 4, 7)]
    assert Column.objects.get(pk=columns["news"].pk).name == "新闻动态（更名）"
