"""Roster snapshots, tasks and postings for the assessment tests: small, hand-countable."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from enforcement.models import Task
from enrollment.models import (
    KIND_DEPARTMENT,
    CivilAffairsRow,
    ConstructionProjectRow,
    HouseholdRow,
    InsuranceEmployerRow,
    InsurancePersonRow,
    InsuranceProjectRow,
    MarketEntityRow,
    RosterBatch,
)
from outreach.models import PublicityPosting
from tests.factories import TaskFactory, make_id_number, make_uscc
from wuhai_coverage.core.models import Community

_n = itertools.count(1)

A, B, C = "150302", "150303", "150304"  # 海勃湾区, 海南区, 乌达区
STREET = {A: "150302001", B: "150303001", C: "150304001"}


def loaded_batch(
    kind: str, snapshot_date: dt.date, *, status: str = "loaded", rows_total: int = 0, rows_rejected: int = 0
) -> RosterBatch:
    return RosterBatch.objects.create(
        kind=kind,
        department=KIND_DEPARTMENT[kind],
        status=status,
        snapshot_date=snapshot_date,
        sha256=f"sha-{next(_n)}",
        rows_total=rows_total,
        rows_loaded=rows_total - rows_rejected,
        rows_rejected=rows_rejected,
    )


def market(
    batch,
    district,
    *,
    entity_type="enterprise",
    status="active",
    established_on=dt.date(2020, 1, 1),
    employees_reported=None,
    uscc=None,
) -> str:
    uscc = uscc or make_uscc(prefix="91" + district)
    MarketEntityRow.objects.create(
        batch_id=batch.pk,
        uscc=uscc,
        name=f"企业{uscc[-6:]}",
        entity_type=entity_type,
        status=status,
        established_on=established_on,
        district_code=district,
        street_code=STREET[district],
        employees_reported=employees_reported,
    )
    return uscc


def insured_employer(batch, uscc, district) -> None:
    InsuranceEmployerRow.objects.create(
        batch_id=batch.pk,
        uscc=uscc,
        name=f"企业{uscc[-6:]}",
        district_code=district,
        insured_pension=5,
        insured_injury=5,
        insured_unemployment=5,
        declared_base_total=25000,
    )


def project(batch, district, start_date, *, code=None) -> str:
    code = code or f"P{next(_n):06d}"
    ConstructionProjectRow.objects.create(
        batch_id=batch.pk,
        project_code=code,
        project_name=f"工程{code}",
        builder_uscc=make_uscc(),
        builder_name="建设单位",
        district_code=district,
        start_date=start_date,
        planned_workers=50,
    )
    return code


def insured_project(batch, code) -> None:
    InsuranceProjectRow.objects.create(batch_id=batch.pk, project_code=code, enrolled_on=dt.date(2025, 6, 1))


def person_id(birth: dt.date, district: str) -> str:
    return make_id_number(birth, region=district, seq=next(_n) % 100)


def household(batch, id_number, district) -> None:
    HouseholdRow.objects.create(
        batch_id=batch.pk,
        id_number=id_number,
        name=f"居民{id_number[-4:]}",
        district_code=district,
        street_code=STREET[district],
        birth_date=dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        sex="M",
    )


def civil(batch, id_number, district, *, category="dibao", valid_from=dt.date(2020, 1, 1)) -> None:
    CivilAffairsRow.objects.create(
        batch_id=batch.pk,
        id_number=id_number,
        name=f"低保{id_number[-4:]}",
        category=category,
        valid_from=valid_from,
        district_code=district,
        street_code=STREET[district],
        birth_date=dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        sex="M",
    )


def pension(
    batch, id_number, *, status="active", scheme="employee", last_paid=None, subsidized=False
) -> None:
    InsurancePersonRow.objects.create(
        batch_id=batch.pk,
        id_number=id_number,
        name=f"参保{id_number[-4:]}",
        insurance_type="pension",
        scheme=scheme,
        status=status,
        last_paid_period=last_paid,
        subsidized=subsidized,
        birth_date=dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        sex="M",
    )


def task(
    district, opened: dt.datetime, *, status="open", resolution="", closed: dt.datetime | None = None
) -> Task:
    return TaskFactory(
        district_id=district,
        street_id=STREET[district],
        opened_at=opened,
        status=status,
        resolution=resolution,
        closed_at=closed,
    )


def at(y, m, d, hh=12, mm=0) -> dt.datetime:
    """An aware datetime in Asia/Shanghai."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=timezone.get_current_timezone())


def communities(district) -> list[Community]:
    return list(Community.objects.filter(street__district_id=district).order_by("code"))


def posting(community, posted_on, user) -> PublicityPosting:
    return PublicityPosting.objects.create(community=community, posted_on=posted_on, posted_by=user)
