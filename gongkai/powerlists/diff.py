"""What changed between two versions of a power and duty list (权责清单的调整情况).

A list's changes are reported as the adopting documents do: 新增N项、取消N项、调整N项
(e.g. seed 000: 新增16项、取消76项、调整91项), with the items of each.

Matching an item of the old version to one of the new:

1. by its code (编码), when both items have one: the same code is the same item,
   whatever its name or kind became; two different codes are two different items;
2. otherwise by (kind, normalised name): the name with full-width forms folded, spaces
   and a trailing punctuation mark removed, and brackets made alike, so "食品经营许可 "
   and "食品经营许可" are one item.

3. then, among the items still unmatched, by the normalised name alone: an item moved
   to another kind (其他行政权力 → 行政确认) is one item adjusted, not one cancelled and
   one added.

Within a version the same key may repeat (two items of the same name and kind): an
identical counterpart is paired first, then the rest in their order, so reordering
duplicates is no change. A matched pair is "changed" (调整) when its basis, department,
level or kind differs, each compared after the same normalisation; the change names the
fields. An item matched by its code whose name changed is changed too (renamed); an
item renamed without a code cannot be told from one cancelled and one added, and counts
as such. Nothing here touches the database: entries are plain values.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# The fields whose difference makes a matched item "changed", with their labels.
# The name can differ only for items matched by code (a renamed item is an adjustment).
COMPARED_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "事项名称"),
    ("kind", "权力类型"),
    ("basis", "设定依据"),
    ("department", "实施主体"),
    ("level", "行使层级"),
)

_TRAILING = re.compile(r"[。；;，,、.]+$")
_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """The name as matched: NFKC (full-width letters, digits and brackets folded), no
    whitespace, no trailing punctuation, 〔〕【】 as ()."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _SPACES.sub("", text)
    text = text.translate(str.maketrans("〔【[〈《", "(((((", )).translate(str.maketrans("〕】]〉》", ")))))"))
    return _TRAILING.sub("", text).lower()


def normalise_text(text: str) -> str:
    """A basis or a department as compared: NFKC, whitespace runs made one space, no
    trailing punctuation. Line breaks and spacing alone are not a change."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _SPACES.sub(" ", text).strip()
    return _TRAILING.sub("", text)


@dataclass(frozen=True)
class Entry:
    """One item as the rule sees it. ``ref`` is whatever the caller wants back (a model
    instance, a row number); it plays no part in the comparison."""

    kind: str
    name: str
    code: str = ""
    basis: str = ""
    department: str = ""
    level: str = ""
    ref: Any = field(default=None, compare=False)

    @property
    def name_key(self) -> tuple[str, str]:
        return (self.kind, normalise_name(self.name))

    @property
    def code_key(self) -> str:
        return normalise_name(self.code)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    old: Entry
    new: Entry
    fields: tuple[FieldChange, ...]

    @property
    def labels(self) -> list[str]:
        return [f.label for f in self.fields]


@dataclass(frozen=True)
class Diff:
    added: tuple[Entry, ...]
    removed: tuple[Entry, ...]
    changed: tuple[Change, ...]
    unchanged: int

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}

    @property
    def summary(self) -> str:
        return summary(**self.counts)


def summary(*, added: int, removed: int, changed: int) -> str:
    """The sentence of the adopting documents: 新增16项、取消76项、调整91项."""
    if not (added or removed or changed):
        return "无变化"
    return f"新增{added}项、取消{removed}项、调整{changed}项"


def _compare(old: Entry, new: Entry) -> tuple[FieldChange, ...]:
    changes = []
    for name, label in COMPARED_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if name == "kind":
            same = a == b
        elif name == "name":
            same = normalise_name(a) == normalise_name(b)
        else:
            same = normalise_text(a) == normalise_text(b)
        if not same:
            changes.append(FieldChange(name, label, a, b))
    return tuple(changes)


def _signature(entry: Entry) -> tuple:
    """What two entries share when ``_compare`` finds no difference between them."""
    return (entry.kind, normalise_name(entry.name),
            *(normalise_text(getattr(entry, name)) for name, _ in COMPARED_FIELDS if name not in ("kind", "name")))


def compare(old: Iterable[Entry], new: Iterable[Entry]) -> Diff:
    """The items added, removed and changed from ``old`` to ``new`` (module docstring)."""
    old, new = list(old), list(new)
    pairs: list[tuple[int, int]] = []
    old_open, new_open = set(range(len(old))), set(range(len(new)))

    # 1. By code, where both items have one.
    by_code: dict[str, deque[int]] = defaultdict(deque)
    for j, entry in enumerate(new):
        if entry.code_key:
            by_code[entry.code_key].append(j)
    for i, entry in enumerate(old):
        if entry.code_key and by_code.get(entry.code_key):
            j = by_code[entry.code_key].popleft()
            pairs.append((i, j))
            old_open.discard(i)
            new_open.discard(j)

    # 2. By (kind, normalised name): identical counterparts first, so that reordered
    # duplicates are no change; then 3. the rest in order; then 4. by the name alone (an
    # item moved to another kind). Never two items with different codes.
    for key in (_signature, lambda x: x.name_key, lambda x: x.name_key[1]):
        by_key: dict[object, list[int]] = defaultdict(list)
        for j in sorted(new_open):
            by_key[key(new[j])].append(j)
        for i in sorted(old_open):
            candidates = by_key.get(key(old[i]))
            if not candidates:
                continue
            if old[i].code_key:
                j = next((j for j in candidates if not new[j].code_key), None)
                if j is None:
                    continue
                candidates.remove(j)
            else:
                j = candidates.pop(0)
            pairs.append((i, j))
            old_open.discard(i)
            new_open.discard(j)

    changed, unchanged = [], 0
    for i, j in sorted(pairs, key=lambda p: p[1]):
        fields = _compare(old[i], new[j])
        if fields:
            changed.append(Change(old[i], new[j], fields))
        else:
            unchanged += 1
    return Diff(
        added=tuple(new[j] for j in sorted(new_open)),
        removed=tuple(old[i] for i in sorted(old_open)),
        changed=tuple(changed),
        unchanged=unchanged,
    )


def duplicates(entries: Iterable[Entry]) -> list[tuple[Entry, ...]]:
    """The groups of entries of one version sharing a kind and a normalised name, unless
    their codes tell them apart: usually a typing slip, and a matching the office should
    check (they pair with the other version's in order)."""
    groups: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[entry.name_key].append(entry)
    found = []
    for group in groups.values():
        codes = [e.code_key for e in group]
        if len(group) > 1 and not (all(codes) and len(set(codes)) == len(codes)):
            found.append(tuple(group))
    return found


def compare_versions(old: Sequence[Any], new: Sequence[Any]) -> Diff:
    """``compare`` over objects with the item attributes (``kind``, ``name``, ``code``,
    ``basis``, ``department_name``, ``level``), such as ``PowerItem`` rows."""
    return compare([entry_of(x) for x in old], [entry_of(x) for x in new])


def entry_of(item: Any) -> Entry:
    return Entry(kind=item.kind, name=item.name, code=item.code or "", basis=item.basis or "",
                 department=item.department_name or "", level=item.level or "", ref=item)
