"""Art. 44: which disclosing requests asked for the same information, when enough distinct
applicants did to propose it, and that a decided cluster stays quiet until a new request
joins it. The pure rules on built requests, then the same on real requests made through
foi's services."""

import datetime as dt
import itertools
import random

import pytest

from gongkai.conversions import rules, selectors, services
from gongkai.conversions.models import AgencyConversionSettings
from gongkai.conversions.tests.conftest import BUDGET, SAMPLING
from gongkai.foi.repeats import (
    DisclosedFileRef,
    DisclosedRequest,
    bigram_similarity,
    description_bigrams,
)
from gongkai.foi.similarity import description_similarity

D = dt.date
_pks = itertools.count(1)


REPLIED = D(2025, 6, 16)


def req(description, applicant="a", *, files=(), replied_on=REPLIED):
    pk = next(_pks)
    return DisclosedRequest(
        pk=pk, tracking_number=f"T{pk:04d}", description=description, applicant_key=applicant,
        received_on=D(2025, 6, 2), replied_on=replied_on, reply_type="disclosed",
        files=tuple(DisclosedFileRef(1000 + pk, sha, sha, "application/pdf", 1) for sha in files))


# --- the threshold ---------------------------------------------------------------------------


def test_three_distinct_applicants_by_default_never_fewer_than_two():
    assert rules.min_applicants() == 3
    assert rules.min_applicants(5) == 5
    assert rules.min_applicants(1) == 2  # 多个申请人: more than one
    assert rules.min_applicants(0) == 2


def test_the_rule_names_article_forty_four():
    from gongkai.core.rules import registry

    cited = {r.name: [str(s) for s in r.sources] for r in registry.rules()}
    assert cited["gongkai.conversions.rules.min_applicants"] == ["条例第四十四条"]
    assert cited["gongkai.conversions.rules.same_information"] == ["条例第四十四条"]


# --- the same information ------------------------------------------------------------------------

PARAPHRASES = [
    ("请公开2025年本局食品安全监督抽检不合格产品名单。", "申请获取2025年度食品安全监督抽检不合格食品名单"),
    ("请公开2025年本局食品安全监督抽检不合格产品名单。", "2025年食品抽检不合格产品名单及处置情况"),
    ("请提供本市2025年特种设备安全监察年度报告。", "申请公开青岚市2025年度特种设备安全监察报告"),
    ("本局关于网络订餐平台监管的工作方案", "申请获取网络订餐平台监管工作方案全文"),
    ("2024年度食品安全监督抽检结果", "请公开2024年食品抽检的结果"),
]
UNRELATED = [
    ("请公开2025年本局食品安全监督抽检不合格产品名单。", "请公开2025年本局对辖区内餐饮单位开展“明厨亮灶”检查的结果。"),
    ("请公开2021年至2025年本局全部行政许可档案目录。", "请公开2024年本局收费项目目录。"),
    # As alike in words as can be, but another year: the numbers conflict.
    ("请提供本市2025年特种设备安全监察年度报告。", "请提供本市2024年特种设备安全监察年度报告。"),
]


@pytest.mark.parametrize(("a", "b"), PARAPHRASES)
def test_paraphrases_of_one_request_are_the_same_information(a, b):
    found = rules.same_information(req(a), req(b))
    assert found is not None and found[0] == "description"
    assert found[1] >= 0.5


@pytest.mark.parametrize(("a", "b"), UNRELATED)
def test_unrelated_requests_and_other_years_are_not(a, b):
    assert rules.same_information(req(a), req(b)) is None


@pytest.mark.parametrize(("a", "b"), PARAPHRASES + UNRELATED)
def test_descriptions_are_compared_exactly_as_foi_compares_them(a, b):
    assert bigram_similarity(description_bigrams(a), description_bigrams(b)) == description_similarity(a, b)


def test_the_same_disclosed_file_links_whatever_the_wording():
    a, b = req("我要那份名单", files=["abc"]), req("请提供相关材料", files=["abc", "def"])
    assert rules.same_information(a, b) == ("file", None)
    assert rules.same_information(a, req("请提供相关材料", files=["xyz"])) is None


