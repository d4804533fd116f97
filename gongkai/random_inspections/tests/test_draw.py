"""The draw's specification (random_inspections/draw.py, docs/random_inspections.md): a
fixed vector asserted literally and re-derived with ``hmac`` by hand, the quotas, the
sample size, the seed, the snapshots and the inputs document."""

from __future__ import annotations

import gzip
import hashlib
import hmac

import pytest

from gongkai.random_inspections import draw

SEED = "9a3c51e7d2b84f60a1e5c3d7b9f20486e4a1c3b5d7f9021436587a9cbed0f1a2"
REF = "1201000000000001/2026/003"
REGIONS = ["和平区", "河西区", "南开区", "和平区", "河西区", "南开区"]
CANDIDATES = (
    draw.Candidate("91120101MA00000001", "高", "和平区", "和平区第1网格"),
    draw.Candidate("91120101MA00000002", "高", "河西区", "河西区第1网格"),
    draw.Candidate("91120101MA00000003", "高", "南开区", "南开区第2网格"),
    draw.Candidate("91120101MA00000004", "中", "和平区", "和平区第2网格"),
    draw.Candidate("91120101MA00000005", "中", "河西区", "河西区第1网格"),
    draw.Candidate("91120101MA00000006", "中", "南开区", "南开区第1网格"),
    draw.Candidate("91120101MA00000007", "低", "和平区", "和平区第1网格"),
    draw.Candidate("91120101MA00000008", "低", "河西区", "河西区第2网格"),
    draw.Candidate("91120101MA00000009", "低", "南开区", "南开区第1网格"),
    draw.Candidate("91120101MA00000010", "低", "和平区", "和平区第2网格"),
)
INSPECTORS = tuple(draw.InspectorEntry(f"12010000000{i}", r, f"{r}第1网格") for i, r in enumerate(REGIONS, 1))
EXCLUDED = frozenset({draw.pair_hash("120100000001", "91120101MA00000002")})


def vector_inputs(**changes) -> draw.DrawInputs:
    values = {"reference": REF, "candidates": CANDIDATES, "inspectors": INSPECTORS,
              "excluded_pair_hashes": EXCLUDED, "inspectors_per_target": 2, "sample_ratio": "40",
              "weights": {"高": "2"}, "avoid_same_region": True}
    values.update(changes)
    return draw.DrawInputs(**values)


def by_hand(message: str) -> bytes:
    return hmac.new(SEED.encode(), message.encode(), hashlib.sha256).digest()


# --- the vector (the docs' worked example uses the same inputs) -------------------------------


def test_spec_vector_gives_this_list_and_digest():
    outcome = draw.run_draw(vector_inputs(), SEED)
    assert outcome.quotas == {"高": 2, "中": 1, "低": 1}
    assert outcome.result_text == (
        "91120101MA00000006,中,1,120100000005;120100000001,\n"
        "91120101MA00000009,低,1,120100000004;120100000005,\n"
        "91120101MA00000002,高,1,120100000004;120100000006,120100000001\n"
        "91120101MA00000001,高,2,120100000002;120100000005,\n"
    ).encode()
    assert outcome.result_sha256 == "f3b2617041e6663920c05975b6ba858e5763e10f14c0b5a9988f9e06cf9e4352"
    assert outcome.result_sha256 == hashlib.sha256(outcome.result_text).hexdigest()


def test_spec_vector_scores_are_hmac_of_E_reference_and_code_and_rank_in_ascending_order():
    outcome = draw.run_draw(vector_inputs(), SEED)
    for row in outcome.rows:
        assert row.score == by_hand(f"E\x1f{REF}\x1f{row.credit_code}").hex()
        assert row.score == draw.candidate_score(SEED, REF, row.credit_code)
    high = sorted((by_hand(f"E\x1f{REF}\x1f{c.credit_code}").hex(), c.credit_code)
                  for c in CANDIDATES if c.stratum == "高")
    assert [(r.credit_code, r.rank) for r in outcome.rows if r.stratum == "高"] == [
        (high[0][1], 1), (high[1][1], 2)]
    assert outcome.rows[0].score == "5f8a90fa75cb1ab32eafffa5502bee487841400cce58ddeffb520e31f652ea07"


