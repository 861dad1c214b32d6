from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from assessment import parameters, scoring, selectors
from tests.assessment.conftest import EXPECTED, EXPECTED_RANK, EXPECTED_SCORE, A, B, C
from tests.assessment.test_selectors import Y2025

D = Decimal


@pytest.mark.parametrize(
    "value,target,expected",
    [
        (Fraction(3, 4), D("1.0"), D("75.00")),
        (Fraction(2, 3), D("0.9"), D("74.07")),  # 74.074…
        (Fraction(9, 10), D("0.9"), D("100.00")),  # exactly on target
        (Fraction(1, 1), D("0.9"), D("100.00")),  # capped at 100
        (Fraction(0, 5), D("1.0"), D("0.00")),
        (Fraction(1, 800), D("1.0"), D("0.13")),  # 0.125: rounded half-up, not to even
        (Fraction(1, 3), D("0.5"), D("66.67")),
    ],
)
def test_indicator_score_is_100_times_min_1_value_over_target(value, target, expected):
    assert scoring.indicator_score(value, target) == expected


@pytest.mark.parametrize(
    "this,last,expected",
    [
        (Fraction(1, 4), Fraction(1, 5), D("80.00")),  # worse: 100 × 0.2 / 0.25
        (Fraction(1, 5), Fraction(1, 5), D("100.00")),  # equal counts as ≤
        (Fraction(1, 10), Fraction(1, 5), D("100.00")),
        (Fraction(1, 10), Fraction(0), D("0.00")),  # last year none interrupted, now some
        (Fraction(0), Fraction(0), D("100.00")),
    ],
)
def test_interruption_score(this, last, expected):
    assert scoring.interruption_score(this, last) == expected


def _params(**over):
    p = parameters.defaults()
    p.update({k: D(v) for k, v in over.items()})
    return p


@translation.override("zh-hans")  # the notes are asserted in Chinese, whatever another test activated
def test_zero_denominator_or_missing_baseline_or_missing_snapshot_is_not_scored():
    p = _params()
    zero = scoring.score_indicator(code="employer_coverage", numerator=0, denominator=0, params=p)
    assert zero.score is None and zero.value is None and "分母为 0" in zero.note
    no_base = scoring.score_indicator(code="interruption_rate", numerator=1, denominator=4, params=p)
    assert no_base.score is None and no_base.value == Fraction(1, 4) and "上年无数据" in no_base.note
    zero_base = scoring.score_indicator(
        code="interruption_rate",
        numerator=1,
        denominator=4,
        params=p,
        baseline_numerator=0,
        baseline_denominator=0,
    )
    assert zero_base.score is None
    missing = scoring.score_indicator(
        code="subsidized_coverage", numerator=None, denominator=None, params=p, missing="参保人员名册"
    )
    assert missing.score is None and "参保人员名册" in missing.note


def test_district_score_is_the_weighted_mean_of_the_scored_indicators():
    p = _params()
    inds = [
        scoring.score_indicator(code="employer_coverage", numerator=3, denominator=4, params=p),  # 75, w25
        scoring.score_indicator(code="task_closure_rate", numerator=9, denominator=10, params=p),  # 100, w15
        scoring.score_indicator(code="construction_injury_rate", numerator=0, denominator=0, params=p),
    ]
    # (25×75 + 15×100) / 40 = 84.375 → 84.38
    assert scoring.district_score(inds) == D("84.38")
    assert scoring.district_score(inds[2:]) is None


@pytest.mark.parametrize(
    "scores,ranks",
    [
        ([D(90), D(90), D(80)], [1, 1, 3]),
        ([D(80), D(90), D(90)], [3, 1, 1]),
        ([D(70), D(80), D(90)], [3, 2, 1]),
        ([D(90), D(80), D(80)], [1, 2, 2]),
        ([D(50), D(50), D(50)], [1, 1, 1]),
        ([None, D(10), D(10)], [None, 1, 1]),
    ],
)
def test_ties_share_a_rank_and_the_next_rank_skips(scores, ranks):
    assert scoring.competition_ranks(scores) == ranks


