import datetime as dt

import pytest

from assessment import parameters, selectors
from tests.assessment.conftest import EXPECTED, A, B, C

Y2025 = selectors.Period(2025, dt.date(2025, 12, 31))


@pytest.mark.parametrize("code", [i.code for i in parameters.INDICATORS])
def test_given_the_2025_scenario_when_measured_then_each_indicator_counts_by_hand(scenario, code):
    counts = selectors.district_counts_get(Y2025)
    for district in (A, B):
        c = counts[district][code]
        assert (c.numerator, c.denominator) == EXPECTED[code][district][:2], district


def test_a_district_without_roster_data_counts_zero_of_zero(scenario):
    counts = selectors.district_counts_get(Y2025)
    for code in (
        "employer_coverage",
        "construction_injury_rate",
        "subsidized_coverage",
        "interruption_rate",
        "task_closure_rate",
    ):
        assert (counts[C][code].numerator, counts[C][code].denominator) == (0, 0)
    assert (counts[C]["publicity_coverage"].numerator, counts[C]["publicity_coverage"].denominator) == (
        12,
        23,
    )


def test_interruption_rate_carries_last_years_counts_as_its_baseline(scenario):
    c = selectors.district_counts_get(Y2025)
    assert (c[A]["interruption_rate"].baseline_numerator, c[A]["interruption_rate"].baseline_denominator) == (
        1,
        5,
    )
    assert (c[B]["interruption_rate"].baseline_numerator, c[B]["interruption_rate"].baseline_denominator) == (
        1,
        1,
    )
    assert c[C]["interruption_rate"].baseline_denominator is None


def test_a_missing_hrss_snapshot_makes_the_indicator_unmeasurable_not_zero(db):
    from tests.assessment import factories

    me = factories.loaded_batch("market_entities", dt.date(2025, 12, 1))
    factories.market(me, A)
    counts = selectors.district_counts_get(Y2025)
    c = counts[A]["employer_coverage"]
    assert (c.numerator, c.denominator) == (None, None)
    assert "参保单位名册" in c.missing


def test_drill_down_rows_are_the_rows_counted(scenario):
    _q, total, rows = selectors.indicator_rows_list("employer_coverage", Y2025, district_code=A, subset="gap")
    assert total == 1 and [r["key"] for r in rows] == [scenario["a_required"][3]]
    _q, total, rows = selectors.indicator_rows_list("construction_injury_rate", Y2025, district_code=A)
    assert total == 3 and sorted(r["key"] for r in rows) == sorted(scenario["a_projects"])
    _q, total, rows = selectors.indicator_rows_list(
        "subsidized_coverage", Y2025, district_code=A, subset="numerator"
    )
    assert [r["key"] for r in rows] == [scenario["subsidized"][0]]
    _q, total, _rows = selectors.indicator_rows_list(
        "task_closure_rate", Y2025, district_code=A, subset="numerator"
    )
    assert total == 3
    _q, total, rows = selectors.indicator_rows_list(
        "publicity_coverage", Y2025, district_code=A, subset="numerator", limit=1
    )
    assert total == 2 and len(rows) == 1


def test_a_past_year_is_fixed_at_its_year_end_and_the_current_year_runs_to_today():
    assert selectors.period_get(2025, today=dt.date(2026, 11, 28)).as_of == dt.date(2025, 12, 31)
    assert selectors.period_get(2026, today=dt.date(2026, 11, 28)).as_of == dt.date(2026, 11, 28)


@pytest.mark.parametrize("raw", ["abc", "2027", "1999", "20x5", "-1"])
def test_bad_years_are_refused(raw):
    with pytest.raises(selectors.BadYear):
        selectors.year_parse(raw, today=dt.date(2026, 11, 28))


def test_year_defaults_to_this_year():
    assert selectors.year_parse(None, today=dt.date(2026, 11, 28)) == 2026
    assert selectors.year_parse(" 2020 ", today=dt.date(2026, 11, 28)) == 2020