def test_spec_vector_inspectors_follow_hmac_modulo_the_pool_skipping_the_excluded_pair():
    """Target 91120101MA00000002 (河西区, same-region avoidance): pool without 河西区's
    inspectors, 120100000001 excluded by a declared conflict."""
    code = "91120101MA00000002"
    pool = ["120100000001", "120100000003", "120100000004", "120100000006"]
    taken, j = [], 0
    while len(taken) < 2:
        cert = pool[int.from_bytes(by_hand(f"I\x1f{REF}\x1f{code}\x1f{j}"), "big") % len(pool)]
        if cert not in taken and cert != "120100000001":
            taken.append(cert)
        j += 1
    row = next(r for r in draw.run_draw(vector_inputs(), SEED).rows if r.credit_code == code)
    assert row.certificates == tuple(taken) == ("120100000004", "120100000006")
    assert row.skipped == ("120100000001",)  # met at j = 3 and passed over for the conflict


def test_only_exclusions_are_skipped_not_inspectors_met_again():
    """For 91120101MA00000002 the index sequence meets 120100000004 three times: taken once,
    never listed as skipped; the other targets meet no excluded pair and skip nothing."""
    rows = {r.credit_code: r for r in draw.run_draw(vector_inputs(), SEED).rows}
    assert rows["91120101MA00000002"].skipped == ("120100000001",)
    assert all(row.skipped == () for code, row in rows.items() if code != "91120101MA00000002")
    # 120100000001 is excluded only for ...02: elsewhere it is drawn like anyone else
    assert "120100000001" in rows["91120101MA00000006"].certificates


def test_the_public_re_run_from_the_published_skips_gives_the_same_list_without_the_exclusions():
    full = draw.run_draw(vector_inputs(), SEED)
    skips = draw.published_skips(draw.parse_result(full.result_text))
    assert skips["91120101MA00000002"] == ("120100000001",)
    public = draw.run_draw(vector_inputs(excluded_pair_hashes=frozenset({"0" * 64})), SEED, skips)
    assert public.result_text == full.result_text
    # without the skips (and without the exclusions) the draw is another one
    assert draw.run_draw(vector_inputs(excluded_pair_hashes=frozenset()), SEED, {}).result_text != full.result_text


def test_the_public_re_run_catches_a_skip_left_out_or_invented():
    full = draw.run_draw(vector_inputs(), SEED).result_text
    no_exclusions = vector_inputs(excluded_pair_hashes=frozenset())

    def public(listed: bytes) -> bytes:
        return draw.run_draw(no_exclusions, SEED, draw.published_skips(draw.parse_result(listed))).result_text

    left_out = full.replace(b",120100000001\n", b",\n")
    assert left_out != full and public(left_out) != left_out  # the re-run takes 120100000001
    # 120100000003 never comes up for ...02 before two are taken: a claimed skip is not re-derived
    invented = full.replace(b",120100000001\n", b",120100000001;120100000003\n")
    assert public(invented) != invented and public(invented) == full
    # a skip claimed for a target that met no excluded pair
    claimed = full.replace("中,1,120100000005;120100000001,".encode(), "中,1,120100000005;120100000001,120100000002".encode())
    assert public(claimed) != claimed


def test_another_seed_or_reference_gives_another_draw():
    base = draw.run_draw(vector_inputs(), SEED).result_text
    assert draw.run_draw(vector_inputs(), SEED[:-1] + "3").result_text != base
    assert draw.run_draw(vector_inputs(reference=REF + "#2"), SEED).result_text != base


def test_the_order_of_the_input_rows_does_not_matter():
    shuffled = vector_inputs(candidates=CANDIDATES[::-1], inspectors=INSPECTORS[::-1])
    assert draw.run_draw(shuffled, SEED).result_text == draw.run_draw(vector_inputs(), SEED).result_text


def test_a_long_seed_is_hashed_first_as_hmac_does():
    seed = "中国福利彩票3D游戏2026320期开奖号码 " * 5
    assert draw.candidate_score(seed, REF, "X") == hmac.new(
        seed.encode(), f"E\x1f{REF}\x1fX".encode(), hashlib.sha256).hexdigest()


