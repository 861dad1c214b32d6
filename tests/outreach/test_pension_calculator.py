"""The pension estimator's arithmetic (outreach/pension/calculator.py), against examples
worked by hand from fixtures/pension_parameters.json. No database: the parameters are
the fixture's rows, as the first use seeds them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from outreach.pension import calculator as calc
from outreach.pension import seed

TODAY = dt.date(2026, 12, 1)
ROWS = [s.row for s in seed.seed_rows()]


def steps_of(result: calc.Result) -> dict[str, calc.Step]:
    return {s.code: s for s in result.steps}


def enterprise(**kw) -> calc.EnterpriseInput:
    base = {
        "birth": dt.date(1964, 12, 10),
        "category": calc.CATEGORY_MALE,
        "years": D(35),
        "indexes": (D("0.8"),),
        "balance": D(139000),
    }
    return calc.EnterpriseInput(**(base | kw))


def resident(**kw) -> calc.ResidentInput:
    base = {"birth": dt.date(1966, 5, 20), "tier": 300, "years": D(15), "balance": D(1000)}
    return calc.ResidentInput(**(base | kw))


# --- worked examples ---------------------------------------------------------------


def test_enterprise_worked_example_with_a_given_balance():
    # A man born 1964-12 retires at 60 in 2024-12; C(2024) = 8105 (unverified), I = 0.8, N = 35.
    # C × I = 6484.00; (8105 + 6484) / 2 × 35 × 1 % = 2553.075 → 2553.08;
    # 139,000 ÷ 139 (60 岁) = 1000.00; total 3553.08.
    r = calc.enterprise_compute(enterprise(), ROWS, TODAY)
    s = steps_of(r)
    assert r.year == 2024
    assert s["indexed_wage"].value == D("6484.00")
    assert s["basic_pension"].value == D("2553.08")
    assert s["payout_months"].value == D(139)
    assert s["account_pension"].value == D("1000.00")
    assert r.total == D("3553.08")
    assert r.eligible
    assert s["basic_pension"].result == "2,553.08 元"
    assert [p.name for p in r.unverified] == [calc.CALC_BASE]  # 8105 is back-calculated by a third party
    assert s["basic_pension"].unverified and not s["account_pension"].unverified
    assert any("待核实" in w for w in r.warnings)


def test_enterprise_worked_example_with_a_projected_balance_clamp_and_interpolation():
    # A woman (original age 50) born 1980-06: 65 months after 1975-01 → ⌊65 / 2⌋ + 1 = 33
    # months later: 52 岁 9 个月, retiring 2033-03; minimum years 15 + 0.5 × 4 = 17.
    # Indexes 0.5, 1, 3.2, 2 → 0.6, 1, 3, 2 → I = 6.6 / 4 = 1.65; C = 8179 (2025, carried).
    # C × I = 13495.35; (8179 + 13495.35) / 2 × 20 × 1 % = 2167.435 → 2167.44.
    # Balance 50,000 + 6,000 × 8 % × 75 months (2026-12 → 2033-03) = 86,000.
    # 计发月数 185 − (185 − 180) × 9 / 12 = 181.25 → 181.3; 86,000 ÷ 181.3 = 474.35.
    data = enterprise(
        birth=dt.date(1980, 6, 10),
        category=calc.CATEGORY_FEMALE_50,
        years=D(20),
        indexes=(D("0.5"), D(1), D("3.2"), D(2)),
        balance=D(50000),
        monthly_base=D(6000),
    )
    r = calc.enterprise_compute(data, ROWS, TODAY)
    s = steps_of(r)
    assert s["retirement"].result == "52 岁 9 个月，2033 年 3 月 退休"
    assert s["minimum_years"].value == D(17) and r.eligible
    assert s["average_index"].value == D("1.6500")
    assert "2 个年份" in s["average_index"].note
    assert [i.value for i in s["average_index"].inputs[:2]] == ["0.5、1、3.2、2", "0.6、1、3、2"]
    c_input = s["indexed_wage"].inputs[0]
    assert (c_input.value, c_input.unverified, c_input.carried) == ("8179", True, True)
    assert s["basic_pension"].value == D("2167.44")
    assert s["account_balance"].value == D("86000.00")
    assert s["account_balance"].inputs[3].value == "75"
    assert s["payout_months"].value == D("181.3")
    assert s["payout_months"].unverified  # the month-by-month rule is unverified in the data
    assert s["account_pension"].value == D("474.35")
    assert r.total == D("2641.79")


def test_enterprise_below_the_minimum_years_is_computed_and_said():
    r = calc.enterprise_compute(enterprise(years=D("14.5")), ROWS, TODAY)
    assert not r.eligible
    assert steps_of(r)["minimum_years"].result.startswith("未满足")
    assert any("15 年" in w for w in r.warnings)


def test_residents_worked_example():
    # Born 1966-05: from 2026-05; basic 163 (2026 central minimum) + 0 (regional, not found).
    # Tier 300 < 500 → subsidy 30; 1,000 + (300 + 30) × 15 = 5,950; ÷ 139 = 42.806 → 42.81.
    r = calc.resident_compute(resident(), ROWS, TODAY)
    s = steps_of(r)
    assert r.year == 2026
    assert s["basic_pension"].value == D("163.00")
    assert s["account_balance"].value == D("5950.00")
    assert s["account_pension"].value == D("42.81")
    assert r.total == D("205.81")
    assert r.eligible
    local = s["basic_pension"].inputs[1]
    assert (local.value, local.unverified) == ("0", True)


@pytest.mark.parametrize(("tier", "subsidy"), [(100, 30), (400, 30), (500, 60), (2000, 60)])
def test_residents_subsidy_by_tier(tier, subsidy):
    r = calc.resident_compute(resident(tier=tier, balance=D(0), years=D(1)), ROWS, TODAY)
    assert steps_of(r)["account_balance"].value == D(tier + subsidy)


@pytest.mark.parametrize(
    ("birth", "year", "national"),
    [
        (dt.date(1965, 12, 31), 2025, D(143)),  # turned 60 in 2025-12: the 2025 standard
        (dt.date(1966, 1, 1), 2026, D(163)),  # 60 in 2026-01
        (dt.date(1966, 12, 1), 2026, D(163)),  # 60 today
        (dt.date(1967, 1, 1), 2027, D(163)),  # 59 today: from next year, the latest standard
    ],
)
def test_residents_age_59_60_boundary_picks_the_year_of_the_60th_birthday(birth, year, national):
    r = calc.resident_compute(resident(birth=birth), ROWS, TODAY)
    assert r.year == year
    assert steps_of(r)["basic_pension"].inputs[0].value == str(national)


# --- retirement age (reform_2025) ----------------------------------------------------


@pytest.mark.parametrize(
    ("category", "birth", "delay", "age", "when"),
    [
        (calc.CATEGORY_MALE, (1964, 12), 0, (60, 0), (2024, 12)),
        (calc.CATEGORY_MALE, (1965, 1), 1, (60, 1), (2025, 2)),
        (calc.CATEGORY_MALE, (1965, 4), 1, (60, 1), (2025, 5)),
        (calc.CATEGORY_MALE, (1965, 5), 2, (60, 2), (2025, 7)),
        (calc.CATEGORY_MALE, (1976, 8), 35, (62, 11), (2039, 7)),
        (calc.CATEGORY_MALE, (1976, 9), 36, (63, 0), (2039, 9)),
        (calc.CATEGORY_MALE, (1990, 1), 36, (63, 0), (2053, 1)),
        (calc.CATEGORY_FEMALE_55, (1969, 12), 0, (55, 0), (2024, 12)),
        (calc.CATEGORY_FEMALE_55, (1970, 1), 1, (55, 1), (2025, 2)),
        (calc.CATEGORY_FEMALE_55, (1981, 8), 35, (57, 11), (2039, 7)),
        (calc.CATEGORY_FEMALE_55, (1981, 9), 36, (58, 0), (2039, 9)),
        (calc.CATEGORY_FEMALE_50, (1974, 12), 0, (50, 0), (2024, 12)),
        (calc.CATEGORY_FEMALE_50, (1975, 1), 1, (50, 1), (2025, 2)),
        (calc.CATEGORY_FEMALE_50, (1975, 2), 1, (50, 1), (2025, 3)),
        (calc.CATEGORY_FEMALE_50, (1975, 3), 2, (50, 2), (2025, 5)),
        (calc.CATEGORY_FEMALE_50, (1984, 10), 59, (54, 11), (2039, 9)),
        (calc.CATEGORY_FEMALE_50, (1984, 11), 60, (55, 0), (2039, 11)),
        (calc.CATEGORY_FEMALE_50, (1995, 6), 60, (55, 0), (2050, 6)),
    ],
)
def test_retirement_age_around_each_reform_step(category, birth, delay, age, when):
    r = calc.retirement_get(dt.date(*birth, 15), category)
    assert r.delay_months == delay
    assert (r.age_years, r.age_extra_months) == age
    assert (r.year, r.month) == when


@pytest.mark.parametrize(
    ("year", "minimum"),
    [(2025, "15"), (2029, "15"), (2030, "15.5"), (2031, "16"), (2038, "19.5"), (2039, "20"), (2045, "20")],
)
def test_minimum_contribution_years_schedule(year, minimum):
    assert calc.minimum_years(year) == D(minimum)


@pytest.mark.parametrize(
    ("age_months", "months", "interpolated"),
    [
        (60 * 12, D(139), False),
        (60 * 12 + 1, D("138.4"), True),  # 139 − 7/12, the data's own example
        (50 * 12 + 1, D("194.6"), True),  # 195 − 5/12
        (62 * 12 + 11, D("117.7"), True),  # 125 − 8 × 11/12 = 117.67
        (63 * 12, D(117), False),
        (40 * 12, D(233), False),
        (70 * 12, D(56), False),
    ],
)
def test_payout_months_table_and_interpolation(age_months, months, interpolated):
    params = calc.parameters_for(ROWS, 2025)
    assert calc.payout_months(params, age_months) == (months, interpolated)


# --- the clamp of each year's index to [0.6, 3] ---------------------------------------


@pytest.mark.parametrize(
    ("indexes", "average"),
    [
        (("0.59",), "0.6000"),
        (("0.6",), "0.6000"),
        (("0.61",), "0.6100"),
        (("2.99",), "2.9900"),
        (("3",), "3.0000"),
        (("3.01",), "3.0000"),
        (("10",), "3.0000"),
        (("0.1", "5"), "1.8000"),  # (0.6 + 3) / 2, not (0.1 + 5) / 2 = 2.55
        (("1", "1", "2"), "1.3333"),
    ],
)
def test_each_years_index_is_clamped_before_the_average(indexes, average):
    r = calc.enterprise_compute(enterprise(indexes=tuple(D(i) for i in indexes)), ROWS, TODAY)
    assert steps_of(r)["average_index"].value == D(average)


@pytest.mark.parametrize("bad", ["0", "-1", "10.01"])
def test_an_index_outside_0_to_10_is_refused(bad):
    with pytest.raises(calc.InputError) as e:
        calc.enterprise_compute(enterprise(indexes=(D(1), D(bad))), ROWS, TODAY)
    assert "不超过 10" in e.value.errors["indexes"]


def test_indexes_parse():
    assert calc.indexes_parse(" 1.2，0.5 3;2、1\n0.8 ") == tuple(
        D(x) for x in ("1.2", "0.5", "3", "2", "1", "0.8")
    )
    with pytest.raises(calc.InputError) as e:
        calc.indexes_parse("1, abc")
    assert e.value.errors["indexes"] == "第 2 个缴费指数“abc”不是数字"
    with pytest.raises(calc.InputError):
        calc.indexes_parse("  ")
    for not_plain in ("NaN", "Infinity", "1e-999999999", "1.23456", "1234", "+1", "0x1"):
        with pytest.raises(calc.InputError):
            calc.indexes_parse(not_plain)
    assert calc.indexes_parse("-1 0 10.5") == (D(-1), D(0), D("10.5"))  # numbers; the range is checked later
    with pytest.raises(calc.InputError) as e:
        calc.indexes_parse(", ".join(["1"] * 61))
    assert "60" in e.value.errors["indexes"]


# --- validation at its boundaries ------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "ok"),
    [
        (dt.date(2010, 12, 1), True),  # 16 today
        (dt.date(2010, 12, 2), False),  # 15 until tomorrow
        (dt.date(1950, 1, 1), True),
        (dt.date(1949, 12, 31), False),
        (dt.date(2027, 1, 1), False),
    ],
)
def test_birth_date_is_sane(birth, ok):
    data = resident(birth=birth, years=D(1))
    if ok:
        calc.resident_compute(data, ROWS, TODAY)
    else:
        with pytest.raises(calc.InputError) as e:
            calc.resident_compute(data, ROWS, TODAY)
        assert set(e.value.errors) == {"birth"}


@pytest.mark.parametrize(
    ("birth", "category", "years", "ok"),
    [
        (dt.date(1964, 12, 1), calc.CATEGORY_MALE, "44", True),  # 60 − 16
        (dt.date(1964, 12, 1), calc.CATEGORY_MALE, "44.01", False),
        (dt.date(1965, 1, 1), calc.CATEGORY_MALE, "44.08", True),  # 60 岁 1 个月 − 16 = 44 1/12
        (dt.date(1965, 1, 1), calc.CATEGORY_MALE, "44.09", False),
        (dt.date(1990, 1, 1), calc.CATEGORY_MALE, "47", True),  # 63 − 16
        (dt.date(1990, 1, 1), calc.CATEGORY_FEMALE_50, "39", True),  # 55 − 16
        (dt.date(1990, 1, 1), calc.CATEGORY_FEMALE_50, "39.5", False),
        (dt.date(1990, 1, 1), calc.CATEGORY_MALE, "0", False),
    ],
)
def test_enterprise_years_within_16_to_retirement(birth, category, years, ok):
    data = enterprise(birth=birth, category=category, years=D(years))
    if ok:
        calc.enterprise_compute(data, ROWS, TODAY)
    else:
        with pytest.raises(calc.InputError) as e:
            calc.enterprise_compute(data, ROWS, TODAY)
        assert set(e.value.errors) == {"years"}


@pytest.mark.parametrize(("years", "ok"), [("44", True), ("44.01", False), ("0", False), ("-1", False)])
def test_residents_years_within_16_to_60(years, ok):
    data = resident(years=D(years))
    if ok:
        calc.resident_compute(data, ROWS, TODAY)
    else:
        with pytest.raises(calc.InputError) as e:
            calc.resident_compute(data, ROWS, TODAY)
        assert "years" in e.value.errors


def test_enterprise_money_and_choices_are_checked_together():
    with pytest.raises(calc.InputError) as e:
        calc.enterprise_compute(enterprise(balance=D(-1), monthly_base=D("-0.01")), ROWS, TODAY)
    assert e.value.errors == {"balance": "金额不能为负数", "monthly_base": "金额不能为负数"}
    with pytest.raises(calc.InputError) as e:
        calc.enterprise_compute(enterprise(balance=None), ROWS, TODAY)
    assert set(e.value.errors) == {"balance"}
    with pytest.raises(calc.InputError) as e:
        calc.enterprise_compute(enterprise(category="female"), ROWS, TODAY)
    assert e.value.errors == {"category": "请选择人员类别"}
    with pytest.raises(calc.InputError) as e:
        calc.resident_compute(resident(tier=250, balance=D(-5)), ROWS, TODAY)
    assert set(e.value.errors) == {"tier", "balance"}
    calc.enterprise_compute(enterprise(balance=D(0)), ROWS, TODAY)  # 0 is a balance


def test_a_projection_after_retirement_adds_nothing():
    r = calc.enterprise_compute(enterprise(balance=D(1000), monthly_base=D(5000)), ROWS, TODAY)
    assert steps_of(r)["account_balance"].value == D(1000)  # retired in 2024-12


# --- parameters per year ---------------------------------------------------------------


def test_parameters_per_year_and_carried_values():
    p2024, p2025, p2030, p2020 = (calc.parameters_for(ROWS, y) for y in (2024, 2025, 2030, 2020))
    assert (p2024.value(calc.CALC_BASE), p2024[calc.CALC_BASE].carried) == (D(8105), False)
    assert (p2025.value(calc.CALC_BASE), p2025[calc.CALC_BASE].carried) == (D(8179), False)
    assert (p2030.value(calc.CALC_BASE), p2030[calc.CALC_BASE].carried) == (D(8179), True)
    assert (p2020.value(calc.CALC_BASE), p2020[calc.CALC_BASE].carried) == (D(8105), True)  # before the data
    assert p2020.value(calc.RESIDENTS_NATIONAL_MIN) == D(93)
    assert not p2030[calc.BASIC_RATE].carried  # a rule from 2006 on
    edited = [*ROWS, calc.ParamRow(calc.CALC_BASE, 2030, D(9000), False)]
    assert calc.parameters_for(edited, 2031).value(calc.CALC_BASE) == D(9000)


def test_a_missing_parameter_is_named():
    with pytest.raises(calc.MissingParameter, match="residents_divisor"):
        calc.parameters_for([r for r in ROWS if r.name != calc.RESIDENTS_DIVISOR], 2025)


def test_seed_carries_the_fixtures_flags():
    by_key = {(r.name, r.from_year): r for r in ROWS}
    assert by_key[(calc.CALC_BASE, 2025)].unverified
    assert not by_key[(calc.BASIC_RATE, 2006)].unverified
    assert by_key[(calc.payout_name(47), 2006)].value == D(207)
    assert by_key[(calc.RESIDENTS_NATIONAL_MIN, 2024)].unverified is False
    assert by_key[(calc.RESIDENTS_LOCAL_BASIC, 2014)].unverified
    assert {r.name for r in ROWS} == set(calc.PARAMETER_NAMES)


# --- flexible retirement (up to 3 years earlier, not below the original age; 3 years later) ---


def test_flexible_early_retirement_worked_example():
    # A man born 1980-01: statutory 63 (delay 36); 36 months earlier → 60, in 2040-01.
    # Minimum years in 2040: 20 (25 given). C = 8179 (carried), I = 1: 8179 × 25 × 1 % = 2044.75;
    # 139,000 ÷ 139 = 1000.00; total 3044.75.
    data = enterprise(birth=dt.date(1980, 1, 5), years=D(25), indexes=(D(1),), shift_months=-36)
    r = calc.enterprise_compute(data, ROWS, TODAY)
    s = steps_of(r)
    assert s["retirement"].label == "退休年龄（弹性退休）"
    assert s["retirement"].result == "60 岁，2040 年 1 月 退休"
    assert [i.value for i in s["retirement"].inputs[3:]] == ["63 岁", "提前 36 个月"]
    assert s["minimum_years"].value == D(20)
    assert s["basic_pension"].value == D("2044.75")
    assert s["payout_months"].value == D(139)
    assert r.total == D("3044.75")


def test_flexible_late_retirement_moves_the_payout_months():
    r = calc.enterprise_compute(enterprise(shift_months=36), ROWS, TODAY)  # born 1964-12: 60 → 63
    s = steps_of(r)
    assert s["retirement"].result == "63 岁，2027 年 12 月 退休"
    assert s["payout_months"].value == D(117)
    assert s["account_pension"].value == D("1188.03")  # 139,000 ÷ 117


@pytest.mark.parametrize(
    ("birth", "years", "shift", "message"),
    [
        (
            dt.date(1964, 12, 1),
            "35",
            -1,
            "最多可提前 0 个月退休：不早于原退休年龄 60 岁",
        ),  # before the reform
        (dt.date(1970, 1, 1), "20", -17, "最多可提前 16 个月退休"),  # 61 岁 4 个月: back to 60 at most
        (dt.date(1970, 1, 1), "15", -16, "提前退休须先缴满最低缴费年限 15.5 年"),  # retiring 2030-01
        (dt.date(1980, 1, 1), "25", -37, "应在 −36～36 之间"),
        (dt.date(1964, 12, 1), "35", 37, "应在 −36～36 之间"),
    ],
)
def test_flexible_retirement_limits(birth, years, shift, message):
    with pytest.raises(calc.InputError) as e:
        calc.enterprise_compute(enterprise(birth=birth, years=D(years), shift_months=shift), ROWS, TODAY)
    assert message in e.value.errors["shift_months"]


@pytest.mark.parametrize(
    ("birth", "years", "shift"), [(dt.date(1970, 1, 1), "20", -16), (dt.date(1970, 1, 1), "15.5", -16)]
)
def test_flexible_early_retirement_at_its_limits_is_allowed(birth, years, shift):
    r = calc.enterprise_compute(enterprise(birth=birth, years=D(years), shift_months=shift), ROWS, TODAY)
    assert steps_of(r)["retirement"].result == "60 岁，2030 年 1 月 退休"