def test_numbers_conflict_only_when_neither_includes_the_other():
    assert rules.numbers_conflict("2024年报告", "2025年报告")
    assert not rules.numbers_conflict("2021年至2025年目录", "2025年目录")
    assert not rules.numbers_conflict("年度报告", "2025年报告")


# --- clusters ----------------------------------------------------------------------------------


def test_a_cluster_counts_distinct_applicants_and_needs_the_threshold():
    alike = "请公开2025年第一季度食品安全监督抽检不合格产品名单"
    same_person = [req(alike, "a"), req(alike + "。", "a"), req("申请获取" + alike, "b")]
    assert rules.find_clusters(same_person, agency_id=1, min_applicants=3) == []
    [cluster] = rules.find_clusters(same_person, agency_id=1, min_applicants=2)
    assert cluster.applicants == 2 and len(cluster.requests) == 3
    assert cluster.proposed


def test_clusters_join_through_a_chain_of_links_and_name_their_common_files():
    a = req("预算表", "a", files=["f1"])
    b = req("抽检单", "b", files=["f1", "f2"])
    c = req("许可证", "c", files=["f2"])
    d = req("处罚书", "d", files=["f3"])
    [cluster] = rules.find_clusters([a, b, c, d], agency_id=1, min_applicants=3)
    assert cluster.request_ids == [a.pk, b.pk, c.pk]
    assert {f.sha256 for f in cluster.common_files} == {"f1", "f2"}
    assert all(link.by == "file" for link in cluster.links)


def test_a_decided_cluster_is_not_proposed_until_a_new_request_joins():
    alike = "请公开2025年第一季度食品安全监督抽检不合格产品名单"
    first = [req(alike, "a"), req(alike, "b"), req(alike, "c")]
    [cluster] = rules.find_clusters(first, agency_id=1, min_applicants=3,
                                    decided=[r.pk for r in first])
    assert not cluster.proposed
    joined = [*first, req(alike, "d")]
    [again] = rules.find_clusters(joined, agency_id=1, min_applicants=3,
                                  decided=[r.pk for r in first])
    assert again.proposed and again.undecided == {joined[-1].pk}
    assert again.key != cluster.key  # the new request changes its name


def test_the_suggested_title_is_the_most_used_description_without_the_asking_words():
    assert rules.suggested_title(["请公开甲名单。", "申请获取乙名单", "请公开甲名单。"]) == "甲名单"
    assert rules.suggested_title(["请提供本市2025年特种设备安全监察年度报告。"]) == "本市2025年特种设备安全监察年度报告"


def _naive_partition(requests):
    """Every pair compared: the reference the blocked comparison must agree with."""
    components = rules._Components(len(requests))
    for i, j in itertools.combinations(range(len(requests)), 2):
        if rules.same_information(requests[i], requests[j]):
            components.union(i, j)
    groups = {}
    for i in range(len(requests)):
        groups.setdefault(components.find(i), set()).add(requests[i].pk)
    return sorted(sorted(g) for g in groups.values())


@pytest.mark.parametrize("posting_limit", [rules.POSTING_LIMIT, 10**6])
def test_comparing_only_pairs_that_share_rare_bigrams_finds_the_same_clusters(monkeypatch, posting_limit):
    monkeypatch.setattr(rules, "POSTING_LIMIT", posting_limit)
    rng = random.Random(44)
    subjects = ["食品安全监督抽检不合格产品名单", "特种设备安全监察年度报告", "网络订餐平台监管工作方案",
                "行政处罚案件数量及处罚依据", "明厨亮灶检查结果", "收费项目目录", "部门预算", "药品抽检结果"]
    asks = ["请公开", "申请获取", "请提供", "我想了解", ""]
    tails = ["", "。", "全文", "的具体内容", "及处置情况"]
    requests = [
        req(f"{rng.choice(asks)}{rng.choice(['2024年', '2025年', '本局', ''])}{rng.choice(subjects)}{rng.choice(tails)}",
            f"p{rng.randrange(40)}", files=[f"f{rng.randrange(30)}"] if rng.random() < 0.2 else [])
        for _ in range(160)
    ]
    components, _ = rules.find_links(requests)
    groups = {}
    for i, r in enumerate(requests):
        groups.setdefault(components.find(i), set()).add(r.pk)
    assert sorted(sorted(g) for g in groups.values()) == _naive_partition(requests)