def test_target_without_enough_eligible_inspectors_makes_the_draw_impossible():
    # a 和平区 target: the pool is B1 and B2 (A1 avoided), and B2 has declared a conflict
    inspectors = (draw.InspectorEntry("A1", "和平区"), draw.InspectorEntry("B1", "河西区"),
                  draw.InspectorEntry("B2", "河西区"))
    inputs = draw.DrawInputs(REF, (draw.Candidate("C1", "", "和平区"),), inspectors,
                             frozenset({draw.pair_hash("B2", "C1")}), 2, sample_count=1, avoid_same_region=True)
    with pytest.raises(draw.DrawImpossible) as caught:
        draw.run_draw(inputs, SEED)
    assert "C1" in caught.value.message and "1 名" in caught.value.message
    # without the conflict, B1 and B2 remain: possible
    possible = draw.DrawInputs(REF, inputs.candidates, inspectors, frozenset(), 2, sample_count=1,
                               avoid_same_region=True)
    assert set(draw.run_draw(possible, SEED).rows[0].certificates) == {"B1", "B2"}


def test_a_pool_smaller_than_m_is_refused_before_any_hashing():
    inputs = draw.DrawInputs(REF, (draw.Candidate("C1"),), (draw.InspectorEntry("A1"),), frozenset(), 2,
                             sample_count=1)
    with pytest.raises(draw.DrawImpossible, match="只有 1 名"):
        draw.run_draw(inputs, SEED)


def test_empty_seed_and_bad_m_are_refused():
    with pytest.raises(draw.DrawImpossible, match="随机种子"):
        draw.run_draw(vector_inputs(), "")
    with pytest.raises(draw.DrawImpossible, match="每户执法人员数"):
        draw.run_draw(vector_inputs(inspectors_per_target=0), SEED)


def test_duplicate_credit_codes_among_the_drawn_are_refused():
    twice = CANDIDATES + (draw.Candidate("91120101MA00000001", "中"),)
    with pytest.raises(draw.DrawImpossible, match="重复"):
        draw.run_draw(vector_inputs(candidates=twice, sample_ratio="100"), SEED)


def test_a_zero_sample_draws_nothing():
    outcome = draw.run_draw(vector_inputs(sample_ratio=None, sample_count=0), SEED)
    assert outcome.rows == () and outcome.result_text == b""
    assert outcome.quotas == {"高": 0, "中": 0, "低": 0}


# --- sample size and quotas -------------------------------------------------------------------


@pytest.mark.parametrize(("total", "ratio", "count", "expected"), [
    (100, "5", None, 5),
    (101, "5", None, 6),  # 5.05 → 6: the ratio rounds up
    (40, "2.5", None, 1),
    (41, "2.5", None, 2),
    (3000, "1.1", None, 33),  # exactly 33; floating point would give 34
    (10, "100", None, 10),
    (10, "150", None, 10),
    (10, None, 4, 4),
    (10, None, 50, 10),  # a count above N takes everyone
    (0, "5", None, 0),
])
def test_sample_size(total, ratio, count, expected):
    assert draw.sample_size(total, ratio=ratio, count=count) == expected


@pytest.mark.parametrize(("ratio", "count"), [
    (None, None), ("5", 3), ("abc", None), ("-5", None), ("1/3", None), ("1e2", None), (None, -1), (None, True),
])
def test_sample_size_refuses_what_is_not_one_plain_ratio_or_count(ratio, count):
    with pytest.raises(draw.DrawImpossible):
        draw.sample_size(100, ratio=ratio, count=count)


@pytest.mark.parametrize(("sizes", "n", "weights", "expected"), [
    # proportional to size
    ({"高": 10, "中": 30, "低": 60}, 10, None, {"高": 1, "中": 3, "低": 6}),
    # weights: 30, 30, 60 of 120 → 2.5, 2.5, 5; the tie of fractions goes to 中 (U+4E2D < U+9AD8)
    ({"高": 10, "中": 30, "低": 60}, 10, {"高": "3"}, {"高": 2, "中": 3, "低": 5}),
    # a heavily weighted small stratum is capped at its size; the rest share what is left
    ({"高": 2, "低": 100}, 10, {"高": "100"}, {"高": 2, "低": 8}),
    # capping cascades: 高 capped first, then 中's share of the remainder exceeds its size
    ({"高": 1, "中": 3, "低": 100}, 20, {"高": "50", "中": "20"}, {"高": 1, "中": 3, "低": 16}),
    # largest remainders: 7 × (1/3 each) → 2.33 each, one extra to the first by code point
    ({"A": 5, "B": 5, "C": 5}, 7, None, {"A": 3, "B": 2, "C": 2}),
    ({"B": 5, "A": 5, "C": 5}, 7, {}, {"A": 3, "B": 2, "C": 2}),
    # fractional weights
    ({"高": 10, "低": 10}, 6, {"高": "0.5"}, {"高": 2, "低": 4}),
    # everything
    ({"高": 3, "低": 4}, 7, {"高": "9"}, {"高": 3, "低": 4}),
    ({"高": 3, "低": 4}, 0, None, {"高": 0, "低": 0}),
    ({"": 8}, 3, None, {"": 3}),
])
def test_quotas(sizes, n, weights, expected):
    result = draw.quotas(sizes, n, weights)
    assert result == expected
    assert sum(result.values()) == n
    assert all(result[s] <= sizes[s] for s in sizes)


