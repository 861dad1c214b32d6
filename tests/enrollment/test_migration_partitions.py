"""Migration enrollment 0005_snapshots_partitions on a database that already holds
snapshots: the rows of the plain tables move into one partition per batch (indexed,
analysed, attached), a purge then detaches and drops a partition, the reverse puts the
remaining rows back into plain tables, and forward again partitions them anew.

PostgreSQL only: on SQLite the migration leaves the tables as they are. The test
migrates the real test database back and forth, so it runs in a transaction=True test
and migrates every app back to the latest state at the end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from enrollment import services
from enrollment.models import RosterBatch

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only (snapshots.partitioned())"
)

BEFORE = [("enrollment", "0004_roster_values_as_choices")]
AFTER = [("enrollment", "0005_snapshots_partitions")]
HOUSEHOLD = "enrollment_householdrow"
MARKET = "enrollment_marketentityrow"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _one(sql: str, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def _kind(table: str) -> str:
    """pg_class.relkind: 'p' a partitioned parent, 'r' a plain table."""
    return _one("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])


def _partitions(table: str) -> dict[str, str]:
    """Partition name → its bound, e.g. {'…_b3': 'FOR VALUES IN (\\'3\\')', '…_default': 'DEFAULT'}."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [table],
        )
        return dict(cur.fetchall())


def _counts(table: str) -> dict[int, int]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT batch_id, count(*) FROM {table} GROUP BY batch_id")
        return dict(cur.fetchall())


def _rows(table: str) -> set[tuple]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT batch_id, id_number, name, district_code, street_code, phone, birth_date, sex FROM {table}"
        )
        return set(cur.fetchall())


def _analysed(name: str) -> bool:
    return _one("SELECT EXISTS (SELECT 1 FROM pg_stats WHERE tablename = %s)", [name])


def _table_exists(name: str) -> bool:
    return _one("SELECT to_regclass(%s) IS NOT NULL", [name])


def _id_number(seq: int) -> str:
    first17 = f"150302199001{seq // 1000 + 1:02d}{seq % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


@pytest.mark.django_db(transaction=True)
def test_existing_snapshots_become_partitions_purge_by_drop_and_convert_back():
    # Given the schema before 0005 and three loaded snapshots in the plain row tables
    old = _migrate(BEFORE)
    assert _kind(HOUSEHOLD) == "r"
    Batch = old.get_model("enrollment", "RosterBatch")
    Household = old.get_model("enrollment", "HouseholdRow")
    Market = old.get_model("enrollment", "MarketEntityRow")
    day = dt.date(2026, 11, 1)

    def batch(kind: str, department: str, n: int) -> int:
        return Batch.objects.create(
            kind=kind,
            department=department,
            status="loaded",
            snapshot_date=day,
            sha256=f"{kind}-{n}",
            rows_loaded=n,
        ).pk

    old_hh, new_hh = (
        batch("household_registry", "public_security", 30),
        batch("household_registry", "public_security", 20),
    )
    market = batch("market_entities", "market", 5)
    Household.objects.bulk_create(
        Household(
            batch_id=b,
            id_number=_id_number(i),
            name=f"居民{i}",
            district_code="150302",
            street_code="150302001",
            phone=None if i % 3 else f"139{i:08d}",
            birth_date=dt.date(1990, 1, i // 1000 + 1),
            sex="M" if i % 2 else "F",
        )
        for b, n in ((old_hh, 30), (new_hh, 20))
        for i in range(n)
    )
    Market.objects.bulk_create(
        Market(
            batch_id=market,
            uscc=f"91150302MA0{i:06d}X",
            name=f"企业{i}",
            entity_type="enterprise",
            status="active",
            established_on=day,
            district_code="150302",
        )
        for i in range(5)
    )
    rows_before = _rows(HOUSEHOLD)
    try:
        # When 0005 runs
        _migrate(AFTER)

        # Then each row table is a partitioned parent with one partition per batch that
        # has rows, a default and a "no batch" partition; the rows and counts are the same
        assert _kind(HOUSEHOLD) == "p" and _kind(MARKET) == "p"
        assert _partitions(HOUSEHOLD) == {
            f"{HOUSEHOLD}_b{old_hh}": f"FOR VALUES IN ('{old_hh}')",
            f"{HOUSEHOLD}_b{new_hh}": f"FOR VALUES IN ('{new_hh}')",
            f"{HOUSEHOLD}_default": "DEFAULT",
            f"{HOUSEHOLD}_none": "FOR VALUES IN ('-1')",
        }
        assert set(_partitions(MARKET)) == {f"{MARKET}_b{market}", f"{MARKET}_default", f"{MARKET}_none"}
        assert _counts(HOUSEHOLD) == {old_hh: 30, new_hh: 20}
        assert _counts(f"{HOUSEHOLD}_b{old_hh}") == {old_hh: 30}
        assert _counts(f"{HOUSEHOLD}_b{new_hh}") == {new_hh: 20}
        assert _counts(f"{HOUSEHOLD}_default") == {}
        assert _counts(MARKET) == {market: 5}
        assert _rows(HOUSEHOLD) == rows_before
        # … each partition keyed and analysed, the plain table gone
        assert _one(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [f"{HOUSEHOLD}_b{old_hh}"],
        )
        assert _analysed(f"{HOUSEHOLD}_b{old_hh}") and _analysed(f"{HOUSEHOLD}_b{new_hh}")
        assert not _table_exists(f"{HOUSEHOLD}_unpartitioned")

        # When the older snapshot is purged the way retention purges it
        assert services.roster_rows_purge(RosterBatch.objects.get(pk=old_hh))

        # Then its partition is detached and dropped, the other snapshot untouched
        assert not _table_exists(f"{HOUSEHOLD}_b{old_hh}")
        assert set(_partitions(HOUSEHOLD)) == {
            f"{HOUSEHOLD}_b{new_hh}",
            f"{HOUSEHOLD}_default",
            f"{HOUSEHOLD}_none",
        }
        assert _counts(HOUSEHOLD) == {new_hh: 20}
        assert RosterBatch.objects.get(pk=old_hh).rows_purged_at is not None

        # When migrated back to 0004
        _migrate(BEFORE)

        # Then the row tables are plain again, holding every row that was not purged
        assert _kind(HOUSEHOLD) == "r" and _kind(MARKET) == "r"
        assert not _table_exists(f"{HOUSEHOLD}_b{new_hh}") and not _table_exists(f"{HOUSEHOLD}_default")
        assert _counts(HOUSEHOLD) == {new_hh: 20}
        assert _counts(MARKET) == {market: 5}
        assert _rows(HOUSEHOLD) == {r for r in rows_before if r[0] == new_hh}
        assert (
            _one(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
                [HOUSEHOLD],
            )
            == "PRIMARY KEY (batch_id, id_number)"
        )

        # And forward again, the rows are partitioned anew
        _migrate(AFTER)
        assert _kind(HOUSEHOLD) == "p"
        assert set(_partitions(HOUSEHOLD)) == {
            f"{HOUSEHOLD}_b{new_hh}",
            f"{HOUSEHOLD}_default",
            f"{HOUSEHOLD}_none",
        }
        assert _counts(f"{HOUSEHOLD}_b{new_hh}") == {new_hh: 20}
        assert _counts(MARKET) == {market: 5}
        assert _rows(HOUSEHOLD) == {r for r in rows_before if r[0] == new_hh}
    finally:
        _latest()
