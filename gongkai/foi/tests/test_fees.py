"""Tests for gongkai.foi.fees (pure Python, no database).

Expected amounts are written out band by band from the text of the Fee measures
(国办函〔2020〕109号, Art. 4 and 5), with the arithmetic in the test ids; the reference
functions below restate the measures independently of the code under test.
"""

from decimal import Decimal
from importlib import resources

import pytest

from gongkai.foi import fees
from gongkai.foi.fees import (
    FeeLine,
    FeeScale,
    FeeScheduleError,
    calculate_fee,
    load_fee_schedule,
    parse_fee_schedule,
    per_page_fee,
    per_request_fee,
)

MEASURES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
REAL_TOML = (resources.files("gongkai.foi").joinpath("data").joinpath("fee_scales.toml")).read_text(
    encoding="utf-8"
)


def yuan(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def reference_request_price(rank: int) -> int:
    """Art. 4: 1–10 free; 11–30 at 100; from 31, bands of 10, each 100 dearer."""
    if rank <= 10:
        return 0
    if rank <= 30:
        return 100
    return 100 + 100 * ((rank - 31) // 10 + 1)


def reference_page_price(page: int) -> int:
    """Art. 5: 1–30 free; 31–100 at 10; 101–200 at 20; from 201 at 40."""
    if page <= 30:
        return 0
    if page <= 100:
        return 10
    if page <= 200:
        return 20
    return 40


def with_edited_toml(monkeypatch, old: str, new: str) -> None:
    """Make the fee functions use the real data file with one edit applied."""
    assert REAL_TOML.count(old) == 1, f"edit target not found once: {old!r}"
    schedule = parse_fee_schedule(REAL_TOML.replace(old, new))
    monkeypatch.setattr(fees, "load_fee_schedule", lambda: schedule)


# --- per request (按件计收, Art. 4) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rank", "expected", "band_label"),
    [
        pytest.param(1, 0, "第1—10件，不收费", id="1st: 1-10 free = 0"),
        pytest.param(10, 0, "第1—10件，不收费", id="10th: last free = 0"),
        pytest.param(11, 100, "第11—30件，每件100元", id="11th: 11-30 = 100"),
        pytest.param(30, 100, "第11—30件，每件100元", id="30th: 11-30 = 100"),
        pytest.param(31, 200, "第31—40件，每件200元", id="31st: 100+1x100 = 200"),
        pytest.param(35, 200, "第31—40件，每件200元", id="35th: 100+1x100 = 200"),
        pytest.param(40, 200, "第31—40件，每件200元", id="40th: 100+1x100 = 200"),
        pytest.param(41, 300, "第41—50件，每件300元", id="41st: 100+2x100 = 300"),
        pytest.param(50, 300, "第41—50件，每件300元", id="50th: 100+2x100 = 300"),
        pytest.param(51, 400, "第51—60件，每件400元", id="51st: 100+3x100 = 400"),
        pytest.param(100, 800, "第91—100件，每件800元", id="100th: 100+7x100 = 800"),
        pytest.param(101, 900, "第101—110件，每件900元", id="101st: 100+8x100 = 900"),
        pytest.param(1000, 9800, "第991—1000件，每件9800元", id="1000th: 100+97x100 = 9800"),
    ],
)
def test_per_request_fee_is_the_price_of_the_band_the_rank_falls_in(rank, expected, band_label):
    assert expected == reference_request_price(rank)  # the table agrees with the rule
    calc = per_request_fee(rank)
    assert calc.total == yuan(expected)
    assert calc.lines == (FeeLine(band_label, 1, yuan(expected), yuan(expected)),)
    assert calc.scale is FeeScale.PER_REQUEST
    assert calc.quantity == rank


def test_per_request_fee_follows_the_rule_for_every_rank_up_to_300():
    for rank in range(1, 301):
        assert per_request_fee(rank).total == yuan(reference_request_price(rank)), rank


@pytest.mark.parametrize("band", range(1, 21), ids=lambda k: f"open band {k}")
def test_each_open_ended_band_is_ten_requests_one_hundred_dearer(band):
    first, last = 31 + 10 * (band - 1), 30 + 10 * band
    price = yuan(100 + 100 * band)
    assert per_request_fee(first - 1).total == price - 100
    assert per_request_fee(first).total == price
    assert per_request_fee(last).total == price
    assert (
        per_request_fee(first).lines[0].band_label
        == f"第{first}—{last}件，每件{100 + 100 * band}元"
    )


def test_per_request_notice_text_for_the_35th_request():
    calc = per_request_fee(35)
    assert calc.explanation == (
        "该申请人本月第35件申请，适用第31—40件档，每件200元",
        "本件申请应缴信息处理费200.00元",
    )
    assert calc.basis == (
        f"{MEASURES}第四条、《中华人民共和国政府信息公开条例》第四十二条，按件计收"
    )


def test_per_request_notice_text_for_a_free_request():
    calc = per_request_fee(5)
    assert calc.total == Decimal("0.00")
    assert calc.explanation == (
        "该申请人本月第5件申请，适用第1—10件档，不收费",
        "本件申请不收取信息处理费",
    )


# --- per page (按量计收, Art. 5) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        pytest.param(0, 0, id="0 pages = 0"),
        pytest.param(1, 0, id="1 page = 0"),
        pytest.param(30, 0, id="30 pages = 0"),
        pytest.param(31, 10, id="31 pages = 1x10 = 10"),
        pytest.param(32, 20, id="32 pages = 2x10 = 20"),
        pytest.param(100, 700, id="100 pages = 70x10 = 700"),
        pytest.param(101, 720, id="101 pages = 700 + 1x20 = 720"),
        pytest.param(150, 1700, id="150 pages = 70x10 + 50x20 = 1700"),
        pytest.param(200, 2700, id="200 pages = 700 + 100x20 = 2700"),
        pytest.param(201, 2740, id="201 pages = 2700 + 1x40 = 2740"),
        pytest.param(1000, 2700 + 800 * 40, id="1000 pages = 2700 + 800x40 = 34700"),
    ],
)
def test_per_page_fee_is_progressive_over_the_bands(pages, expected):
    assert expected == sum(reference_page_price(p) for p in range(1, pages + 1))
    calc = per_page_fee(pages)
    assert calc.total == yuan(expected)
    assert calc.total == sum(line.amount for line in calc.lines)
    assert sum(line.quantity for line in calc.lines) == pages
    assert calc.scale is FeeScale.PER_PAGE
    assert calc.quantity == pages