def test_quotas_refuse_a_sample_above_the_candidates_and_non_positive_weights():
    with pytest.raises(draw.DrawImpossible):
        draw.quotas({"高": 3}, 4)
    with pytest.raises(draw.DrawImpossible, match="权重"):
        draw.quotas({"高": 3, "低": 3}, 2, {"高": "0"})
    with pytest.raises(draw.DrawImpossible, match="权重"):
        draw.quotas({"高": 3}, 2, {"高": "x"})


# --- seeds ------------------------------------------------------------------------------------


def test_secret_commitment_is_sha256_of_the_secret():
    secret = draw.new_secret()
    assert len(secret) == 64 and int(secret, 16) >= 0
    assert draw.new_secret() != secret
    assert draw.commitment(secret) == hashlib.sha256(secret.encode()).hexdigest()


@pytest.mark.parametrize(("given", "seed"), [
    ("  ２０２６３２０期 开奖号码：５　８　１ ", "2026320期 开奖号码:5 8 1"),
    ("5 8 1", "5 8 1"),
    ("5\t\n8  1", "5 8 1"),
])
def test_public_value_is_normalised(given, seed):
    assert draw.normalise_public_value(given) == seed


# --- the inputs document ----------------------------------------------------------------------


def test_canonical_json_sorts_keys_and_keeps_chinese():
    doc = {"b": 1, "a": {"名": "高", "x": [1, 2]}, "c": None}
    assert draw.canonical_json(doc) == '{"a":{"x":[1,2],"名":"高"},"b":1,"c":null}'.encode()
    assert draw.inputs_sha256(doc) == draw.inputs_sha256(dict(reversed(list(doc.items()))))


def document_for(candidates: bytes, inspectors: bytes, exclusions: bytes) -> dict:
    return {
        "algorithm": draw.ALGORITHM, "reference": REF, "sample_ratio": "40", "sample_count": None,
        "weights": {"高": "2"}, "inspectors_per_target": 2, "avoid_same_region": True, "avoid_same_grid": False,
        "candidates": {"count": candidates.count(b"\n"), "sha256": draw.sha256_hex(candidates)},
        "inspectors": {"count": inspectors.count(b"\n"), "sha256": draw.sha256_hex(inspectors)},
        "exclusions": {"count": exclusions.count(b"\n"), "sha256": draw.sha256_hex(exclusions)},
        "seed": {"mode": "commitment", "commitment": draw.commitment(SEED), "public_value_source": ""},
    }


def test_inputs_from_document_rebuilds_the_draw_from_the_published_snapshots():
    snaps = (draw.serialise_candidates(CANDIDATES), draw.serialise_inspectors(INSPECTORS),
             draw.serialise_exclusions(EXCLUDED))
    doc = document_for(*snaps)
    inputs = draw.inputs_from_document(doc, *snaps)
    assert draw.run_draw(inputs, SEED).result_text == draw.run_draw(vector_inputs(), SEED).result_text
    # as stored: gzip is accepted
    gz = [gzip.compress(s) for s in snaps]
    assert draw.inputs_from_document(doc, *gz) == inputs


def test_inputs_from_document_without_the_exclusions_holds_none_and_checks_only_the_public_snapshots():
    snaps = (draw.serialise_candidates(CANDIDATES), draw.serialise_inspectors(INSPECTORS),
             draw.serialise_exclusions(EXCLUDED))
    doc = document_for(*snaps)
    public = draw.inputs_from_document(doc, snaps[0], snaps[1])
    assert public.excluded_pair_hashes == frozenset() and public.candidates == CANDIDATES
    listed = draw.run_draw(vector_inputs(), SEED).result_text
    assert draw.run_draw(public, SEED, draw.published_skips(draw.parse_result(listed))).result_text == listed
    with pytest.raises(draw.SnapshotError, match="执法人员快照的SHA-256"):
        draw.inputs_from_document(doc, snaps[0], snaps[1] + b"9,,\n")


