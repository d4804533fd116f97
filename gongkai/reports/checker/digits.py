"""Splitting a row whose figures were printed run together ("713000074").

Crawled copies of reports sometimes lose the separators between a row's figures. The
extractor records such a row as a :class:`~gongkai.reports.checker.extract.DigitRun`
(its cell refs in print order and its digits); :func:`infer_digit_runs` looks for the ways
to cut the digits into one non-negative integer per cell (no leading zero except a lone
"0") that agree with the format's arithmetic rules, and places a split only when exactly
one is left. The placement is marked ``inferred`` and a note says so; otherwise the row is
unplaced, with up to :data:`MAX_SHOWN` candidate splits in the reason.

Which rules are used as constraints
-----------------------------------
A rule used to choose a split holds by construction, so it can no longer find an error in
the report; and a split chosen by a rule the report breaks would hide that error (a
crawled report whose 总计 row says 20 where its rows sum to 26 must still be reported as
that violation). So:

1. Only the format's own sum and at-least rules (not the cross-year rule), expanded over
   columns and rows, and only instances whose every cell is either known (placed, or a
   blank read as 0) or part of a run: an instance with an unknown cell says nothing.
2. A rule is *trusted* only when none of its instances whose cells are all printed
   (known, no run cell) is broken. A rule the report breaks elsewhere is never used.
3. First, each run on its own, with the trusted instances local to its row (every cell in
   the run's table row: the row's total column is the sum of the others). A row that
   breaks its own row rule has no consistent split and is left unplaced.
4. Only when a run is still ambiguous, the other trusted instances that read it (column
   sums, 勾稽 relations), jointly over every run they link (runs constrain each other).
   If no combination satisfies them, the report breaks one of them in a cell not yet
   known: each rule is left out in turn, and a run keeps every split any of these
   searches allows (if none has a solution, the rules are not used and the run stays
   ambiguous). A run is placed when exactly one split is left; the note names the rules
   that decided it.

The search is bounded: each run's candidates are enumerated by a depth-first search (the
last cell, a row's total, cut first from the end) that drops a branch as soon as a rule
can no longer hold (its cells are non-negative), with at most :data:`MAX_STEPS` steps and
:data:`MAX_CANDIDATES` candidates; the joint search is bounded the same way. Beyond a
bound the run is left unplaced as "候选拆分过多" (too many candidates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.reports.checker.extract import DigitRun, Extraction, Placement, Unplaced
from gongkai.reports.formats import ReportFormat, RuleInstance, split_ref

MAX_PART_DIGITS = 9  # no figure of an annual report has more digits
MAX_STEPS = 10_000  # search steps for one run, and for one joint search
MAX_CANDIDATES = 500  # splits of one run kept after its own row's rules
MAX_JOINT_SOLUTIONS = 1_000  # combinations of splits counted in one joint search
MAX_SHOWN = 3  # candidate splits named in an unplaced row's reason

Split = tuple[int, ...]


class _TooMany(Exception):
    pass


@dataclass(frozen=True)
class _Constraint:
    """One rule instance, with its known cells summed: ``left_const + sum(left vars)`` vs
    ``right_const + sum(right vars)``."""

    rule: str
    kind: str  # sum | at_least
    left: tuple[str, ...]  # refs of run cells on the left
    right: tuple[str, ...]
    left_const: Decimal
    right_const: Decimal
    cells: tuple[str, ...] = ()  # every cell the instance reads

    @property
    def refs(self) -> tuple[str, ...]:
        return self.left + self.right

    def holds(self, values: dict[str, int]) -> bool:
        left = self.left_const + sum(values[r] for r in self.left)
        right = self.right_const + sum(values[r] for r in self.right)
        return left >= right if self.kind == "at_least" else left == right


@dataclass
class RunOutcome:
    """What became of one run: placed (``values``) or not (``reason``, ``candidates``)."""

    run: DigitRun
    values: Split | None = None
    candidates: list[Split] = field(default_factory=list)
    rules: tuple[str, ...] = ()  # the rule ids that decided the split
    reason: str = ""

    @property
    def inferred(self) -> bool:
        return self.values is not None

    def as_dict(self) -> dict:
        return {**self.run.as_dict(), "inferred": self.inferred,
                "values": list(self.values) if self.values is not None else None,
                "candidates": [list(c) for c in self.candidates[:MAX_SHOWN]],
                "rules": list(self.rules), "reason": self.reason}


def _shown(split: Split) -> str:
    return "/".join(map(str, split))


def _constraints(fmt: ReportFormat, known: dict, variables: set[str]) -> tuple[list[_Constraint], set[str]]:
    """The usable instances (every cell known or a run cell, at least one run cell) of the
    trusted rules, and the ids of the rules the printed cells break."""
    instances: list[RuleInstance] = [i for i in fmt.rule_instances() if i.rule.kind in ("sum", "at_least")]
    broken: set[str] = set()
    usable: list[tuple[RuleInstance, tuple[str, ...], tuple[str, ...]]] = []
    for instance in instances:
        refs = instance.left + instance.right
        if any(ref not in variables and known.get(ref) is None for ref in refs):
            continue  # a blank or missing cell: says nothing
        run_left = tuple(r for r in instance.left if r in variables)
        run_right = tuple(r for r in instance.right if r in variables)
        if not run_left and not run_right:
            left = sum((Decimal(known[r]) for r in instance.left), Decimal(0))
            right = sum((Decimal(known[r]) for r in instance.right), Decimal(0))
            if not (left >= right if instance.rule.kind == "at_least" else left == right):
                broken.add(instance.rule.id)
            continue
        usable.append((instance, run_left, run_right))
    out = []
    for instance, run_left, run_right in usable:
        if instance.rule.id in broken:
            continue
        out.append(_Constraint(
            instance.rule.id, instance.rule.kind, run_left, run_right,
            sum((Decimal(known[r]) for r in instance.left if r not in variables), Decimal(0)),
            sum((Decimal(known[r]) for r in instance.right if r not in variables), Decimal(0)),
            instance.left + instance.right,
        ))
    return out, broken


def _possible(c: _Constraint, values: dict[str, int]) -> bool:
    """Whether ``c`` can still hold, its unassigned cells being non-negative: once one side
    is complete, the other side's assigned part may not exceed it (for ``sum``)."""
    left_done = all(r in values for r in c.left)
    right_done = all(r in values for r in c.right)
    left = c.left_const + sum(values[r] for r in c.left if r in values)
    right = c.right_const + sum(values[r] for r in c.right if r in values)
    if left_done and right_done:
        return left >= right if c.kind == "at_least" else left == right
    if left_done:
        return right <= left
    if right_done and c.kind == "sum":
        return left <= right
    return True


