"""Repeated requests turned into proactive disclosure (依申请转主动): which requests asked
for the same information, and when enough applicants did to propose it to the office.

条例第四十四条: “多个申请人就相同政府信息向同一行政机关提出公开申请，且该政府信息属于可以
公开的，行政机关可以纳入主动公开的范围。” So, for one agency:

- only requests whose reply disclosed the information, fully or in part, count (it is
  “可以公开”; ``foi.repeats.DISCLOSING_REPLY_TYPES``);
- two requests asked for the same information when their replies disclosed the same file
  (the same SHA-256), or when their descriptions are alike (``same_information``);
- the requests linked that way, directly or through others, form a cluster (connected
  components); a cluster is proposed when ``min_applicants`` distinct applicants (the
  same-applicant blind index, ``FoiRequest.applicant_key``) made its requests;
- a cluster the office already converted or dismissed is not proposed again, unless a
  request it has not decided on joins it.

The article says “可以”: this only proposes. The office decides, one cluster at a time.

Plain Python, no HTTP and no database: the selectors read the requests
(``foi.repeats.disclosed_requests``) and the decisions, and pass them in.

**Why 0.5.** ``foi.similarity.description_similarity`` is the Dice coefficient of
character bigrams. Measured on request descriptions in the style of the demo bureau's:

==============================================================  ====
the same information, worded by different applicants
==============================================================  ====
请公开2025年本局食品安全监督抽检不合格产品名单 / 申请获取2025年度…不合格食品名单  0.76
…食品安全监督抽检不合格产品名单 / 2025年食品抽检不合格产品名单及处置情况         0.63
…食品安全监督抽检不合格产品名单 / 我想了解贵局2025年食品安全抽检中不合格的产品有哪些  0.49
请提供本市2025年特种设备安全监察年度报告 / 申请公开青岚市2025年度特种设备安全监察报告  0.72
本局关于网络订餐平台监管的工作方案 / 申请获取网络订餐平台监管工作方案全文         0.65
2024年度食品安全监督抽检结果 / 请公开2024年食品抽检的结果                     0.54
different information
食品…抽检不合格产品名单 / …对辖区内餐饮单位开展明厨亮灶检查的结果              0.26
2021年至2025年本局全部行政许可档案目录 / 2024年本局收费项目目录              0.31
2025年食品抽检结果 / 2025年药品抽检结果                                     0.80
本市2025年特种设备…年度报告 / 本市2024年特种设备…年度报告                     0.90
==============================================================  ====

Paraphrases of one request score 0.49–0.76 and unrelated requests about 0.3, so 0.5
keeps all but the loosest paraphrase and none of the unrelated ones (foi's own repeat
check, for one applicant's near-copies, uses 0.6, which would lose two of the six
paraphrases above). No threshold separates a request from the same request about another
year or another product (0.8–0.9): bigrams cannot tell 食品 from 药品. Two guards help:
descriptions whose numbers conflict (2024 against 2025) are not linked by their wording,
and a shared disclosed file links requests whatever their wording. What remains is why
the office, not the rule, decides.

**Efficiency.** An agency may have thousands of disclosing requests; comparing every pair
is quadratic. Descriptions are compared only when they share a bigram among the rarest
few of each (prefix filtering: a Dice coefficient of at least t needs an overlap of at
least t·|x|/(2−t) bigrams, so two such sets share one of the first |x|−⌈t·|x|/(2−t)⌉+1
bigrams of each in any fixed order; rarest first keeps the lists short). Pairs already in
one cluster are not compared, and each bigram's list keeps its ``POSTING_LIMIT`` latest
requests, which bounds the work for a very large group of near-identical requests (any of
the latest suffices to join the group).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from gongkai.core.rules import rule
from gongkai.foi.repeats import DisclosedRequest, bigram_similarity, description_bigrams

DEFAULT_MIN_APPLICANTS = 3
# 多个申请人: more than one.
LEAST_MIN_APPLICANTS = 2
MOST_MIN_APPLICANTS = 100
# See the module's docstring for the measurements behind it.
DESCRIPTION_SIMILARITY = Fraction(1, 2)
POSTING_LIMIT = 64
TITLE_MAX = 100

_DIGITS = re.compile(r"\d+")


@rule
def min_applicants(configured: int | None = None) -> int:
    """How many distinct applicants must have asked one agency for the same information,
    and had it disclosed, before the office is proposed to publish it proactively: the
    agency's setting, 3 by default, never fewer than 2 (多个申请人).

    依据：条例第四十四条
    """
    if configured is None:
        return DEFAULT_MIN_APPLICANTS
    return max(LEAST_MIN_APPLICANTS, min(MOST_MIN_APPLICANTS, int(configured)))


def _numbers(text: str) -> frozenset[str]:
    return frozenset(str(int(n)) for n in _DIGITS.findall(text or ""))


def numbers_conflict(a: str, b: str) -> bool:
    """Both descriptions name numbers (years, document numbers) and neither's numbers
    include the other's: "2024年…" and "2025年…" ask for different information, however
    alike the words."""
    return _conflict(_numbers(a), _numbers(b))


def _conflict(x: frozenset[str], y: frozenset[str]) -> bool:
    return bool(x) and bool(y) and not (x <= y or y <= x)


@dataclass(frozen=True)
class _Compared:
    """What ``same_information`` compares of a request, computed once."""

    files: frozenset[str]
    numbers: frozenset[str]
    bigrams: frozenset[str]

    @classmethod
    def of(cls, request: DisclosedRequest) -> _Compared:
        return cls(request.file_hashes, _numbers(request.description),
                   description_bigrams(request.description))


def _same(a: _Compared, b: _Compared) -> tuple[str, float | None] | None:
    if a.files & b.files:
        return ("file", None)
    if _conflict(a.numbers, b.numbers):
        return None
    similarity = bigram_similarity(a.bigrams, b.bigrams)
    if similarity >= DESCRIPTION_SIMILARITY:
        return ("description", round(similarity, 2))
    return None


@rule
def same_information(a: DisclosedRequest, b: DisclosedRequest) -> tuple[str, float | None] | None:
    """Whether two disclosing requests to one agency asked for the same information, and
    why: ``("file", None)`` when their replies disclosed the same file (SHA-256),
    ``("description", similarity)`` when their descriptions are alike
    (``foi.similarity.description_similarity`` of ``DESCRIPTION_SIMILARITY`` or more) and
    their numbers do not conflict (``numbers_conflict``), else None.

    依据：条例第四十四条
    """
    return _same(_Compared.of(a), _Compared.of(b))


@dataclass(frozen=True)
class Link:
    """Why two requests are in one cluster (the pair that joined them)."""

    a: int
    b: int
    by: str  # "file" or "description"
    similarity: float | None = None


@dataclass(frozen=True)
class CommonFile:
    sha256: str
    display_name: str
    requests: int  # how many of the cluster's requests were sent it


@dataclass(frozen=True)
class Cluster:
    """Requests to one agency that asked for the same information."""

    key: str
    agency_id: int
    requests: tuple[DisclosedRequest, ...]  # oldest reply first
    applicants: int  # distinct applicants
    links: tuple[Link, ...]
    common_files: tuple[CommonFile, ...]
    undecided: frozenset[int] = field(default_factory=frozenset)  # not yet converted or dismissed

    @property
    def proposed(self) -> bool:
        """Proposed to the office: some request of it has not been decided on."""
        return bool(self.undecided)

    @property
    def request_ids(self) -> list[int]:
        return [r.pk for r in self.requests]

    @property
    def first_replied_on(self):
        return min(r.replied_on for r in self.requests)

    @property
    def last_replied_on(self):
        return max(r.replied_on for r in self.requests)

    @property
    def suggested_title(self) -> str:
        return suggested_title([r.description for r in self.requests])


def cluster_key(agency_id: int, request_ids: Iterable[int]) -> str:
    """A cluster's name in addresses and records: its agency and a digest of its
    requests, so that it changes when a request joins."""
    digest = hashlib.sha256(",".join(str(pk) for pk in sorted(request_ids)).encode()).hexdigest()
    return f"{agency_id}-{digest[:20]}"


class _Components:
    """Union-find over request positions."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        self.parent[max(ri, rj)] = min(ri, rj)
        return True