def test_thousands_of_requests_are_clustered_without_comparing_every_pair(monkeypatch):
    calls = 0
    real = rules._same

    def counted(a, b):
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(rules, "_same", counted)
    n = 3000
    requests = [req(f"请公开编号{i}号许可证的审批材料{'甲乙丙丁戊己庚辛'[i % 8]}", f"p{i}") for i in range(n)]
    requests += [req("请公开2025年第一季度食品安全监督抽检不合格产品名单", f"q{i}") for i in range(500)]
    clusters = rules.find_clusters(requests, agency_id=1, min_applicants=3)
    assert [c.applicants for c in clusters] == [500]
    pairs = len(requests) * (len(requests) - 1) // 2  # about six million
    assert calls < pairs / 5
    # Alike in words (0.75), held apart by their numbers.
    assert description_similarity(requests[0].description, requests[1].description) > 0.5
    assert rules.same_information(requests[0], requests[1]) is None


# --- on real requests ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_three_applicants_sent_the_same_file_make_one_proposal(bureau, three_alike, disclose):
    disclose(4, "请公开2025年部门预算", files=[("部门预算", BUDGET)])
    [proposal] = selectors.proposals_for(bureau)
    assert proposal.request_ids == [r.pk for r in three_alike]
    assert proposal.applicants == 3
    assert [f.display_name for f in proposal.common_files] == ["抽检不合格产品名单"]


@pytest.mark.django_db
def test_two_requests_of_one_applicant_count_once(bureau, disclose):
    files = [("抽检不合格产品名单", SAMPLING)]
    disclose(1, "请公开2025年第一季度食品抽检不合格名单", files=files)
    disclose(1, "再次申请2025年第一季度食品抽检不合格名单", files=files)
    disclose(2, "申请获取2025年一季度食品抽检不合格名单", files=files)
    assert selectors.proposals_for(bureau) == []
    AgencyConversionSettings.objects.create(agency=bureau, min_applicants=2)
    [proposal] = selectors.proposals_for(bureau)
    assert proposal.applicants == 2 and len(proposal.requests) == 3


@pytest.mark.django_db
def test_only_disclosing_replies_of_the_same_agency_count(bureau, other_office, disclose):
    files = [("抽检不合格产品名单", SAMPLING)]
    disclose(1, "请公开2025年第一季度食品抽检不合格名单", files=files)
    disclose(2, "请公开2025年第一季度食品抽检不合格名单", reply_type="not_disclosed")
    disclose(3, "请公开2025年第一季度食品抽检不合格名单", files=files, actor=other_office)
    assert selectors.proposals_for(bureau) == []
    disclose(4, "请公开2025年第一季度食品抽检不合格名单", files=files, reply_type="partially_disclosed")
    assert selectors.proposals_for(bureau) == []
    disclose(5, "2025年第一季度食品抽检不合格名单")  # no file: linked by its wording
    [proposal] = selectors.proposals_for(bureau)
    assert proposal.applicants == 3
    assert {r.reply_type for r in proposal.requests} == {"disclosed", "partially_disclosed"}


@pytest.mark.django_db
def test_a_dismissed_proposal_returns_only_when_a_new_request_joins(bureau, office, three_alike, disclose):
    [proposal] = selectors.proposals_for(bureau)
    services.proposal_dismiss(actor=office, agency=bureau, key=proposal.key, reason="名单含企业商业信息，已另行发布汇总。")
    assert selectors.proposals_for(bureau) == []
    [decided] = selectors.agency_clusters(bureau)
    assert decided.key == proposal.key and not decided.proposed
    newcomer = disclose(7, "请公开食品抽检不合格产品名单（2025年第一季度）", files=[("名单", SAMPLING)])
    [again] = selectors.proposals_for(bureau)
    assert again.undecided == {newcomer.pk} and again.applicants == 4
