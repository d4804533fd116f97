"""What the index holds for one public object, built the same way for both backends.

Public objects of four models share the index (issue 14): published items (and among
them the policy interpretations and normative documents of the register), annual reports
(their published version), licensing and penalty decisions in their publication period,
and each agency's guide. A *document id* tells them apart: ``code * ID_STRIDE + pk``
with the model's code (``CODES``; items are code 0, so an item's document id is its own
id). Every object but an ordinary item carries its kind's filter token ``§kd<kind>``,
which facets count and the kind filter selects; the kept counts hold every kind's number
of documents, so a search knows which kinds are in the index without reading them.

One token stream per item, in three namespaces that can never collide, not even with a
1-character prefix query: text tokens hold only word characters, the others start with a
mark that normalised text never puts in a token (``FILTER``, ``HEADLINE``):

- filter tokens: ``kd{kind}`` (not for ordinary items), ``ow{agency}`` (the item's own agency), ``ag{id}`` for that agency and
  each agency above it (so "this agency and its subtree" is one token, taken from
  ``Agency.path``), ``tp{topic}``, ``co{column}`` for each column the item is listed in
  and each column above those;
- headline tokens: the title and the document number's tokens, each prefixed
  (the "title tier" of relevance);
- text tokens: title, document number, body (tags stripped), the text of active
  attachments, and the names of the item's topic and columns (so "市场监管" finds what is
  filed under that topic). ``SEPARATOR`` separates the fields, so that no phrase runs from one into the next.

The row key orders items as the public lists do (newest ``published_on`` first, then
highest id): ``published_on.toordinal() * 10**10 + document id``; a guide has no date
(day 0: after every dated match). Scanning the index in key order
is therefore date order, and a LIMIT stops early instead of sorting every match.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from gongkai.core.models import Agency
from gongkai.portal.search import text as t
from gongkai.publishing.models import (
    Column,
    Interpretation,
    NormativeDocument,
    Publication,
    PublicationAttachment,
    Topic,
)

KEY_STRIDE = 10**10
MAX_KEY = 2**63 - 1  # above every key (a key range open at the top)
ID_STRIDE = 10**9  # a model's objects' ids stay below this (document id = code * it + pk)
FILTER = "§"
HEADLINE = "¦"
FIELD_SEPARATOR = "¶"

# The kinds a search tells apart, in the order the facets list them, with their labels.
KINDS = {
    "publication": "政府信息",
    "interpretation": "政策解读",
    "normative": "规范性文件",
    "report": "年度报告",
    "decision": "许可和处罚决定",
    "guide": "公开指南",
}
# The model behind each document id (items: ordinary, interpretations, normative ones).
CODES = {"publication": 0, "report": 1, "decision": 2, "guide": 3}
MODEL_OF_CODE = {code: kind for kind, code in CODES.items()}
# Kinds that are items (``Publication``), told apart by the register.
PUBLICATION_KINDS = ("publication", "interpretation", "normative")


def kind_token(kind: str) -> str:
    return f"{FILTER}kd{kind}"


def doc_id(model: str, pk: int) -> int:
    return CODES[model] * ID_STRIDE + int(pk)


def split_doc_id(document_id: int) -> tuple[str, int]:
    """document id → (model kind, pk)."""
    return MODEL_OF_CODE[document_id // ID_STRIDE], document_id % ID_STRIDE


def filter_token(kind: str, pk: int) -> str:
    return f"{FILTER}{kind}{int(pk)}"


OWNER_MARK = f"{FILTER}ow"  # an item's own agency: ``filter_token("ow", pk)``


def owner_of(token: str) -> int | None:
    """The agency of an owner filter token (``filter_token("ow", pk)``), else None."""
    rest = token[len(OWNER_MARK):] if token.startswith(OWNER_MARK) else ""
    return int(rest) if rest.isdigit() else None


def sort_key(published_on: dt.date | None, pk: int) -> int:
    day = published_on.toordinal() if published_on else 0
    return day * KEY_STRIDE + pk


def key_range_for_year(year: int) -> tuple[int, int]:
    return (
        dt.date(year, 1, 1).toordinal() * KEY_STRIDE,
        dt.date(year, 12, 31).toordinal() * KEY_STRIDE + KEY_STRIDE - 1,
    )


def publication_id_of(key: int) -> int:
    """The document id of a row key (an item's own id for items)."""
    return key % KEY_STRIDE


doc_id_of = publication_id_of


@dataclass(frozen=True)
class Document:
    publication_id: int  # the document id (an item's own id; see ``doc_id``)
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


def make(
    document_id: int,
    *,
    day: dt.date | None,
    agency_id: int,
    agency_path: str,
    kind: str,
    title: str,
    doc_number: str = "",
    texts: Iterable[str] = (),
    extra_filters: Iterable[str] = (),
) -> Document:
    """The document of any public object: filters, headline (title, number) and text
    (title, number, then ``texts``: plain text, already as the public sees it)."""
    return assemble(
        document_id,
        day=day,
        agency_id=agency_id,
        agency_path=agency_path,
        kind=kind,
        fields=[t.normalise(title), t.normalise(doc_number),
                *t.normalise_many([x for x in texts if x])],
        extra_filters=extra_filters,
    )


def assemble(
    document_id: int,
    *,
    day: dt.date | None,
    agency_id: int,
    agency_path: str,
    kind: str,
    fields: list[str],
    extra_filters: Iterable[str] = (),
) -> Document:
    """``make`` from the fields already normalised: title, number, then the other texts
    (the non-empty ones). A batch normalises every field of its items at once."""
    filters = [kind_token(kind)] if kind != "publication" else []
    filters.append(filter_token("ow", agency_id))
    filters += [filter_token("ag", pk) for pk in agency_ids_on_path(agency_path)]
    filters += list(extra_filters)
    title_n, number_n = fields[0], fields[1]
    headline_runs = t.runs(f"{title_n} {number_n}")
    headline = " ".join(HEADLINE + token for token in t.tokens_of_runs(headline_runs).split())
    field_runs = [t.runs(f) for f in fields]
    text = f" {FIELD_SEPARATOR} ".join(
        tokens for runs in field_runs if (tokens := t.tokens_of_runs(runs))
    )
    return Document(
        publication_id=document_id,
        key=sort_key(day, document_id),
        filters=" ".join(filters),
        headline=headline,
        text=text,
        text_runs=tuple(run for runs in field_runs for run in runs),
        headline_runs=tuple(headline_runs),
    )


def listed_columns(column_ids: Iterable[int], column_parents: dict[int, int | None]) -> list[int]:
    """The columns an item is listed in and every column above them, sorted."""
    listed: set[int] = set()
    for pk in column_ids:
        while pk is not None and pk not in listed:
            listed.add(pk)
            pk = column_parents.get(pk)
    return sorted(listed)


def build(
    publication: Publication,
    *,
    agency_path: str,
    column_ids: Iterable[int],
    column_parents: dict[int, int | None],
    attachment_texts: Iterable[str],
    column_names: dict[int, str] | None = None,
    topic_name: str = "",
    kind: str = "publication",
) -> Document:
    extra = []
    if publication.topic_id:
        extra.append(filter_token("tp", publication.topic_id))
    listed = listed_columns(column_ids, column_parents)
    extra += [filter_token("co", pk) for pk in listed]
    names = column_names or {}
    return make(
        publication.pk,
        day=publication.published_on,
        agency_id=publication.agency_id,
        agency_path=agency_path,
        kind=kind,
        title=publication.title,
        doc_number=publication.doc_number,
        # the catalogue it is filed under is part of what the public reads with it
        texts=[t.html_to_text(publication.body), *attachment_texts, topic_name,
               *(names[pk] for pk in listed if pk in names)],
        extra_filters=extra,
    )


def _of_items(queryset, ids: list[int]):
    """The rows of ``queryset`` about these items, and maybe of others between them: by
    range when the ids are dense (a rebuild's batch), where 2,000 ids bound one by one
    cost Django more than the query; the callers look rows up by item."""
    low, high = min(ids), max(ids)
    if high - low < 4 * len(ids):
        return queryset.filter(publication_id__gte=low, publication_id__lte=high)
    return queryset.filter(publication_id__in=ids)


def publication_kinds(ids: list[int]) -> dict[int, str]:
    """Items of the register: normative documents and interpretations (else ordinary).
    It may name other items too (``_of_items``)."""
    if not ids:
        return {}
    kinds = dict.fromkeys(
        _of_items(Interpretation.objects, ids).values_list("publication_id", flat=True),
        "interpretation",
    )
    kinds.update(
        (pk, "normative")
        for pk in _of_items(NormativeDocument.objects, ids).values_list("publication_id", flat=True)
    )
    return kinds


# The fields of an item a document is made of, in the order ``build_rows`` reads them.
ROW = ("pk", "agency_id", "topic_id", "published_on", "title", "doc_number", "body")


@dataclass
class Catalogue:
    """What the documents of items need from the small tables: agencies' paths, columns
    (parent, name) and topics' names. A rebuild reads them once; ``build_many`` (publish,
    import) reads those of its batch."""

    paths: dict[int, str] = field(default_factory=dict)
    column_parents: dict[int, int | None] = field(default_factory=dict)
    column_names: dict[int, str] = field(default_factory=dict)
    topic_names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, *, agency_ids: Iterable[int] | None = None,
             topic_ids: Iterable[int] | None = None) -> Catalogue:
        """Everything, or what the items of these agencies and topics need (the columns
        of an agency: a column and those above it belong to one agency)."""
        agencies, columns, topics = Agency.objects.all(), Column.objects.all(), Topic.objects.all()
        if agency_ids is not None:
            agency_ids = set(agency_ids)
            agencies = agencies.filter(pk__in=agency_ids)
            columns = columns.filter(agency_id__in=agency_ids)
        if topic_ids is not None:
            topics = topics.filter(pk__in=set(topic_ids))
        out = cls(paths=dict(agencies.values_list("id", "path")),
                  topic_names=dict(topics.values_list("id", "name")))
        for pk, parent_id, name in columns.values_list("id", "parent_id", "name"):
            out.column_parents[pk], out.column_names[pk] = parent_id, name
        return out