def _room(constraints: list[_Constraint], values: dict[str, int], remaining: set[str], digits: int,
          pieces: int) -> bool:
    """Whether the ``remaining`` cells, cut from ``digits`` digits in ``pieces`` pieces,
    can still make a rule whose other side is complete hold: one piece has at least
    ``ceil(digits / pieces)`` digits, and a piece of two digits or more has no leading zero,
    so the remaining cells sum to at least ``10 ** (that - 1)``; no piece has more than
    ``digits - pieces + 1`` digits, which bounds their sum from above."""
    longest = -(-digits // pieces)
    least = 10 ** (longest - 1) if longest >= 2 else 0
    most = pieces * (10 ** min(MAX_PART_DIGITS, digits - pieces + 1) - 1)
    for c in constraints:
        for side, other, const, other_const in ((c.left, c.right, c.left_const, c.right_const),
                                                (c.right, c.left, c.right_const, c.left_const)):
            if side == c.left and c.kind == "at_least":
                continue  # the left side of "at least" may exceed the right
            if {r for r in side if r not in values} == remaining and all(r in values for r in other):
                assigned = const + sum(values[r] for r in side if r in values)
                target = other_const + sum(values[r] for r in other)
                if assigned + least > target:
                    return False
                if c.kind == "sum" and assigned + most < target:
                    return False
    return True


def _splits(run: DigitRun, constraints: list[_Constraint], known: dict) -> list[Split]:
    """Every split of ``run`` satisfying ``constraints`` (all local to it); raises
    :class:`_TooMany` beyond the bounds. The last cell (a row's total, as printed) is cut
    first, from the end: the cells before it are then bounded by it."""
    refs, digits, n = run.refs, run.digits, len(run.refs)
    out: list[Split] = []
    values: dict[str, int] = {}
    steps = 0

    def take(ref: str, text: str) -> bool:
        """Assign ``text`` to ``ref``; False (nothing assigned) when it cannot be."""
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS:
            raise _TooMany
        value = int(text)
        if known.get(ref) is not None and known[ref] != value:
            return False  # the cell was printed elsewhere with another figure
        values[ref] = value
        if all(_possible(c, values) for c in constraints):
            return True
        del values[ref]
        return False

    def cut(i: int, start: int, end: int) -> None:
        if i == n - 1:
            if start == end:
                out.append(tuple(values[r] for r in refs))
                if len(out) > MAX_CANDIDATES:
                    raise _TooMany
            return
        left_parts = n - i - 2  # cells still to cut before the last one
        rest = end - start
        if not _room(constraints, values, set(refs[i:n - 1]), rest, left_parts + 1):
            return
        longest = 1 if digits[start] == "0" else min(MAX_PART_DIGITS, rest - left_parts)
        for length in range(1, longest + 1):
            if rest - length > left_parts * MAX_PART_DIGITS:
                continue  # the remaining cells could not take the remaining digits
            if take(refs[i], digits[start:start + length]):
                cut(i + 1, start + length, end)
                del values[refs[i]]

    if not n or len(digits) < n:
        return out
    for length in range(1, min(MAX_PART_DIGITS, len(digits) - (n - 1)) + 1):
        end = len(digits) - length
        if (length > 1 and digits[end] == "0") or end > (n - 1) * MAX_PART_DIGITS:
            continue
        if take(refs[-1], digits[end:]):
            cut(0, 0, end)
            del values[refs[-1]]
    return out


def _joint(runs: list[DigitRun], candidates: dict[int, list[Split]], constraints: list[_Constraint],
           index: dict[str, int]) -> dict[int, set[Split]]:
    """For each run of one linked group, the splits that occur in some combination
    satisfying ``constraints``; raises :class:`_TooMany` beyond the bounds."""
    order = sorted({index[r] for c in constraints for r in c.refs}, key=lambda k: len(candidates[k]))
    rank = {k: i for i, k in enumerate(order)}
    due: dict[int, list[_Constraint]] = {}
    for c in constraints:
        due.setdefault(max(rank[index[r]] for r in c.refs), []).append(c)
    seen: dict[int, set[Split]] = {k: set() for k in order}
    values: dict[str, int] = {}
    chosen: dict[int, Split] = {}
    steps = solutions = 0

    def choose(i: int) -> None:
        nonlocal steps, solutions
        if i == len(order):
            solutions += 1
            if solutions > MAX_JOINT_SOLUTIONS:
                raise _TooMany
            for k, split in chosen.items():
                seen[k].add(split)
            return
        k = order[i]
        for split in candidates[k]:
            steps += 1
            if steps > MAX_STEPS:
                raise _TooMany
            values.update(zip(runs[k].refs, split, strict=True))
            chosen[k] = split
            if all(c.holds(values) for c in due.get(i, ())):
                choose(i + 1)
            del chosen[k]
        for ref in runs[k].refs:
            values.pop(ref, None)

    choose(0)
    return seen


def _narrow(runs: list[DigitRun], candidates: dict[int, list[Split]], group: list[_Constraint],
            index: dict[str, int]) -> dict[int, tuple[set[Split], list[str]]]:
    """For each run of a linked group, the splits some combination satisfying the group's
    constraints gives it, and the rules that read it. When no combination satisfies them
    all, one of the rules may be broken by the report: each rule is left out in turn, and
    a run keeps every split that any of these searches (with solutions) gives it; no
    search with solutions, nothing is narrowed."""
    seen = _joint(runs, candidates, group, index)
    searches = [(seen, group)] if any(seen.values()) else []
    if not searches:
        for rule_id in dict.fromkeys(c.rule for c in group):
            rest = [c for c in group if c.rule != rule_id]
            if rest:
                seen = _joint(runs, candidates, rest, index)
                if any(seen.values()):
                    searches.append((seen, rest))
    out: dict[int, tuple[set[Split], list[str]]] = {}
    for seen, constraints in searches:
        for k, splits in seen.items():
            kept, used = out.setdefault(k, (set(), []))
            kept |= splits
            used += [c.rule for c in constraints if k in {index[r] for r in c.refs} and c.rule not in used]
    # a run that some search did not constrain keeps all its splits
    return {k: v for k, v in out.items() if all(k in seen for seen, _ in searches)}


def _groups(keys: list[int], constraints: list[_Constraint], index: dict[str, int]) -> list[tuple[list[int], list[_Constraint]]]:
    """Runs linked by shared constraints (union-find), each with its constraints."""
    parent = {k: k for k in keys}

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for c in constraints:
        linked = sorted({index[r] for r in c.refs})
        for k in linked[1:]:
            parent[find(k)] = find(linked[0])
    groups: dict[int, tuple[list[int], list[_Constraint]]] = {}
    for k in keys:
        groups.setdefault(find(k), ([], []))[0].append(k)
    for c in constraints:
        groups[find(index[c.refs[0]])][1].append(c)
    return list(groups.values())


def solve(fmt: ReportFormat, runs: list[DigitRun], known: dict) -> list[RunOutcome]:
    """Each run's outcome (see the module docstring); ``known`` is every placed cell, with
    the blanks read as 0 where they are (``None``: blank, unknown)."""
    outcomes = [RunOutcome(run) for run in runs]
    index: dict[str, int] = {}
    for k, run in enumerate(runs):
        for ref in run.refs:
            index.setdefault(ref, k)
    valid = []
    for k, run in enumerate(runs):
        if len(set(run.refs)) != len(run.refs) or any(index[ref] != k for ref in run.refs):
            outcomes[k].reason = "数字连在一起，且与另一行的单元格重复，无法拆分"
        elif any(fmt.value_type(ref) == "amount" for ref in run.refs):
            outcomes[k].reason = "数字连在一起，含金额单元格，无法拆分"
        elif not run.digits.isdigit() or len(run.digits) < len(run.refs):
            outcomes[k].reason = f"数字连在一起（{run.digits}），不足{len(run.refs)}位，无法拆分"
        elif len(run.digits) > len(run.refs) * MAX_PART_DIGITS:
            outcomes[k].reason = f"数字连在一起（{run.digits}），位数过多，无法拆分"
        else:
            valid.append(k)
    variables = {ref for k in valid for ref in runs[k].refs}
    constraints, _broken = _constraints(fmt, known, variables)
    local: dict[int, list[_Constraint]] = {k: [] for k in valid}
    linking: list[_Constraint] = []
    for c in constraints:
        owners = {index[r] for r in c.refs}
        k = next(iter(owners))
        if len(owners) == 1 and all(split_ref(r)[:2] == (runs[k].table, runs[k].row) for r in c.cells):
            local[k].append(c)  # every cell in the run's own row
        else:
            linking.append(c)
    candidates: dict[int, list[Split]] = {}
    for k in valid:
        try:
            candidates[k] = _splits(runs[k], local[k], known)
        except _TooMany:
            outcomes[k].reason = f"数字连在一起（{runs[k].digits}），候选拆分过多，无法确定"
            continue
        if not candidates[k]:
            outcomes[k].reason = (f"数字连在一起（{runs[k].digits}），没有一种拆分符合本行的勾稽关系"
                                  if local[k] else f"数字连在一起（{runs[k].digits}），无法拆分")
        outcomes[k].candidates = candidates[k]
        outcomes[k].rules = tuple(dict.fromkeys(c.rule for c in local[k]))
    live = [k for k in candidates if candidates[k]]
    ambiguous = {k for k in live if len(candidates[k]) > 1}
    usable = [c for c in linking if all(index[r] in candidates and candidates[index[r]] for r in c.refs)]
    for keys, group in _groups(live, usable, index):
        if not group or not ambiguous.intersection(keys):
            continue
        try:
            narrowed = _narrow(runs, candidates, group, index)
        except _TooMany:
            for k in ambiguous.intersection(keys):
                outcomes[k].reason = f"数字连在一起（{runs[k].digits}），与其他行联立的候选拆分过多，无法确定"
            continue
        for k, (kept, used) in narrowed.items():
            if len(kept) < len(candidates[k]):
                outcomes[k].candidates = [s for s in candidates[k] if s in kept]
                outcomes[k].rules = tuple(dict.fromkeys([*outcomes[k].rules, *used]))
    for k in live:
        outcome = outcomes[k]
        if len(outcome.candidates) == 1:
            outcome.values = outcome.candidates[0]
        elif not outcome.reason:
            shown = "；".join(_shown(s) for s in outcome.candidates[:MAX_SHOWN])
            more = f"等{len(outcome.candidates)}种" if len(outcome.candidates) > MAX_SHOWN else ""
            why = "有多种拆分符合勾稽关系" if outcome.rules else "本行没有可用的勾稽关系，有多种拆分"
            outcome.reason = f"数字连在一起（{runs[k].digits}），{why}：{shown}{more}，无法确定"
    return outcomes


def infer_digit_runs(extraction: Extraction, known: dict | None = None) -> list[RunOutcome]:
    """Split the extraction's digit runs where exactly one split agrees with the rules,
    placing them in ``extraction`` (cells, an inferred placement, a note); the others go
    to ``extraction.unplaced`` with their candidates. ``known``: the cells the rules read
    (the placed cells, with blanks read as 0 where they are); by default the placed cells."""
    fmt = extraction.format
    runs = list(extraction.digit_runs)
    if fmt is None or not runs:
        return []
    outcomes = solve(fmt, runs, dict(extraction.cells if known is None else known))
    for outcome in outcomes:
        run = outcome.run
        # the extractor may have listed the row as unplaced: this outcome replaces it
        extraction.unplaced[:] = [u for u in extraction.unplaced
                                  if not (u.where == run.where and run.digits in u.text.replace(" ", ""))]
        if outcome.values is None:
            extraction.unplaced.append(Unplaced(run.where, run.text, outcome.reason))
            continue
        extraction.cells.update(zip(run.refs, outcome.values, strict=True))
        table = fmt.table(run.table)
        row = table.row(run.row)
        printed = run.text.replace(run.digits, "").strip(" |") or row.label
        extraction.placements.append(Placement(run.table, run.row, run.where, printed, row.label, 0, True))
        rules = "、".join(outcome.rules) or "无"
        extraction.notes.append(
            f"“{row.label or table.title or run.table}”的数字连在一起（{run.digits}），按勾稽关系推断为"
            f"{_shown(outcome.values)}（依据规则：{rules}）")
    return outcomes
