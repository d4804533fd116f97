"""The rule of a list's changes (``powerlists.diff``): matching by code, else by kind
and normalised name; what counts as changed; the counts' sentence."""

import pytest

from gongkai.powerlists.diff import Entry, compare, normalise_name, normalise_text, summary

LAW = "《中华人民共和国食品安全法》第三十五条"


def e(name, kind="licensing", code="", basis=LAW, department="食品科", level="市级"):
    return Entry(kind=kind, name=name, code=code, basis=basis, department=department, level=level)


@pytest.mark.parametrize(("raw", "expected"), [
    ("食品经营许可", "食品经营许可"),
    (" 食品 经营许可 ", "食品经营许可"),
    ("食品经营许可。", "食品经营许可"),
    ("对违反《食品安全法》的处罚（第一项）", "对违反(食品安全法)的处罚(第一项)"),
    ("对违反〔食品安全法〕的处罚", "对违反(食品安全法)的处罚"),
    ("ＡＢＣ许可", "abc许可"),
    ("", ""),
])
def test_names_are_normalised_before_matching(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(("a", "b", "same"), [
    (LAW, LAW + "\n", True),
    ("《食品安全法》  第三十五条", "《食品安全法》 第三十五条", True),
    ("《食品安全法》第三十五条。", "《食品安全法》第三十五条", True),
    ("《食品安全法》第三十五条", "《食品安全法》第三十六条", False),
    ("１２３", "123", True),
])
def test_basis_is_compared_after_normalising_spacing(a, b, same):
    assert (normalise_text(a) == normalise_text(b)) is same


# (old, new, added names, removed names, {changed name: [labels]})
CASES = [
    pytest.param([e("甲")], [e("甲")], [], [], {}, id="identical"),
    pytest.param([], [e("甲")], ["甲"], [], {}, id="added"),
    pytest.param([e("甲")], [], [], ["甲"], {}, id="removed"),
    pytest.param([e("甲")], [e("甲 ")], [], [], {}, id="name-spacing-is-not-a-change"),
    pytest.param([e("甲")], [e("甲", basis="新法第一条")], [], [], {"甲": ["设定依据"]}, id="basis-changed"),
    pytest.param([e("甲")], [e("甲", department="综合科")], [], [], {"甲": ["实施主体"]}, id="department-changed"),
    pytest.param([e("甲")], [e("甲", level="县级")], [], [], {"甲": ["行使层级"]}, id="level-changed"),
    pytest.param([e("甲")], [e("甲", basis="新法", level="县级")], [], [], {"甲": ["设定依据", "行使层级"]},
                 id="two-fields-changed"),
    pytest.param([e("甲", kind="licensing")], [e("甲", kind="confirmation")], [], [], {"甲": ["权力类型"]},
                 id="moved-to-another-kind-without-code-is-a-change"),
    pytest.param([e("甲", kind="other"), e("甲", kind="licensing")],
                 [e("甲", kind="licensing"), e("甲", kind="confirmation", basis="新法")], [], [],
                 {"甲": ["权力类型", "设定依据"]}, id="same-kind-pairs-before-a-move"),
    pytest.param([e("甲", code="A1", kind="other")], [e("甲", code="B2", kind="confirmation")], ["甲"], ["甲"], {},
                 id="different-codes-never-pair-across-kinds"),
    pytest.param([e("甲", basis="法一"), e("甲", basis="法二")], [e("甲", basis="法二"), e("甲", basis="法一")],
                 [], [], {}, id="reordered-duplicates-are-no-change"),
    pytest.param([e("甲", basis="法一"), e("甲", basis="法二")], [e("甲", basis="法二"), e("甲", basis="法三")],
                 [], [], {"甲": ["设定依据"]}, id="duplicates-pair-identical-first"),
    pytest.param([e("甲")], [e("乙")], ["乙"], ["甲"], {}, id="renamed-without-code-is-remove-and-add"),
    pytest.param([e("甲", code="A1")], [e("甲", code="A1", kind="confirmation")], [], [], {"甲": ["权力类型"]},
                 id="kind-changed-with-code-is-a-change"),
    pytest.param([e("甲", code="A1")], [e("乙", code="A1")], [], [], {"乙": ["事项名称"]},
                 id="renamed-with-same-code"),
    pytest.param([e("甲", code="A1")], [e("甲", code="B2")], ["甲"], ["甲"], {},
                 id="different-codes-are-different-items"),
    pytest.param([e("甲", code="A1")], [e("甲")], [], [], {}, id="code-on-one-side-matches-by-name"),
    pytest.param([e("甲")], [e("甲", code="A1")], [], [], {}, id="code-added-matches-by-name"),
    pytest.param([e("甲", code="a1")], [e("甲", code="Ａ1", basis="新法")], [], [], {"甲": ["设定依据"]},
                 id="codes-compared-normalised"),
    pytest.param([e("甲"), e("甲")], [e("甲")], [], ["甲"], {}, id="duplicate-pairs-in-order"),
    pytest.param([e("甲"), e("乙"), e("丙")], [e("乙", basis="新法"), e("丁")], ["丁"], ["甲", "丙"],
                 {"乙": ["设定依据"]}, id="mixed"),
]


@pytest.mark.parametrize(("old", "new", "added", "removed", "changed"), CASES)
def test_compare(old, new, added, removed, changed):
    result = compare(old, new)
    assert [x.name for x in result.added] == added
    assert [x.name for x in result.removed] == removed
    assert {c.new.name: c.labels for c in result.changed} == changed
    assert result.unchanged + len(result.changed) + len(result.removed) == len(old)
    assert result.unchanged + len(result.changed) + len(result.added) == len(new)


def test_a_change_says_what_it_was_and_what_it_became():
    [change] = compare([e("甲", basis="旧法第一条")], [e("甲", basis="新法第二条")]).changed
    [field] = change.fields
    assert (field.field, field.label, field.old, field.new) == ("basis", "设定依据", "旧法第一条", "新法第二条")


def test_the_counts_read_like_the_adopting_document():
    old = [e(f"旧{i}") for i in range(76)] + [e(f"调{i}") for i in range(91)] + [e(f"同{i}") for i in range(5)]
    new = [e(f"新{i}") for i in range(16)] + [e(f"调{i}", basis="修订后") for i in range(91)] + [
        e(f"同{i}") for i in range(5)]
    result = compare(old, new)
    assert result.counts == {"added": 16, "removed": 76, "changed": 91}
    assert result.summary == "新增16项、取消76项、调整91项"
    assert result.unchanged == 5


@pytest.mark.parametrize(("counts", "text"), [
    ({"added": 0, "removed": 0, "changed": 0}, "无变化"),
    ({"added": 1, "removed": 0, "changed": 0}, "新增1项、取消0项、调整0项"),
])
def test_summary(counts, text):
    assert summary(**counts) == text


def test_matching_is_linear_enough_for_a_large_list():
    old = [e(f"事项{i}", code=f"C{i}") for i in range(5000)]
    new = [e(f"事项{i}", code=f"C{i}") for i in range(2500, 7500)]
    result = compare(old, new)
    assert result.counts == {"added": 2500, "removed": 2500, "changed": 0}


def test_a_duplicate_change_names_the_right_before_and_after():
    [change] = compare([e("甲", basis="法一"), e("甲", basis="法二")], [e("甲", basis="法二"), e("甲", basis="法三")]).changed
    assert [(f.old, f.new) for f in change.fields] == [("法一", "法三")]


def test_many_items_of_one_name_stay_fast_enough():
    old = [e("其他", basis=f"法{i}") for i in range(3000)]
    new = [e("其他", basis=f"法{i}") for i in range(2999, -1, -1)]
    result = compare(old, new)
    assert len(result.added) == len(result.removed) == 0 and len(old) == 3000
    assert result.unchanged == 3000  # reordered, not changed


def test_duplicates_are_same_kind_and_name_unless_codes_tell_them_apart():
    from gongkai.powerlists.diff import duplicates

    groups = duplicates([e("甲"), e("甲。"), e("甲", kind="penalty"), e("乙", code="A1"), e("乙", code="A2"),
                         e("丙", code="C1"), e("丙")])
    assert [[x.name for x in g] for g in groups] == [["甲", "甲。"], ["丙", "丙"]]
