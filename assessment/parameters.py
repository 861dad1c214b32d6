"""The six district indicators of portal.md → Assessment, and the assessment's editable
parameters with their defaults. A parameter's current value is its AssessmentParameter
row when a city manager has edited it, else the default here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

Label = str | Promise  # a lazy translation (Chinese msgid), rendered in the user's language


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Label
    subject: str  # what its numerator and denominator count: employer, project, person, task, community
    default_weight: Decimal
    default_target: Decimal | None  # None: interruption_rate, whose target is last year's value
    numerator_label: Label
    denominator_label: Label
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
        "task",
        Decimal(15),
        Decimal("0.9"),
        _("本年生成且已整改或比对消除的任务"),
        _("本年生成的任务"),
    ),
    Indicator(
        PUBLICITY_COVERAGE,
        _("社区宣传覆盖率"),
        "community",
        Decimal(15),
        Decimal("1.0"),
        _("本年有宣传张贴的社区"),
        _("社区"),
    ),
)
BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}

# Scalar parameters, declared once: name → (default, label). Every parameter (these, the
# weights and the targets) is a number; its bounds are checked by `validate`.
PASS_SCORE = "pass_score"
FUND_GAP_PENALTY = "fund_gap_penalty"
BASE_SHARE = "base_share"
SCALARS: dict[str, tuple[Decimal, Label]] = {
    PASS_SCORE: (Decimal(80), _("合格分数线（分）")),
    FUND_GAP_PENALTY: (Decimal(10), _("不合格区基金缺口分担比例上浮（百分点）")),
    BASE_SHARE: (Decimal(50), _("基金缺口基础分担比例（%）")),
}
WEIGHT_PREFIX = "weight."
TARGET_PREFIX = "target."
# The range of each kind of parameter, inclusive; a target must also be above 0 (validate).
WEIGHT_RANGE = (Decimal(0), Decimal(100))
TARGET_RANGE = (Decimal(0), Decimal(1))
SCALAR_RANGE = (Decimal(0), Decimal(100))


def weight_name(code: str) -> str:
    return f"{WEIGHT_PREFIX}{code}"


def target_name(code: str) -> str:
    return f"{TARGET_PREFIX}{code}"


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


def bounds(name: str) -> tuple[Decimal, Decimal]:
    """(lowest, highest) value of a parameter, both inclusive (the form's and validate's)."""
    if name.startswith(WEIGHT_PREFIX):
        return WEIGHT_RANGE
    if name.startswith(TARGET_PREFIX):
        return TARGET_RANGE
    return SCALAR_RANGE


def label_of(name: str) -> str:
    """A parameter's label in the user's language."""
    if name in SCALARS:
        return str(SCALARS[name][1])
    kind, _sep, code = name.partition(".")
    own = gettext("%(label)s权重") if f"{kind}." == WEIGHT_PREFIX else gettext("%(label)s目标值")
    return own % {"label": BY_CODE[code].label}


def validate(values: dict[str, Decimal]) -> dict[str, str]:
    """Errors (name → message) of a full set of parameter values; empty when valid."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        low, high = bounds(name)
        if name.startswith(WEIGHT_PREFIX) and not (low <= value <= high):
            errors[name] = gettext("权重应在 0 到 100 之间")
        elif name.startswith(TARGET_PREFIX) and not (low < value <= high):
            errors[name] = gettext("目标值应大于 0 且不超过 1")
        elif name in SCALARS and not (low <= value <= high):
            errors[name] = gettext("应在 0 到 100 之间")
    if sum(v for n, v in values.items() if n.startswith(WEIGHT_PREFIX)) <= 0:
        errors.setdefault(weight_name(INDICATORS[0].code), gettext("权重之和应大于 0"))
    if values[BASE_SHARE] + values[FUND_GAP_PENALTY] > 100 and FUND_GAP_PENALTY not in errors:
        errors[FUND_GAP_PENALTY] = gettext("基础比例加上浮不能超过 100%")
    return errors
