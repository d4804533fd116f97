"""What the index holds for one published item, built the same way for both backends.

One token stream per item, in three namespaces that can never collide, not even with a
1-character prefix query: text tokens hold only word characters, the others start with a
mark that normalised text never puts in a token (``FILTER``, ``HEADLINE``):

- filter tokens: ``ow{agency}`` (the item's own agency), ``ag{id}`` for that agency and
  each agency above it (so "this agency and its subtree" is one token, taken from
  ``Agency.path``), ``tp{topic}``, ``co{column}`` for each column the item is listed in
  and each column above those;
- headline tokens: the title and the document number's tokens, each prefixed
  (the "title tier" of relevance);
- text tokens: title, document number, body (tags stripped) and the text of active
  attachments. ``SEPARATOR`` separates the fields, so that no phrase runs from one into the next.

The row key orders items as the public lists do (newest ``published_on`` first, then
highest id): ``published_on.toordinal() * 10**10 + id``. Scanning the index in key order
is therefore date order, and a LIMIT stops early instead of sorting every match.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gongkai.core.models import Agency
from gongkai.portal.search import text as t
from gongkai.publishing.models import Column, Publication, PublicationAttachment

KEY_STRIDE = 10**10
FILTER = "§"
HEADLINE = "¦"
FIELD_SEPARATOR = "¶"


def filter_token(kind: str, pk: int) -> str:
    return f"{FILTER}{kind}{int(pk)}"


def sort_key(published_on: dt.date | None, pk: int) -> int:
    day = published_on.toordinal() if published_on else 0
    return day * KEY_STRIDE + pk


def key_range_for_year(year: int) -> tuple[int, int]:
    return (
        dt.date(year, 1, 1).toordinal() * KEY_STRIDE,
        dt.date(year, 12, 31).toordinal() * KEY_STRIDE + KEY_STRIDE - 1,
    )


def publication_id_of(key: int) -> int:
    return key % KEY_STRIDE


@dataclass(frozen=True)
class Document:
    publication_id: int
    key: int
    filters: str  # space-separated filter tokens
    headline: str  # x-prefixed headline tokens
    text: str  # text tokens, fields separated by FIELD_SEPARATOR
    text_runs: tuple[str, ...] = ()  # the runs behind ``text`` (for the counts)
    headline_runs: tuple[str, ...] = ()

    def token_string(self) -> str:
        return " ".join(part for part in (self.filters, self.headline, self.text) if part)


def agency_ids_on_path(path: str) -> list[int]:
    """``0000000001.0000000007.`` → [1, 7]: the agency and every agency above it."""
    return [int(segment) for segment in path.split(".") if segment]


def build(
    publication: Publication,
    *,
    agency_path: str,
    column_ids: Iterable[int],
    column_parents: dict[int, int | None],
    attachment_texts: Iterable[str],
) -> Document:
    filters = [filter_token("ow", publication.agency_id)]
    filters += [filter_token("ag", pk) for pk in agency_ids_on_path(agency_path)]
    if publication.topic_id:
        filters.append(filter_token("tp", publication.topic_id))
    listed: set[int] = set()
    for pk in column_ids:
        while pk is not None and pk not in listed:
            listed.add(pk)
            pk = column_parents.get(pk)
    filters += [filter_token("co", pk) for pk in sorted(listed)]

    title = t.normalise(publication.title)
    doc_number = t.normalise(publication.doc_number)
    headline_runs = t.runs(f"{title} {doc_number}")
    headline = " ".join(HEADLINE + token for token in t.tokens_of_runs(headline_runs).split())
    fields = [title, doc_number, t.normalise(t.html_to_text(publication.body))]
    fields += [t.normalise(text) for text in attachment_texts]
    field_runs = [t.runs(f) for f in fields]
    text = f" {FIELD_SEPARATOR} ".join(
        tokens for runs in field_runs if (tokens := t.tokens_of_runs(runs))
    )
    return Document(
        publication_id=publication.pk,
        key=sort_key(publication.published_on, publication.pk),
        filters=" ".join(filters),
        headline=headline,
        text=text,
        text_runs=tuple(run for runs in field_runs for run in runs),
        headline_runs=tuple(headline_runs),
    )


def build_many(publications: list[Publication]) -> list[Document]:
    """Documents for a batch of items with a fixed number of queries (columns, their
    parents, agencies' paths, attachments)."""
    if not publications:
        return []
    ids = [p.pk for p in publications]
    through = Publication.columns.through
    columns: dict[int, list[int]] = defaultdict(list)
    for pub_id, column_id in through.objects.filter(publication_id__in=ids).values_list(
        "publication_id", "column_id"
    ):
        columns[pub_id].append(column_id)
    agency_ids = {p.agency_id for p in publications}
    parents = dict(
        Column.objects.filter(agency_id__in=agency_ids).values_list("id", "parent_id")
    )
    paths = dict(Agency.objects.filter(pk__in=agency_ids).values_list("id", "path"))
    attachments: dict[int, list[str]] = defaultdict(list)
    for pub_id, text in (
        PublicationAttachment.objects.filter(publication_id__in=ids, is_active=True)
        .order_by("id")
        .values_list("publication_id", "text")
    ):
        if text:
            attachments[pub_id].append(text)
    return [
        build(
            p,
            agency_path=paths[p.agency_id],
            column_ids=columns.get(p.pk, ()),
            column_parents=parents,
            attachment_texts=attachments.get(p.pk, ()),
        )
        for p in publications
    ]