def _prefix_length(size: int, threshold: Fraction) -> int:
    """How many of a set's rarest bigrams another set with a Dice coefficient of at least
    ``threshold`` must share one of."""
    least_overlap = math.ceil(threshold * size / (2 - threshold))
    return size - least_overlap + 1


def find_links(requests: list[DisclosedRequest], *, threshold: Fraction = DESCRIPTION_SIMILARITY
               ) -> tuple[_Components, list[Link]]:
    """Link the requests that asked for the same information (``same_information``),
    comparing only the pairs that can be alike (see the module's docstring)."""
    components = _Components(len(requests))
    links: list[Link] = []
    by_hash: dict[str, int] = {}
    for i, request in enumerate(requests):
        for sha in sorted(request.file_hashes):
            j = by_hash.setdefault(sha, i)
            if j != i and components.union(i, j):
                links.append(Link(requests[j].pk, request.pk, "file"))

    compared_of = [_Compared.of(r) for r in requests]
    frequency = Counter(t for c in compared_of for t in c.bigrams)
    postings: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=POSTING_LIMIT))
    for i, mine in enumerate(compared_of):
        tokens = mine.bigrams
        if not tokens:
            continue
        ordered = sorted(tokens, key=lambda t: (frequency[t], t))
        prefix = ordered[:_prefix_length(len(ordered), threshold)]
        compared: set[int] = set()
        for token in prefix:
            for j in postings[token]:
                if j in compared:
                    continue
                compared.add(j)
                if components.find(i) == components.find(j):
                    continue
                found = _same(compared_of[j], mine)
                if found is not None and components.union(i, j):
                    links.append(Link(requests[j].pk, requests[i].pk, found[0], found[1]))
        for token in prefix:
            postings[token].append(i)
    return components, links