def test_per_page_fee_follows_the_rule_for_every_count_up_to_450():
    running = 0
    for pages in range(451):
        running += reference_page_price(pages) if pages else 0
        assert per_page_fee(pages).total == yuan(running), pages


def test_per_page_lines_and_notice_text_for_150_pages():
    calc = per_page_fee(150)
    assert calc.lines == (
        FeeLine("第1—30页，不收费", 30, yuan(0), yuan(0)),
        FeeLine("第31—100页，每页10元", 70, yuan(10), yuan(700)),
        FeeLine("第101—200页，每页20元", 50, yuan(20), yuan(1000)),
    )
    assert calc.explanation == (
        "本次提供政府信息共150页，按量计收，超额累进计算",
        "第1—30页共30页，不收费",
        "第31—100页共70页，每页10元，计700.00元",
        "第101—200页共50页，每页20元，计1000.00元",
        "合计应缴信息处理费1700.00元",
    )
    assert calc.basis == (
        f"{MEASURES}第五条、《中华人民共和国政府信息公开条例》第四十二条，按量计收"
    )


def test_per_page_lines_reach_the_open_top_band():
    calc = per_page_fee(250)
    assert [line.band_label for line in calc.lines] == [
        "第1—30页，不收费",
        "第31—100页，每页10元",
        "第101—200页，每页20元",
        "第201页起，每页40元",
    ]
    assert calc.lines[-1] == FeeLine("第201页起，每页40元", 50, yuan(40), yuan(2000))