def build_many(publications: list[Publication]) -> list[Document]:
    """Documents for a batch of items with a fixed number of queries (columns, their
    parents, agencies' paths, attachments)."""
    if not publications:
        return []
    rows = [tuple(getattr(p, name) for name in ROW) for p in publications]
    catalogue = Catalogue.load(agency_ids={p.agency_id for p in publications},
                               topic_ids={p.topic_id for p in publications if p.topic_id})
    return build_rows(rows, catalogue)


def build_rows(rows: list[tuple], catalogue: Catalogue) -> list[Document]:
    """Documents of items given as ``ROW`` tuples, in three queries (columns listed in,
    attachments, register kinds) and one normalisation of every field of the batch: what
    ``build`` gives item by item (``make``'s fields, in its order), for a fraction of the
    cost (one OpenCC call instead of three per item)."""
    if not rows:
        return []
    ids = [row[0] for row in rows]
    through = Publication.columns.through
    columns: dict[int, list[int]] = defaultdict(list)
    for pub_id, column_id in _of_items(through.objects, ids).values_list(
        "publication_id", "column_id"
    ):
        columns[pub_id].append(column_id)
    attachments: dict[int, list[str]] = defaultdict(list)
    for pub_id, text in (
        _of_items(PublicationAttachment.objects, ids).filter(is_active=True)
        .order_by("id")
        .values_list("publication_id", "text")
    ):
        if text:
            attachments[pub_id].append(text)
    kinds = publication_kinds(ids)
    parents, names, topics = catalogue.column_parents, catalogue.column_names, catalogue.topic_names
    raw: list[str] = []  # every field of every item, normalised below in one call
    bounds: list[tuple[int, int]] = []
    extras: list[list[str]] = []
    for pk, _, topic_id, _, title, doc_number, body in rows:
        listed = listed_columns(columns.get(pk, ()), parents)
        extra = [filter_token("tp", topic_id)] if topic_id else []
        extra += [filter_token("co", c) for c in listed]
        extras.append(extra)
        # as ``build``: the catalogue it is filed under is read with it
        texts = [t.html_to_text(body), *attachments.get(pk, ()), topics.get(topic_id, ""),
                 *(names[c] for c in listed if c in names)]
        start = len(raw)
        raw += [title, doc_number, *(x for x in texts if x)]
        bounds.append((start, len(raw)))
    normalised = t.normalise_many(raw)
    return [
        assemble(
            pk,
            day=day,
            agency_id=agency_id,
            agency_path=catalogue.paths[agency_id],
            kind=kinds.get(pk, "publication"),
            fields=normalised[start:end],
            extra_filters=extra,
        )
        for (pk, agency_id, _, day, *_), (start, end), extra in zip(rows, bounds, extras, strict=True)
    ]
