"""Requests whose replies disclosed information, as the one read that finds the same
information asked for by several applicants (条例第四十四条; the clustering and the office's
decisions are ``gongkai.conversions``, which foi does not know).

Only what that needs leaves this module: the tracking number, the description, the
same-applicant blind index (``FoiRequest.applicant_key``, never the ID number), the dates
and the disclosed files' hashes and names. No name, phone, address or ID number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongkai.foi.models import DisclosedFile, FoiRequest
from gongkai.foi.outcomes import ReplyType
from gongkai.foi.similarity import _bigrams

# The reply types that gave the applicant the information, fully or in part (Art. 36
# item 2, Art. 37). ``already_published`` disclosed nothing new: the information is
# proactive disclosure already, so there is nothing to convert.
DISCLOSING_REPLY_TYPES: tuple[ReplyType, ...] = (ReplyType.DISCLOSED, ReplyType.PARTIALLY_DISCLOSED)


@dataclass(frozen=True)
class DisclosedFileRef:
    pk: int
    sha256: str
    display_name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class DisclosedRequest:
    """One request of the agency whose reply disclosed information, fully or partly."""

    pk: int
    tracking_number: str
    description: str
    applicant_key: str
    received_on: dt.date | None
    replied_on: dt.date
    reply_type: str
    files: tuple[DisclosedFileRef, ...] = ()

    @property
    def file_hashes(self) -> frozenset[str]:
        return frozenset(f.sha256 for f in self.files)


def description_bigrams(text: str) -> frozenset[str]:
    """The character bigrams ``similarity.description_similarity`` compares (noise and
    boilerplate removed), for indexing descriptions before comparing them."""
    return frozenset(_bigrams(text))


def bigram_similarity(x: frozenset[str], y: frozenset[str]) -> float:
    """``similarity.description_similarity`` of two descriptions, from their
    ``description_bigrams`` (computed once each when thousands are compared)."""
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def disclosed_requests(*, agency_id: int, request_ids=None) -> list[DisclosedRequest]:
    """The agency's requests with a disclosing reply (``DISCLOSING_REPLY_TYPES``) and
    their disclosed files, oldest reply first (``request_ids``: only those). Two queries,
    whatever the number of requests."""
    qs = FoiRequest.objects.filter(agency_id=agency_id, reply__reply_type__in=DISCLOSING_REPLY_TYPES)
    if request_ids is not None:
        qs = qs.filter(pk__in=list(request_ids))
    rows = list(qs.order_by("reply__replied_on", "pk").values_list(
        "pk", "tracking_number", "description", "applicant_key", "received_on",
        "reply__replied_on", "reply__reply_type"))
    files: dict[int, list[DisclosedFileRef]] = {}
    for request_id, pk, sha256, name, content_type, size in (
        DisclosedFile.objects.filter(request__in=qs.values("pk"))
        .order_by("added_at", "pk")
        .values_list("request_id", "pk", "sha256", "display_name", "content_type", "size")
    ):
        files.setdefault(request_id, []).append(DisclosedFileRef(pk, sha256, name, content_type, size))
    return [
        DisclosedRequest(pk=pk, tracking_number=number, description=description,
                         applicant_key=key, received_on=received_on, replied_on=replied_on,
                         reply_type=reply_type, files=tuple(files.get(pk, ())))
        for pk, number, description, key, received_on, replied_on, reply_type in rows
    ]


def disclosed_files_of(request_ids) -> list[DisclosedFile]:
    """The disclosed files of these requests (rows, to read their content through the
    encrypted storage), oldest first."""
    return list(DisclosedFile.objects.filter(request_id__in=list(request_ids)).order_by("added_at", "pk"))