@pytest.mark.parametrize(
    "score,share,below",
    [
        (D("79.99"), D("0.60"), True),
        (D("80.00"), D("0.50"), False),
        (D("100.00"), D("0.50"), False),
        (D("0.00"), D("0.60"), True),
        (None, D("0.50"), False),  # not scored: the base share, no penalty
    ],
)
def test_fund_gap_share_rises_by_the_penalty_under_the_pass_score(score, share, below):
    assert scoring.fund_gap_share(score, _params()) == (share, below)


def test_fund_gap_share_follows_the_parameters():
    p = _params(pass_score=60, fund_gap_penalty=15, base_share=40)
    assert scoring.fund_gap_share(D("59.99"), p) == (D("0.55"), True)
    assert scoring.fund_gap_share(D("60"), p) == (D("0.40"), False)


def _district(code, score_value):
    """A district whose only scored indicator has the given published score (publicity, weight 15)."""
    r = scoring.DistrictResult(
        code=code,
        name=code,
        indicators=[
            scoring.IndicatorResult(
                code="publicity_coverage", numerator=None, denominator=None, weight=D(15), score=score_value
            )
        ],
    )
    return r


def test_ranking_with_ties_commends_every_district_tied_at_the_top():
    ranked = scoring.rank_districts(
        [_district(A, D(90)), _district(B, D(90)), _district(C, D("79.99"))], _params()
    )
    assert [(r.code, r.rank, r.commended, r.fund_gap_share) for r in ranked] == [
        (A, 1, True, D("0.50")),
        (B, 1, True, D("0.50")),
        (C, 3, False, D("0.60")),
    ]


def test_a_district_with_no_scored_indicator_is_listed_last_unranked():
    empty = scoring.DistrictResult(code=C, name=C, indicators=[])
    ranked = scoring.rank_districts([empty, _district(A, D(50))], _params())
    assert [(r.code, r.rank, r.score, r.commended, r.fund_gap_share) for r in ranked] == [
        (A, 1, D("50.00"), False, D("0.60")),
        (C, None, None, False, D("0.50")),
    ]


def test_given_the_2025_scenario_each_indicator_scores_as_computed_by_hand(scenario):
    ranked = {r.code: r for r in selectors.ranking_list(Y2025)}
    for code, by_district in EXPECTED.items():
        for district, (_num, _den, score) in by_district.items():
            assert ranked[district].indicator(code).score == score, (code, district)


def test_given_the_2025_scenario_the_ranking_is_computed_by_hand(scenario):
    ranked = selectors.ranking_list(Y2025)
    assert [r.code for r in ranked] == [B, A, C]
    assert {r.code: r.score for r in ranked} == EXPECTED_SCORE
    assert {r.code: r.rank for r in ranked} == EXPECTED_RANK
    assert [r.commended for r in ranked] == [True, False, False]
    assert [r.fund_gap_share for r in ranked] == [D("0.50"), D("0.60"), D("0.60")]
    # C has no roster data: only publicity is scored, the rest say why not
    c = ranked[2]
    assert [i.code for i in c.indicators if i.scored] == ["publicity_coverage"]
    assert all(i.note for i in c.indicators if not i.scored)


def test_a_weight_change_changes_the_ranking(scenario):
    # publicity weighs 100: A = (5769.45 + 100 × 4.65) / 185 = 33.70; C = 52.17 (publicity only)
    ranked = selectors.ranking_list(Y2025, _params(**{"weight.publicity_coverage": 100}))
    assert [(r.code, r.score, r.rank) for r in ranked] == [
        (B, D("100.00"), 1),
        (C, D("52.17"), 2),
        (A, D("33.70"), 3),
    ]
