"""The findings in use (data/findings.toml): every one of the issue's list, each with an
exchange code, and unknown codes refused."""

import pytest

from gongkai.core.errors import DomainError
from gongkai.random_inspections import findings

ISSUE_LABELS = [
    "未发现问题", "发现问题已责令改正", "发现问题待后续处理", "未发现开展本次抽查涉及的经营活动",
    "不配合检查（情节严重）", "通过登记的住所（经营场所）无法联系", "已关闭停业或正在组织清算", "已注销",
    "已吊销", "未按规定公示应当公示的信息", "公示信息隐瞒真实情况、弄虚作假", "其他",
]


def test_every_finding_of_the_issue_is_in_use_in_order():
    assert [f.label for f in findings.findings()] == ISSUE_LABELS


def test_codes_and_exchange_codes_are_unique_and_present():
    all_ = findings.findings()
    assert len({f.code for f in all_}) == len(all_)
    assert len({f.exchange_code for f in all_}) == len(all_)
    assert all(f.exchange_code and f.exchange_label for f in all_)


def test_problems_and_follow_up_are_marked_as_the_law_reads_them():
    assert not findings.get("no_problem").problem
    assert findings.get("corrected").problem and not findings.get("corrected").follow_up
    assert findings.get("pending").follow_up
    assert findings.get("not_contactable").kind == "not_contactable"
    assert set(findings.codes_where(kind="gone")) == {"deregistered", "revoked"}


def test_an_unknown_code_is_refused_in_chinese():
    with pytest.raises(DomainError, match="不在本平台使用的检查结果之列"):
        findings.check_code("made_up")
    assert findings.check_code("pending").label == "发现问题待后续处理"


def test_the_label_of_an_unknown_code_is_the_code_itself():
    assert findings.label("gone_away") == "gone_away"
    assert findings.label("revoked") == "已吊销"
