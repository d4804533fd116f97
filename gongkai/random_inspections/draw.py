"""The draw (随机抽取): a deterministic function of the frozen inputs and the seed,
specified here completely so that anyone can re-implement it (docs/random_inspections.md
states the same in prose, with a worked example). Pure Python standard library, no Django:
``gongkai inspections verify`` and the public check page run this module, and it is
offered for download as it is (``python draw.py --help``).

Version ``gongkai-draw-v2``. Every string is UTF-8; ``‖`` is concatenation and ``US`` the
byte 0x1F. ``HMAC-SHA256(key, msg)`` is RFC 2104 HMAC with SHA-256 (Python's
``hmac.new(key, msg, "sha256")``), the key being the seed's UTF-8 bytes.

**Inputs** (frozen when a task's draw is committed, published — the exclusions only by
their SHA-256 and count — before the seed is known):
- ``reference``: the task's public identifier, e.g. ``"1201000000000001/2026/003"``;
- candidates: the directory rows the task's filter selects, each ``(credit_code,
  stratum, region, grid)``, credit codes unique; the stratum is the risk grade (or ``""``);
- inspectors: ``(certificate, region, grid)`` of the active inspectors of the task's
  departments and agencies, certificates unique;
- exclusions: pairs ``(certificate, credit_code)`` never drawn together (declared
  conflicts, and the inspectors of the entity's previous inspection when that rule is on),
  held as ``pair_hash = SHA-256(certificate ‖ US ‖ credit_code)``. They are NOT published:
  both halves of a pair are public, so anyone could hash every pair and recover who
  declared a conflict with whom. Only their snapshot's SHA-256 and count are published
  with the inputs; the pairs that actually made the draw pass an inspector over are
  published with the result (``skipped``, below);
- the sample: a ratio in percent (a decimal string such as ``"5"`` or ``"2.5"``) or a
  count; the stratum weights (positive decimal strings, missing = 1); inspectors per
  target ``m``; the flags ``avoid_same_region`` and ``avoid_same_grid``.

Everything but the rows is one JSON document (the draw's ``inputs``); its canonical form
(:func:`canonical_json`: keys sorted, no spaces, UTF-8 unescaped) has a published SHA-256.

**Quotas.** ``N`` candidates; ``n = count`` or ``ceil(N × ratio / 100)`` in exact rational
arithmetic; ``n = min(n, N)``. Strata sizes ``N_s``, weights ``w_s``. Repeat: over the
strata not yet capped, the ideal share of the remaining ``n'`` is
``n' × w_s N_s / Σ w N``; every stratum whose ideal share is at least ``N_s`` is capped
(``k_s = N_s``) and removed, ``n'`` reduced, until none is. Then each uncapped stratum gets
``floor(ideal)`` and the ``n' − Σ floor`` remaining places go one each to the largest
fractional parts, ties to the stratum that sorts first (by code point).

**Targets.** ``score(c) = HMAC-SHA256(key = seed, msg = "E" ‖ US ‖ reference ‖ US ‖
credit_code)`` as lowercase hex; within each stratum, candidates in ascending score (ties,
which do not happen in practice, by credit code); the first ``k_s`` are drawn, with ranks
1…k_s.

**Inspectors of a target c.** The base pool ``B`` is the inspectors sorted by
certificate, without those in c's region when ``avoid_same_region`` (both non-empty and
equal) and in c's grid when ``avoid_same_grid`` (likewise). For ``j = 0, 1, 2, …``:
``h_j = HMAC-SHA256(seed, "I" ‖ US ‖ reference ‖ US ‖ credit_code ‖ US ‖ decimal(j))``
read as a big-endian unsigned integer; the candidate is ``B[h_j mod |B|]``. It is taken
unless already taken for c or ``(certificate, credit_code)`` is excluded; stop when ``m``
are taken. The certificates passed over because excluded (not those already taken) are
c's ``skipped`` list, in the order met. (The modulo bias is below 2⁻²³⁰ for any pool smaller than 2²⁵.) If fewer than
``m`` of ``B`` are eligible the draw cannot be made: :class:`DrawImpossible`, before
anything is stored. (An implementation finds this out by stopping once every index of
``B`` has come up, or by counting the eligible members first; both give the same draw.)

**Result.** The published list, one line per target in (stratum, rank) order, strata by
code point: ``credit_code ‖ "," ‖ stratum ‖ "," ‖ rank ‖ "," ‖ certificates joined by
";"`` (in the order taken) ``‖ "," ‖ skipped joined by ";"`` (often empty), each line
ending in ``"\\n"``; ``result_sha256`` is its SHA-256.

**The public re-run.** Without the exclusion snapshot, anyone re-runs the draw from the
other snapshots, the seed and the list itself: for target c a certificate counts as
excluded iff it is in c's published ``skipped`` list (``run_draw(...,
published_skips=...)``). The targets are fully re-derived; the re-run's skipped lists
must equal the published ones exactly, so a skip invented (the certificate never came up,
or would not have been taken) or left out (the re-run takes it) shows. Whether each
skipped pair really is in the committed exclusion snapshot only the platform and the
supervising office can check (``gongkai inspections verify``).

**Snapshots** are canonical text, one row per line ending in ``"\\n"``, fields joined by
``","`` (no field may hold ``","``, ``"\\n"``, ``"\\r"`` or ``US``), sorted by their first
field (by code point, which is UTF-8 byte order), first fields unique: candidates
``credit_code,stratum,region,grid``; inspectors ``certificate,region,grid``; exclusions
``pair_hash``. Their SHA-256 are published; the candidates and inspectors are
downloadable, the exclusions are not (see above).

**Seed.** Either a commitment: the platform generates a secret (:func:`new_secret`) and
publishes ``SHA-256(secret)`` (:func:`commitment`) with the inputs; the secret is the seed
and is revealed at the draw. Or a public future value named with the inputs (a lottery
draw after the commitment, named by kind, period and time); the seed is that value as
its organiser published it, in the kind's one canonical spelling, then
:func:`normalise_public_value` (NFKC, outer whitespace removed, inner runs of whitespace
made one space). Whoever checks compares the seed with the organiser's publication.
"""

