"""The arithmetic of portal.md → Assessment, with no database: indicator scores, the
district score, the ranking with shared ranks, the commendation and the fund-gap share.

Numbers are exact: values are Fractions of two counts, targets and weights Decimals.
Scores are *published* rounded half-up to two decimals, and every rule after that (the
district score, ranking, ties, the pass mark) works on the published figures, so what a
manager sees on the page is exactly what was applied — 79.99 is under 80, and a score
can be recomputed with a calculator from the indicator scores shown.

When an indicator cannot be measured, it is *not scored* and its weight leaves Σ weights
(the district is judged on what can be measured, neither rewarded nor punished for what
cannot):
- a snapshot it needs is missing (no data at all), or its denominator is 0 (nothing to
  count — e.g. no construction project started in the district this year);
- interruption_rate also when last year has no value (no baseline to compare with).
A district with no scored indicator at all gets no score: it is listed unranked, not
commended, and pays its base share (there is no measured basis for a penalty).
The top district is commended only when it reaches the pass score: a rank 1 under the
pass line (every district under it) is below the pass line and not commended.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext

from assessment import parameters

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def publish(x: Fraction | Decimal) -> Decimal:
    """Round half-up to two decimals (the published score)."""
    if isinstance(x, Fraction):
        x = Decimal(x.numerator) / Decimal(x.denominator)  # 28 significant digits: ample before rounding
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(numerator: int | None, denominator: int | None) -> Fraction | None:
    if numerator is None or not denominator:
        return None
    return Fraction(numerator, denominator)


def indicator_score(value: Fraction, target: Decimal) -> Decimal:
    """100 × min(1, value / target)."""
    return publish(100 * min(Fraction(1), value / Fraction(target)))


def interruption_score(value: Fraction, last_year: Fraction) -> Decimal:
    """100 when this year's rate ≤ last year's, else 100 × last / this (this > last ≥ 0, so this > 0)."""
    if value <= last_year:
        return HUNDRED.quantize(CENT)
    return publish(100 * last_year / value)


@dataclass
class IndicatorResult:
    code: str
    numerator: int | None
    denominator: int | None
    weight: Decimal
    target: Fraction | Decimal | None = None
    value: Fraction | None = None
    score: Decimal | None = None
    note: str = ""  # why it is not scored, when it is not
    baseline_numerator: int | None = None  # interruption_rate: last year's counts
    baseline_denominator: int | None = None

    @property
    def scored(self) -> bool:
        return self.score is not None

    @property
    def indicator(self) -> parameters.Indicator:
        return parameters.BY_CODE[self.code]


@dataclass
class DistrictResult:
    code: str
    name: str
    indicators: list[IndicatorResult]
    score: Decimal | None = None
    rank: int | None = None
    commended: bool = False
    below_pass: bool = False
    fund_gap_share: Decimal = Decimal(0)  # a fraction of the gap, e.g. 0.60

    def indicator(self, code: str) -> IndicatorResult:
        return next(i for i in self.indicators if i.code == code)


def score_indicator(
    *,
    code: str,
    numerator: int | None,
    denominator: int | None,
    params: dict[str, Decimal],
    baseline_numerator: int | None = None,
    baseline_denominator: int | None = None,
    missing: str = "",
) -> IndicatorResult:
    """One indicator's value, target and score from its counts and the parameters.
    `missing` names the snapshot that is missing (the indicator has no data)."""
    ind = parameters.BY_CODE[code]
    res = IndicatorResult(
        code=code,
        numerator=numerator,
        denominator=denominator,
        weight=params[parameters.weight_name(code)],
        baseline_numerator=baseline_numerator,
        baseline_denominator=baseline_denominator,
    )
    if missing:
        res.numerator = res.denominator = None
        res.note = gettext("无数据：缺少%(missing)s快照") % {"missing": missing}
        return res
    res.value = ratio(numerator, denominator)
    if ind.lower_is_better:
        baseline = ratio(baseline_numerator, baseline_denominator)
        res.target = baseline
    else:
        target = params[parameters.target_name(code)]
        res.target = target
    if res.value is None:
        res.note = gettext("分母为 0，不参与评分")
    elif ind.lower_is_better:
        if baseline is None:
            res.note = gettext("上年无数据，无比较基准，不参与评分")
        else:
            res.score = interruption_score(res.value, baseline)
    else:
        res.score = indicator_score(res.value, target)
    return res


def district_score(indicators: list[IndicatorResult]) -> Decimal | None:
    """Σ weight × score / Σ weights over the scored indicators (published scores)."""
    scored = [(i.weight, i.score) for i in indicators if i.score is not None]
    weights = sum((weight for weight, _score in scored), Decimal(0))
    if weights <= 0:
        return None
    return publish(sum((weight * score for weight, score in scored), Decimal(0)) / weights)


def competition_ranks(scores: list[Decimal | None]) -> list[int | None]:
    """Standard competition ranking, highest first: ties share a rank and the next rank
    skips (100, 100, 90 → 1, 1, 3). No score → no rank."""
    ranks: list[int | None] = []
    for s in scores:
        ranks.append(None if s is None else 1 + sum(1 for other in scores if other is not None and other > s))
    return ranks


def fund_gap_share(score: Decimal | None, params: dict[str, Decimal]) -> tuple[Decimal, bool]:
    """(share of the district's fund gap as a fraction, whether it is below the pass score).
    Under pass_score: base share + penalty (percentage points); otherwise the base share."""
    below = score is not None and score < params[parameters.PASS_SCORE]
    pct = params[parameters.BASE_SHARE] + (params[parameters.FUND_GAP_PENALTY] if below else 0)
    return (pct / HUNDRED).quantize(Decimal("0.0001")), below


def rank_districts(results: list[DistrictResult], params: dict[str, Decimal]) -> list[DistrictResult]:
    """Fill in score, rank, commendation and fund-gap share; return them ranked (unranked last)."""
    for r in results:
        r.score = district_score(r.indicators)
    for r, rank in zip(results, competition_ranks([r.score for r in results]), strict=True):
        r.rank = rank
        r.fund_gap_share, r.below_pass = fund_gap_share(r.score, params)
        # The top district (all of them, when tied at the top) — unless it is under the pass
        # score itself: a district below the pass line is never praised (通报表扬).
        r.commended = rank == 1 and not r.below_pass
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.code))
