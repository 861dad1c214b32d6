"""The six district indicators of portal.md → Assessment, and the assessment's editable
parameters with their defaults. A parameter's current value is its AssessmentParameter
row when a city manager has edited it, else the default here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str  # Chinese first (a lazy translation)
    label_en: str
    subject: str  # what its numerator and denominator count: employer, project, person, task, community
    default_weight: Decimal
    default_target: Decimal | None  # None: interruption_rate, whose target is last year's value
    numerator_label: str
    denominator_label: str
    # Snapshot kinds the indicator cannot be measured without: each entry is a tuple of
    # alternatives, at least one of which must have a current snapshot.
    needs: tuple[tuple[str, ...], ...] = ()

    @property
    def lower_is_better(self) -> bool:
        return self.default_target is None


EMPLOYER_COVERAGE = "employer_coverage"
CONSTRUCTION_INJURY_RATE = "construction_injury_rate"
SUBSIDIZED_COVERAGE = "subsidized_coverage"
INTERRUPTION_RATE = "interruption_rate"
TASK_CLOSURE_RATE = "task_closure_rate"
PUBLICITY_COVERAGE = "publicity_coverage"

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        EMPLOYER_COVERAGE,
        _("用人单位参保率"),
        "Employer coverage",
        "employer",
        Decimal(25),
        Decimal("1.0"),
        _("已参保的应参保单位"),
        _("应参保单位"),
        needs=(("market_entities", "tax_payroll"), ("insurance_employers",)),
    ),
    Indicator(
        CONSTRUCTION_INJURY_RATE,
        _("工程项目工伤参保率"),
        "Construction projects insured",
        "project",
        Decimal(15),
        Decimal("0.9"),
        _("本年开工且已参保的项目"),
        _("本年开工的项目"),
        needs=(("construction_projects",), ("insurance_projects",)),
    ),
    Indicator(
        SUBSIDIZED_COVERAGE,
        _("困难群体代缴覆盖率"),
        "Subsidized coverage",
        "person",
        Decimal(15),
        Decimal("1.0"),
        _("已参保的代缴对象"),
        _("代缴对象"),
        needs=(("civil_affairs", "poverty_registry", "disability_registry"), ("insurance_persons",)),
    ),
    Indicator(
        INTERRUPTION_RATE,
        _("养老保险断缴率"),
        "Pension interruption rate",
        "person",
        Decimal(15),
        None,
        _("中断缴费的养老参保记录（60岁以下）"),
        _("正常及中断缴费的养老参保记录（60岁以下）"),
        needs=(("insurance_persons",),),
    ),
    Indicator(
        TASK_CLOSURE_RATE,
        _("核查任务办结率"),
        "Task closure rate",
        "task",
        Decimal(15),
        Decimal("0.9"),
        _("本年生成且已整改或比对消除的任务"),
        _("本年生成的任务"),
    ),
    Indicator(
        PUBLICITY_COVERAGE,
        _("社区宣传覆盖率"),
        "Publicity coverage",
        "community",
        Decimal(15),
        Decimal("1.0"),
        _("本年有宣传张贴的社区"),
        _("社区"),
    ),
)
BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}

# Scalar parameters: name → (default, label, min, max).
PASS_SCORE = "pass_score"
FUND_GAP_PENALTY = "fund_gap_penalty"
BASE_SHARE = "base_share"
SCALARS: dict[str, tuple[Decimal, str]] = {
    PASS_SCORE: (Decimal(80), "合格分数线（分） / pass score"),
    FUND_GAP_PENALTY: (
        Decimal(10),
        "不合格区基金缺口分担比例上浮（百分点） / fund-gap penalty (percentage points)",
    ),
    BASE_SHARE: (Decimal(50), "基金缺口基础分担比例（%） / base share of the fund gap (%)"),
}


def weight_name(code: str) -> str:
    return f"weight.{code}"


def target_name(code: str) -> str:
    return f"target.{code}"


def defaults() -> dict[str, Decimal]:
    """Every editable parameter and its default value."""
    values: dict[str, Decimal] = {}
    for ind in INDICATORS:
        values[weight_name(ind.code)] = ind.default_weight
        if ind.default_target is not None:
            values[target_name(ind.code)] = ind.default_target
    for name, (default, _label) in SCALARS.items():
        values[name] = default
    return values


def label_of(name: str) -> str:
    if name in SCALARS:
        return SCALARS[name][1]
    kind, _sep, code = name.partition(".")
    ind = BY_CODE[code]
    own = gettext("%(label)s权重") if kind == "weight" else gettext("%(label)s目标值")
    return f"{own % {'label': ind.label}} / {ind.label_en} {kind}"


def validate(values: dict[str, Decimal]) -> dict[str, str]:
    """Errors (name → message) of a full set of parameter values; empty when valid."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name.startswith("weight.") and not (0 <= value <= 100):
            errors[name] = "权重应在 0 到 100 之间 / a weight is between 0 and 100"
        elif name.startswith("target.") and not (0 < value <= 1):
            errors[name] = "目标值应大于 0 且不超过 1 / a target is above 0 and at most 1"
        elif name in SCALARS and not (0 <= value <= 100):
            errors[name] = "应在 0 到 100 之间 / must be between 0 and 100"
    if sum(v for n, v in values.items() if n.startswith("weight.")) <= 0:
        errors.setdefault(weight_name(INDICATORS[0].code), "权重之和应大于 0 / the weights must not all be 0")
    if values[BASE_SHARE] + values[FUND_GAP_PENALTY] > 100 and FUND_GAP_PENALTY not in errors:
        errors[FUND_GAP_PENALTY] = "基础比例加上浮不能超过 100% / base share plus penalty cannot exceed 100 %"
    return errors
