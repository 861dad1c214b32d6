"""Factories for each state. Keep them here so every app's tests build data one way."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import factory
from django.utils import timezone

from wuhai_coverage.core.models import District, Street, User
from wuhai_coverage.core.validators import RIC_CHECK, USCC_ALPHABET, ric_check_char, uscc_check_char

_seq = itertools.count(1)


def make_user(
    role: str,
    *,
    district: str | None = None,
    street: str | None = None,
    department: str = "",
    password: str = "pass-12345",
    username: str | None = None,
) -> User:
    user = User(
        username=username or f"{role}-{next(_seq)}",
        role=role,
        department=department,
        district=District.objects.get(code=district) if district else None,
        street=Street.objects.get(code=street) if street else None,
    )
    if user.street and not user.district:
        user.district = user.street.district
    user.set_password(password)
    user.save()
    return user


def make_uscc(rng: random.Random | None = None, *, prefix: str = "91150302") -> str:
    rng = rng or random.Random()
    body = prefix + "".join(rng.choice(USCC_ALPHABET) for _ in range(17 - len(prefix)))
    return body + uscc_check_char(body)


def make_id_number(
    birth: dt.date,
    *,
    region: str = "150302",
    seq: int | None = None,
    male: bool = True,
    rng: random.Random | None = None,
) -> str:
    rng = rng or random.Random()
    s = seq if seq is not None else rng.randint(0, 99)
    sex_digit = rng.choice([1, 3, 5, 7, 9]) if male else rng.choice([0, 2, 4, 6, 8])
    first17 = f"{region}{birth:%Y%m%d}{s:02d}{sex_digit}"
    assert len(first17) == 17
    return first17 + ric_check_char(first17)


assert RIC_CHECK  # re-exported for tests that build check digits by hand


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enforcement.Task"

    kind = "enroll_employer"
    subject_type = "employer"
    subject_key = factory.LazyFunction(make_uscc)
    subject_name = factory.Sequence(lambda n: f"乌海市测试企业{n}有限公司")
    district_id = "150302"
    street_id = "150302001"
    status = "open"
    evidence = factory.LazyFunction(dict)
    opened_at = factory.LazyFunction(timezone.now)


class OpenTaskFactory(TaskFactory):
    pass


class ClosedTaskFactory(TaskFactory):
    status = "closed"
    resolution = "resolved_by_data"
    closed_at = factory.LazyFunction(timezone.now)


# --- Task states and snapshot rows for the caseworker's portal -------------------------


class AssignedTaskFactory(TaskFactory):
    """Assigned to a street worker of its street (pass assignee=… to choose one)."""

    status = "assigned"
    assignee = factory.LazyAttribute(lambda t: make_user("street_staff", street=t.street_id or "150302001"))


class ContactedTaskFactory(AssignedTaskFactory):
    status = "contacted"


class NoticeIssuedTaskFactory(TaskFactory):
    status = "notice_issued"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=15))


class EscalatedTaskFactory(TaskFactory):
    status = "escalated"


class DismissedTaskFactory(ClosedTaskFactory):
    resolution = "dismissed"


class OverdueTaskFactory(TaskFactory):
    status = "notice_issued"
    due_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))


class PersonTaskFactory(TaskFactory):
    kind = "enroll_person"
    subject_type = "person"
    subject_key: Any = factory.Sequence(
        lambda n: make_id_number(dt.date(1985, 1, 1) + dt.timedelta(days=n % 3000), seq=n % 100)
    )
    subject_name = factory.Sequence(lambda n: f"测试居民{n}")


class ProjectTaskFactory(TaskFactory):
    kind = "construction_injury"
    subject_type = "project"
    subject_key: Any = factory.Sequence(lambda n: f"PRJ-2026-{n:05d}")
    subject_name = factory.Sequence(lambda n: f"测试工程{n}")
    evidence = factory.LazyFunction(
        lambda: {
            "builder_uscc": make_uscc(),
            "builder_name": "乌海市测试建设有限公司",
            "start_date": "2026-03-01",
            "planned_workers": 80,
        }
    )


_batch_seq = itertools.count(1)


def load_snapshot(kind: str, rows: list[dict], *, snapshot_date: dt.date | None = None, department: str = ""):
    """A loaded RosterBatch of `kind` holding `rows` (dicts of the row model's fields):
    the current snapshot of that kind as of snapshot_date (default: today)."""
    from enrollment.models import KIND_DEPARTMENT, ROW_MODELS, RosterBatch

    batch = RosterBatch.objects.create(
        kind=kind,
        department=department or KIND_DEPARTMENT[kind],
        status=RosterBatch.Status.LOADED,
        snapshot_date=snapshot_date or timezone.localdate(),
        sha256=f"{next(_batch_seq):064x}",
        rows_total=len(rows),
        rows_loaded=len(rows),
    )
    model = ROW_MODELS[kind]
    model._default_manager.bulk_create([model(batch_id=batch.pk, **row) for row in rows])
    return batch
