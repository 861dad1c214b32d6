"""Snapshots as partitions (issue 14, enrollment.snapshots): a loaded batch is a partition
of its own — indexed, analysed, attached in the transaction that makes it `loaded` — a
rejected or failed one leaves no table, a purge detaches and drops the partition (never
DELETE) and gives up on a locked parent instead of queueing behind a reader, and the
sweep drops a standalone table a killed loader left behind. PostgreSQL only (SQLite, the
embedded demo, keeps plain tables: snapshots.partitioned())."""

from __future__ import annotations

import datetime as dt
import time

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from enrollment import services, snapshots
from enrollment.models import HouseholdRow, MarketEntityRow, RosterBatch
from enrollment.selectors import batch_current_get
from tests.enrollment.factories import roster_csv, valid_row
from tests.factories import make_user
from wuhai_coverage.core.sql import NO_BATCH

FAR = dt.date(2100, 1, 1)
MARKET = "market_entities"


def _push(content: bytes, *, kind=MARKET, department="market", snapshot_date=None, name="m.csv"):
    user = make_user("partner", department=department)
    batch, _ = services.roster_push(
        user=user, kind=kind, upload=SimpleUploadedFile(name, content), snapshot_date=snapshot_date
    )
    return batch


def _market(n: int, **kw) -> RosterBatch:
    return _push(roster_csv(MARKET, [valid_row(MARKET) for _ in range(n)]), **kw)


def _table(name: str) -> dict | None:
    with connection.cursor() as c:
        c.execute(
            "SELECT c.relispartition, c.relkind, pg_get_expr(c.relpartbound, c.oid), "
            "(SELECT array_agg(i.indexrelid::regclass::text ORDER BY 1) FROM pg_index i WHERE i.indrelid = c.oid), "
            "(SELECT array_agg(pg_get_constraintdef(k.oid) ORDER BY 1) FROM pg_constraint k WHERE k.conrelid = c.oid), "
            "EXISTS (SELECT 1 FROM pg_stats s WHERE s.tablename = c.relname) "
            "FROM pg_class c WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace",
            [name],
        )
        row = c.fetchone()
    if row is None:
        return None
    attached, relkind, bound, indexes, constraints, analysed = row
    return {
        "attached": attached,
        "relkind": relkind,
        "bound": bound,
        "indexes": indexes or [],
        "constraints": constraints or [],
        "analysed": analysed,
    }


def _other_connection():
    settings = connection.settings_dict
    conn = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
    )
    return conn


@pytest.mark.django_db
def test_a_loaded_batch_is_its_own_indexed_analysed_attached_partition():
    assert snapshots.partitioned()
    batch = _market(25)
    assert (batch.status, batch.rows_loaded) == ("loaded", 25)
    parent = _table(MarketEntityRow._meta.db_table)
    assert parent["relkind"] == "p"  # a partitioned table
    own = _table(snapshots.partition_name(MARKET, batch.pk))
    assert own["attached"] and own["bound"] == f"FOR VALUES IN ('{batch.pk}')"
    assert own["analysed"]  # statistics taken before it became current
    assert "PRIMARY KEY (batch_id, uscc)" in own["constraints"]
    assert f"CHECK ((batch_id = {batch.pk}))" in own["constraints"]
    assert own["indexes"] == [f"{snapshots.partition_name(MARKET, batch.pk)}_pkey"]
    # read through the parent, pruned to the partition
    assert MarketEntityRow.objects.filter(batch_id=batch.pk).count() == 25
    with connection.cursor() as c:
        c.execute(
            f"EXPLAIN SELECT count(*) FROM {MarketEntityRow._meta.db_table} WHERE batch_id = {batch.pk}"
        )
        plan = "\n".join(r[0] for r in c.fetchall())
    assert snapshots.partition_name(MARKET, batch.pk) in plan and "_default" not in plan
    with connection.cursor() as c:  # "no snapshot" (NO_BATCH) reads an empty partition, not the default
        c.execute(
            f"EXPLAIN SELECT count(*) FROM {MarketEntityRow._meta.db_table} WHERE batch_id = {NO_BATCH}"
        )
        plan = "\n".join(r[0] for r in c.fetchall())
    assert f"{MarketEntityRow._meta.db_table}_none" in plan and "_default" not in plan
    assert batch_current_get(kind=MARKET, as_of=FAR) == batch


@pytest.mark.django_db
def test_the_natural_key_stays_unique_within_a_batch_partition():
    batch = _market(3)
    row = MarketEntityRow.objects.filter(batch_id=batch.pk).values().first()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MarketEntityRow.objects.create(**row)


@pytest.mark.django_db
def test_a_rejected_file_leaves_no_table_and_its_batch_is_never_current():
    bad = roster_csv(MARKET, [valid_row(MARKET, uscc="not-a-code") for _ in range(5)])
    batch = _push(bad)
    assert batch.status == "rejected"
    assert _table(snapshots.partition_name(MARKET, batch.pk)) is None
    assert batch_current_get(kind=MARKET, as_of=FAR) is None


