import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from assessment import selectors, services
from assessment.models import AssessmentParameter, AssessmentParameterChange, IndicatorSnapshot
from tests.assessment.conftest import A, B, C


def test_a_parameter_change_is_written_with_its_history(db, city_manager):
    services.parameters_update(
        actor=city_manager, changes={"pass_score": "75", "weight.employer_coverage": "25"}, reason="年度调整"
    )
    assert selectors.parameters_current_get()["pass_score"] == Decimal("75")
    change = AssessmentParameterChange.objects.get()  # an unchanged value writes no history
    assert (change.name, change.old_value, change.new_value, change.changed_by) == (
        "pass_score",
        Decimal(80),
        Decimal(75),
        city_manager,
    )
    services.parameters_update(actor=city_manager, changes={"pass_score": "70"})
    assert [(c.old_value, c.new_value) for c in AssessmentParameterChange.objects.all()] == [
        (Decimal(75), Decimal(70)),
        (Decimal(80), Decimal(75)),
    ]


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"weight.employer_coverage": "-1"}, "weight.employer_coverage"),
        ({"target.task_closure_rate": "1.5"}, "target.task_closure_rate"),
        ({"target.task_closure_rate": "0"}, "target.task_closure_rate"),
        ({"pass_score": "abc"}, "pass_score"),
        ({"pass_score": "NaN"}, "pass_score"),
        ({"fund_gap_penalty": "60"}, "fund_gap_penalty"),  # 50 + 60 > 100
        ({"nonsense": "1"}, "nonsense"),
        (
            {
                f"weight.{c}": "0"
                for c in (
                    "employer_coverage",
                    "construction_injury_rate",
                    "subsidized_coverage",
                    "interruption_rate",
                    "task_closure_rate",
                    "publicity_coverage",
                )
            },
            "weight.employer_coverage",
        ),
    ],
)
def test_invalid_parameters_are_refused_whole(db, city_manager, changes, field):
    with pytest.raises(services.ParameterError) as exc:
        services.parameters_update(actor=city_manager, changes=changes)
    assert field in exc.value.errors
    assert not AssessmentParameter.objects.exists() and not AssessmentParameterChange.objects.exists()


def test_a_snapshot_stores_every_districts_counts_and_a_rerun_replaces_it(scenario):
    assert services.snapshot_take(as_of=dt.date(2025, 12, 31)) == 18
    assert services.snapshot_take(as_of=dt.date(2025, 12, 31)) == 18
    assert IndicatorSnapshot.objects.count() == 18
    s = IndicatorSnapshot.objects.get(district_id=A, indicator="interruption_rate")
    assert (s.year, s.numerator, s.denominator, s.baseline_numerator, s.baseline_denominator) == (
        2025,
        1,
        4,
        1,
        5,
    )


def test_the_trend_scores_the_snapshots_like_the_live_ranking(scenario):
    services.snapshot_take(as_of=dt.date(2025, 12, 31))
    services.snapshot_take(as_of=dt.date(2025, 6, 30))
    trend = selectors.trend_get(2025)
    live = {r.code: r.score for r in selectors.ranking_list(selectors.Period(2025, dt.date(2025, 12, 31)))}
    for d in (A, B, C):
        assert trend[d][-1] == (dt.date(2025, 12, 31), live[d])
        assert trend[d][0][0] == dt.date(2025, 6, 30)
    # by 30 June B had only its project (started 1 March) and half its tasks… the score differs from year end
    mid = {r.code: r.score for r in selectors.ranking_list(selectors.Period(2025, dt.date(2025, 6, 30)))}
    assert trend[A][0][1] == mid[A]


def test_a_snapshot_of_a_district_without_data_records_why(db):
    services.snapshot_take(as_of=dt.date(2025, 1, 31))
    s = IndicatorSnapshot.objects.get(district_id=C, indicator="employer_coverage")
    assert s.numerator is None and "名册" in s.note
    assert selectors.trend_get(2025)[C] == [(dt.date(2025, 1, 31), Decimal("0.00"))]  # publicity 0 of 23


def test_backfill_takes_the_past_month_ends_of_the_year(db):
    days = services.snapshot_backfill(year=2026, today=dt.date(2026, 4, 15))
    assert days == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]


def test_month_end_before():
    assert services.month_end_before(dt.date(2026, 3, 1)) == dt.date(2026, 2, 28)
    assert services.month_end_before(dt.date(2026, 1, 1)) == dt.date(2025, 12, 31)


@translation.override("zh-hans")
def test_the_demo_loader_posts_and_snapshots_once(db, city_manager):
    from assessment.demo import load_demo_assessment
    from outreach.models import PublicityPosting

    today = dt.date(2026, 4, 15)
    said = load_demo_assessment(today=today)
    n = PublicityPosting.objects.count()
    assert f"{n} 条宣传张贴" in said and "3 个月度快照" in said
    assert 0 < n < 87 and all(p.posted_on <= today for p in PublicityPosting.objects.all())
    assert IndicatorSnapshot.objects.filter(year=2026).values("as_of").distinct().count() == 3
    assert "已存在" in load_demo_assessment(today=today)
    assert PublicityPosting.objects.count() == n
