"""Person rules: ages at their boundaries (incl. birthday on D and 29 February), months
unpaid, eligibility, coverage, precedence (first match wins) and routing."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.comparison.facts import age_cutoff, current_min_period
from enforcement.models import Task
from tests.enforcement.comparison.comparison_world import World, open_keys, open_tasks, years_before

D = dt.date(2025, 6, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World(D)


# --- ages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "d, years, cutoff",
    [
        (dt.date(2025, 6, 15), 16, dt.date(2009, 6, 15)),
        (dt.date(2025, 2, 28), 17, dt.date(2008, 2, 28)),  # a 29 Feb 2008 baby is still 16 on 28 Feb 2025
        (dt.date(2025, 3, 1), 17, dt.date(2008, 3, 1)),  # … and 17 on 1 March
        (dt.date(2024, 2, 29), 15, dt.date(2009, 2, 28)),  # D = 29 Feb, common birth year
        (dt.date(2024, 2, 29), 16, dt.date(2008, 2, 29)),
    ],
)
def test_age_cutoff(d, years, cutoff):
    assert age_cutoff(d, years) == cutoff


@pytest.mark.parametrize(
    "birth, kind",
    [
        (years_before(D, 16, days=-1), None),  # 15, turns 16 tomorrow
        (years_before(D, 16), "enroll_person"),  # 16 today (birthday on D counts)
        (years_before(D, 60, days=-1), "enroll_person"),  # 59
        (years_before(D, 60), "elderly_enrollment"),  # 60 today
        (years_before(D, 85), "elderly_enrollment"),
    ],
)
def test_household_person_without_pension_row_by_age(world, birth, kind):
    pid = world.household(birth=birth)
    world.run()
    kinds = set(open_tasks().filter(subject_key=pid).values_list("kind", flat=True))
    assert kinds == ({kind} if kind else set())


@pytest.mark.parametrize(
    "d, kind",
    [
        (dt.date(2024, 2, 28), None),  # born 29 Feb 2008: 15 on 28 Feb 2024
        (dt.date(2024, 2, 29), "enroll_person"),  # 16 on 29 Feb 2024
    ],
)
def test_29_february_birthday_at_16(d, kind):
    w = World(d)
    pid = w.household(w.person_id(dt.date(2008, 2, 29)))
    w.run()
    assert set(open_tasks().filter(subject_key=pid).values_list("kind", flat=True)) == (
        {kind} if kind else set()
    )


@pytest.mark.parametrize(
    "d, kind",
    [
        (dt.date(2025, 2, 28), "enroll_person"),  # born 29 Feb 1964 → 60 on 29 Feb 2024 already
        (dt.date(2024, 2, 28), "enroll_person"),  # 59 the day before
        (dt.date(2024, 2, 29), "elderly_enrollment"),  # 60 on the day
    ],
)
def test_29_february_birthday_at_60(d, kind):
    w = World(d)
    pid = w.household(w.person_id(dt.date(1964, 2, 29)))
    w.run()
    expected = "elderly_enrollment" if d >= dt.date(2024, 2, 29) else kind
    assert set(open_tasks().filter(subject_key=pid).values_list("kind", flat=True)) == {expected}


def test_age_in_evidence_counts_a_birthday_on_d():
    w = World(dt.date(2025, 3, 1))
    pid = w.household(w.person_id(dt.date(1990, 3, 1), male=False))
    leap = w.household(w.person_id(dt.date(1996, 2, 29)))
    w.run()
    assert Task.objects.get(subject_key=pid).evidence == {"age": 35, "sex": "F", "community": "测试社区"}
    assert Task.objects.get(subject_key=leap).evidence["age"] == 29  # 1 March counts in a common year


# --- resume_contributions ------------------------------------------------------------------------


def test_current_min_period():
    assert current_min_period(dt.date(2025, 6, 15), 3) == 202503
    assert current_min_period(dt.date(2025, 2, 1), 3) == 202411


@pytest.mark.parametrize(
    "status, last_paid, expected",
    [
        ("active", 202503, False),  # months(D) − months(P) = 3 → current
        ("active", 202502, True),  # 4 → not current
        ("active", 202412, True),
        ("interrupted", 202505, True),  # only an active row is current
        ("retired", None, False),
        ("terminated", 202401, False),  # counts as no row → enroll_person instead
    ],
)
def test_resume_contributions_months_unpaid(world, status, last_paid, expected):
    pid = world.household()
    world.pension(pid, status=status, last_paid=last_paid)
    world.run()
    assert (pid in open_keys("resume_contributions")) is expected
    assert (pid in open_keys("enroll_person")) is (status == "terminated")


def test_resume_contributions_evidence_due_date_and_age_limit(world):
    pid = world.household(world.person_id(years_before(D, 45), male=False))
    world.pension(pid, status="active", scheme="flexible", last_paid=202501)
    old = world.household(birth=years_before(D, 60))
    world.pension(old, status="interrupted", last_paid=202001)
    only_insured = world.person_id(years_before(D, 30))
    world.pension(only_insured, status="interrupted", last_paid=202401)
    world.run()
    task = Task.objects.get(kind="resume_contributions", subject_key=pid)
    assert task.due_date == dt.date(2025, 12, 31)
    assert task.evidence == {
        "age": 45,
        "sex": "F",
        "pension_status": "active",
        "scheme": "flexible",
        "last_paid_period": 202501,
        "months_unpaid": 5,
    }
    assert old not in open_keys("resume_contributions") and old not in open_keys("elderly_enrollment")
    t2 = Task.objects.get(kind="resume_contributions", subject_key=only_insured)
    assert (t2.district_id, t2.street_id) == (None, None)  # no source with a district → city queue


def test_an_injury_row_is_not_a_pension_row(world):
    pid = world.household()
    world.pension(pid, insurance_type="injury", status="active")
    world.run()
    assert pid in open_keys("enroll_person")


# --- subsidized_enrollment -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "valid_from, valid_to, category, expected",
    [
        (D - dt.timedelta(days=1), None, "dibao", True),
        (D, None, "tekun", True),  # valid_from ≤ D
        (D + dt.timedelta(days=1), None, "dibao", False),
        (D - dt.timedelta(days=90), D, "dibao", True),  # valid_to ≥ D
        (D - dt.timedelta(days=90), D - dt.timedelta(days=1), "dibao", False),
    ],
)
def test_civil_affairs_eligibility_window(world, valid_from, valid_to, category, expected):
    pid = world.civil(valid_from=valid_from, valid_to=valid_to, category=category)
    world.run()
    assert (pid in open_keys("subsidized_enrollment")) is expected


def test_civil_affairs_with_an_expired_and_a_current_row(world):
    pid = world.civil(valid_from=D - dt.timedelta(days=400), valid_to=D - dt.timedelta(days=200))
    world.civil(
        pid,
        category="tekun",
        valid_from=D - dt.timedelta(days=10),
        district_code="150302",
        street_code="150302003",
    )
    world.run()
    task = open_tasks("subsidized_enrollment").get()
    assert task.evidence["civil_affairs_category"] == "tekun"
    assert (task.district_id, task.street_id) == ("150302", "150302003")


@pytest.mark.parametrize(
    "source, value, expected",
    [
        ("poverty", "active", True),
        ("poverty", "exited", False),
        ("disability", 1, True),
        ("disability", 2, True),
        ("disability", 3, False),
        ("disability", 4, False),
    ],
)
def test_poverty_and_disability_eligibility(world, source, value, expected):
    pid = world.poverty(status=value) if source == "poverty" else world.disability(level=value)
    world.run()
    assert (pid in open_keys("subsidized_enrollment")) is expected


@pytest.mark.parametrize(
    "birth_years, birth_days, expected", [(16, 0, True), (16, -1, False), (60, -1, True), (60, 0, False)]
)
def test_subsidized_enrollment_ages(world, birth_years, birth_days, expected):
    pid = world.poverty(world.person_id(years_before(D, birth_years, days=birth_days)))
    world.run()
    assert (pid in open_keys("subsidized_enrollment")) is expected


@pytest.mark.parametrize(
    "status, scheme, last_paid, subsidized, covered",
    [
        ("retired", "employee", None, False, True),
        ("active", "employee", 202503, False, True),
        ("active", "flexible", 202503, False, True),
        ("active", "resident", 202503, True, True),
        ("active", "resident", 202503, False, False),  # not subsidised: the government should pay
        ("active", "resident", 202502, True, False),  # not current
        ("active", "employee", 202502, False, False),
        ("interrupted", "flexible", 202505, False, False),
        ("terminated", "employee", 202505, False, False),
    ],
)
def test_subsidized_enrollment_coverage(world, status, scheme, last_paid, subsidized, covered):
    pid = world.disability(level=2)
    world.pension(pid, status=status, scheme=scheme, last_paid=last_paid, subsidized=subsidized)
    world.run()
    assert (pid in open_keys("subsidized_enrollment")) is (not covered)
    if covered:
        assert not open_tasks().filter(subject_key=pid).exists()


def test_subsidized_enrollment_evidence_and_routing(world):
    pid = world.poverty(
        world.person_id(years_before(D, 40), male=False), district_code="150304", street_code="150304002"
    )
    world.pension(pid, status="active", scheme="resident", last_paid=202505, subsidized=False)
    world.run()
    task = open_tasks("subsidized_enrollment").get()
    assert task.evidence == {
        "age": 40,
        "sex": "F",
        "civil_affairs_category": None,
        "poverty_active": True,
        "disability_level": None,
        "pension_status": "active",
        "scheme": "resident",
        "subsidized": False,
        "last_paid_period": 202505,
    }
    assert (task.district_id, task.street_id) == ("150304", "150304002")


# --- precedence ----------------------------------------------------------------------------------


def test_first_matching_person_rule_wins(world):
    eligible_unenrolled = world.household()
    world.civil(eligible_unenrolled)
    eligible_interrupted = world.household()
    world.poverty(eligible_interrupted)
    world.pension(eligible_interrupted, status="interrupted", scheme="flexible")
    interrupted = world.household()
    world.pension(interrupted, status="interrupted")
    world.run()
    kinds = {
        pid: set(open_tasks().filter(subject_key=pid).values_list("kind", flat=True))
        for pid in (eligible_unenrolled, eligible_interrupted, interrupted)
    }
    assert kinds == {
        eligible_unenrolled: {"subsidized_enrollment"},
        eligible_interrupted: {"subsidized_enrollment"},
        interrupted: {"resume_contributions"},
    }


def test_household_routing_comes_before_the_registries(world):
    pid = world.household(district_code="150303", street_code="150303001")
    world.civil(pid, district_code="150302", street_code="150302001")
    world.run()
    task = open_tasks("subsidized_enrollment").get()
    assert (task.district_id, task.street_id) == ("150303", "150303001")


def test_a_person_who_becomes_eligible_moves_to_the_earlier_rule(world):
    pid = world.household()
    world.run()
    assert pid in open_keys("enroll_person")
    world.replace("civil_affairs")
    world.civil(pid)
    summary = world.run()
    assert pid in open_keys("subsidized_enrollment") and pid not in open_keys("enroll_person")
    assert summary.closed["enroll_person"] == 1 and summary.opened["subsidized_enrollment"] == 1
    assert Task.objects.get(kind="enroll_person", subject_key=pid).resolution == "resolved_by_data"