def test_inputs_from_document_refuses_a_snapshot_that_is_not_the_published_one():
    snaps = [draw.serialise_candidates(CANDIDATES), draw.serialise_inspectors(INSPECTORS),
             draw.serialise_exclusions(EXCLUDED)]
    doc = document_for(*snaps)
    altered = snaps[0].replace(b"91120101MA00000003,\xe9\xab\x98", b"91120101MA00000003,\xe4\xb8\xad")
    assert altered != snaps[0]
    with pytest.raises(draw.SnapshotError, match="检查对象快照的SHA-256"):
        draw.inputs_from_document(doc, altered, snaps[1], snaps[2])
    with pytest.raises(draw.SnapshotError, match="回避快照"):
        draw.inputs_from_document(doc, snaps[0], snaps[1], b"")
    with pytest.raises(draw.SnapshotError, match="算法"):
        draw.inputs_from_document({**doc, "algorithm": "gongkai-draw-v0"}, *snaps)


def test_inputs_from_document_refuses_a_count_that_is_not_the_published_one():
    snaps = [draw.serialise_candidates(CANDIDATES), draw.serialise_inspectors(INSPECTORS),
             draw.serialise_exclusions(EXCLUDED)]
    doc = document_for(*snaps)
    doc["inspectors"]["count"] = 5
    with pytest.raises(draw.SnapshotError, match="6行"):
        draw.inputs_from_document(doc, *snaps)


# --- snapshots --------------------------------------------------------------------------------


def test_snapshots_round_trip_and_sort_by_first_field():
    rows = [("91B", "高", "和平区", "网格1"), ("91A", "", "", "")]
    data = draw.serialise_candidates(rows)
    assert data == "91A,,,\n91B,高,和平区,网格1\n".encode()
    assert draw.parse_candidates(data) == (draw.Candidate("91A"), draw.Candidate("91B", "高", "和平区", "网格1"))
    assert draw.serialise_candidates(draw.parse_candidates(data)) == data
    inspectors = draw.serialise_inspectors([draw.InspectorEntry("2", "区"), ("1", None, "g")])
    assert inspectors == "1,,g\n2,区,\n".encode()
    assert draw.serialise_inspectors(draw.parse_inspectors(inspectors)) == inspectors
    hashes = [draw.pair_hash("2", "X"), draw.pair_hash("1", "Y"), draw.pair_hash("2", "X")]
    exclusions = draw.serialise_exclusions(hashes)
    assert exclusions.count(b"\n") == 2
    assert draw.parse_exclusions(exclusions) == frozenset(hashes)
    assert draw.parse_candidates(b"") == () and draw.serialise_candidates([]) == b""


def test_snapshot_order_is_code_point_order_which_is_utf8_byte_order():
    rows = [("中", "", "", ""), ("Z", "", "", ""), ("高", "", "", ""), ("a", "", "", "")]
    data = draw.serialise_candidates(rows)
    lines = data.split(b"\n")[:-1]
    assert lines == sorted(lines)
    assert [c.credit_code for c in draw.parse_candidates(data)] == ["Z", "a", "中", "高"]


@pytest.mark.parametrize(("data", "message"), [
    (b"91B,,,\n91A,,,\n", "顺序"),
    (b"91A,,,\n91A,,,\n", "重复"),
    (b"91A,,,", "换行"),
    (b"91A,,,\r\n", "回车"),
    (b"91A,,\n", "4个字段"),
    (b"91A,,,,\n", "4个字段"),
    (b",,,\n", "统一社会信用代码"),
    (b"\xff,,,\n", "UTF-8"),
    (b"91A,\x1f,,\n", "控制字符"),
])
def test_candidate_snapshot_refuses_non_canonical_bytes(data, message):
    with pytest.raises(draw.SnapshotError, match=message):
        draw.parse_candidates(data)


def test_exclusion_snapshot_refuses_what_is_not_a_lowercase_digest():
    good = draw.pair_hash("1", "A")
    with pytest.raises(draw.SnapshotError):
        draw.parse_exclusions(good.upper().encode() + b"\n")
    with pytest.raises(draw.SnapshotError):
        draw.parse_exclusions(b"1201,91A\n")
    with pytest.raises(draw.SnapshotError):
        draw.serialise_exclusions(["not a hash"])


