"""An independent implementation of the draw, written from the specification's prose
(docs/random_inspections.md) with nothing but ``hmac`` and ``hashlib``: no precomputed
HMAC states, full sorts, the eligible inspectors counted before the loop. The module's
tests check that ``draw.run_draw`` agrees with it on many random inputs; the property
tests use it to know when a draw must be impossible."""

from __future__ import annotations

import hashlib
import hmac
import math
import random
from fractions import Fraction

import pytest

from gongkai.random_inspections import draw


class Impossible(Exception):
    pass


def ref_hmac(seed: str, message: str) -> bytes:
    return hmac.new(seed.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()


def ref_quotas(sizes: dict[str, int], n: int, weights: dict[str, str]) -> dict[str, int]:
    w = {s: Fraction(weights.get(s, "1")) for s in sizes}
    k = dict.fromkeys(sizes, 0)
    active = {s for s in sizes if sizes[s] > 0}
    left = n
    changed = True
    while changed and active and left:
        changed = False
        total = sum(w[s] * sizes[s] for s in active)
        for s in sorted(active):
            if left * w[s] * sizes[s] / total >= sizes[s]:
                k[s] = sizes[s]
                changed = True
        for s in [s for s in active if k[s]]:
            active.discard(s)
            left -= sizes[s]
    if active and left:
        total = sum(w[s] * sizes[s] for s in active)
        ideal = {s: left * w[s] * sizes[s] / total for s in active}
        for s in active:
            k[s] = math.floor(ideal[s])
        order = sorted(active, key=lambda s: (math.floor(ideal[s]) - ideal[s], s))
        for s in order[: left - sum(k[s] for s in active)]:
            k[s] += 1
    return k


def reference_draw(*, reference: str, seed: str, candidates, inspectors, excluded_pairs, m: int,
                   n: int, weights=None, avoid_region=False, avoid_grid=False):
    """``candidates`` as (code, stratum, region, grid), ``inspectors`` as (cert, region,
    grid), ``excluded_pairs`` as (cert, code); returns the published list's lines."""
    strata: dict[str, list] = {}
    for row in candidates:
        strata.setdefault(row[1], []).append(row)
    k = ref_quotas({s: len(rows) for s, rows in strata.items()}, n, weights or {})
    lines = []
    for stratum in sorted(strata):
        ranked = sorted(strata[stratum], key=lambda row: (ref_hmac(seed, f"E\x1f{reference}\x1f{row[0]}"), row[0]))
        for rank, (code, _, region, grid) in enumerate(ranked[: k[stratum]], start=1):
            pool = sorted(
                (cert for cert, i_region, i_grid in inspectors
                 if not (avoid_region and region and i_region == region)
                 and not (avoid_grid and grid and i_grid == grid)))
            eligible = [cert for cert in pool if (cert, code) not in excluded_pairs]
            if len(eligible) < m:
                raise Impossible(code)
            taken: list[str] = []
            skipped: list[str] = []
            j = 0
            while len(taken) < m:
                h = int.from_bytes(ref_hmac(seed, f"I\x1f{reference}\x1f{code}\x1f{j}"), "big")
                cert = pool[h % len(pool)]
                if (cert, code) in excluded_pairs:
                    if cert not in skipped:
                        skipped.append(cert)
                elif cert not in taken:
                    taken.append(cert)
                j += 1
            lines.append(f"{code},{stratum},{rank},{';'.join(taken)},{';'.join(skipped)}\n")
    return "".join(lines).encode("utf-8")


def random_case(rng: random.Random):
    """Small random inputs with few regions and grids, so that avoidance bites."""
    regions = ["和平区", "河西区", "南开区", ""][: rng.randint(1, 4)]
    strata = ["高", "中", "低", "", "A"][: rng.randint(1, 5)]
    nested = rng.random() < 0.5  # grids inside regions, or grids across them

    def grid_of(region: str) -> str:
        if nested:
            return f"{region}{rng.randint(1, 3)}" if region else ""
        return rng.choice(["", "G1", "G2", "G3"])

    codes = rng.sample(range(10**6), rng.randint(1, 40))
    candidates = []
    for code in codes:
        region = rng.choice(regions)
        candidates.append((f"9112{code:014d}", rng.choice(strata), region, grid_of(region)))
    inspectors = []
    for cert in rng.sample(range(10**5), rng.randint(1, 14)):
        region = rng.choice(regions)
        inspectors.append((f"1201{cert:06d}", region, grid_of(region)))
    excluded = {(rng.choice(inspectors)[0], rng.choice(candidates)[0]) for _ in range(rng.randint(0, 20))}
    ratio = rng.choice([None, "5", "12.5", "50", "100", "33.3"])
    count = None if ratio else rng.randint(0, len(candidates) + 3)
    weights = {s: rng.choice(["1", "2", "3", "0.5"]) for s in strata if rng.random() < 0.6}
    return {
        "reference": f"1201000000000001/2026/{rng.randint(1, 999):03d}",
        "seed": rng.choice(["", "x"]) + f"{rng.getrandbits(128):032x}" + rng.choice(["", "y" * 80]),
        "candidates": candidates, "inspectors": inspectors, "excluded_pairs": excluded,
        "m": rng.randint(1, 3), "ratio": ratio, "count": count, "weights": weights,
        "avoid_region": rng.random() < 0.5, "avoid_grid": rng.random() < 0.5,
    }


def inputs_of(case) -> draw.DrawInputs:
    return draw.DrawInputs(
        reference=case["reference"],
        candidates=tuple(draw.Candidate(*row) for row in case["candidates"]),
        inspectors=tuple(draw.InspectorEntry(*row) for row in case["inspectors"]),
        excluded_pair_hashes=frozenset(draw.pair_hash(c, e) for c, e in case["excluded_pairs"]),
        inspectors_per_target=case["m"], sample_ratio=case["ratio"], sample_count=case["count"],
        weights=case["weights"], avoid_same_region=case["avoid_region"], avoid_same_grid=case["avoid_grid"])


def reference_of(case) -> bytes:
    n = case["count"] if case["count"] is not None else math.ceil(
        len(case["candidates"]) * Fraction(case["ratio"]) / 100)
    return reference_draw(
        reference=case["reference"], seed=case["seed"], candidates=case["candidates"],
        inspectors=case["inspectors"], excluded_pairs=case["excluded_pairs"], m=case["m"],
        n=min(n, len(case["candidates"])), weights=case["weights"], avoid_region=case["avoid_region"],
        avoid_grid=case["avoid_grid"])


@pytest.mark.parametrize("block", range(4))
def test_run_draw_agrees_with_the_independent_implementation_on_random_inputs(block):
    rng = random.Random(f"draw-reference-{block}")
    possible = impossible = 0
    for _ in range(150):
        case = random_case(rng)
        try:
            expected = reference_of(case)
        except Impossible:
            with pytest.raises(draw.DrawImpossible):
                draw.run_draw(inputs_of(case), case["seed"])
            impossible += 1
            continue
        outcome = draw.run_draw(inputs_of(case), case["seed"])
        assert outcome.result_text == expected
        assert outcome.result_sha256 == hashlib.sha256(expected).hexdigest()
        # the public re-run, without the exclusions, from the list's skipped column alone
        public = draw.run_draw(inputs_of({**case, "excluded_pairs": set()}), case["seed"],
                               draw.published_skips(draw.parse_result(expected)))
        assert public.result_text == expected
        possible += 1
    # both branches were exercised, so the agreement means something
    assert possible > 30 and impossible > 5


def test_large_strata_take_the_fast_path_and_still_equal_a_full_sort():
    """Few targets among many candidates: the threshold path; the result is the full sort's."""
    rng = random.Random(7)
    case = {
        "reference": "R/2026/1", "seed": "s", "m": 2, "ratio": None, "count": 40, "weights": {"高": "3"},
        "candidates": [(f"9112{i:014d}", rng.choice("高中低"), "", "") for i in range(5000)],
        "inspectors": [(f"C{i:03d}", "", "") for i in range(10)], "excluded_pairs": set(),
        "avoid_region": False, "avoid_grid": False,
    }
    assert draw.run_draw(inputs_of(case), "s").result_text == reference_of(case)
