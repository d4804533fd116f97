import datetime as dt

from gongkai.hotspots import text
from gongkai.hotspots.columns import guess_mapping, normalise_header
from gongkai.hotspots.periods import MONTH, WEEK, Period, last_complete, same_period_last_year

D = dt.date


# --- segmentation ----------------------------------------------------------------------------

def test_terms_drop_stop_words_single_characters_and_numbers():
    terms, _ = text.terms_and_phrases("消费者投诉：商家拒绝退货，要求赔偿5000元。订单号AB12345")
    assert "赔偿" in terms
    for dropped in ("消费者", "投诉", "商家", "要求", "5000", "元", "AB12345", "：", "，"):
        assert dropped not in terms


def test_domain_words_are_kept_whole():
    terms, _ = text.terms_and_phrases("在健身房办理的预付卡，电动自行车电池起火")
    assert "预付卡" in terms and "电动自行车" in terms


def test_phrases_are_adjacent_terms_and_punctuation_breaks_them():
    terms, phrases = text.terms_and_phrases("电动自行车电池起火。赔偿退费")
    assert "电动自行车电池" in phrases
    assert "起火赔偿" not in phrases  # "。" between them


def test_a_text_counts_each_term_once():
    terms, _ = text.terms_and_phrases("退费退费退费，还是退费")
    assert terms.count("退费") == 1


def test_mask_personal_data_masks_mobiles_and_ids_but_leaves_plain_text():
    masked = text.mask_personal_data("联系电话13812345678，身份证11010519491231002X，余额3680元")
    assert "13812345678" not in masked and "11010519491231002X" not in masked
    assert "138****5678" in masked and "余额3680元" in masked
    assert text.mask_personal_data("预付卡余额3680元") == "预付卡余额3680元"


# --- periods ------------------------------------------------------------------------------------

def test_iso_week_label_and_last_complete_week():
    period = Period(WEEK, last_complete(WEEK, D(2026, 3, 11)))
    assert period.start == D(2026, 3, 2) and period.end == D(2026, 3, 8)
    assert period.label == "2026年第10周（3月2日—3月8日）"
    assert period.param == "2026-W10"
    assert Period.parse(WEEK, "2026-W10") == period


def test_same_week_last_year_is_the_same_iso_week_and_week_53_falls_back():
    assert same_period_last_year(WEEK, D(2026, 3, 2)) == D(2025, 3, 3)  # 2025-W10
    assert same_period_last_year(WEEK, D(2026, 12, 28)) == D(2025, 12, 22)  # 2026-W53 → 2025-W52


def test_months_and_year_boundaries():
    period = Period(MONTH, D(2026, 1, 1))
    assert period.previous.start == D(2025, 12, 1) and period.last_year.start == D(2025, 1, 1)
    assert period.end == D(2026, 1, 31)
    assert Period.parse(MONTH, "2026-13") is None and Period.parse(WEEK, "W10") is None


# --- column mapping ------------------------------------------------------------------------------

def test_common_12315_headers_are_guessed():
    headers = ["工单号", "受理日期", "诉求类型", "问题类别", "涉及行业", "属地", "诉求内容", "投诉人"]
    mapping = guess_mapping(headers)
    assert mapping == {"source_id": 0, "received_on": 1, "kind": 2, "category": 3, "subject": 4,
                       "region": 5, "summary": 6}


def test_the_agencys_last_mapping_wins_over_the_guess():
    headers = ["登记日期", "受理日期", "内容摘要"]
    assert guess_mapping(headers)["received_on"] == 0
    assert guess_mapping(headers, {"received_on": "受理日期"})["received_on"] == 1


def test_headers_are_compared_without_stars_spaces_and_brackets():
    assert normalise_header("* 登记日期（必填）") == normalise_header("登记日期必填")
    assert guess_mapping(["*登记 日期", "内容摘要"])["received_on"] == 0