def test_no_pages_means_no_lines_and_no_fee():
    calc = per_page_fee(0)
    assert calc.lines == ()
    assert calc.total == yuan(0)
    assert calc.explanation[-1] == "不收取信息处理费"


@pytest.mark.parametrize(
    ("fee", "quantity"),
    [
        pytest.param(per_request_fee, 1, id="request 1"),
        pytest.param(per_request_fee, 45, id="request 45"),
        pytest.param(per_page_fee, 0, id="0 pages"),
        pytest.param(per_page_fee, 150, id="150 pages"),
        pytest.param(per_page_fee, 999, id="999 pages"),
    ],
)
def test_money_is_decimal_yuan_with_two_places(fee, quantity):
    calc = fee(quantity)
    amounts = [calc.total] + [x for line in calc.lines for x in (line.unit_price, line.amount)]
    for amount in amounts:
        assert isinstance(amount, Decimal)
        assert amount.as_tuple().exponent == -2


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rank",
    [0, -1, True, False, 1.0, 11.5, "11", Decimal(11), None],
    ids=repr,
)
def test_per_request_fee_rejects_a_bad_rank(rank):
    with pytest.raises(ValueError, match="rank_in_month"):
        per_request_fee(rank)


@pytest.mark.parametrize(
    "pages", [-1, -100, True, False, 30.0, "150", Decimal(150), None], ids=repr
)
def test_per_page_fee_rejects_a_bad_page_count(pages):
    with pytest.raises(ValueError, match="pages"):
        per_page_fee(pages)


# --- calculate_fee: one scale, one input ----------------------------------------------------


def test_calculate_fee_per_request_uses_the_rank():
    assert calculate_fee(scale=FeeScale.PER_REQUEST, rank_in_month=41) == per_request_fee(41)


def test_calculate_fee_per_page_uses_the_pages():
    assert calculate_fee(scale=FeeScale.PER_PAGE, pages=150) == per_page_fee(150)


@pytest.mark.parametrize("scale", list(FeeScale), ids=lambda s: s.value)
def test_calculate_fee_refuses_both_inputs_because_the_scales_are_never_combined(scale):
    with pytest.raises(ValueError, match="not both"):
        calculate_fee(scale=scale, rank_in_month=41, pages=150)


@pytest.mark.parametrize("scale", list(FeeScale), ids=lambda s: s.value)
def test_calculate_fee_refuses_neither_input(scale):
    with pytest.raises(ValueError, match="needs"):
        calculate_fee(scale=scale)


@pytest.mark.parametrize(
    ("scale", "kwargs"),
    [
        pytest.param(FeeScale.PER_REQUEST, {"pages": 150}, id="per request given pages"),
        pytest.param(FeeScale.PER_PAGE, {"rank_in_month": 41}, id="per page given a rank"),
    ],
)
def test_calculate_fee_refuses_the_other_scales_input(scale, kwargs):
    with pytest.raises(ValueError, match="takes"):
        calculate_fee(scale=scale, **kwargs)


@pytest.mark.parametrize("scale", ["per_page", None, 1], ids=repr)
def test_calculate_fee_refuses_a_scale_that_is_not_a_fee_scale(scale):
    with pytest.raises(ValueError, match="FeeScale"):
        calculate_fee(scale=scale, pages=150)


def test_calculate_fee_validates_the_input_it_passes_on():
    with pytest.raises(ValueError, match="at least 1"):
        calculate_fee(scale=FeeScale.PER_REQUEST, rank_in_month=0)


# --- the TOML file is the source ------------------------------------------------------------


def test_the_data_file_is_packaged_and_loaded_once():
    assert resources.files("gongkai.foi").joinpath("data").joinpath("fee_scales.toml").is_file()
    schedule = load_fee_schedule()
    assert load_fee_schedule() is schedule
    assert schedule.source.document_number == "国办函〔2020〕109号"
    assert schedule.source.issued_on.isoformat() == "2020-11-17"
    assert [(b.first, b.last, b.unit_price) for b in schedule.per_page.bands] == [
        (1, 30, yuan(0)),
        (31, 100, yuan(10)),
        (101, 200, yuan(20)),
        (201, None, yuan(40)),
    ]


