"""A small world of snapshots for the comparison's tests: one loaded batch per roster kind
(dated D unless told otherwise), rows added one line at a time, and a run."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from decimal import Decimal

from enforcement.comparison.engine import run_comparison
from enforcement.models import Task
from enrollment.models import (
    KIND_DEPARTMENT,
    CivilAffairsRow,
    ConstructionProjectRow,
    DisabilityRow,
    DustHazardRow,
    HouseholdRow,
    InsuranceEmployerRow,
    InsurancePersonRow,
    InsuranceProjectRow,
    MarketEntityRow,
    PovertyRow,
    RosterBatch,
    RosterKind,
    TaxPayrollRow,
)
from tests.factories import make_id_number, make_uscc

_seq = itertools.count(1)
_rng = random.Random(20250615)


def years_before(d: dt.date, years: int, days: int = 0) -> dt.date:
    try:
        b = d.replace(year=d.year - years)
    except ValueError:
        b = dt.date(d.year - years, 2, 28)
    return b - dt.timedelta(days=days)


def period(d: dt.date, months_back: int = 0) -> int:
    m = d.year * 12 + d.month - 1 - months_back
    return (m // 12) * 100 + m % 12 + 1


class World:
    def __init__(self, as_of: dt.date, *, kinds: tuple[str, ...] | None = None):
        self.as_of = as_of
        # Rows added to a batch since the last run. A loaded batch never changes in the
        # product (each push is a new batch): the next run is forced, as a new batch would make
        # every rule reading it execute (comparison/inputs.py).
        self.rows_added = False
        self.batches: dict[str, RosterBatch] = {}
        for kind in RosterKind.values if kinds is None else kinds:
            self.batch(kind)

    # --- batches ---------------------------------------------------------------------------
    def batch(
        self, kind: str, *, snapshot_date: dt.date | None = None, rows_total: int = 0, rows_rejected: int = 0
    ) -> RosterBatch:
        if kind not in self.batches:
            self.batches[kind] = RosterBatch.objects.create(
                kind=kind,
                department=KIND_DEPARTMENT[kind],
                status=RosterBatch.Status.LOADED,
                snapshot_date=snapshot_date or self.as_of,
                sha256=uuid.uuid4().hex,
                rows_total=rows_total,
                rows_loaded=rows_total - rows_rejected,
                rows_rejected=rows_rejected,
            )
        return self.batches[kind]

    def replace(self, kind: str, **kw) -> RosterBatch:
        """A new snapshot of `kind` (its rows start empty)."""
        self.batches.pop(kind, None)
        return self.batch(kind, **kw)

    def _b(self, kind: str) -> int:
        self.rows_added = True
        return self.batch(kind).pk

    # --- employers -------------------------------------------------------------------------
    def market(self, uscc: str | None = None, **kw) -> str:
        uscc = uscc or make_uscc(_rng)
        row = dict(
            name=f"乌海市测试{next(_seq)}有限公司",
            entity_type="enterprise",
            status="active",
            established_on=self.as_of - dt.timedelta(days=400),
            district_code="150302",
            street_code="150302001",
            industry_code="F5191",
            employees_reported=None,
        )
        row.update(kw)
        MarketEntityRow.objects.create(batch_id=self._b(RosterKind.MARKET_ENTITIES), uscc=uscc, **row)
        return uscc

    def tax(
        self, uscc: str | None = None, *, h: int = 0, w: Decimal | int = 0, period_: int | None = None, **kw
    ) -> str:
        uscc = uscc or make_uscc(_rng)
        TaxPayrollRow.objects.create(
            batch_id=self._b(RosterKind.TAX_PAYROLL),
            uscc=uscc,
            name=kw.pop("name", f"纳税人{next(_seq)}"),
            period=period_ or period(self.as_of, 1),
            payroll_headcount=h,
            payroll_total=Decimal(w),
            **kw,
        )
        return uscc

    def insured(
        self,
        uscc: str | None = None,
        *,
        ip: int = 0,
        ii: int | None = None,
        iu: int | None = None,
        base: Decimal | int | str = 0,
        arrears: Decimal | int | str = 0,
        **kw,
    ) -> str:
        uscc = uscc or make_uscc(_rng)
        InsuranceEmployerRow.objects.create(
            batch_id=self._b(RosterKind.INSURANCE_EMPLOYERS),
            uscc=uscc,
            name=kw.pop("name", f"参保单位{next(_seq)}"),
            insured_pension=ip,
            insured_injury=ip if ii is None else ii,
            insured_unemployment=ip if iu is None else iu,
            declared_base_total=Decimal(str(base)),
            arrears_amount=Decimal(str(arrears)),
            **kw,
        )
        return uscc

    def dust(self, uscc: str | None = None, *, exposed: int = 0, **kw) -> str:
        uscc = uscc or make_uscc(_rng)
        DustHazardRow.objects.create(
            batch_id=self._b(RosterKind.DUST_HAZARD),
            uscc=uscc,
            name=kw.pop("name", f"粉尘单位{next(_seq)}"),
            hazard_factor=kw.pop("hazard_factor", "矽尘"),
            exposed_workers=exposed,
            **kw,
        )
        return uscc

    # --- projects --------------------------------------------------------------------------
    def project(self, code: str | None = None, **kw) -> str:
        code = code or f"PRJ-{next(_seq)}"
        row = dict(
            project_name=f"测试工程{next(_seq)}",
            builder_uscc=make_uscc(_rng),
            builder_name="乌海建工",
            district_code="150303",
            start_date=self.as_of,
            contract_amount=None,
            planned_workers=50,
        )
        row.update(kw)
        ConstructionProjectRow.objects.create(
            batch_id=self._b(RosterKind.CONSTRUCTION_PROJECTS), project_code=code, **row
        )
        return code

    def insured_project(self, code: str) -> None:
        InsuranceProjectRow.objects.create(
            batch_id=self._b(RosterKind.INSURANCE_PROJECTS), project_code=code, enrolled_on=self.as_of
        )

    # --- persons ---------------------------------------------------------------------------
    @staticmethod
    def person_id(birth: dt.date, *, male: bool = True) -> str:
        return make_id_number(birth, seq=next(_seq) % 100, male=male, rng=_rng)

    @staticmethod
    def _birth(id_number: str) -> dict:
        b = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        return {"birth_date": b, "sex": "M" if int(id_number[16]) % 2 else "F"}

    def household(self, id_number: str | None = None, *, birth: dt.date | None = None, **kw) -> str:
        id_number = id_number or self.person_id(birth or years_before(self.as_of, 30))
        row = dict(
            name=f"居民{next(_seq)}", district_code="150302", street_code="150302001", community="测试社区"
        )
        row.update(kw)
        HouseholdRow.objects.create(
            batch_id=self._b(RosterKind.HOUSEHOLD_REGISTRY),
            id_number=id_number,
            **self._birth(id_number),
            **row,
        )
        return id_number

    def civil(
        self,
        id_number: str | None = None,
        *,
        category: str = "dibao",
        valid_from: dt.date | None = None,
        valid_to: dt.date | None = None,
        **kw,
    ) -> str:
        id_number = id_number or self.person_id(years_before(self.as_of, 30))
        row = dict(name=f"救助对象{next(_seq)}", district_code="150303", street_code=None)
        row.update(kw)
        CivilAffairsRow.objects.create(
            batch_id=self._b(RosterKind.CIVIL_AFFAIRS),
            id_number=id_number,
            category=category,
            valid_from=valid_from or self.as_of - dt.timedelta(days=90),
            valid_to=valid_to,
            **self._birth(id_number),
            **row,
        )
        return id_number

    def poverty(self, id_number: str | None = None, *, status: str = "active", **kw) -> str:
        id_number = id_number or self.person_id(years_before(self.as_of, 30))
        row = dict(name=f"脱贫户{next(_seq)}", district_code="150304", street_code=None)
        row.update(kw)
        PovertyRow.objects.create(
            batch_id=self._b(RosterKind.POVERTY_REGISTRY),
            id_number=id_number,
            status=status,
            **self._birth(id_number),
            **row,
        )
        return id_number

    def disability(self, id_number: str | None = None, *, level: int = 1, **kw) -> str:
        id_number = id_number or self.person_id(years_before(self.as_of, 30))
        row = dict(name=f"残疾人{next(_seq)}", district_code="150304", street_code=None)
        row.update(kw)
        DisabilityRow.objects.create(
            batch_id=self._b(RosterKind.DISABILITY_REGISTRY),
            id_number=id_number,
            disability_level=level,
            **self._birth(id_number),
            **row,
        )
        return id_number

    def pension(
        self,
        id_number: str,
        *,
        status: str = "active",
        scheme: str = "employee",
        last_paid: int | None = None,
        subsidized: bool = False,
        insurance_type: str = "pension",
    ) -> str:
        if last_paid is None and status in ("active", "interrupted"):
            last_paid = period(self.as_of, 1)
        InsurancePersonRow.objects.create(
            batch_id=self._b(RosterKind.INSURANCE_PERSONS),
            id_number=id_number,
            name="参保人",
            insurance_type=insurance_type,
            scheme=scheme,
            status=status,
            last_paid_period=last_paid,
            subsidized=subsidized,
            **self._birth(id_number),
        )
        return id_number

    # --- running ---------------------------------------------------------------------------
    def run(self, as_of: dt.date | None = None, *, force: bool | None = None):
        """A run; forced when rows were added to a batch since the last one (see rows_added)."""
        force = self.rows_added if force is None else force
        self.rows_added = False
        return run_comparison(as_of=as_of or self.as_of, trigger="test", force=force)


def open_tasks(kind: str | None = None):
    qs = Task.objects.exclude(status="closed")
    return qs.filter(kind=kind) if kind else qs


def open_keys(kind: str) -> set[str]:
    return set(open_tasks(kind).values_list("subject_key", flat=True))