from __future__ import annotations

import gc
import hashlib
import heapq
import json
import math
import operator
import re
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, partial, wraps
from itertools import chain, islice
from typing import NamedTuple

try:  # CPython's own SHA-256: the same digests as OpenSSL's, a third less per-call overhead
    from _sha256 import sha256 as _fast_sha256
except ImportError:  # pragma: no cover - builds without the built-in hashes
    _fast_sha256 = hashlib.sha256

ALGORITHM = "gongkai-draw-v2"
US = "\x1f"
_US = b"\x1f"
_first = operator.itemgetter(0)  # a row's first field, in C
_FORBIDDEN = re.compile("[,\n\r\x1f]")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_RANK = re.compile(r"[1-9][0-9]*")


class DrawImpossible(Exception):
    """The inputs cannot give a draw (e.g. a target without ``m`` eligible inspectors);
    ``message`` is Chinese, for the office."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SnapshotError(ValueError):
    """A snapshot's bytes are not canonical (for a download that was altered), or do not
    match the SHA-256 published for them; the message is Chinese."""


# The rows are named tuples, not dataclasses: a million of them are built when a snapshot
# is read, and a tuple is built in a fifth of the time of a frozen dataclass.
class Candidate(NamedTuple):
    credit_code: str
    stratum: str = ""
    region: str = ""
    grid: str = ""


class InspectorEntry(NamedTuple):
    certificate: str
    region: str = ""
    grid: str = ""


# ``_make`` without its Python-level call and length check, for rows whose width
# ``_parse`` has checked: a fifth of a million-row parse.
_new_candidate = partial(tuple.__new__, Candidate)
_new_inspector = partial(tuple.__new__, InspectorEntry)


@dataclass(frozen=True)
class DrawInputs:
    reference: str
    candidates: tuple[Candidate, ...]
    inspectors: tuple[InspectorEntry, ...]
    excluded_pair_hashes: frozenset[str]
    inspectors_per_target: int
    sample_ratio: str | None = None  # percent, a decimal string such as "5" or "2.5"
    sample_count: int | None = None
    weights: dict[str, str] | None = None  # stratum → decimal string; missing = "1"
    avoid_same_region: bool = False
    avoid_same_grid: bool = False


class DrawnRow(NamedTuple):
    credit_code: str
    stratum: str
    rank: int
    score: str
    certificates: tuple[str, ...]
    skipped: tuple[str, ...] = ()  # passed over because excluded, in the order met


@dataclass(frozen=True)
class DrawOutcome:
    quotas: dict[str, int]
    rows: tuple[DrawnRow, ...]  # in (stratum, rank) order

    @cached_property
    def result_text(self) -> bytes:
        """The published list (see the module's **Result**)."""
        return "".join(
            f"{row.credit_code},{row.stratum},{row.rank},{';'.join(row.certificates)},{';'.join(row.skipped)}\n"
            for row in self.rows
        ).encode("utf-8")

    @property
    def result_sha256(self) -> str:
        return sha256_hex(self.result_text)


def _without_cyclic_gc(function):
    """Run ``function`` with the cyclic garbage collector paused. A draw or a snapshot makes
    a million small objects without cycles, and the collector would walk them all several
    times over: a third of a draw's time and over half a snapshot's parse, measured."""

    @wraps(function)
    def paused(*args, **kwargs):
        collecting = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return paused


# --- hashes, seeds ---------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pair_hash(certificate: str, credit_code: str) -> str:
    """How an exclusion is held (never published): SHA-256(certificate ‖ US ‖ credit_code), hex."""
    return sha256_hex(f"{certificate}{US}{credit_code}".encode())


def new_secret() -> str:
    """A fresh seed for the commitment mode: 256 random bits as 64 hex digits."""
    return secrets.token_hex(32)


def commitment(secret: str) -> str:
    """What is published before the draw: SHA-256 of the secret's UTF-8 bytes, hex."""
    return sha256_hex(secret.encode("utf-8"))


def normalise_public_value(value: str) -> str:
    """A public value as the seed: NFKC (full-width digits become ASCII), whitespace
    trimmed and every inner run of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def canonical_json(doc: dict) -> bytes:
    """The inputs document's canonical bytes, whose SHA-256 is published."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def inputs_sha256(doc: dict) -> str:
    return sha256_hex(canonical_json(doc))


class _Hmac:
    """HMAC-SHA256 (RFC 2104) under one key, with a fixed message prefix absorbed once:
    the inner and outer states are computed once and copied per message, which is the same
    function as ``hmac.new(key, prefix + msg, "sha256")`` at a fraction of the cost."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes, prefix: bytes = b"", *, _states=None):
        if _states is not None:
            self._inner, self._outer = _states
            return
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = _fast_sha256(bytes(b ^ 0x36 for b in key))
        self._outer = _fast_sha256(bytes(b ^ 0x5C for b in key))
        self._inner.update(prefix)

    def extended(self, more: bytes) -> _Hmac:
        inner = self._inner.copy()
        inner.update(more)
        return _Hmac(b"", _states=(inner, self._outer))

    def digests(self, messages: list[str]) -> list[bytes]:
        """``digest`` of each message's UTF-8 bytes (the hot loop of a draw, inlined)."""
        inner_copy, outer_copy = self._inner.copy, self._outer.copy
        out = []
        append = out.append
        for message in messages:
            inner = inner_copy()
            inner.update(message.encode())
            outer = outer_copy()
            outer.update(inner.digest())
            append(outer.digest())
        return out

    def digest(self, msg: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(msg)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


def candidate_score(seed: str, reference: str, credit_code: str) -> str:
    """A candidate's score (see **Targets**), lowercase hex."""
    return _Hmac(seed.encode("utf-8"), f"E{US}{reference}{US}".encode()).digest(credit_code.encode()).hex()


# --- the sample and the quotas -----------------------------------------------------------


def _decimal(value: str, what: str) -> Fraction:
    text = str(value).strip()
    if not _DECIMAL.fullmatch(text):
        raise DrawImpossible(f"{what}“{value}”不是有效的数字")
    return Fraction(text)


def sample_size(total: int, *, ratio: str | None, count: int | None) -> int:
    """``n``: the count, or ``ceil(total × ratio / 100)`` exactly; never above ``total``."""
    if (ratio is None) == (count is None):
        raise DrawImpossible("抽查比例和抽查户数须填写且只填写其中一项")
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise DrawImpossible(f"抽查户数“{count}”无效")
        n = count
    else:
        n = math.ceil(total * _decimal(ratio, "抽查比例") / 100)
    return min(n, total)


def quotas(sizes: dict[str, int], n: int, weights: dict[str, str] | None = None) -> dict[str, int]:
    """``k_s`` for every stratum of ``sizes`` (see **Quotas**): shares proportional to
    ``w_s N_s``, capped at ``N_s``, largest remainders, ties by code point."""
    weights = weights or {}
    if n > sum(sizes.values()):
        raise DrawImpossible(f"抽查户数 {n} 超过候选对象数 {sum(sizes.values())}")
    weight = {}
    for stratum in sizes:
        w = _decimal(weights.get(stratum, "1"), f"风险等级“{stratum}”的权重")
        if w <= 0:
            raise DrawImpossible(f"风险等级“{stratum}”的权重须大于零")
        weight[stratum] = w
    result = dict.fromkeys(sizes, 0)
    open_ = sorted(s for s, size in sizes.items() if size > 0)
    remaining = n
    while open_ and remaining > 0:
        total = sum(weight[s] * sizes[s] for s in open_)
        capped = [s for s in open_ if Fraction(remaining) * weight[s] * sizes[s] / total >= sizes[s]]
        if not capped:
            break
        for s in capped:
            result[s] = sizes[s]
        remaining -= sum(sizes[s] for s in capped)
        open_ = [s for s in open_ if s not in capped]
    if open_ and remaining > 0:
        total = sum(weight[s] * sizes[s] for s in open_)
        ideal = {s: Fraction(remaining) * weight[s] * sizes[s] / total for s in open_}
        for s in open_:
            result[s] = math.floor(ideal[s])
        left = remaining - sum(result[s] for s in open_)
        for s in sorted(open_, key=lambda s: (-(ideal[s] - math.floor(ideal[s])), s))[:left]:
            result[s] += 1
    return result


# --- snapshots ---------------------------------------------------------------------------


def _field(value: str, what: str) -> str:
    if _FORBIDDEN.search(value):
        raise SnapshotError(f"{what}“{value}”含有逗号、换行或控制字符，不能写入快照")
    return value


def _serialise(rows, kind, what: str) -> bytes:
    """The canonical text of ``rows`` (:class:`Candidate`-like tuples of ``kind``'s width,
    or any rows :func:`_as_fields` accepts): sorted by the first field, first fields unique,
    no field holding a separator. The usual rows (tuples of the right width whose fields
    are all exactly ``str``, so that ``_as_fields`` would leave them as they are) are
    checked in C: the joined text holds exactly ``width - 1`` commas and one line feed per
    row iff no field holds either. Any other rows, and rows that fail the check, go the
    field-by-field way, which gives the same bytes and raises the same errors as before."""
    rows = rows if isinstance(rows, list) else list(rows)
    width = len(kind._fields)
    try:
        if (not all(map(width.__eq__, map(len, rows)))
                or not set(map(type, chain.from_iterable(rows))) <= {str}):
            raise TypeError
        lines = sorted(rows, key=_first)
        keys = list(map(_first, lines))
        text = "\n".join(chain(map(",".join, lines), ("",)))  # the "" ends the last line in "\n"
    except (TypeError, LookupError):
        return _serialise_fields([tuple(_as_fields(row, kind)) for row in rows], what)
    if len(set(keys)) != len(keys):
        _refuse_duplicates(keys, what)
    if text.count(",") != (width - 1) * len(rows) or text.count("\n") != len(rows) or "\r" in text or US in text:
        for fields in lines:
            for value in fields:
                _field(value, what)
    return text.encode("utf-8")


def _refuse_duplicates(keys: list[str], what: str) -> None:
    for before, after in zip(keys, keys[1:], strict=False):
        if before == after:
            raise SnapshotError(f"{what}“{after}”重复")


def _serialise_fields(lines: list[tuple[str, ...]], what: str) -> bytes:
    lines.sort(key=lambda fields: fields[0])
    _refuse_duplicates([fields[0] for fields in lines], what)
    out = []
    for fields in lines:
        for value in fields:
            _field(value, what)
        out.append(",".join(fields))
        out.append("\n")
    return "".join(out).encode("utf-8")


def _parse(data: bytes, width: int, what: str) -> list[list[str]]:
    data = bytes(data)
    if not data:
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SnapshotError(f"{what}快照不是UTF-8文本") from None
    if not text.endswith("\n"):
        raise SnapshotError(f"{what}快照的最后一行没有以换行结束")
    if "\r" in text or US in text:
        raise SnapshotError(f"{what}快照含有回车或控制字符")
    rows = [line.split(",") for line in text[:-1].split("\n")]
    if not all(map(width.__eq__, map(len, rows))):  # in C: fast on a million rows
        number = next(n for n, fields in enumerate(rows, start=1) if len(fields) != width)
        raise SnapshotError(f"{what}快照第{number}行应有{width}个字段，实有{len(rows[number - 1])}个")
    keys = list(map(_first, rows))
    # Sorted and unique iff strictly increasing: one pass in C, no sorted copy nor set.
    if not all(map(operator.lt, keys, islice(keys, 1, None))):
        number = next(n for n in range(1, len(keys)) if keys[n] <= keys[n - 1]) + 1
        raise SnapshotError(f"{what}快照第{number}行“{keys[number - 1]}”未按顺序排列或重复")
    return rows


@_without_cyclic_gc
def serialise_candidates(rows) -> bytes:
    """Candidate snapshot from :class:`Candidate` or ``(credit_code, stratum, region,
    grid)`` rows, in any order."""
    return _serialise(rows, Candidate, "检查对象")


@_without_cyclic_gc
def parse_candidates(data: bytes) -> tuple[Candidate, ...]:
    rows = _parse(data, 4, "检查对象")
    if rows and not rows[0][0]:  # sorted: an empty first field can only be the first
        raise SnapshotError("检查对象快照第1行缺少统一社会信用代码")
    return tuple(map(_new_candidate, rows))


@_without_cyclic_gc
def serialise_inspectors(rows) -> bytes:
    """Inspector snapshot from :class:`InspectorEntry` or ``(certificate, region, grid)``
    rows, in any order."""
    return _serialise(rows, InspectorEntry, "执法人员")


@_without_cyclic_gc
def parse_inspectors(data: bytes) -> tuple[InspectorEntry, ...]:
    rows = _parse(data, 3, "执法人员")
    if rows and not rows[0][0]:
        raise SnapshotError("执法人员快照第1行缺少执法证号")
    return tuple(map(_new_inspector, rows))


@_without_cyclic_gc
def serialise_exclusions(pair_hashes) -> bytes:
    """Exclusion snapshot from pair hashes (:func:`pair_hash`); duplicates collapse, since
    a pair excluded twice (a conflict that is also the previous inspection) is one rule."""
    hashes = sorted(set(pair_hashes))
    for value in hashes:
        if not _HEX64.fullmatch(value):
            raise SnapshotError(f"回避快照的“{value}”不是SHA-256摘要")
    return "".join(f"{value}\n" for value in hashes).encode("ascii")


@_without_cyclic_gc
def parse_exclusions(data: bytes) -> frozenset[str]:
    rows = _parse(data, 1, "回避")
    for number, (value,) in enumerate(rows, start=1):
        if not _HEX64.fullmatch(value):
            raise SnapshotError(f"回避快照第{number}行不是小写十六进制的SHA-256摘要")
    return frozenset(value for (value,) in rows)


def _as_fields(row, kind) -> tuple[str, ...]:
    if isinstance(row, kind):
        return tuple(row)
    fields = tuple("" if value is None else str(value) for value in row)
    if len(fields) != len(kind._fields):
        raise SnapshotError(f"快照行{fields!r}的字段数不对")
    return fields


def decompress_snapshot(data: bytes) -> bytes:
    """A snapshot as stored (gzip) or as downloaded (plain): its canonical bytes. A gzip
    stream starts with 0x1F, which no canonical snapshot can."""
    import gzip

    data = bytes(data)
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data


def inputs_from_document(doc: dict, candidates: bytes, inspectors: bytes,
                         exclusions: bytes | None = None) -> DrawInputs:
    """The draw's inputs from the published document and the snapshots (plain or gzip),
    refusing a snapshot whose SHA-256 or row count is not the one published. Without the
    exclusion snapshot (the public has none) the inputs hold no exclusions: re-run them
    with ``run_draw(..., published_skips=...)``."""
    if doc.get("algorithm") != ALGORITHM:
        raise SnapshotError(f"抽取算法“{doc.get('algorithm')}”不是本程序实现的“{ALGORITHM}”")
    plain = {"exclusions": b""}
    given = [("candidates", candidates, "检查对象"), ("inspectors", inspectors, "执法人员")]
    if exclusions is not None:
        given.append(("exclusions", exclusions, "回避"))
    for key, data, label in given:
        data = decompress_snapshot(data)
        published = (doc.get(key) or {}).get("sha256")
        if sha256_hex(data) != published:
            raise SnapshotError(f"{label}快照的SHA-256与公布的摘要不符（文件已被改动或不是本次抽取的快照）")
        plain[key] = data
    parsed_candidates = parse_candidates(plain["candidates"])
    parsed_inspectors = parse_inspectors(plain["inspectors"])
    parsed_exclusions = parse_exclusions(plain["exclusions"])
    counted = [("candidates", parsed_candidates, "检查对象"), ("inspectors", parsed_inspectors, "执法人员")]
    if exclusions is not None:
        counted.append(("exclusions", parsed_exclusions, "回避"))
    for key, rows, label in counted:
        if doc[key].get("count") != len(rows):
            raise SnapshotError(f"{label}快照有{len(rows)}行，公布的是{doc[key].get('count')}行")
    ratio = doc.get("sample_ratio")
    return DrawInputs(
        reference=doc["reference"],
        candidates=parsed_candidates,
        inspectors=parsed_inspectors,
        excluded_pair_hashes=parsed_exclusions,
        inspectors_per_target=doc["inspectors_per_target"],
        sample_ratio=None if ratio is None else str(ratio),
        sample_count=doc.get("sample_count"),
        weights=dict(doc.get("weights") or {}),
        avoid_same_region=bool(doc.get("avoid_same_region")),
        avoid_same_grid=bool(doc.get("avoid_same_grid")),
    )


# --- the draw ----------------------------------------------------------------------------


def _select(scores: list[bytes], codes: list[str], members: list[int], k: int,
            kept: list[int] | None) -> list[int]:
    """The ``k`` members of lowest (score, credit code), in that order: exactly the first
    ``k`` of a full sort. ``kept`` (when given) holds every candidate whose score is at or
    below a threshold; if at least ``k`` of the stratum's members are among them, the
    ``k`` smallest are too, and only those need sorting."""
    if k <= 0:
        return []
    if kept is not None:
        chosen = sorted((scores[i], codes[i], i) for i in kept)
        if len(chosen) >= k:
            return [i for _, _, i in chosen[:k]]
    chosen = heapq.nsmallest(k, ((scores[i], codes[i], i) for i in members))
    return [i for _, _, i in chosen]


def _threshold(k: int, size: int) -> bytes:
    """A score most likely above the ``k``-th smallest of ``size`` uniform scores (six
    standard deviations up); a wrong guess costs time, never correctness."""
    expected = k / size
    fraction = min(1.0, expected + 6 * math.sqrt(expected / size) + 64 / size)
    return min(2**64 - 1, int(fraction * 2**64)).to_bytes(8, "big") + b"\xff" * 24


@_without_cyclic_gc
def run_draw(inputs: DrawInputs, seed: str,
             published_skips: dict[str, tuple[str, ...]] | None = None) -> DrawOutcome:
    """The draw (see the module's docstring). Raises :class:`DrawImpossible` with a Chinese
    message when the inputs cannot give one.

    With ``published_skips`` (credit code → the certificates a published list says were
    skipped for it; :func:`published_skips`), the public re-run: a certificate counts as
    excluded for a target iff it is in that target's list, and ``inputs.excluded_pair_hashes``
    is not consulted. Compare the re-run's list with the published one byte for byte."""
    if not seed:
        raise DrawImpossible("随机种子为空")
    m = inputs.inspectors_per_target
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise DrawImpossible(f"每户执法人员数“{m}”无效")
    key = seed.encode("utf-8")
    reference = inputs.reference.encode("utf-8")
    candidates = inputs.candidates

    strata_of = [c.stratum for c in candidates]
    sizes = dict(Counter(strata_of))
    n = sample_size(len(candidates), ratio=inputs.sample_ratio, count=inputs.sample_count)
    quota = quotas(sizes, n, inputs.weights)
    if n == 0:
        return DrawOutcome(quotas=quota, rows=())

    # Every candidate's score, in one pass; then, per stratum, the k_s smallest.
    codes = [c.credit_code for c in candidates]
    scores = _Hmac(key, b"E" + _US + reference + _US).digests(codes)
    bounds = {s: _threshold(k, sizes[s]) for s, k in quota.items() if k > 0 and k * 4 < sizes[s]}
    kept_by_stratum: dict[str, list[int]] = {s: [] for s in bounds}
    if bounds:
        highest = max(bounds.values())
        for i in [i for i, score in enumerate(scores) if score <= highest]:
            stratum = strata_of[i]
            if stratum in bounds and scores[i] <= bounds[stratum]:
                kept_by_stratum[stratum].append(i)
    drawn: list[tuple[str, int, int]] = []  # (stratum, rank, index)
    for stratum in sorted(sizes):
        k = quota[stratum]
        if k == 0:
            continue
        kept = kept_by_stratum.get(stratum)
        members = [] if kept is not None and len(kept) >= k else [
            i for i, s in enumerate(strata_of) if s == stratum]
        for rank, i in enumerate(_select(scores, codes, members, k, kept), 1):
            drawn.append((stratum, rank, i))
    if len({codes[i] for _, _, i in drawn}) != len(drawn):
        raise DrawImpossible("候选对象中有重复的统一社会信用代码")
    rows = _draw_inspectors(inputs, key, reference, m, drawn, scores, published_skips)
    return DrawOutcome(quotas=quota, rows=tuple(rows))


def _draw_inspectors(inputs: DrawInputs, key: bytes, reference: bytes, m: int, drawn,
                     scores: list[bytes], published_skips: dict[str, tuple[str, ...]] | None) -> list[DrawnRow]:
    ordered = sorted(inputs.inspectors, key=lambda entry: entry.certificate)
    certificates = [entry.certificate for entry in ordered]
    if len(set(certificates)) != len(certificates):
        raise DrawImpossible("执法人员名录中有重复的执法证号")
    prefixes = [(certificate + US).encode("utf-8") for certificate in certificates]
    by_region: dict[str, set[int]] = {}
    by_grid: dict[str, set[int]] = {}
    for index, entry in enumerate(ordered):
        if entry.region:
            by_region.setdefault(entry.region, set()).add(index)
        if entry.grid:
            by_grid.setdefault(entry.grid, set()).add(index)
    everyone = list(range(len(ordered)))
    # Base pools, built once per region and per (region, grid): a grid usually lies in one
    # region, so under both avoidances its pool is the region's, shared, not a copy.
    regional: dict[str, list[int]] = {}
    pools: dict[tuple[str, str], list[int]] = {}
    avoid_region, avoid_grid = inputs.avoid_same_region, inputs.avoid_same_grid
    excluded = inputs.excluded_pair_hashes
    sha256 = _fast_sha256
    base = _Hmac(key, b"I" + _US + reference + _US)
    base_copy, outer_copy = base._inner.copy, base._outer.copy
    from_bytes = int.from_bytes
    steps = [str(j).encode() for j in range(64)]
    candidates = inputs.candidates

    rows = []
    for stratum, rank, i in drawn:
        candidate = candidates[i]
        code = candidate.credit_code
        pool_key = (candidate.region if avoid_region else "", candidate.grid if avoid_grid else "")
        pool = pools.get(pool_key)
        if pool is None:
            region_away = by_region.get(pool_key[0], set())
            base = regional.get(pool_key[0])
            if base is None:
                base = regional[pool_key[0]] = [i for i in everyone if i not in region_away] if region_away \
                    else everyone
            grid_away = by_grid.get(pool_key[1], set()) - region_away
            pool = pools[pool_key] = [i for i in base if i not in grid_away] if grid_away else base
        size = len(pool)
        if size < m:
            raise DrawImpossible(
                f"检查对象 {code} 回避后可抽取的执法人员只有 {size} 名，少于每户 {m} 名")
        code_bytes = code.encode("utf-8")
        per_target = base_copy()
        per_target.update(code_bytes + _US)
        target_copy = per_target.copy
        taken: list[int] = []
        skipped: list[str] = []
        seen: set[int] = set()
        mine = None if published_skips is None else frozenset(published_skips.get(code, ()))
        j = 0
        while len(taken) < m:
            inner = target_copy()
            inner.update(steps[j] if j < 64 else str(j).encode())
            outer = outer_copy()
            outer.update(inner.digest())
            index = pool[from_bytes(outer.digest(), "big") % size]
            j += 1
            if index in seen:
                continue
            seen.add(index)
            if mine is not None:
                passed_over = certificates[index] in mine
            else:
                passed_over = bool(excluded) and sha256(prefixes[index] + code_bytes).hexdigest() in excluded
            if passed_over:
                skipped.append(certificates[index])
            else:
                taken.append(index)
            if len(seen) == size:
                break  # every member of the pool has come up: no more can be taken
        if len(taken) < m:
            raise DrawImpossible(
                f"检查对象 {code} 回避后可抽取的执法人员只有 {len(taken)} 名，少于每户 {m} 名")
        rows.append(DrawnRow(code, stratum, rank, scores[i].hex(), tuple(certificates[t] for t in taken),
                             tuple(skipped)))
    return rows


@_without_cyclic_gc
def parse_result(data: bytes) -> tuple[tuple[str, str, int, tuple[str, ...], tuple[str, ...]], ...]:
    """A published list's rows ``(credit_code, stratum, rank, certificates, skipped)``,
    refusing text that is not in the list's format (:class:`SnapshotError`)."""
    data = bytes(data)
    if not data:
        return ()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SnapshotError("抽取结果不是UTF-8文本") from None
    if not text.endswith("\n"):
        raise SnapshotError("抽取结果的最后一行没有以换行结束")
    rows = []
    for number, line in enumerate(text[:-1].split("\n"), start=1):
        fields = line.split(",")
        if len(fields) != 5 or not fields[0] or not _RANK.fullmatch(fields[2]) or not fields[3]:
            raise SnapshotError(f"抽取结果第{number}行格式不对：“{line[:80]}”")
        certificates = tuple(fields[3].split(";"))
        skipped = tuple(fields[4].split(";")) if fields[4] else ()
        if "" in certificates or "" in skipped:
            raise SnapshotError(f"抽取结果第{number}行的执法证号有空项")
        rows.append((fields[0], fields[1], int(fields[2]), certificates, skipped))
    return tuple(rows)


def published_skips(rows) -> dict[str, tuple[str, ...]]:
    """credit code → its skipped certificates, from :func:`parse_result`'s rows (or
    :class:`DrawnRow` rows): what the public re-run takes as the exclusions."""
    return {row[0]: tuple(row[-1]) for row in rows}


# --- run by hand -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python draw.py INPUTS.json CANDIDATES INSPECTORS SEED --list RESULT``: re-run a
    published draw from its downloads, taking the exclusions from the list's skipped
    column, and compare with the list (exit 0 when identical, 1 when not). With
    ``--exclusions FILE`` (the exclusion snapshot, which only the platform and the
    supervising office hold) the full draw is re-run instead, and without ``--list`` its
    list is printed."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("inputs", help="the draw's inputs document (JSON)")
    parser.add_argument("candidates", help="the candidates' snapshot")
    parser.add_argument("inspectors", help="the inspectors' snapshot")
    parser.add_argument("seed", help="the seed as published")
    parser.add_argument("--list", help="the published list (result.txt) to compare with the re-run")
    parser.add_argument("--exclusions", help="the exclusion snapshot, for the full re-run (not published)")
    args = parser.parse_args(argv)
    if args.list is None and args.exclusions is None:
        parser.error("give --list (the public re-run uses the list's skipped column) or --exclusions")

    def read(path: str) -> bytes:
        with open(path, "rb") as handle:
            return handle.read()

    doc = json.loads(read(args.inputs))
    listed = None if args.list is None else read(args.list)
    try:
        exclusions = None if args.exclusions is None else read(args.exclusions)
        inputs = inputs_from_document(doc, read(args.candidates), read(args.inspectors), exclusions)
        skips = None if exclusions is not None else published_skips(parse_result(listed))
        outcome = run_draw(inputs, args.seed, skips)
    except (SnapshotError, DrawImpossible) as error:
        print(error, file=sys.stderr)
        return 1
    if doc["seed"].get("mode") == "commitment" and commitment(args.seed) != doc["seed"].get("commitment"):
        print("the seed does not match the published commitment", file=sys.stderr)
        return 1
    if listed is None:
        sys.stdout.buffer.write(outcome.result_text)
        return 0
    same = listed == outcome.result_text
    print(f"result_sha256 {outcome.result_sha256}: {'identical' if same else 'DIFFERENT'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
