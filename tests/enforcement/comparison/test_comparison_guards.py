"""Guards: a rule whose rosters are missing, stale or too dirty is skipped with its reason
and opens and closes nothing; a person holding a skipped rule's task gets no other."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.models import ComparisonRun, Task
from enrollment.models import RosterKind
from tests.enforcement.comparison.comparison_world import World, open_keys, open_tasks

D = dt.date(2025, 6, 15)
pytestmark = pytest.mark.django_db
EMPLOYER_RULES = {
    "enroll_employer",
    "missed_employees",
    "selective_enrollment",
    "underreported_base",
    "injury_key_industry",
    "collect_arrears",
}
PERSON_RULES = {"subsidized_enrollment", "resume_contributions", "enroll_person", "elderly_enrollment"}


def skipped(summary) -> dict[str, str]:
    return {s["rule"]: s["reason"] for s in summary.skipped}


@pytest.mark.parametrize("age_days, runs", [(7, True), (8, False)])
def test_hrss_staleness_7_vs_8_days(age_days, runs):
    w = World(D, kinds=tuple(k for k in RosterKind.values if k != "insurance_employers"))
    w.batch("insurance_employers", snapshot_date=D - dt.timedelta(days=age_days))
    uscc = w.market()
    summary = w.run()
    assert (uscc in open_keys("enroll_employer")) is runs
    if runs:
        assert not (EMPLOYER_RULES & set(skipped(summary)))
    else:
        assert set(skipped(summary)) == EMPLOYER_RULES
        assert (
            "8 天" in skipped(summary)["enroll_employer"] and "已过期" in skipped(summary)["enroll_employer"]
        )


@pytest.mark.parametrize("rejected, runs", [(10, True), (11, False)])
def test_hrss_rejected_rows_1_percent_vs_just_over(rejected, runs):
    w = World(D, kinds=tuple(k for k in RosterKind.values if k != "insurance_persons"))
    w.batch("insurance_persons", rows_total=1000, rows_rejected=rejected)
    pid = w.household()
    summary = w.run()
    assert (pid in open_keys("enroll_person")) is runs
    assert (set(skipped(summary)) == PERSON_RULES) is (not runs)
    if not runs:
        assert "11/1000" in skipped(summary)["enroll_person"]


def test_missing_hrss_roster_skips_its_rules_only():
    w = World(D, kinds=tuple(k for k in RosterKind.values if k != "insurance_projects"))
    w.project()
    uscc = w.market()
    summary = w.run()
    assert skipped(summary).keys() == {"construction_injury"}
    assert "无当前快照" in skipped(summary)["construction_injury"]
    assert uscc in open_keys("enroll_employer") and not open_tasks("construction_injury").exists()


def test_a_skipped_rule_closes_nothing_and_the_run_records_why():
    w = World(D - dt.timedelta(days=12))
    uscc = w.market()
    w.run(as_of=D - dt.timedelta(days=11))
    assert uscc in open_keys("enroll_employer")
    # a newer HRSS roster says it is enrolled, but at D that roster is 10 days old
    w.replace("insurance_employers", snapshot_date=D - dt.timedelta(days=10))
    w.insured(uscc, ip=1)
    w.replace("insurance_persons", snapshot_date=D)
    w.replace("insurance_projects", snapshot_date=D)
    summary = w.run(as_of=D)
    assert uscc in open_keys("enroll_employer")
    assert summary.closed["enroll_employer"] == 0 and summary.open["enroll_employer"] == 1
    run = ComparisonRun.objects.get(pk=summary.run_id)
    assert {s["rule"] for s in run.skipped} == EMPLOYER_RULES
    assert run.snapshots["insurance_employers"]["snapshot_date"] == str(D - dt.timedelta(days=10))


@pytest.mark.parametrize(
    "present, skips", [((), True), (("market_entities",), False), (("tax_payroll",), False)]
)
def test_enroll_employer_needs_market_or_tax(present, skips):
    w = World(D, kinds=("insurance_employers", "insurance_persons", "insurance_projects") + present)
    summary = w.run()
    assert ("enroll_employer" in skipped(summary)) is skips


@pytest.mark.parametrize(
    "present, skips", [((), True), (("market_entities",), False), (("dust_hazard",), False)]
)
def test_injury_key_industry_needs_market_or_dust(present, skips):
    w = World(D, kinds=("insurance_employers",) + present)
    assert ("injury_key_industry" in skipped(w.run())) is skips


@pytest.mark.parametrize(
    "present, skips",
    [
        ((), True),
        (("civil_affairs",), False),
        (("poverty_registry",), False),
        (("disability_registry",), False),
    ],
)
def test_subsidized_enrollment_needs_one_registry(present, skips):
    w = World(D, kinds=("insurance_persons",) + present)
    s = skipped(w.run())
    assert ("subsidized_enrollment" in s) is skips
    assert "resume_contributions" not in s
    assert {"enroll_person", "elderly_enrollment"} <= set(s)  # no household registry


def test_underreported_base_is_skipped_without_any_average_wage():
    from wuhai_coverage.core.models import AverageWage

    AverageWage.objects.all().delete()
    assert "underreported_base" in skipped(World(D).run())


def test_person_holding_a_skipped_rules_task_gets_no_other_person_task():
    w = World(D)
    holder = w.household()
    other = w.household()
    w.run()
    assert open_keys("enroll_person") == {holder, other}
    # Both become eligible for 代缴, but the household registry is missing this time.
    w.batches.pop("household_registry")
    from enrollment.models import RosterBatch

    RosterBatch.objects.filter(kind="household_registry").update(status="rejected")
    w.replace("civil_affairs")
    w.civil(holder)
    newcomer = w.civil()
    summary = w.run()
    assert {"enroll_person", "elderly_enrollment"} <= set(skipped(summary))
    assert open_keys("enroll_person") == {holder, other}  # kept: their rule was skipped
    assert open_keys("subsidized_enrollment") == {newcomer}  # the holder gets no second task
    assert summary.opened["subsidized_enrollment"] == 1


def test_holder_of_a_skipped_earlier_rule_gets_no_later_task():
    w = World(D)
    pid = w.civil(w.household())
    w.run()
    assert open_keys("subsidized_enrollment") == {pid}
    # the registries vanish (rule 1 skipped): rule 3 would now match, but the person holds a rule-1 task
    from enrollment.models import RosterBatch

    RosterBatch.objects.filter(kind__in=["civil_affairs", "poverty_registry", "disability_registry"]).update(
        status="failed"
    )
    summary = w.run()
    assert "subsidized_enrollment" in skipped(summary)
    assert open_keys("subsidized_enrollment") == {pid}
    assert pid not in open_keys("enroll_person")
    assert Task.objects.filter(subject_key=pid).count() == 1