def test_a_new_page_price_in_the_toml_changes_the_fee(monkeypatch):
    assert per_page_fee(150).total == yuan(1700)
    with_edited_toml(
        monkeypatch,
        "from = 31\nto = 100\nunit_price = 10\n",
        "from = 31\nto = 100\nunit_price = 15\n",
    )
    calc = per_page_fee(150)
    assert calc.total == yuan(70 * 15 + 50 * 20)  # 2050
    assert calc.lines[1] == FeeLine("第31—100页，每页15元", 70, yuan(15), yuan(1050))


def test_a_new_open_ended_increment_in_the_toml_changes_the_fee(monkeypatch):
    assert per_request_fee(41).total == yuan(300)
    with_edited_toml(monkeypatch, "increment = 100\n", "increment = 50\n")
    assert per_request_fee(41).total == yuan(100 + 2 * 50)  # 200
    assert per_request_fee(101).total == yuan(100 + 8 * 50)  # 500


def test_a_new_free_allowance_in_the_toml_changes_the_fee(monkeypatch):
    with_edited_toml(
        monkeypatch,
        "from = 1\nto = 10\nunit_price = 0\n[[per_request.bands]]\nfrom = 11\n",
        "from = 1\nto = 12\nunit_price = 0\n[[per_request.bands]]\nfrom = 13\n",
    )
    assert per_request_fee(12).total == yuan(0)
    assert per_request_fee(13).lines[0].band_label == "第13—30件，每件100元"


def test_a_price_in_fen_is_kept_exactly(monkeypatch):
    with_edited_toml(monkeypatch, "unit_price = 10\n", "unit_price = 0.15\n")
    calc = per_page_fee(31)
    assert calc.total == Decimal("0.15")
    assert calc.lines[1].band_label == "第31—100页，每页0.15元"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param("from = 31\nto = 100", "from = 32\nto = 100", "expected 31", id="gap"),
        pytest.param("from = 101\nto = 200", "from = 100\nto = 200", "expected 101", id="overlap"),
        pytest.param("from = 1\nto = 30", "from = 2\nto = 30", "expected 1", id="not from 1"),
        pytest.param("from = 31\nto = 100", "from = 31\nto = 20", "below", id="to below from"),
        pytest.param("from = 201\n", "from = 201\nto = 300\n", "stops at 300", id="bounded"),
        pytest.param("increment = 100", "increment = -100", "≥ 0", id="negative increment"),
        pytest.param("unit_price = 20", "unit_price = 20.005", "2 decimals", id="sub-fen price"),
        pytest.param("unit_price = 20", "unit_price = '20'", "number of yuan", id="price as text"),
        pytest.param("band_width = 10", "band_width = 0", "positive", id="zero band width"),
        pytest.param(
            "from = 31\nband_width", "from = 41\nband_width", "expected 31", id="open gap"
        ),
        pytest.param("unit_price = 40", "unit_prise = 40", "unknown keys unit_prise", id="typo"),
        pytest.param('method = "按量计收"', "", "lacks method", id="missing key"),
        pytest.param("[per_page]", "[per_page", "not valid TOML", id="bad TOML"),
        pytest.param("issued_on = 2020-11-17", 'issued_on = "x"', "date", id="issued_on text"),
    ],
)
def test_a_broken_data_file_is_refused(old, new, message):
    assert REAL_TOML.count(old) == 1
    with pytest.raises(FeeScheduleError, match=message):
        parse_fee_schedule(REAL_TOML.replace(old, new))


def test_an_open_last_band_and_an_open_ended_rule_together_are_refused():
    text = REAL_TOML.replace("from = 11\nto = 30\n", "from = 11\n")
    with pytest.raises(FeeScheduleError, match="already open-ended"):
        parse_fee_schedule(text)


def test_fee_schedule_error_is_a_value_error():
    assert issubclass(FeeScheduleError, ValueError)
