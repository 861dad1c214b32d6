"""The public pension estimator (养老金测算): pure functions on Decimal, no database.

Parameters come in as `ParamRow`s (name, from which year, value, unverified), as stored
in outreach.models.PensionParameter; `parameters_for(rows, year)` picks each one's value
for a year (the row of the latest from_year ≤ year; the earliest row, flagged, for a year
before the data). The two schemes:

- enterprise employees (城镇企业职工): 基础养老金 = (C + C×I) / 2 × N × 1 %, C the 计发基数
  of the retirement year, I the average of each year's contribution index clamped to
  [0.6, 3.0], N the contribution years incl. 视同缴费年限; 个人账户养老金 = balance ÷
  计发月数 (the national table by retirement age, months between two ages interpolated);
- urban-rural residents (城乡居民): 基础养老金 (central minimum + local top-up) + 个人账户 ÷
  139, the account grown by the tier plus the government subsidy each year.

The statutory retirement age follows the 2025 gradual reform (retirement_age.reform_2025
in fixtures/pension_parameters.json) and the minimum contribution years its schedule.
Every step is returned with its label, the formula in plain Chinese, the numbers put in
and the result, so the page and the API show the same computation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
INDEX_PLACES = Decimal("0.0001")

# Each year's contribution index is clamped to these (bases are 60 %–300 % of the average wage).
INDEX_FLOOR = Decimal("0.6")
INDEX_CEILING = Decimal("3.0")
# An index outside (0, INDEX_MAX] is a typing mistake, not a base that the clamp should absorb.
INDEX_MAX = Decimal(10)
MAX_INDEX_ENTRIES = 60
START_AGE = 16  # contributions count from the 16th birthday (劳动年龄)
EARLIEST_BIRTH = dt.date(1950, 1, 1)
MAX_MONEY = Decimal("100000000")  # 1亿元: above it, a typing mistake
MAX_YEARS = Decimal(60)
RESIDENTS_AGE = 60  # 城乡居民: 年满 60 周岁领取 (not changed by the 2025 reform)
RESIDENTS_MIN_YEARS = Decimal(15)
RESIDENTS_TIERS: tuple[int, ...] = (100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 2000)
PAYOUT_AGES = range(40, 71)  # the 计发月数 table of 国发〔2005〕38号
# The data's rule for an age between two whole years (linear by month) is marked unverified.
INTERPOLATION_UNVERIFIED = True

ENTERPRISE = "enterprise"  # 城镇企业职工基本养老保险
RESIDENTS = "residents"  # 城乡居民基本养老保险
SCHEMES = (ENTERPRISE, RESIDENTS)

# Parameter names (outreach.models.PensionParameter.name).
CALC_BASE = "calc_base"
BASIC_RATE = "basic_rate"
ACCOUNT_RATE = "account_rate"
PAYOUT_PREFIX = "payout_months."
RESIDENTS_NATIONAL_MIN = "residents_national_min"
RESIDENTS_LOCAL_BASIC = "residents_local_basic"
RESIDENTS_DIVISOR = "residents_divisor"
RESIDENTS_SUBSIDY_LOW = "residents_subsidy_low"
RESIDENTS_SUBSIDY_HIGH = "residents_subsidy_high"
RESIDENTS_SUBSIDY_THRESHOLD = "residents_subsidy_threshold"


# Announced for each year; another year's value is only a stand-in (shown as 沿用).
YEARLY = frozenset({CALC_BASE})


def payout_name(age: int) -> str:
    return f"{PAYOUT_PREFIX}{age}"


PARAMETER_NAMES: tuple[str, ...] = (
    CALC_BASE,
    BASIC_RATE,
    ACCOUNT_RATE,
    *(payout_name(a) for a in PAYOUT_AGES),
    RESIDENTS_NATIONAL_MIN,
    RESIDENTS_LOCAL_BASIC,
    RESIDENTS_DIVISOR,
    RESIDENTS_SUBSIDY_LOW,
    RESIDENTS_SUBSIDY_HIGH,
    RESIDENTS_SUBSIDY_THRESHOLD,
)


def parameter_label(name: str) -> str:
    """The Chinese label of a parameter (translated in the active language)."""
    if name.startswith(PAYOUT_PREFIX):
        return _("个人账户计发月数（%(age)s 岁退休）") % {"age": name.removeprefix(PAYOUT_PREFIX)}
    labels = {
        CALC_BASE: _("计发基数（上年度全区职工月平均工资，元/月）"),
        BASIC_RATE: _("每缴费一年计发比例"),
        ACCOUNT_RATE: _("个人账户记入比例"),
        RESIDENTS_NATIONAL_MIN: _("城乡居民基础养老金中央最低标准（元/月）"),
        RESIDENTS_LOCAL_BASIC: _("城乡居民基础养老金地方提高部分（元/月）"),
        RESIDENTS_DIVISOR: _("城乡居民个人账户计发月数"),
        RESIDENTS_SUBSIDY_LOW: _("城乡居民缴费补贴（500 元以下档次，元/年）"),
        RESIDENTS_SUBSIDY_HIGH: _("城乡居民缴费补贴（500 元及以上档次，元/年）"),
        RESIDENTS_SUBSIDY_THRESHOLD: _("城乡居民较高补贴的起始档次（元/年）"),
    }
    return labels.get(name, name)


# --- parameters -------------------------------------------------------------------


@dataclass(frozen=True)
class ParamRow:
    """A stored parameter value: applies from `from_year` until the next row of the name."""

    name: str
    from_year: int
    value: Decimal
    unverified: bool


@dataclass(frozen=True)
class Param:
    """A parameter's value for the year of a computation."""

    name: str
    value: Decimal
    from_year: int
    unverified: bool
    year: int  # the year asked for

    @property
    def carried(self) -> bool:
        """True when no row covers the year: the nearest year's value is used."""
        return self.from_year > self.year or (self.name in YEARLY and self.from_year != self.year)

    @property
    def label(self) -> str:
        return parameter_label(self.name)


