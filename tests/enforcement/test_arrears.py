"""The arrears arithmetic (enforcement/arrears.py) at its boundaries: the worked examples,
the due day (clamped at month ends, leap years), partial payments oldest first with the
fee on the declining balance, credit, rounding once per period, refusals, the fine range,
owed from base × rates, and the workbook."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from enforcement.arrears import (
    ArrearsError,
    Payment,
    PeriodDue,
    arrears_statement,
    contribution_rates,
    contributions_owed,
    due_date,
    fen,
    round_fen,
    statement_workbook,
    yuan,
)

D = dt.date.fromisoformat


def one(period="202401", owed="1000", payments=(), *, as_of, due_day=15):
    statement = arrears_statement(
        [PeriodDue(period, fen(owed))],
        [Payment(D(d), fen(a)) for d, a in payments],
        as_of=D(as_of),
        due_day=due_day,
    )
    return statement, statement.lines[0]


# --- worked examples ---------------------------------------------------------------


def test_1234_57_owed_37_days_late():
    # Due 15 Feb 2024; 37 late days end on 23 March (14 in leap February + 23).
    statement, line = one("202401", "1234.57", as_of="2024-03-23")
    assert line.late_days == 37
    assert line.fee_exact == Decimal("123457") * Decimal("0.0005") * 37  # 2283.9545 fen = 22.839545 yuan
    assert yuan(line.fee) == Decimal("22.84")
    assert statement.total_fee == line.fee == 2284


def test_two_periods_one_partial_payment_oldest_first():
    # 202401 and 202402 of 1000 each, due day 15; 1500 paid on 20 March 2024; as of 31 March.
    statement = arrears_statement(
        [PeriodDue("202401", fen(1000)), PeriodDue("202402", fen(1000))],
        [Payment(D("2024-03-20"), fen(1500))],
        as_of=D("2024-03-31"),
    )
    jan, feb = statement.lines
    # 202401: due 15 Feb, paid in full 20 Mar: 16 Feb–20 Mar = 14 + 20 = 34 days on 1000.
    assert (jan.due_date, jan.paid, jan.unpaid, jan.late_days) == (D("2024-02-15"), 100000, 0, 34)
    assert yuan(jan.fee) == Decimal("17.00")
    # 202402: due 15 Mar; 16–20 Mar (5 days) on 1000 = 2.50; 500 paid on the 20th;
    # 21–31 Mar (11 days) on 500 = 2.75; 5.25 in all, 500 still unpaid.
    assert (feb.due_date, feb.paid, feb.unpaid, feb.late_days) == (D("2024-03-15"), 50000, 50000, 16)
    assert [(s.first, s.last, s.days, s.balance) for s in feb.segments] == [
        (D("2024-03-16"), D("2024-03-20"), 5, 100000),
        (D("2024-03-21"), D("2024-03-31"), 11, 50000),
    ]
    assert yuan(feb.fee) == Decimal("5.25")
    assert (statement.total_owed, statement.total_paid, statement.total_unpaid) == (200000, 150000, 50000)
    assert yuan(statement.total_fee) == Decimal("22.25")
    assert yuan(statement.total_due) == Decimal("522.25")
    assert statement.fine_range() == (50000, 150000)
    assert statement.credit == 0


# --- due dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, due_day, expected",
    [
        ("202401", 15, "2024-02-15"),
        ("202401", 29, "2024-02-29"),  # leap year: 29 February exists
        ("202401", 30, "2024-02-29"),  # clamped
        ("202401", 31, "2024-02-29"),
        ("202301", 29, "2023-02-28"),  # not a leap year
        ("202303", 31, "2023-04-30"),
        ("202312", 15, "2024-01-15"),  # December's is in the next year
        ("202312", 31, "2024-01-31"),
        ("202401", 1, "2024-02-01"),
    ],
)
def test_due_date_is_day_n_of_the_next_month_clamped(period, due_day, expected):
    assert due_date(period, due_day) == D(expected)


@pytest.mark.parametrize("due_day", [0, 32, -1])
def test_a_due_day_outside_1_to_31_is_refused(due_day):
    with pytest.raises(ArrearsError):
        due_date("202401", due_day)
    with pytest.raises(ArrearsError):
        arrears_statement([], [], as_of=D("2024-01-01"), due_day=due_day)


@pytest.mark.parametrize("period", ["2024-01", "202400", "202413", "20241", "abcdef", "198912", "210101"])
def test_a_malformed_period_is_refused(period):
    with pytest.raises(ArrearsError, match="YYYYMM"):
        arrears_statement([PeriodDue(period, 100)], [], as_of=D("2026-01-01"))


# --- the first late day -------------------------------------------------------------


@pytest.mark.parametrize(
    "paid_on, days",
    [("2024-02-14", 0), ("2024-02-15", 0), ("2024-02-16", 1), ("2024-02-29", 14), ("2024-03-01", 15)],
)
def test_late_days_start_the_day_after_the_due_date(paid_on, days):
    _statement, line = one(payments=[(paid_on, "1000")], as_of="2024-06-30")
    assert line.late_days == days
    assert line.fee == 100000 * 5 * days // 10000  # 0.50 yuan a day on 1000


def test_unpaid_accrues_to_as_of_including_it():
    assert one(as_of="2024-02-15")[1].fee == 0  # the due date itself
    assert one(as_of="2024-02-16")[1].fee == 50  # one day on 1000: 0.50
    assert one(as_of="2025-02-15")[1].late_days == 366  # a leap year of late days


def test_the_leap_day_counts():
    _s, leap = one("202401", as_of="2024-03-01")  # due 15 Feb 2024
    _s, plain = one("202301", as_of="2023-03-01")  # due 15 Feb 2023
    assert (leap.late_days, plain.late_days) == (15, 14)


def test_due_day_on_the_month_end():
    # Due day 31: period 202401 falls due on 29 Feb 2024, so 1 March is the first late day.
    _s, line = one("202401", as_of="2024-03-01", due_day=31)
    assert (line.due_date, line.late_days, line.fee) == (D("2024-02-29"), 1, 50)


def test_a_period_of_the_as_of_month_is_not_yet_due():
    _s, line = one("202403", as_of="2024-03-31")
    assert (line.late_days, line.fee, line.unpaid, line.segments) == (0, 0, 100000, ())


# --- payments -----------------------------------------------------------------------


def test_payments_settle_the_oldest_period_first_whatever_their_order():
    statement = arrears_statement(
        [PeriodDue("202402", fen(300)), PeriodDue("202401", fen(200))],
        [Payment(D("2024-04-10"), fen(100)), Payment(D("2024-03-01"), fen(250))],
        as_of=D("2024-04-30"),
    )
    jan, feb = statement.lines
    assert [(a.paid_on, a.period, a.amount) for a in statement.allocations] == [
        (D("2024-03-01"), "202401", 20000),
        (D("2024-03-01"), "202402", 5000),
        (D("2024-04-10"), "202402", 10000),
    ]
    assert (jan.unpaid, feb.unpaid) == (0, 15000)


def test_the_fee_follows_the_declining_balance_across_several_payments():
    # 1000 due 15 Feb 2024; 400 on 20 Feb, 400 on 1 Mar, 200 on 11 Mar.
    _s, line = one(
        payments=[("2024-02-20", "400"), ("2024-03-01", "400"), ("2024-03-11", "200")], as_of="2024-12-31"
    )
    assert [(s.days, s.balance) for s in line.segments] == [(5, 100000), (10, 60000), (10, 20000)]
    expected = (Decimal(100000) * 5 + Decimal(60000) * 10 + Decimal(20000) * 10) * Decimal("0.0005")
    assert line.fee_exact == expected == Decimal("650")
    assert (line.fee, line.unpaid, line.late_days) == (650, 0, 25)


def test_two_payments_on_one_day_charge_that_day_once():
    _s, line = one(payments=[("2024-02-20", "300"), ("2024-02-20", "300")], as_of="2024-02-25")
    assert [(s.first, s.last, s.balance) for s in line.segments] == [
        (D("2024-02-16"), D("2024-02-20"), 100000),
        (D("2024-02-21"), D("2024-02-25"), 40000),
    ]


def test_a_payment_before_the_due_date_settles_without_a_fee():
    _s, line = one(payments=[("2024-01-20", "1000")], as_of="2024-06-30")
    assert (line.fee, line.unpaid, line.segments) == (0, 0, ())


def test_overpayment_is_kept_as_credit():
    statement, line = one(payments=[("2024-02-10", "1200.50")], as_of="2024-06-30")
    assert (line.paid, line.unpaid, statement.credit) == (100000, 0, 20050)
    assert statement.total_paid == 100000  # the credit is not a paid contribution
    assert statement.fine_range() == (0, 0)


def test_a_payment_with_no_period_is_all_credit():
    statement = arrears_statement([], [Payment(D("2024-01-10"), 500)], as_of=D("2024-01-31"))
    assert (statement.lines, statement.credit, statement.total_due) == ((), 500, 0)


def test_a_payment_on_as_of_is_accepted_and_one_after_is_refused():
    assert one(payments=[("2024-03-01", "1000")], as_of="2024-03-01")[1].unpaid == 0
    with pytest.raises(ArrearsError, match="晚于计算截止日"):
        one(payments=[("2024-03-02", "1000")], as_of="2024-03-01")


@pytest.mark.parametrize("amount", [0, -100])
def test_a_payment_must_be_positive(amount):
    with pytest.raises(ArrearsError):
        arrears_statement(
            [PeriodDue("202401", 100)], [Payment(D("2024-02-01"), amount)], as_of=D("2024-03-01")
        )


def test_amounts_must_be_whole_fen():
    with pytest.raises(ArrearsError, match="以分为单位"):
        arrears_statement([PeriodDue("202401", Decimal("1000.00"))], [], as_of=D("2024-03-01"))  # type: ignore[arg-type]
    with pytest.raises(ArrearsError, match="以分为单位"):
        arrears_statement([], [Payment(D("2024-02-01"), 10.5)], as_of=D("2024-03-01"))  # type: ignore[arg-type]


def test_periods_are_checked():
    with pytest.raises(ArrearsError, match="重复"):
        arrears_statement([PeriodDue("202401", 1), PeriodDue("202401", 2)], [], as_of=D("2024-03-01"))
    with pytest.raises(ArrearsError, match="负数"):
        arrears_statement([PeriodDue("202401", -1)], [], as_of=D("2024-03-01"))
    with pytest.raises(ArrearsError, match="晚于计算截止日"):
        arrears_statement([PeriodDue("202404", 1)], [], as_of=D("2024-03-31"))
    arrears_statement([PeriodDue("202404", 1)], [], as_of=D("2024-04-01"))  # the period's first day


# --- rounding -----------------------------------------------------------------------


def test_each_period_is_rounded_once_and_totals_add_the_rounded_figures():
    # 33.33 owed for each of three months, as of 16 April 2024: 61, 32 and 1 late days.
    periods = [PeriodDue(p, fen("33.33")) for p in ("202401", "202402", "202403")]
    statement = arrears_statement(periods, [], as_of=D("2024-04-16"))
    assert [line.late_days for line in statement.lines] == [61, 32, 1]
    assert [line.fee_exact for line in statement.lines] == [
        Decimal("101.6565"),
        Decimal("53.328"),
        Decimal("1.6665"),
    ]
    assert [line.fee for line in statement.lines] == [102, 53, 2]
    assert statement.total_fee == 157


def test_half_a_fen_rounds_up_and_less_rounds_down():
    assert round_fen(Decimal("2.5")) == 3
    assert round_fen(Decimal("2.4999")) == 2
    # 10.00 owed, 1 day: 0.5 fen → 1 fen; 9.99 owed, 1 day: 0.4995 fen → 0.
    assert one("202401", "10", as_of="2024-02-16")[1].fee == 1
    assert one("202401", "9.99", as_of="2024-02-16")[1].fee == 0


def test_rounding_per_period_differs_from_rounding_the_sum():
    # Three periods each 0.5 fen exact: each rounds up to 1 → total 3 (not round(1.5) = 2).
    periods = [PeriodDue(p, 1000) for p in ("202401", "202402", "202403")]  # 10.00 yuan each
    payments = [
        Payment(D("2024-02-16"), 1000),
        Payment(D("2024-03-16"), 1000),
        Payment(D("2024-04-16"), 1000),
    ]
    statement = arrears_statement(periods, payments, as_of=D("2024-04-30"))
    assert [line.fee_exact for line in statement.lines] == [Decimal("0.5")] * 3
    assert statement.total_fee == 3


# --- money --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected", [("1234.57", 123457), ("1,000", 100000), ("0.01", 1), (12, 1200), ("  5.5 ", 550)]
)
def test_fen_from_yuan(text, expected):
    assert fen(text) == expected


@pytest.mark.parametrize("text", ["1.005", "abc", "", "NaN", "Infinity"])
def test_fen_refuses_what_is_not_a_whole_fen(text):
    with pytest.raises(ArrearsError):
        fen(text)


# --- the fine ------------------------------------------------------------------------


def test_the_fine_range_is_one_to_three_times_inclusive():
    statement, _line = one(owed="1000", as_of="2024-03-31")
    assert statement.fine_range() == (100000, 300000)
    assert statement.check_fine(100000) == 100000
    assert statement.check_fine(300000) == 300000
    for outside in (99999, 300001, 0):
        with pytest.raises(ArrearsError, match="一至三倍"):
            statement.check_fine(outside)


def test_nothing_unpaid_allows_only_no_fine():
    statement, _line = one(payments=[("2024-02-01", "1000")], as_of="2024-03-31")
    assert statement.check_fine(0) == 0
    with pytest.raises(ArrearsError):
        statement.check_fine(1)


# --- owed from base × rates ------------------------------------------------------------


def test_the_rates_come_from_the_parameter_file():
    rates = contribution_rates()
    assert rates == {
        "pension_employer": Decimal("0.16"),
        "pension_individual": Decimal("0.08"),
        "unemployment_employer": Decimal("0.005"),
        "unemployment_individual": Decimal("0.005"),
    }


def test_rates_not_in_the_file_are_passed_in_and_can_replace_one():
    rates = contribution_rates({"work_injury": Decimal("0.019"), "unemployment_employer": "0.007"})
    assert rates["work_injury"] == Decimal("0.019") and rates["unemployment_employer"] == Decimal("0.007")
    assert contribution_rates()["unemployment_employer"] == Decimal("0.005")  # the cache is not changed


@pytest.mark.parametrize("rate", ["-0.01", "1", "1.5"])
def test_a_rate_outside_0_to_1_is_refused(rate):
    with pytest.raises(ArrearsError):
        contribution_rates({"medical": rate})


def test_owed_is_base_times_the_rates_rounded_once():
    rates = contribution_rates()  # 0.25 in all
    assert contributions_owed(fen("4000"), rates) == fen("1000")
    # 3333.33 × 0.25 = 833.3325 → 833.33; with work injury 1.9 %: 3333.33 × 0.269 = 896.66577 → 896.67
    assert contributions_owed(fen("3333.33"), rates) == fen("833.33")
    assert contributions_owed(fen("3333.33"), contribution_rates({"work_injury": "0.019"})) == fen("896.67")
    with pytest.raises(ArrearsError):
        contributions_owed(-1, rates)


# --- the workbook --------------------------------------------------------------------


def test_the_workbook_has_the_lines_totals_payments_and_steps():
    statement = arrears_statement(
        [PeriodDue("202401", fen(1000), "稽核核定基数 × 费率"), PeriodDue("202402", fen(1000))],
        [Payment(D("2024-03-20"), fen(1600), '=HYPERLINK("x")')],
        as_of=D("2024-03-31"),
    )
    data = statement_workbook(statement, employer_name="=cmd|' /C calc'!A0", uscc="91150302MA0N123456")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["欠费明细", "缴费记录", "滞纳金计算过程"]
    main = [list(r) for r in wb["欠费明细"].iter_rows(values_only=True)]
    assert main[1][1].startswith("'=")  # a formula in a name is defused
    header = main[7]
    assert header[:7] == [
        "费款所属期",
        "缴费截止日",
        "应缴金额（元）",
        "已缴金额（元）",
        "欠缴金额（元）",
        "滞纳天数",
        "滞纳金（元）",
    ]
    jan, feb, total = main[8], main[9], main[10]
    assert (jan[0], jan[2], jan[4], jan[5], jan[6], jan[7]) == (
        "202401",
        1000,
        0,
        34,
        17,
        "稽核核定基数 × 费率",
    )
    assert (feb[0], feb[3], feb[4]) == ("202402", 600, 400)
    assert total[0] == "合计" and total[6] == pytest.approx(float(yuan(statement.total_fee)))
    fine = next(r for r in main if r[0] and str(r[0]).startswith("罚款幅度"))
    assert (fine[1], fine[2]) == (400, 1200)
    pays = [list(r) for r in wb["缴费记录"].iter_rows(values_only=True)]
    assert pays[1][1:3] == ["202401", 1000] and pays[1][3].startswith("'=")
    steps = list(wb["滞纳金计算过程"].iter_rows(values_only=True))
    assert len(steps) == 1 + 1 + 2  # header, 202401's one stretch, 202402's two