def test_serialising_refuses_fields_that_would_break_the_format_and_duplicate_keys():
    with pytest.raises(draw.SnapshotError, match="逗号"):
        draw.serialise_candidates([("91A", "高,中", "", "")])
    with pytest.raises(draw.SnapshotError):
        draw.serialise_inspectors([("1", "区\n", "")])
    with pytest.raises(draw.SnapshotError, match="重复"):
        draw.serialise_inspectors([("1", "", ""), ("1", "区", "")])


def test_serialising_checks_the_joined_text_as_the_field_by_field_way_does():
    import enum

    class Grade(str, enum.Enum):  # noqa: UP042 - str() of it is not its value, unlike StrEnum
        HIGH = "高"

    odd = [("91B", None, 7, ""), ("91A", Grade.HIGH, "区", "格"), draw.Candidate("91C", Grade.HIGH)]
    expected = draw._serialise_fields([tuple(draw._as_fields(row, draw.Candidate)) for row in odd], "检查对象")
    assert draw.serialise_candidates(odd) == expected
    assert b"91A,Grade.HIGH," in expected and "91C,高,".encode() in expected
    # the first offending field in code order is named, whichever way the rows go
    bad = [("91C", "", "a\rb", ""), ("91B", "", "", "x,y"), ("91A", "", "", "")]
    for rows in (bad, [*bad, ("91D", None, "", "")]):
        with pytest.raises(draw.SnapshotError, match="“x,y”含有逗号"):
            draw.serialise_candidates(rows)
    with pytest.raises(draw.SnapshotError, match="“a\rb”"):
        draw.serialise_candidates([("91C", "", "a\rb", ""), ("91A", "", "", "")])
    with pytest.raises(draw.SnapshotError, match="字段数"):
        draw.serialise_candidates([("91A", "", ""), ("91B", "", "", "")])


def test_published_list_parses_and_refuses_other_text():
    text = draw.run_draw(vector_inputs(), SEED).result_text
    rows = draw.parse_result(text)
    assert rows[0] == ("91120101MA00000006", "中", 1, ("120100000005", "120100000001"), ())
    assert rows[2] == ("91120101MA00000002", "高", 1, ("120100000004", "120100000006"), ("120100000001",))
    assert len(rows) == 4
    for bad in (b"91A,,1,,\n", b"91A,,0,X,\n", b"91A,,01,X,\n", b"91A,,1,X,", b"91A,1,X,\n", b"91A,,1,X;;Y,\n",
                b"91A,,1,X\n", b"91A,,1,X,Y;\n", b"91A,,1,X,Y,Z\n"):
        with pytest.raises(draw.SnapshotError):
            draw.parse_result(bad)


# --- run by hand ------------------------------------------------------------------------------


def test_the_module_runs_alone_on_downloaded_files(tmp_path, capsys):
    """The public downloads (no exclusion snapshot): the re-run takes the list's skips."""
    snaps = (draw.serialise_candidates(CANDIDATES), draw.serialise_inspectors(INSPECTORS),
             draw.serialise_exclusions(EXCLUDED))
    doc = document_for(*snaps)
    paths = []
    for name, data in (("inputs.json", draw.canonical_json(doc)), ("c.txt", snaps[0]), ("i.txt", snaps[1]),
                       ("e.txt", snaps[2])):
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    public, exclusions = paths[:3], ["--exclusions", paths[3]]
    listed = str(tmp_path / "list.txt")
    expected = draw.run_draw(vector_inputs(), SEED).result_text
    (tmp_path / "list.txt").write_bytes(expected)
    assert draw.main([*public, SEED, "--list", listed]) == 0
    assert "identical" in capsys.readouterr().out
    assert draw.main([*public, SEED, "--list", listed, *exclusions]) == 0  # the supervising office's full re-run
    (tmp_path / "list.txt").write_bytes(expected.replace(b",1,", b",2,", 1))
    assert draw.main([*public, SEED, "--list", listed]) == 1
    # a skip removed from the list: the public re-run now takes that inspector and differs
    (tmp_path / "list.txt").write_bytes(expected.replace(b",120100000001\n", b",\n"))
    assert draw.main([*public, SEED, "--list", listed]) == 1
    assert "DIFFERENT" in capsys.readouterr().out
    (tmp_path / "list.txt").write_bytes(expected)
    assert draw.main([*public, SEED[::-1], "--list", listed]) == 1  # not the committed seed
    capsys.readouterr()
    assert draw.main([*public, SEED, *exclusions]) == 0  # with the exclusions, prints the list
    assert capsys.readouterr().out.encode() == expected
    with pytest.raises(SystemExit):  # neither the list nor the exclusions: nothing to re-run from
        draw.main([*public, SEED])