@dataclass(frozen=True)
class Parameters:
    year: int
    by_name: dict[str, Param]

    def __getitem__(self, name: str) -> Param:
        return self.by_name[name]

    def value(self, name: str) -> Decimal:
        return self.by_name[name].value


class MissingParameter(LookupError):
    pass


def parameters_for(rows: Iterable[ParamRow], year: int) -> Parameters:
    """Each parameter's value for `year`: its row of the latest from_year ≤ year, else its
    earliest row (a year before the data)."""
    by_name: dict[str, list[ParamRow]] = {}
    for row in rows:
        by_name.setdefault(row.name, []).append(row)
    picked: dict[str, Param] = {}
    for name in PARAMETER_NAMES:
        candidates = sorted(by_name.get(name, []), key=lambda r: r.from_year)
        if not candidates:
            raise MissingParameter(name)
        before = [r for r in candidates if r.from_year <= year]
        row = before[-1] if before else candidates[0]
        picked[name] = Param(name, row.value, row.from_year, row.unverified, year)
    return Parameters(year, picked)


# --- retirement age ---------------------------------------------------------------


@dataclass(frozen=True)
class Reform:
    """One line of retirement_age.reform_2025: the original age, the first birth month
    affected, one month more per `step` months of birth, at most `max_delay` months."""

    original_age: int
    first_affected: tuple[int, int]  # (year, month)
    step: int
    max_delay: int


CATEGORY_MALE = "male"
CATEGORY_FEMALE_55 = "female_55"
CATEGORY_FEMALE_50 = "female_50"
REFORM_2025: dict[str, Reform] = {
    CATEGORY_MALE: Reform(60, (1965, 1), 4, 36),
    CATEGORY_FEMALE_55: Reform(55, (1970, 1), 4, 36),
    CATEGORY_FEMALE_50: Reform(50, (1975, 1), 2, 60),
}


def category_label(category: str) -> str:
    return {
        CATEGORY_MALE: _("男职工（原退休年龄 60 岁）"),
        CATEGORY_FEMALE_55: _("女职工（原退休年龄 55 岁，如管理技术岗位）"),
        CATEGORY_FEMALE_50: _("女职工（原退休年龄 50 岁，如生产岗位）"),
    }[category]