def find_clusters(requests: list[DisclosedRequest], *, agency_id: int, min_applicants: int,
                  decided: Iterable[int] = ()) -> list[Cluster]:
    """The clusters of ``min_applicants`` or more distinct applicants among one agency's
    disclosing requests, proposed ones first (most applicants first), then those already
    decided; ``decided`` are the requests the office converted or dismissed before."""
    decided = set(decided)
    components, links = find_links(requests)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(requests)):
        groups[components.find(i)].append(i)
    links_of: dict[int, list[Link]] = defaultdict(list)
    position = {r.pk: i for i, r in enumerate(requests)}
    for link in links:
        links_of[components.find(position[link.a])].append(link)

    clusters = []
    for root, members in groups.items():
        if len(members) < 2:
            continue
        members_requests = tuple(requests[i] for i in members)
        applicants = len({r.applicant_key for r in members_requests})
        if applicants < min_applicants:
            continue
        ids = [r.pk for r in members_requests]
        clusters.append(Cluster(
            key=cluster_key(agency_id, ids),
            agency_id=agency_id,
            requests=members_requests,
            applicants=applicants,
            links=tuple(links_of[root]),
            common_files=_common_files(members_requests),
            undecided=frozenset(pk for pk in ids if pk not in decided),
        ))
    clusters.sort(key=lambda c: (not c.proposed, -c.applicants, -c.last_replied_on.toordinal(), c.key))
    return clusters


def _common_files(requests: tuple[DisclosedRequest, ...]) -> tuple[CommonFile, ...]:
    """The files sent to two or more of the requests, most widely sent first."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for r in requests:
        for f in r.files:
            names.setdefault(f.sha256, f.display_name)
        counts.update(r.file_hashes)
    return tuple(
        CommonFile(sha, names[sha], n)
        for sha, n in sorted(counts.items(), key=lambda item: (-item[1], names[item[0]]))
        if n >= 2
    )


_ASKING = re.compile(r"^(?:您好|你好)?[，,\s]*(?:请求|请|申请|要求|我想|希望)?(?:公开|提供|获取|查阅|了解)?")
_TRAILING = re.compile(r"[。.！!？?；;，,\s]+$")


def suggested_title(descriptions: list[str]) -> str:
    """A draft title for the item: the description most of the requests used (the
    earliest among equals), without the asking words ("请公开…") and the final full stop.
    The office edits it before converting."""
    if not descriptions:
        return ""
    normalised = [" ".join((d or "").split()) for d in descriptions]
    counts = Counter(normalised)
    best = max(normalised, key=lambda d: (counts[d], -normalised.index(d)))
    title = _TRAILING.sub("", _ASKING.sub("", best, count=1)) or best
    return title[:TITLE_MAX]
