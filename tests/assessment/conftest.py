"""The 2025 scenario every assessment test counts by hand (expected values in EXPECTED).

Period: 2025-01-01 … D = 2025-12-31. Snapshots dated 2025-12-01; last year's pension
snapshot dated 2024-12-01. 海勃湾区 (A) has a bit of everything, 海南区 (B) is perfect,
乌达区 (C) has no roster data and no tasks, only postings in 12 of its 23 communities.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.assessment import factories
from tests.factories import make_user

A, B, C = factories.A, factories.B, factories.C
SNAP = dt.date(2025, 12, 1)
LAST = dt.date(2024, 12, 1)

EXPECTED = {
    # indicator: {district: (numerator, denominator, score)}
    "employer_coverage": {A: (3, 4, Decimal("75.00")), B: (2, 2, Decimal("100.00")), C: (0, 0, None)},
    # 2/3 against 0.9: 100 × (2/3) / 0.9 = 74.074…
    "construction_injury_rate": {A: (2, 3, Decimal("74.07")), B: (1, 1, Decimal("100.00")), C: (0, 0, None)},
    "subsidized_coverage": {A: (1, 2, Decimal("50.00")), B: (1, 1, Decimal("100.00")), C: (0, 0, None)},
    # A: 0.25 this year vs 0.2 last year → 100 × 0.2 / 0.25 = 80; B: 0.5 vs 1.0 → 100
    "interruption_rate": {A: (1, 4, Decimal("80.00")), B: (1, 2, Decimal("100.00")), C: (0, 0, None)},
    # A: 3 of 6 → 0.5 / 0.9 = 55.555…
    "task_closure_rate": {A: (3, 6, Decimal("55.56")), B: (2, 2, Decimal("100.00")), C: (0, 0, None)},
    # A: 2 of 43 → 4.651…; B: 21 of 21; C: 12 of 23 → 52.173…
    "publicity_coverage": {
        A: (2, 43, Decimal("4.65")),
        B: (21, 21, Decimal("100.00")),
        C: (12, 23, Decimal("52.17")),
    },
}
# A: (25×75 + 15×74.07 + 15×50 + 15×80 + 15×55.56 + 15×4.65) / 100 = 5839.20 / 100
EXPECTED_SCORE = {A: Decimal("58.39"), B: Decimal("100.00"), C: Decimal("52.17")}
EXPECTED_RANK = {B: 1, A: 2, C: 3}


@pytest.fixture(autouse=True)
def _fresh_counts_cache():
    """The snapshot indicators' counts are cached per process; each test starts cold."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def poster(db):
    return make_user("city_manager", username="poster")