@dataclass(frozen=True)
class Retirement:
    delay_months: int  # the reform's delay
    age_months: int  # the age at retirement in months (statutory + shift)
    year: int
    month: int
    shift_months: int = 0  # flexible retirement: < 0 earlier, > 0 later than the statutory age

    @property
    def statutory_months(self) -> int:
        return self.age_months - self.shift_months

    @property
    def age_years(self) -> int:
        return self.age_months // 12

    @property
    def age_extra_months(self) -> int:
        return self.age_months % 12


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def retirement_get(birth: dt.date, category: str, shift_months: int = 0) -> Retirement:
    """The statutory retirement age and month after the 2025 reform: delay =
    min(max, ⌊months from the first affected birth month / step⌋ + 1), 0 before it;
    moved by `shift_months` (flexible retirement, checked by flexible_error)."""
    reform = REFORM_2025[category]
    since = _month_index(birth.year, birth.month) - _month_index(*reform.first_affected)
    delay = 0 if since < 0 else min(reform.max_delay, since // reform.step + 1)
    age = reform.original_age * 12 + delay + shift_months
    at = _month_index(birth.year, birth.month) + age
    return Retirement(delay, age, at // 12, at % 12 + 1, shift_months)


# Flexible retirement (人社部发〔2024〕94号): up to 3 years earlier, never below the original
# age and only with the minimum contribution years; up to 3 years later.
FLEX_MAX_MONTHS = 36


def flexible_earliest(delay_months: int) -> int:
    """How many months earlier than the statutory age one may retire (0 before the reform)."""
    return min(FLEX_MAX_MONTHS, delay_months)


def flexible_error(r: Retirement, category: str, years: Decimal) -> str | None:
    """Why the chosen shift is not allowed, or None."""
    if r.shift_months > FLEX_MAX_MONTHS:
        return _("弹性退休最多推迟 %(n)s 个月") % {"n": FLEX_MAX_MONTHS}
    earliest = flexible_earliest(r.delay_months)
    if -r.shift_months > earliest:
        return _("最多可提前 %(n)s 个月退休：不早于原退休年龄 %(age)s 岁，且不超过 3 年") % {
            "n": earliest,
            "age": REFORM_2025[category].original_age,
        }
    if r.shift_months < 0 and years < minimum_years(r.year):
        return _("提前退休须先缴满最低缴费年限 %(years)s 年") % {"years": _num(minimum_years(r.year))}
    return None


def minimum_years(retirement_year: int) -> Decimal:
    """The minimum contribution years for a monthly pension: 15 until 2029, then half a
    year more each year from 2030 to 20 (2039)."""
    if retirement_year <= 2029:
        return Decimal(15)
    return min(Decimal(20), Decimal(15) + Decimal("0.5") * (retirement_year - 2029))


def payout_months(params: Parameters, age_months: int) -> tuple[Decimal, bool]:
    """计发月数 for a retirement age in months; between two whole ages linear by month,
    rounded to 0.1 (60 岁 1 个月: 139 − 7/12 = 138.4). Returns (months, interpolated)."""
    years, extra = divmod(age_months, 12)
    low = params.value(payout_name(years))
    if extra == 0:
        return low, False
    high = params.value(payout_name(years + 1))
    return (low - (low - high) * extra / 12).quantize(TENTH, ROUND_HALF_UP), True


# --- inputs and validation --------------------------------------------------------


class InputError(ValueError):
    """Invalid input: {field: Chinese message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class EnterpriseInput:
    birth: dt.date
    category: str
    years: Decimal  # contribution years incl. 视同缴费年限
    indexes: tuple[Decimal, ...]  # each year's contribution index (or one average), before the clamp
    balance: Decimal | None = None  # the account balance at retirement, or today's for a projection
    monthly_base: Decimal | None = None  # the monthly contribution base from now to retirement
    shift_months: int = 0  # flexible retirement: −36…36 months from the statutory age


@dataclass(frozen=True)
class ResidentInput:
    birth: dt.date
    tier: int  # 缴费档次, 元/年
    years: Decimal
    balance: Decimal = Decimal(0)  # the account balance so far


SEPARATORS = re.compile(r"[\s,，;；、]+")
INDEX_TEXT = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,4})?")  # at most 4 places, as the average is shown


def indexes_parse(text: str) -> tuple[Decimal, ...]:
    """'1.2, 0.5 3.4' → (1.2, 0.5, 3.4); InputError({"indexes": …}) naming the bad entry."""
    parts = [p for p in SEPARATORS.split(text.strip()) if p]
    if not parts:
        raise InputError({"indexes": _("请填写缴费指数，如 1.0；多个年份用逗号分隔")})
    if len(parts) > MAX_INDEX_ENTRIES:
        raise InputError({"indexes": _("缴费指数最多填写 %(n)s 个年份") % {"n": MAX_INDEX_ENTRIES}})
    values = []
    for n, part in enumerate(parts, 1):
        # Plain decimals only: "1e-999999999" is a number, but printing it in a step would
        # write a billion zeros.
        if not INDEX_TEXT.fullmatch(part):
            raise InputError(
                {"indexes": _("第 %(n)s 个缴费指数“%(value)s”不是数字") % {"n": n, "value": part[:20]}}
            )
        values.append(Decimal(part))
    return tuple(values)


def _birth_errors(birth: dt.date, today: dt.date) -> str | None:
    sixteen = _add_years(birth, START_AGE)
    if birth > today:
        return _("出生日期不能晚于今天")
    if birth < EARLIEST_BIRTH:
        return _("出生日期不能早于 %(date)s") % {"date": EARLIEST_BIRTH.isoformat()}
    if sixteen > today:
        return _("年满 16 周岁方可参保，请检查出生日期")
    return None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _money_error(value: Decimal | None) -> str | None:
    if value is None:
        return None
    if value < 0:
        return _("金额不能为负数")
    if value > MAX_MONEY:
        return _("金额不能超过 1 亿元")
    return None


def _years_error(years: Decimal, span_months: int) -> str | None:
    span = (Decimal(span_months) / 12).quantize(CENT, ROUND_HALF_UP)
    if years <= 0:
        return _("缴费年限应大于 0")
    if Decimal(years * 12) > span_months:
        return _("缴费年限不能超过 16 周岁至退休（领取）年龄之间的 %(span)s 年") % {"span": span}
    return None


def enterprise_validate(data: EnterpriseInput, today: dt.date) -> Retirement:
    """The retirement; InputError with every invalid field otherwise."""
    errors: dict[str, str] = {}
    if data.category not in REFORM_2025:
        errors["category"] = _("请选择人员类别")
    birth_error = _birth_errors(data.birth, today)
    if birth_error:
        errors["birth"] = birth_error
    if errors:
        raise InputError(errors)
    if not -FLEX_MAX_MONTHS <= data.shift_months <= FLEX_MAX_MONTHS:
        raise InputError({"shift_months": _("弹性退休的提前或推迟月数应在 −36～36 之间")})
    retirement = retirement_get(data.birth, data.category, data.shift_months)
    if error := _years_error(data.years, retirement.age_months - START_AGE * 12):
        errors["years"] = error
    elif error := flexible_error(retirement, data.category, data.years):
        errors["shift_months"] = error
    if not data.indexes:
        errors["indexes"] = _("请填写缴费指数，如 1.0；多个年份用逗号分隔")
    elif len(data.indexes) > MAX_INDEX_ENTRIES:
        errors["indexes"] = _("缴费指数最多填写 %(n)s 个年份") % {"n": MAX_INDEX_ENTRIES}
    elif any(not (0 < i <= INDEX_MAX) for i in data.indexes):
        errors["indexes"] = _("每年的缴费指数应大于 0 且不超过 10（低于 0.6 按 0.6、高于 3 按 3 计算）")
    for name in ("balance", "monthly_base"):
        if error := _money_error(getattr(data, name)):
            errors[name] = error
    if data.balance is None and data.monthly_base is None:
        errors["balance"] = _("请填写个人账户储存额，或填写月缴费基数以推算")
    if errors:
        raise InputError(errors)
    return retirement


def resident_validate(data: ResidentInput, today: dt.date) -> None:
    errors: dict[str, str] = {}
    if data.tier not in RESIDENTS_TIERS:
        errors["tier"] = _("请选择缴费档次")
    if birth_error := _birth_errors(data.birth, today):
        errors["birth"] = birth_error
    elif error := _years_error(data.years, (RESIDENTS_AGE - START_AGE) * 12):
        errors["years"] = error
    if error := _money_error(data.balance):
        errors["balance"] = error
    if errors:
        raise InputError(errors)


# --- steps and results ------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    name: str
    value: str
    unverified: bool = False
    carried: bool = False


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    formula: str
    inputs: tuple[Input, ...]
    result: str
    value: Decimal | None = None
    note: str = ""

    @property
    def unverified(self) -> bool:
        return any(i.unverified for i in self.inputs)


@dataclass(frozen=True)
class Result:
    scheme: str
    year: int  # the year the pension starts, whose parameters were used
    total: Decimal
    eligible: bool
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = ()
    unverified: tuple[Param, ...] = field(default=())


def yuan(x: Decimal) -> str:
    return _("%(amount)s 元") % {"amount": f"{x.quantize(CENT, ROUND_HALF_UP):,}"}


def _num(x: Decimal) -> str:
    """A number as typed: no trailing zeros past the point (30.50 → 30.5, 8179.0000 → 8179)."""
    text = f"{x:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _param_input(p: Param, shown: str | None = None) -> Input:
    return Input(p.label, shown if shown is not None else _num(p.value), p.unverified, p.carried)


def _age_text(age_months: int) -> str:
    years, extra = divmod(age_months, 12)
    if extra:
        return _("%(years)s 岁 %(months)s 个月") % {"years": years, "months": extra}
    return _("%(years)s 岁") % {"years": years}


def _month_text(year: int, month: int) -> str:
    return _("%(year)s 年 %(month)s 月") % {"year": year, "month": month}


def months_until(today: dt.date, year: int, month: int) -> int:
    """Whole months from today's month to the given month (0 when it has passed)."""
    return max(0, _month_index(year, month) - _month_index(today.year, today.month))


def _retirement_step(birth: dt.date, category: str, r: Retirement) -> Step:
    reform = REFORM_2025[category]
    first = _month_text(*reform.first_affected)
    shift: tuple[Input, ...] = ()
    if r.shift_months:
        shift = (
            Input(_("法定退休年龄"), _age_text(r.statutory_months)),
            Input(
                _("弹性退休"),
                (_("提前 %(n)s 个月") if r.shift_months < 0 else _("推迟 %(n)s 个月"))
                % {"n": abs(r.shift_months)},
            ),
        )
    return Step(
        "retirement",
        _("退休年龄（弹性退休）") if r.shift_months else _("法定退休年龄"),
        _("原退休年龄 %(age)s 岁；%(first)s 及以后出生的，每 %(step)s 个月延迟 1 个月，最多延迟 %(max)s 个月")
        % {"age": reform.original_age, "first": first, "step": reform.step, "max": reform.max_delay},
        (
            Input(_("出生年月"), _month_text(birth.year, birth.month)),
            Input(_("人员类别"), category_label(category)),
            Input(_("延迟月数"), str(r.delay_months)),
            *shift,
        ),
        _("%(age)s，%(when)s 退休") % {"age": _age_text(r.age_months), "when": _month_text(r.year, r.month)},
    )


def _eligibility_step(years: Decimal, minimum: Decimal, year: int) -> Step:
    ok = years >= minimum
    return Step(
        "minimum_years",
        _("最低缴费年限"),
        _("%(year)s 年退休的最低缴费年限：2029 年及以前 15 年，2030 年起每年增加半年，至 20 年")
        % {"year": year},
        (Input(_("缴费年限"), _num(years)), Input(_("最低缴费年限"), _num(minimum))),
        _("已满足，可按月领取养老金")
        if ok
        else _("未满足，需继续缴费（或延长缴费）至最低年限后方可按月领取"),
        minimum,
    )


def enterprise_compute(data: EnterpriseInput, rows: Iterable[ParamRow], today: dt.date) -> Result:
    """The enterprise employee's monthly pension at the statutory retirement age (or the
    flexible one chosen)."""
    r = enterprise_validate(data, today)
    params = parameters_for(rows, r.year)
    c, rate, account_rate = params[CALC_BASE], params[BASIC_RATE], params[ACCOUNT_RATE]
    steps = [_retirement_step(data.birth, data.category, r)]
    minimum = minimum_years(r.year)
    steps.append(_eligibility_step(data.years, minimum, r.year))

    clamped = tuple(min(INDEX_CEILING, max(INDEX_FLOOR, i)) for i in data.indexes)
    index = (sum(clamped, Decimal(0)) / len(clamped)).quantize(INDEX_PLACES, ROUND_HALF_UP)
    changed = sum(1 for a, b in zip(data.indexes, clamped, strict=True) if a != b)
    steps.append(
        Step(
            "average_index",
            _("平均缴费指数 I"),
            _("每年缴费指数先限定在 0.6～3 之间（低于 0.6 按 0.6，高于 3 按 3），再求平均"),
            (
                Input(_("填写的各年指数"), "、".join(_num(i) for i in data.indexes)),
                Input(_("限定后的各年指数"), "、".join(_num(i) for i in clamped)),
                Input(_("年份数"), str(len(clamped))),
            ),
            _num(index),
            index,
            _("%(n)s 个年份的指数超出 0.6～3，已按上下限计算") % {"n": changed} if changed else "",
        )
    )
    indexed = (c.value * index).quantize(CENT, ROUND_HALF_UP)
    steps.append(
        Step(
            "indexed_wage",
            _("本人指数化月平均缴费工资"),
            _("计发基数 × 平均缴费指数"),
            (_param_input(c), Input(_("平均缴费指数"), _num(index))),
            yuan(indexed),
            indexed,
        )
    )
    basic = ((c.value + indexed) / 2 * data.years * rate.value).quantize(CENT, ROUND_HALF_UP)
    steps.append(
        Step(
            "basic_pension",
            _("基础养老金"),
            _("（计发基数 + 本人指数化月平均缴费工资）÷ 2 × 缴费年限 × 1%"),
            (
                _param_input(c),
                Input(_("本人指数化月平均缴费工资"), _num(indexed)),
                Input(_("缴费年限（含视同缴费年限）"), _num(data.years)),
                _param_input(rate),
            ),
            yuan(basic),
            basic,
        )
    )
    steps.append(_balance_step(data, r, account_rate, today))
    balance = steps[-1].value
    assert balance is not None
    months, interpolated = payout_months(params, r.age_months)
    used = [params[payout_name(r.age_years)]]
    if interpolated:
        used.append(params[payout_name(r.age_years + 1)])
    steps.append(
        Step(
            "payout_months",
            _("个人账户计发月数"),
            _("按退休年龄查国家计发月数表；不满整岁的按月在相邻两个年龄之间线性折算，保留 1 位小数")
            if interpolated
            else _("按退休年龄查国家计发月数表"),
            (
                Input(_("退休年龄"), _age_text(r.age_months)),
                *(_param_input(p) for p in used),
                *(
                    (Input(_("按月折算规则"), _("线性折算"), INTERPOLATION_UNVERIFIED),)
                    if interpolated
                    else ()
                ),
            ),
            _num(months),
            months,
        )
    )
    account = (balance / months).quantize(CENT, ROUND_HALF_UP)
    steps.append(
        Step(
            "account_pension",
            _("个人账户养老金"),
            _("个人账户储存额 ÷ 计发月数"),
            (Input(_("个人账户储存额"), _num(balance)), Input(_("计发月数"), _num(months))),
            yuan(account),
            account,
        )
    )
    return _finish(ENTERPRISE, r.year, basic, account, data.years >= minimum, steps, params, minimum)


def _balance_step(data: EnterpriseInput, r: Retirement, account_rate: Param, today: dt.date) -> Step:
    now = data.balance or Decimal(0)
    if data.monthly_base is None:
        return Step(
            "account_balance",
            _("个人账户储存额"),
            _("按填写的退休时个人账户储存额计算"),
            (Input(_("个人账户储存额"), _num(now)),),
            yuan(now),
            now,
        )
    months = months_until(today, r.year, r.month)
    added = (data.monthly_base * account_rate.value * months).quantize(CENT, ROUND_HALF_UP)
    total = now + added
    return Step(
        "account_balance",
        _("个人账户储存额（推算）"),
        _("现有储存额 + 月缴费基数 × 8% × 距退休月数；未来记账利率未公布，不计利息"),
        (
            Input(_("现有储存额"), _num(now)),
            Input(_("月缴费基数"), _num(data.monthly_base)),
            _param_input(account_rate),
            Input(_("距退休月数"), str(months)),
        ),
        yuan(total),
        total,
    )


def _finish(
    scheme: str,
    year: int,
    basic: Decimal,
    account: Decimal,
    eligible: bool,
    steps: list[Step],
    params: Parameters,
    minimum: Decimal,
) -> Result:
    total = basic + account
    steps.append(
        Step(
            "total",
            _("每月养老金合计"),
            _("基础养老金 + 个人账户养老金"),
            (Input(_("基础养老金"), _num(basic)), Input(_("个人账户养老金"), _num(account))),
            yuan(total),
            total,
        )
    )
    warnings = []
    if not eligible:
        warnings.append(
            _("缴费年限未达到 %(years)s 年的最低要求：以上为补足年限后的参考金额") % {"years": _num(minimum)}
        )
    flagged = _used_params(steps, params)
    if flagged or any(s.unverified for s in steps):
        warnings.append(_("部分参数尚待核实（标有“待核实”），结果仅供参考，以社保经办机构核定为准"))
    return Result(scheme, year, total, eligible, tuple(steps), tuple(warnings), flagged)


def _used_params(steps: Sequence[Step], params: Parameters) -> tuple[Param, ...]:
    """The unverified or carried parameters that some step put in."""
    shown = {i.name for s in steps for i in s.inputs}
    return tuple(p for p in params.by_name.values() if p.label in shown and (p.unverified or p.carried))


def subsidy(params: Parameters, tier: int) -> Param:
    high = tier >= params.value(RESIDENTS_SUBSIDY_THRESHOLD)
    return params[RESIDENTS_SUBSIDY_HIGH if high else RESIDENTS_SUBSIDY_LOW]


def resident_compute(data: ResidentInput, rows: Iterable[ParamRow], today: dt.date) -> Result:
    """The urban-rural resident's monthly pension from 60."""
    resident_validate(data, today)
    at = _month_index(data.birth.year, data.birth.month) + RESIDENTS_AGE * 12
    year, month = at // 12, at % 12 + 1
    params = parameters_for(rows, year)
    steps = [
        Step(
            "retirement",
            _("领取年龄"),
            _("城乡居民养老保险年满 60 周岁领取"),
            (Input(_("出生年月"), _month_text(data.birth.year, data.birth.month)),),
            _("%(when)s 起领取") % {"when": _month_text(year, month)},
        ),
        _eligibility_step(data.years, RESIDENTS_MIN_YEARS, year),
    ]
    national, local = params[RESIDENTS_NATIONAL_MIN], params[RESIDENTS_LOCAL_BASIC]
    basic = (national.value + local.value).quantize(CENT, ROUND_HALF_UP)
    steps.append(
        Step(
            "basic_pension",
            _("基础养老金"),
            _("中央确定的最低标准 + 地方提高部分"),
            (_param_input(national), _param_input(local)),
            yuan(basic),
            basic,
        )
    )
    sub = subsidy(params, data.tier)
    yearly = Decimal(data.tier) + sub.value
    balance = (data.balance + yearly * data.years).quantize(CENT, ROUND_HALF_UP)
    steps.append(
        Step(
            "account_balance",
            _("个人账户储存额（推算）"),
            _("现有储存额 +（每年缴费档次 + 政府缴费补贴）× 缴费年限；不计利息"),
            (
                Input(_("现有储存额"), _num(data.balance)),
                Input(_("缴费档次（元/年）"), str(data.tier)),
                _param_input(sub),
                Input(_("缴费年限"), _num(data.years)),
            ),
            yuan(balance),
            balance,
        )
    )
    divisor = params[RESIDENTS_DIVISOR]
    account = (balance / divisor.value).quantize(CENT, ROUND_HALF_UP)
    steps.append(
        Step(
            "account_pension",
            _("个人账户养老金"),
            _("个人账户储存额 ÷ 139"),
            (Input(_("个人账户储存额"), _num(balance)), _param_input(divisor)),
            yuan(account),
            account,
        )
    )
    eligible = data.years >= RESIDENTS_MIN_YEARS
    return _finish(RESIDENTS, year, basic, account, eligible, steps, params, RESIDENTS_MIN_YEARS)