def test_department_assessment_counts_months_with_a_loaded_snapshot_and_rejected_rows(db):
    from tests.assessment import factories

    factories.loaded_batch("market_entities", dt.date(2025, 1, 5), rows_total=100, rows_rejected=2)
    factories.loaded_batch(
        "market_entities", dt.date(2025, 1, 20), rows_total=100, rows_rejected=0
    )  # same month
    factories.loaded_batch("market_entities", dt.date(2025, 3, 1), rows_total=200, rows_rejected=6)
    factories.loaded_batch("market_entities", dt.date(2025, 4, 1), status="rejected", rows_total=0)
    factories.loaded_batch(
        "market_entities", dt.date(2025, 5, 1), status="failed", rows_total=50, rows_rejected=50
    )
    factories.loaded_batch("market_entities", dt.date(2024, 12, 1), rows_total=10, rows_rejected=10)
    factories.loaded_batch("insurance_persons", dt.date(2025, 6, 1), rows_total=1000, rows_rejected=1)
    res = {d.department: d for d in selectors.department_results_list(Y2025)}
    market = res["market"].kinds[0]
    assert (market.months_loaded, market.months) == (2, 12)
    assert market.share == pytest.approx(2 / 12)
    assert (market.rows_rejected, market.rows_total) == (8, 400)
    hrss = {k.kind: k for k in res["hrss"].kinds}
    assert set(hrss) == {"insurance_employers", "insurance_persons", "insurance_projects"}
    assert hrss["insurance_persons"].months_loaded == 1 and hrss["insurance_employers"].months_loaded == 0
    assert res["hrss"].rejected_rate == pytest.approx(1 / 1000)
    assert res["tax"].rejected_rate is None  # nothing delivered: no rate, not 0


def test_drill_down_pages_past_the_end_still_know_the_total(scenario):
    _q, total, rows = selectors.indicator_rows_list(
        "publicity_coverage", Y2025, district_code=A, limit=50, offset=100
    )
    assert (total, rows) == (43, [])
    _q, total, rows = selectors.indicator_rows_list(
        "publicity_coverage", Y2025, district_code=A, limit=40, offset=40
    )
    assert total == 43 and len(rows) == 3 and "total_rows" not in rows[0]


def test_snapshot_counts_are_cached_until_a_new_snapshot_or_threshold_and_tasks_stay_live(scenario):
    from enforcement.models import RuleParameter
    from tests.assessment import factories

    first = selectors.district_counts_get(Y2025)
    # rows slipped into the *same* batch are not seen (cached) — a loaded batch never changes
    me = selectors.snapshot_batches_get(Y2025.as_of)["market_entities"]
    factories.market(me, A)
    assert selectors.district_counts_get(Y2025)[A]["employer_coverage"] == first[A]["employer_coverage"]
    # … tasks are always live
    factories.task(A, factories.at(2025, 9, 1))
    assert selectors.district_counts_get(Y2025)[A]["task_closure_rate"].denominator == 7
    # a threshold edit of the comparison is a new key
    RuleParameter.objects.create(name="registration_grace_days", value=0)
    assert (
        selectors.district_counts_get(Y2025)[A]["employer_coverage"].denominator == 5 + 1
    )  # + the new one + the grace one
    # a new snapshot is a new key
    factories.market(factories.loaded_batch("market_entities", dt.date(2025, 12, 15)), A)
    assert selectors.district_counts_get(Y2025)[A]["employer_coverage"].denominator == 1


def test_every_row_query_holds_named_parameters_only(scenario):
    for code in selectors.ROW_QUERIES:
        query = selectors.row_query_get(code, Y2025)
        assert query.sql is not None and isinstance(query.params, dict)
        assert "%s" not in query.sql.replace("%%", ""), code


@pytest.mark.parametrize(
    "subset,page,expected",
    [(None, None, ("all", 1)), ("gap", "3", ("gap", 3)), ("numerator", "0", ("numerator", 1))],
)
def test_the_drill_downs_subset_and_page_are_parsed(subset, page, expected):
    assert selectors.rows_page_parse(subset=subset, page=page) == expected


@pytest.mark.parametrize("subset,page", [("everything", "1"), ("all", "two")])
def test_a_bad_subset_or_page_is_refused(subset, page):
    with pytest.raises(selectors.BadRowsQuery):
        selectors.rows_page_parse(subset=subset, page=page)


def test_one_parameter_name_cannot_carry_two_values():
    assert selectors._merged({"a": 1}, {"a": 1, "b": 2}) == {"a": 1, "b": 2}
    with pytest.raises(ValueError, match="'a'"):
        selectors._merged({"a": 1}, {"a": 2})