@pytest.fixture
def scenario(db, poster):
    # --- employers: A 4 required (3 enrolled) + 3 not required; B 2 required, both enrolled
    me = factories.loaded_batch("market_entities", SNAP)
    ie = factories.loaded_batch("insurance_employers", SNAP)
    a_req = [factories.market(me, A) for _ in range(4)]
    for uscc in a_req[:3]:
        factories.insured_employer(ie, uscc, A)
    factories.market(me, A, entity_type="individual", employees_reported=0)  # individual without staff
    factories.market(me, A, established_on=dt.date(2025, 12, 2))  # within the 30-day grace at D
    factories.market(me, A, status="deregistered")
    for _ in range(2):
        factories.insured_employer(ie, factories.market(me, B), B)

    # --- projects: A 3 started in 2025 (2 enrolled) + 1 started in 2024; B 1 started and enrolled
    cp = factories.loaded_batch("construction_projects", SNAP)
    ipj = factories.loaded_batch("insurance_projects", SNAP)
    a_proj = [
        factories.project(cp, A, dt.date(2025, 1, 1)),
        factories.project(cp, A, dt.date(2025, 7, 1)),
        factories.project(cp, A, dt.date(2025, 12, 31)),
    ]
    factories.insured_project(ipj, a_proj[0])
    factories.insured_project(ipj, a_proj[2])
    factories.insured_project(ipj, factories.project(cp, A, dt.date(2024, 12, 31)))
    factories.insured_project(ipj, factories.project(cp, B, dt.date(2025, 3, 1)))

    # --- persons (2025): household + civil affairs + pension rows
    hh = factories.loaded_batch("household_registry", SNAP)
    ca = factories.loaded_batch("civil_affairs", SNAP)
    ip = factories.loaded_batch("insurance_persons", SNAP)
    # A's 代缴: one covered (resident, subsidised, current), one with no pension row
    s1, s2 = factories.person_id(dt.date(1990, 5, 5), A), factories.person_id(dt.date(1991, 6, 6), A)
    factories.civil(ca, s1, A)
    factories.civil(ca, s2, A)
    factories.pension(ip, s1, scheme="resident", subsidized=True, last_paid=202512)
    # A's household pension rows under 60: 1 interrupted, 2 active (one born 1966-01-01: 59 at D)
    h1, h2, h3 = (
        factories.person_id(dt.date(1980, 1, 1), A),
        factories.person_id(dt.date(1985, 2, 2), A),
        factories.person_id(dt.date(1966, 1, 1), A),
    )
    old, retired = factories.person_id(dt.date(1965, 12, 31), A), factories.person_id(dt.date(1970, 3, 3), A)
    for pid in (h1, h2, h3, old, retired):
        factories.household(hh, pid, A)
    factories.pension(ip, h1, status="interrupted", last_paid=202401)
    factories.pension(ip, h2, last_paid=202512)
    factories.pension(ip, h3, last_paid=202512)
    factories.pension(ip, old, status="interrupted", last_paid=202301)  # 60 on D: not counted
    factories.pension(ip, retired, status="retired")  # neither active nor interrupted
    # B: one 代缴 person covered (employee, current), one household person interrupted
    s3, h4 = factories.person_id(dt.date(1992, 7, 7), B), factories.person_id(dt.date(1975, 8, 8), B)
    factories.civil(ca, s3, B)
    factories.pension(ip, s3, last_paid=202511)
    factories.household(hh, h4, B)
    factories.pension(ip, h4, status="interrupted", last_paid=202406)
    # an unlocated pension row (no household / registry row) counts for no district
    factories.pension(ip, factories.person_id(dt.date(1988, 9, 9), A), status="interrupted")

    # --- last year (2024-12-01): A 1 interrupted of 5, B 1 of 1
    hh0 = factories.loaded_batch("household_registry", LAST)
    ip0 = factories.loaded_batch("insurance_persons", LAST)
    for i in range(5):
        pid = factories.person_id(dt.date(1980 + i, 1, 1), A)
        factories.household(hh0, pid, A)
        factories.pension(ip0, pid, status="interrupted" if i == 0 else "active", last_paid=202412)
    factories.household(hh0, h4, B)
    factories.pension(ip0, h4, status="interrupted", last_paid=202406)

    # --- tasks: A 6 opened in 2025 (3 count), 1 opened in 2024; B 2 opened, both rectified
    factories.task(
        A,
        factories.at(2025, 1, 1, 0, 0),
        status="closed",
        resolution="rectified",
        closed=factories.at(2025, 3, 1),
    )
    factories.task(
        A, factories.at(2025, 2, 1), status="closed", resolution="rectified", closed=factories.at(2025, 4, 1)
    )
    factories.task(
        A,
        factories.at(2025, 5, 1),
        status="closed",
        resolution="resolved_by_data",
        closed=factories.at(2025, 12, 31, 23, 59),
    )
    factories.task(
        A, factories.at(2025, 6, 1), status="closed", resolution="dismissed", closed=factories.at(2025, 7, 1)
    )
    factories.task(A, factories.at(2025, 7, 1))
    factories.task(
        A,
        factories.at(2025, 12, 31, 23, 59),
        status="closed",
        resolution="rectified",
        closed=factories.at(2026, 1, 1, 0, 0),
    )
    factories.task(
        A,
        factories.at(2024, 12, 31, 23, 59),
        status="closed",
        resolution="rectified",
        closed=factories.at(2025, 1, 2),
    )
    factories.task(
        B, factories.at(2025, 4, 1), status="closed", resolution="rectified", closed=factories.at(2025, 5, 1)
    )
    factories.task(
        B, factories.at(2025, 8, 1), status="closed", resolution="rectified", closed=factories.at(2025, 9, 1)
    )

    # --- postings: A 2 communities (one twice, one also in 2024 and 2026); B all 21; C 12 of 23
    a_comm = factories.communities(A)
    factories.posting(a_comm[0], dt.date(2025, 1, 1), poster)
    factories.posting(a_comm[0], dt.date(2025, 6, 1), poster)
    factories.posting(a_comm[1], dt.date(2025, 12, 31), poster)
    factories.posting(a_comm[2], dt.date(2024, 12, 31), poster)
    factories.posting(a_comm[3], dt.date(2026, 1, 1), poster)
    for c in factories.communities(B):
        factories.posting(c, dt.date(2025, 9, 1), poster)
    for c in factories.communities(C)[:12]:
        factories.posting(c, dt.date(2025, 10, 1), poster)
    return {"a_required": a_req, "a_projects": a_proj, "subsidized": (s1, s2)}