def test_the_independent_verifier_in_the_docs_agrees_on_the_worked_example(tmp_path):
    """docs/random_inspections.md's verifier (hashlib and hmac only), run as published."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    docs = Path(draw.__file__).resolve().parents[2] / "docs" / "random_inspections.md"
    (source,) = re.findall(r"```python\n(.*?)```", docs.read_text(encoding="utf-8"), flags=re.S)
    (tmp_path / "verify.py").write_text(source, encoding="utf-8")
    snaps = (draw.serialise_candidates(CANDIDATES), draw.serialise_inspectors(INSPECTORS),
             draw.serialise_exclusions(EXCLUDED))
    files = {"inputs.json": draw.canonical_json(document_for(*snaps)), "c.txt": snaps[0], "i.txt": snaps[1],
             "result.txt": draw.run_draw(vector_inputs(), SEED).result_text}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    def run(seed: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "verify.py", *files, seed], cwd=tmp_path, capture_output=True,
                              text=True, check=False)

    done = run(SEED)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["identical", "f3b2617041e6663920c05975b6ba858e5763e10f14c0b5a9988f9e06cf9e4352"]
    (tmp_path / "result.txt").write_bytes(files["result.txt"].replace(b"120100000006", b"120100000003"))
    assert run(SEED).returncode == 1
    (tmp_path / "result.txt").write_bytes(files["result.txt"].replace(b",120100000001\n", b",\n"))
    assert run(SEED).returncode == 1  # a skip left out
    (tmp_path / "result.txt").write_bytes(files["result.txt"])
    assert "not the committed seed" in run(SEED[::-1]).stderr


def test_the_docs_verifier_agrees_with_run_draw_on_random_inputs(tmp_path, capsys, monkeypatch):
    """Caps, weights, grids, several exclusions: the prose's verifier and run_draw agree."""
    import random
    import re
    import runpy
    import sys
    from pathlib import Path

    from gongkai.random_inspections.tests.test_draw_reference import inputs_of, random_case

    docs = Path(draw.__file__).resolve().parents[2] / "docs" / "random_inspections.md"
    (source,) = re.findall(r"```python\n(.*?)```", docs.read_text(encoding="utf-8"), flags=re.S)
    script = tmp_path / "verify.py"
    script.write_text(source, encoding="utf-8")
    rng = random.Random("docs-verifier")
    agreed = 0
    while agreed < 40:
        case = random_case(rng)
        inputs = inputs_of(case)
        try:
            outcome = draw.run_draw(inputs, case["seed"])
        except draw.DrawImpossible:
            continue
        snaps = (draw.serialise_candidates(inputs.candidates), draw.serialise_inspectors(inputs.inspectors),
                 draw.serialise_exclusions(inputs.excluded_pair_hashes))
        doc = {**document_for(*snaps), "reference": case["reference"], "sample_ratio": case["ratio"],
               "sample_count": case["count"], "weights": case["weights"], "inspectors_per_target": case["m"],
               "avoid_same_region": case["avoid_region"], "avoid_same_grid": case["avoid_grid"],
               "seed": {"mode": "public_value", "commitment": "", "public_value_source": "test"}}
        paths = []
        for name, data in (("inputs.json", draw.canonical_json(doc)), ("c", snaps[0]), ("i", snaps[1]),
                           ("r", outcome.result_text)):
            (tmp_path / name).write_bytes(data)
            paths.append(str(tmp_path / name))
        monkeypatch.setattr(sys, "argv", ["verify.py", *paths, case["seed"]])
        with pytest.raises(SystemExit) as exited:
            runpy.run_path(str(script), run_name="__main__")
        assert exited.value.code is False, capsys.readouterr().out
        assert capsys.readouterr().out.split() == ["identical", outcome.result_sha256]
        agreed += 1
