"""Snapshot rows for the registry tests: one dict per row model, valid by default, so a
test changes only what it is about (tests.factories.load_snapshot loads them)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

from tests.factories import load_snapshot, make_id_number, make_uscc

AS_OF = dt.date(2026, 6, 15)
SNAP = dt.date(2026, 6, 14)
_rng = random.Random(2745)
_seq = itertools.count(1)


def uscc() -> str:
    return make_uscc(_rng)


def idn(birth: dt.date = dt.date(1980, 5, 17), *, male: bool = True) -> str:
    return make_id_number(birth, seq=next(_seq) % 100, male=male, rng=_rng)


def market(u: str, **kw) -> dict:
    return {
        "uscc": u,
        "name": "乌海市黄河煤业有限公司",
        "entity_type": "enterprise",
        "status": "active",
        "established_on": dt.date(2015, 3, 8),
        "district_code": "150302",
        "street_code": "150302001",
        "industry_code": "B0610",
        "employees_reported": 25,
        **kw,
    }


def tax(u: str, **kw) -> dict:
    return {
        "uscc": u,
        "name": "纳税人",
        "period": 202605,
        "payroll_headcount": 25,
        "payroll_total": Decimal("187500.00"),
        "district_code": "150303",
        **kw,
    }


def insured(u: str, **kw) -> dict:
    return {
        "uscc": u,
        "name": "参保单位",
        "district_code": "150304",
        "insured_pension": 20,
        "insured_injury": 18,
        "insured_unemployment": 19,
        "declared_base_total": Decimal("100000.00"),
        "arrears_amount": Decimal("0"),
        "last_paid_period": 202605,
        **kw,
    }


def _person_base(i: str, defaults: dict, kw: dict) -> dict:
    from wuhai_coverage.core.validators import birth_date_of, sex_of

    return {"id_number": i, "birth_date": birth_date_of(i), "sex": sex_of(i), **defaults, **kw}


def household(i: str, **kw) -> dict:
    return _person_base(
        i,
        dict(
            name="陈静",
            district_code="150302",
            street_code="150302003",
            community="和平社区居委会",
            phone="13712345678",
        ),
        kw,
    )


def civil(i: str, **kw) -> dict:
    return _person_base(
        i,
        dict(
            name="李娜",
            category="dibao",
            valid_from=dt.date(2024, 1, 1),
            valid_to=None,
            district_code="150303",
            street_code="150303001",
        ),
        kw,
    )


def poverty(i: str, **kw) -> dict:
    return _person_base(
        i, dict(name="张敏", status="active", district_code="150304", street_code="150304002"), kw
    )


def disability(i: str, **kw) -> dict:
    return _person_base(
        i, dict(name="刘强", disability_level=2, district_code="150302", street_code="150302002"), kw
    )


def ins_person(i: str, insurance_type: str = "pension", **kw) -> dict:
    return _person_base(
        i,
        dict(
            name="参保人",
            insurance_type=insurance_type,
            scheme="employee",
            status="active",
            employer_uscc=None,
            last_paid_period=202605,
            contribution_base=Decimal("6000.00"),
            subsidized=False,
            phone="13998765432",
        ),
        kw,
    )


def snapshots(snapshot_date: dt.date = SNAP, **kinds: list[dict]) -> dict:
    """snapshots(market_entities=[…], household_registry=[…]) → {kind: batch}."""
    return {kind: load_snapshot(kind, rows, snapshot_date=snapshot_date) for kind, rows in kinds.items()}
