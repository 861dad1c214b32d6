"""Employer and project rules of comparison.md at every boundary they name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enforcement.models import Task
from tests.enforcement.comparison.comparison_world import World, open_keys, open_tasks
from wuhai_coverage.core.models import AverageWage

D = dt.date(2025, 6, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    AverageWage.objects.update_or_create(year=2025, defaults={"value": Decimal("10000.00")})
    return World(D)


# --- enroll_employer -----------------------------------------------------------------------------


def test_given_an_enterprise_registered_30_days_before_d_when_run_then_it_must_enrol(world):
    on_day_30 = world.market(established_on=D - dt.timedelta(days=30))
    on_day_29 = world.market(established_on=D - dt.timedelta(days=29))
    world.run()
    assert open_keys("enroll_employer") == {on_day_30}
    assert on_day_29 not in open_keys("enroll_employer")


@pytest.mark.parametrize(
    "entity_type, employees, h, expected",
    [
        ("enterprise", None, 0, True),
        ("coop", None, 0, True),
        ("branch", None, 0, True),
        ("individual", None, 0, False),  # an empty employees_reported is 0
        ("individual", 0, 0, False),
        ("individual", 1, 0, True),
        ("individual", 0, 1, True),
    ],
)
def test_which_market_entities_are_required_to_enrol(world, entity_type, employees, h, expected):
    uscc = world.market(entity_type=entity_type, employees_reported=employees)
    if h:
        world.tax(uscc, h=h, w=5000)
    world.run()
    assert (uscc in open_keys("enroll_employer")) is expected


@pytest.mark.parametrize("status", ["suspended", "deregistered", "revoked"])
def test_inactive_market_entities_are_not_required_even_with_payroll(world, status):
    uscc = world.market(status=status)
    world.tax(uscc, h=5, w=50000)
    world.run()
    assert open_keys("enroll_employer") == set()


def test_a_payroll_employer_not_in_the_market_roster_must_enrol_with_high_priority(world):
    organ = world.tax(h=1, w=6000, district_code="150304", name="乌海市某事业单位")
    no_staff = world.tax(h=0, w=0)
    young = world.market(established_on=D - dt.timedelta(days=10))
    world.tax(young, h=3, w=30000)  # (b) still needs the grace period when it is a market entity
    world.run()
    assert open_keys("enroll_employer") == {organ}
    task = Task.objects.get(subject_key=organ)
    assert task.priority == "high"
    assert task.subject_name == "乌海市某事业单位"
    assert task.evidence == {
        "sources": ["tax"],
        "H": 1,
        "W": "6000.00",
        "payroll_period": 202505,
        "employees_reported": 0,
        "entity_type": None,
        "established_on": None,
    }
    assert (task.district_id, task.street_id) == ("150304", None)
    assert no_staff not in open_keys("enroll_employer")


def test_enroll_employer_evidence_and_normal_priority_without_payroll(world):
    uscc = world.market(employees_reported=4, entity_type="enterprise")
    world.run()
    task = open_tasks("enroll_employer").get()
    assert task.subject_key == uscc and task.priority == "normal"
    assert task.evidence["sources"] == ["market"] and task.evidence["H"] == 0
    assert task.evidence["employees_reported"] == 4


def test_the_latest_payroll_period_is_the_one_used(world):
    uscc = world.market()
    world.tax(uscc, h=9, w=90000, period_=202504)
    world.tax(uscc, h=0, w=0, period_=202505)
    world.run()
    task = open_tasks("enroll_employer").get()
    assert task.priority == "normal" and task.evidence["H"] == 0 and task.evidence["payroll_period"] == 202505


def test_an_enrolled_employer_gets_no_enroll_task(world):
    uscc = world.market()
    world.insured(uscc, ip=0)
    world.run()
    assert open_keys("enroll_employer") == set()


# --- missed_employees ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "h, ip, expected",
    [
        (10, 8, True),  # gap 2 ≥ max(2, ⌈0.5⌉)
        (10, 9, False),  # gap 1 < 2
        (100, 95, True),  # gap 5 ≥ max(2, ⌈5⌉)
        (100, 96, False),  # gap 4 < 5: the 5 % ceiling
        (60, 57, True),  # 0.05·60 = 3 exactly (no float rounding)
        (41, 38, True),  # ⌈2.05⌉ = 3, gap 3
        (41, 39, False),  # gap 2 < 3
        (3, 0, True),
    ],
)
def test_missed_employees_gap_thresholds(world, h, ip, expected):
    uscc = world.insured(ip=ip)
    world.tax(uscc, h=h, w=h * 5000)
    world.run()
    assert (uscc in open_keys("missed_employees")) is expected


def test_missed_employees_evidence(world):
    uscc = world.insured(ip=95)
    world.tax(uscc, h=101, w=500000)
    world.run()
    assert Task.objects.get(kind="missed_employees").evidence == {
        "H": 101,
        "Ip": 95,
        "gap": 6,
        "threshold": 6,
        "payroll_period": 202505,
    }
    assert uscc in open_keys("missed_employees")


def test_enrolled_rules_apply_whatever_the_market_status(world):
    uscc = world.market(status="deregistered")
    world.insured(uscc, ip=5, ii=4, arrears="10.00")
    world.run()
    assert uscc in open_keys("selective_enrollment") and uscc in open_keys("collect_arrears")


# --- selective_enrollment --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ip, ii, iu, expected",
    [
        (5, 5, 5, False),
        (5, 4, 5, True),
        (5, 5, 4, True),
        (5, 6, 6, False),
        (0, 0, 0, False),
    ],
)
def test_selective_enrollment(world, ip, ii, iu, expected):
    uscc = world.insured(ip=ip, ii=ii, iu=iu)
    world.run()
    assert (uscc in open_keys("selective_enrollment")) is expected
    if expected:
        assert Task.objects.get(kind="selective_enrollment").evidence == {"Ip": ip, "Ii": ii, "Iu": iu}


# --- underreported_base ----------------------------------------------------------------------------
# A = 10 000 → clamp to [6 000, 30 000]; tolerance 0.85.


@pytest.mark.parametrize(
    "w, base, expected",
    [
        (100000, "85000.00", False),  # 8 500 = 0.85 × 10 000: strict <
        (100000, "84999.99", True),
        (30000, "51000.00", False),  # W/H = 3 000 clamps up to 6 000 → 5 100
        (30000, "50999.90", True),
        (60000, "50999.90", True),  # W/H = 6 000 exactly, the lower clamp's edge
        (500000, "300000.00", False),  # W/H = 50 000 clamps down to 30 000 → 25 500 ≤ 30 000
        (500000, "254999.90", True),
        (300000, "254999.90", True),  # W/H = 30 000 exactly, the upper clamp's edge
        (300000, "255000.00", False),
    ],
)
def test_underreported_base_with_the_clamp(world, w, base, expected):
    uscc = world.insured(ip=10, base=base)
    world.tax(uscc, h=10, w=w)
    world.run()
    assert (uscc in open_keys("underreported_base")) is expected


@pytest.mark.parametrize("h, w, ip", [(0, 0, 10), (10, 0, 10), (10, 100000, 0)])
def test_underreported_base_needs_payroll_and_insured(world, h, w, ip):
    uscc = world.insured(ip=ip, base="1.00")
    world.tax(uscc, h=h, w=w)
    world.run()
    assert uscc not in open_keys("underreported_base")


def test_underreported_base_evidence(world):
    world.tax(world.insured(ip=10, base="50000.00"), h=10, w=100000)
    world.run()
    assert Task.objects.get(kind="underreported_base").evidence == {
        "declared_average": "5000.00",
        "wage_average": "10000.00",
        "A": "10000.00",
        "reference": "10000.00",
        "ratio": 0.5,
        "tolerance": 0.85,
        "H": 10,
        "W": "100000.00",
        "Ip": 10,
        "declared_base_total": "50000.00",
    }


def test_underreported_base_uses_a_of_the_greatest_year_not_after_d(world):
    AverageWage.objects.filter(year__gt=2025).delete()
    AverageWage.objects.update_or_create(year=2024, defaults={"value": Decimal("5000.00")})
    AverageWage.objects.update_or_create(year=2026, defaults={"value": Decimal("99999.00")})
    world.tax(world.insured(ip=10, base="50000.00"), h=10, w=100000)
    world.run()
    assert Task.objects.get(kind="underreported_base").evidence["A"] == "10000.00"


# --- injury_key_industry ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, expected",
    [
        ("B0610", True),
        ("B06", True),
        ("0610", True),  # a code without its letter takes it from its division
        ("B1110", True),
        ("B1120", False),
        ("B0711", False),  # oil and gas is not a key industry
        ("C3011", True),
        ("C3110", True),
        ("F5191", False),
        (None, False),
    ],
)
def test_key_industry_by_market_industry_code(world, code, expected):
    uscc = world.market(industry_code=code)
    world.insured(uscc, ip=3, ii=0)
    world.run()
    assert (uscc in open_keys("injury_key_industry")) is expected


@pytest.mark.parametrize(
    "exposed, h, ii, expected",
    [
        (10, 0, 10, False),
        (10, 0, 9, True),
        (10, 12, 11, True),
        (10, 12, 12, False),
        (0, 0, 0, True),
        (0, 0, 1, False),
    ],
)
def test_key_industry_required_insured_is_max_of_exposed_h_and_one(world, exposed, h, ii, expected):
    uscc = world.dust(exposed=exposed)
    world.insured(uscc, ip=ii, ii=ii)
    if h:
        world.tax(uscc, h=h, w=h * 5000)
    world.run()
    assert (uscc in open_keys("injury_key_industry")) is expected


@pytest.mark.parametrize(
    "status, expected", [("active", True), ("suspended", False), ("deregistered", False), ("revoked", False)]
)
def test_key_industry_skips_closed_market_entities(world, status, expected):
    uscc = world.market(industry_code="B0610", status=status)
    world.run()
    assert (uscc in open_keys("injury_key_industry")) is expected


def test_key_industry_evidence(world):
    uscc = world.dust(exposed=8, hazard_factor="煤尘", industry_code="B0610")
    world.insured(uscc, ip=5, ii=5)
    world.run()
    assert Task.objects.get(kind="injury_key_industry", subject_key=uscc).evidence == {
        "industry_code": "B0610",
        "hazard_factor": "煤尘",
        "in_dust_hazard_roster": True,
        "exposed_workers": 8,
        "H": 0,
        "required": 8,
        "insured": 5,
    }


# --- collect_arrears ---------------------------------------------------------------------------------


def test_collect_arrears_when_amount_is_positive(world):
    owing = world.insured(ip=1, arrears="0.01", last_paid_period=202503)
    world.insured(ip=1, arrears="0")
    world.run()
    assert open_keys("collect_arrears") == {owing}
    assert Task.objects.get(kind="collect_arrears").evidence == {
        "arrears_amount": "0.01",
        "last_paid_period": 202503,
    }


# --- construction_injury -----------------------------------------------------------------------------


def test_construction_projects_started_by_d_without_project_insurance(world):
    started = world.project(start_date=D, contract_amount=Decimal("1200000.50"), planned_workers=80)
    world.project(start_date=D + dt.timedelta(days=1))
    covered = world.project(start_date=D - dt.timedelta(days=100))
    world.insured_project(covered)
    world.run()
    assert open_keys("construction_injury") == {started}
    task = Task.objects.get(kind="construction_injury")
    assert task.subject_type == "project" and (task.district_id, task.street_id) == ("150303", None)
    assert task.evidence["start_date"] == "2025-06-15" and task.evidence["planned_workers"] == 80
    assert task.evidence["builder_name"] == "乌海建工" and task.evidence["contract_amount"] == "1200000.50"


# --- routing ---------------------------------------------------------------------------------------


def test_employer_routing_takes_district_and_street_from_the_first_source_with_a_district(world):
    in_market = world.market(district_code="150304", street_code="150304002")
    bad_street = world.market(district_code="150304", street_code="150302001")  # a street of another district
    world.tax(in_market, h=2, w=1000, district_code="150303")
    tax_only = world.tax(h=2, w=1000, district_code="150303")
    nowhere = world.tax(h=2, w=1000)
    ins_only = world.insured(ip=5, ii=4, district_code="150302")
    ins_none = world.insured(ip=5, ii=4)
    world.run()
    route = {t.subject_key: (t.district_id, t.street_id) for t in open_tasks()}
    assert route[in_market] == ("150304", "150304002")
    assert route[bad_street] == ("150304", None)
    assert route[tax_only] == ("150303", None)  # the district's unassigned queue
    assert route[nowhere] == (None, None)  # the city queue
    assert route[ins_only] == ("150302", None)
    assert route[ins_none] == (None, None)
