"""Writing a validated import file: the index-number series reserved, then the rows in
batches of ``bulk_create`` (no query per row), in one transaction or one per batch (see
``gongkai.publishing.importer``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from gongkai.core import audit, clock
from gongkai.core.models import Agency, SequenceCounter
from gongkai.publishing import column_dates
from gongkai.publishing.importer.reading import Reader
from gongkai.publishing.importer.report import ImportFileError, ImportReport, RowError
from gongkai.publishing.importer.validation import Plan, series_scope
from gongkai.publishing.models import (
    DisclosureAttribute,
    Publication,
    PublicationEvent,
    PublicationRevision,
    PublicationStatus,
)
from gongkai.publishing.sanitise import sanitise_html

logger = logging.getLogger(__name__)

IMPORT_ACTION = "import"  # PublicationEvent.action of an imported item


class Writer:
    def __init__(self, *, actor, agency: Agency, plan: Plan, report: ImportReport, batch_size: int):
        if not connection.features.can_return_rows_from_bulk_insert:
            raise RuntimeError("the import needs a database that returns keys from bulk inserts")
        self.actor, self.agency, self.plan, self.report = actor, agency, plan, report
        self.batch_size = batch_size
        self.next_sequence: dict[int, int] = {}
        self.through = Publication.columns.through
        self.now = clock.now()
        self.newest: dict[int, object] = {}  # column -> newest publication date not yet raised
        # Same limit bulk_create assumes; the IN list of the published_revision update.
        self.in_chunk = max(1, (connection.features.max_query_params or 10000) - 1)
        from gongkai.publishing.services.publications import visibility_listeners

        self.listeners = visibility_listeners

    def write_all(self, reader: Reader) -> None:
        self.reserve_series()
        for batch in self.batches(reader):
            self.write_batch(batch)
        # The columns are locked from here to the commit: not for the whole import.
        column_dates.raise_dates(self.newest)
        self.record()

    def write_in_batches(self, reader: Reader) -> None:
        """Each batch commits on its own; the audit entry goes with the last one."""
        with transaction.atomic():
            self.reserve_series()
        committed = 0
        try:
            for batch in self.batches(reader):
                with transaction.atomic():
                    self.write_batch(batch)
                    column_dates.raise_dates(self.newest)
                    self.newest = {}
                    if self.report.imported == self.report.valid_rows:
                        self.record()
                committed = self.report.imported
        except BaseException:
            self.report.imported = committed
            if committed:
                try:
                    with transaction.atomic():
                        audit.record(
                            actor=self.actor,
                            action="publishing.import_interrupted",
                            obj=self.agency,
                            agency=self.agency,
                            after=self.report.audit_summary(),
                        )
                except Exception:  # the database may be what failed; keep the first error
                    logger.exception(
                        "could not record the interrupted import of %s", self.agency.code
                    )
            raise

    def reserve_series(self) -> None:
        """Lock each year's counter and move it past every legacy number plus the numbers
        this import generates, so concurrent drafters carry on after them."""
        plan, scope = self.plan, series_scope(self.agency)
        years = plan.years
        if not years:
            return
        SequenceCounter.objects.bulk_create(
            [SequenceCounter(scope=scope, year=year, value=0) for year in years],
            ignore_conflicts=True,
        )
        counters = list(
            SequenceCounter.objects.select_for_update().filter(scope=scope, year__in=years)
        )
        for counter in counters:
            before = counter.value
            self.next_sequence[counter.year] = plan.first_generated(counter.year, before)
            counter.value = plan.counter_after(counter.year, before)
            self.report.series[counter.year] = (before, counter.value)
        SequenceCounter.objects.bulk_update(counters, ["value"])

    def batches(self, reader: Reader) -> Iterator[list[dict]]:
        cleaner = self.plan.cleaner
        batch: list[dict] = []
        errors: list[RowError] = []
        for number, raw in reader.rows():
            item = cleaner.clean(number, raw, errors)
            if item is None:  # validated a moment ago: the file changed in between
                raise ImportFileError(f"第{number}行在校验后发生变化，已停止导入")
            if not item["index_number"]:
                year = item["published_on"].year
                item["index_number"] = f"{self.agency.code}/{year}-{self.next_sequence[year]:05d}"
                item["generated"] = True
                self.next_sequence[year] += 1
            batch.append(item)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def write_batch(self, items: list[dict]) -> None:
        agency_id, actor_id = self.agency.pk, self.actor.pk
        publications = []
        for item in items:
            item["body"] = sanitise_html(item["body"])
            publications.append(
                Publication(
                    agency_id=agency_id,
                    index_number=item["index_number"],
                    status=PublicationStatus.PUBLISHED,
                    title=item["title"],
                    issuing_agency=item["issuing_agency"],
                    doc_number=item["doc_number"],
                    written_on=item["written_on"],
                    published_on=item["published_on"],
                    topic_id=item["topic_id"],
                    disclosure_attribute=DisclosureAttribute.PROACTIVE,
                    validity=item["validity"],
                    body=item["body"],
                    keywords=item["keywords"],
                    created_by_id=actor_id,
                )
            )
        Publication.objects.bulk_create(publications)
        revisions = [
            PublicationRevision(
                publication_id=publication.pk,
                number=1,
                title=item["title"],
                doc_number=item["doc_number"],
                body=item["body"],
                created_by_id=actor_id,
                metadata=_revision_metadata(item),
            )
            for publication, item in zip(publications, items, strict=True)
        ]
        PublicationRevision.objects.bulk_create(revisions)
        ids = [p.pk for p in publications]
        first_revision = PublicationRevision.objects.filter(publication=OuterRef("pk"), number=1)
        for start in range(0, len(ids), self.in_chunk):
            Publication.objects.filter(pk__in=ids[start : start + self.in_chunk]).update(
                published_revision=Subquery(first_revision.values("pk")[:1])
            )
        PublicationEvent.objects.bulk_create(
            [
                PublicationEvent(
                    publication_id=publication.pk,
                    action=IMPORT_ACTION,
                    from_status="",
                    to_status=PublicationStatus.PUBLISHED,
                    at=self.now,
                    actor_id=actor_id,
                    data={
                        "revision": 1,
                        "index_number": "generated" if item.get("generated") else "kept",
                    },
                )
                for publication, item in zip(publications, items, strict=True)
            ]
        )
        self.through.objects.bulk_create(
            [
                self.through(publication_id=publication.pk, column_id=column_id)
                for publication, item in zip(publications, items, strict=True)
                for column_id in item["column_ids"]
            ]
        )
        # The columns' newest public items (bulk writes send no signals): raised by the
        # caller, with each batch when batches commit on their own, else once at the end.
        for item in items:
            for column_id in item["column_ids"]:
                if column_id not in self.newest or self.newest[column_id] < item["published_on"]:
                    self.newest[column_id] = item["published_on"]
        self.report.imported += len(publications)
        if self.listeners:  # whatever mirrors the public set (search) learns of each item
            for publication, revision in zip(publications, revisions, strict=True):
                publication.published_revision_id = revision.pk
            for listener in list(self.listeners):
                # A listener may take the whole batch at once (``listener.many``), so the
                # query count of an import does not grow with its rows.
                many = getattr(listener, "many", None)
                if many is not None:
                    many(publications, True)
                else:
                    for publication in publications:
                        listener(publication, True)

    def record(self) -> None:
        audit.record(
            actor=self.actor,
            action="publishing.import",
            obj=self.agency,
            agency=self.agency,
            after=self.report.audit_summary(),
        )


def _revision_metadata(item: dict) -> dict:
    """The catalogue fields beside the text, shaped like services.history.snapshot."""
    return {
        "issuing_agency": item["issuing_agency"],
        "department_id": None,
        "written_on": item["written_on"].isoformat(),
        "topic_id": item["topic_id"],
        "disclosure_attribute": DisclosureAttribute.PROACTIVE.value,
        "validity": item["validity"],
        "keywords": item["keywords"],
        "column_ids": list(item["column_ids"]),
        "attachment_ids": [],
        "non_disclosure_reason": "",
    }