@pytest.mark.django_db
def test_a_household_snapshot_is_loaded_into_its_partition_and_superseded_one_purged(settings):
    settings.ROSTER_RETENTION_DAYS = 30
    today = dt.date(2026, 11, 28)
    kind = "household_registry"

    def household(n, day):
        rows = [valid_row(kind) for _ in range(n)]
        return _push(roster_csv(kind, rows), kind=kind, department="public_security", snapshot_date=day)

    old = household(40, today - dt.timedelta(days=90))
    current = household(30, today - dt.timedelta(days=60))
    assert (old.status, current.status) == ("loaded", "loaded")
    assert services.roster_retention(today=today) == 1
    old.refresh_from_db()
    assert old.rows_purged_at is not None
    assert _table(snapshots.partition_name(kind, old.pk)) is None  # detached and dropped
    assert HouseholdRow.objects.filter(batch_id=old.pk).count() == 0
    assert _table(snapshots.partition_name(kind, current.pk))["attached"]
    assert HouseholdRow.objects.filter(batch_id=current.pk).count() == 30
    assert batch_current_get(kind=kind, as_of=today) == current


@pytest.mark.django_db
def test_rows_written_by_other_means_live_in_the_default_partition_and_are_purged_too():
    batch = RosterBatch.objects.create(
        kind=MARKET, department="market", status="loaded", snapshot_date=dt.date(2026, 1, 1), sha256="d" * 64
    )
    loaded = _market(2)
    template = MarketEntityRow.objects.filter(batch_id=loaded.pk).values().first()
    MarketEntityRow.objects.create(**{**template, "batch_id": batch.pk})
    with connection.cursor() as c:
        c.execute(
            f"SELECT count(*) FROM {snapshots.default_partition_name(MARKET)} WHERE batch_id = %s", [batch.pk]
        )
        assert c.fetchone()[0] == 1
    assert services.roster_rows_purge(batch)
    assert MarketEntityRow.objects.filter(batch_id=batch.pk).count() == 0
    assert MarketEntityRow.objects.filter(batch_id=loaded.pk).count() == 2


@pytest.mark.django_db
def test_a_failed_batch_s_partition_is_dropped():
    batch = _market(4)
    services._fail(RosterBatch.objects.get(pk=batch.pk), "test: failed after the fact")
    assert _table(snapshots.partition_name(MARKET, batch.pk)) is None
    assert MarketEntityRow.objects.filter(batch_id=batch.pk).count() == 0


@pytest.mark.django_db
def test_the_sweep_drops_a_stray_standalone_table_and_partitions_no_batch_needs():
    """The state a loader killed between a committed CREATE TABLE and its ATTACH would
    leave (roster_process never commits it, but a hand-run load or an older code path
    may), written in SQL: a standalone `<table>_b<N>` of a processing batch nobody holds;
    and a partition of a failed batch. The sweep drops both and keeps a loaded one."""
    loaded = _market(3)
    failed = _market(2)
    RosterBatch.objects.filter(pk=failed.pk).update(status="failed")
    stranded = RosterBatch.objects.create(
        kind=MARKET,
        department="market",
        status="processing",
        snapshot_date=dt.date(2026, 11, 1),
        sha256="e" * 64,
        started_at=timezone.now(),
        attempts=1,
    )
    with connection.cursor() as c:
        stage = snapshots.stage_create(c, MARKET, stranded.pk)
        c.execute(
            f"INSERT INTO {stage} SELECT * FROM {MarketEntityRow._meta.db_table} WHERE batch_id = %s", [-1]
        )
    assert _table(snapshots.partition_name(MARKET, stranded.pk))["attached"] is False
    dropped = services.roster_tables_sweep()
    assert sorted(dropped) == sorted(
        [snapshots.partition_name(MARKET, stranded.pk), snapshots.partition_name(MARKET, failed.pk)]
    )
    assert _table(snapshots.partition_name(MARKET, stranded.pk)) is None
    assert _table(snapshots.partition_name(MARKET, failed.pk)) is None
    assert _table(snapshots.partition_name(MARKET, loaded.pk))["attached"]
    assert services.roster_tables_sweep() == []
    # the stranded batch is then retried by roster_sweep as before: nothing of it is visible
    assert MarketEntityRow.objects.filter(batch_id=stranded.pk).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_purge_waits_a_bounded_time_for_a_reader_then_succeeds_once_it_is_gone(monkeypatch):
    monkeypatch.setattr(snapshots, "PURGE_LOCK_TIMEOUT", "300ms")
    old = _market(5, snapshot_date=dt.date(2026, 1, 1))
    _market(5, snapshot_date=dt.date(2026, 2, 1))
    reader = _other_connection()
    try:
        with reader.cursor() as c:  # a long comparison reading the row table, transaction open
            c.execute(f"SELECT count(*) FROM {MarketEntityRow._meta.db_table}")
        start = time.monotonic()
        assert services.roster_rows_purge(RosterBatch.objects.get(pk=old.pk)) is False
        assert time.monotonic() - start < 3
        assert RosterBatch.objects.get(pk=old.pk).rows_purged_at is None
        assert MarketEntityRow.objects.filter(batch_id=old.pk).count() == 5  # nothing half done
    finally:
        reader.rollback()
        reader.close()
    assert services.roster_rows_purge(RosterBatch.objects.get(pk=old.pk)) is True
    assert RosterBatch.objects.get(pk=old.pk).rows_purged_at is not None
    assert _table(snapshots.partition_name(MARKET, old.pk)) is None
