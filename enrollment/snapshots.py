"""Where a snapshot's rows live: one partition per batch on PostgreSQL, one plain table
per kind on SQLite (the embedded demo). `partitioned()` is the one place that chooses.

PostgreSQL. Each row table (MarketEntityRow, HouseholdRow, …) is a parent partitioned
by LIST (batch_id) (migration 0005_snapshots_partitions) whose primary key is still
(batch_id, natural key). A loaded batch has a partition of its own, `<table>_b<batch id>`:

1. `stage_create` — a standalone table with the parent's columns and a
   CHECK (batch_id = N), no index: COPY writes into a bare heap (no index to maintain
   row by row, no parent to route through). Its columns are read from the catalogue,
   not with `LIKE parent`, so the load takes no lock on the parent while it runs.
2. the loader COPYs the rows into it (enrollment.loading.load_rows).
3. `stage_attach` — builds the parent's indexes on it (its primary key, and any other
   index the parent has), ANALYZEs it, and ATTACHes it: the CHECK lets PostgreSQL skip
   the validation scan, and the new primary key index becomes the partition of the
   parent's, so nothing is built twice.

All of it runs in the load's one transaction, which also sets the batch `loaded`: the
partition becomes visible — indexed and with statistics — at the instant the batch
becomes current, never before, and a loader killed anywhere (SIGKILL, OOM, a database
restart) leaves neither a partial partition nor a standalone table behind: PostgreSQL
rolls the CREATE TABLE back with the rows. A rejected file's table is dropped in that
transaction.

Purging a snapshot (retention, a failed batch) is `rows_drop`: DETACH PARTITION and DROP
TABLE — catalogue work that does not depend on the snapshot's size, never a DELETE of
its rows. DETACH … CONCURRENTLY is not used: PostgreSQL refuses it when the parent has a
default partition (below), and it cannot run inside the transaction that also marks
the batch purged. The plain DETACH needs an ACCESS EXCLUSIVE lock on the parent for an
instant; it waits at most PURGE_LOCK_TIMEOUT for a running reader (a comparison) and
then gives up — the purge is retried on the next retention run.

Each parent also has a DEFAULT partition, `<table>_default`: rows written by other means
than a load (the ORM, the tests' factories, a bureau-side script) land there and are
read and deleted the ordinary way. A load never writes to it; it is empty in
production, so the check ATTACH makes on it costs nothing. Batch id -1 (NO_BATCH: a kind
without a current snapshot) has an always empty partition `<table>_none`, so a run
reading "no snapshot" never holds the default partition that ATTACH locks.

`leftovers` lists what the sweep (services.roster_tables_sweep) drops: a standalone
`<table>_b<N>` (a stage committed without its attach — by hand, or by a future code
path that commits in steps) and a partition whose batch is gone, failed, rejected or
purged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection, transaction

from enrollment.models import ROW_MODELS

# How long a purge waits for the ACCESS EXCLUSIVE lock DETACH needs on the parent.
PURGE_LOCK_TIMEOUT = "3s"


def partitioned() -> bool:
    """True when snapshots are partitions (PostgreSQL); SQLite keeps plain row tables."""
    return connection.vendor == "postgresql"


def table_name(kind: str) -> str:
    return ROW_MODELS[kind]._meta.db_table


def partition_name(kind: str, batch_id: int) -> str:
    return f"{table_name(kind)}_b{int(batch_id)}"


def default_partition_name(kind: str) -> str:
    return f"{table_name(kind)}_default"


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _table_state(cur, name: str) -> bool | None:
    """None when no such table; else whether it is a partition."""
    cur.execute(
        "SELECT c.relispartition FROM pg_class c "
        "WHERE c.relname = %(name)s AND c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'",
        {"name": name},
    )
    row = cur.fetchone()
    return None if row is None else bool(row[0])


def _drop_table(cur, kind: str, batch_id: int) -> bool:
    """Detach (if attached) and drop the batch's own table; False when it has none."""
    name = partition_name(kind, batch_id)
    state = _table_state(cur, name)
    if state is None:
        return False
    if state:
        cur.execute(f"ALTER TABLE {_qn(table_name(kind))} DETACH PARTITION {_qn(name)}")
    cur.execute(f"DROP TABLE {_qn(name)}")
    return True


# ------------------------------------------------------------------ loading


def stage_create(cur, kind: str, batch_id: int) -> str:
    """Create the batch's standalone table (no index) and return its quoted name. A table
    of the same name — left by an earlier attempt — is dropped first (the caller holds
    the batch's advisory lock: nobody else loads it)."""
    _drop_table(cur, kind, batch_id)
    cur.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a "
        "WHERE a.attrelid = %(parent)s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        {"parent": _qn(table_name(kind))},
    )
    columns = [
        f"{_qn(name)} {type_} {'NOT NULL' if not_null else 'NULL'}"
        for name, type_, not_null in cur.fetchall()
    ]
    name = partition_name(kind, batch_id)
    check = f"CONSTRAINT {_qn(name + '_batch')} CHECK (batch_id = {int(batch_id)})"
    cur.execute(f"CREATE TABLE {_qn(name)} ({', '.join(columns)}, {check})")
    return _qn(name)


def stage_attach(cur, kind: str, batch_id: int) -> None:
    """Index, ANALYZE and attach the batch's loaded table (inside the load's transaction)."""
    parent, name = table_name(kind), partition_name(kind, batch_id)
    cur.execute(
        "SELECT pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE conrelid = %(parent)s::regclass AND contype IN ('p', 'u') ORDER BY contype, conname",
        {"parent": _qn(parent)},
    )
    for i, (definition, contype) in enumerate(cur.fetchall()):
        suffix = "pkey" if contype == "p" else f"key{i}"
        cur.execute(f"ALTER TABLE {_qn(name)} ADD CONSTRAINT {_qn(f'{name}_{suffix}')} {definition}")
    cur.execute(
        "SELECT pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
        "WHERE i.indrelid = %(parent)s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid",
        {"parent": _qn(parent)},
    )
    for i, (definition, unique) in enumerate(cur.fetchall()):
        using = definition[definition.index(" USING ") :]
        cur.execute(f"CREATE {'UNIQUE ' if unique else ''}INDEX {_qn(f'{name}_i{i}')} ON {_qn(name)}{using}")
    cur.execute(f"ANALYZE {_qn(name)}")
    cur.execute(f"ALTER TABLE {_qn(parent)} ATTACH PARTITION {_qn(name)} FOR VALUES IN ({int(batch_id)})")


def stage_drop(cur, kind: str, batch_id: int) -> None:
    """Drop the batch's table before it was attached (a rejected file)."""
    _drop_table(cur, kind, batch_id)


# ------------------------------------------------------------------ purging


def rows_drop(kind: str, batch_id: int) -> None:
    """Remove every row of a batch: detach and drop its partition, delete what other means
    wrote for it into the default partition (PostgreSQL); DELETE on SQLite. Atomic; raises
    django.db.OperationalError when the parent stays locked beyond PURGE_LOCK_TIMEOUT."""
    with transaction.atomic():
        if not partitioned():
            ROW_MODELS[kind]._default_manager.filter(batch_id=batch_id).delete()
            return
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('lock_timeout')")
            previous = cur.fetchone()[0]
            # Local to this (sub)transaction: an error rolls the setting back with it.
            cur.execute("SELECT set_config('lock_timeout', %(value)s, true)", {"value": PURGE_LOCK_TIMEOUT})
            _drop_table(cur, kind, batch_id)
            cur.execute(
                f"DELETE FROM {_qn(default_partition_name(kind))} WHERE batch_id = %(batch)s",
                {"batch": batch_id},
            )
            cur.execute("SELECT set_config('lock_timeout', %(value)s, true)", {"value": previous})


# ------------------------------------------------------------------ statistics


def own_partition_analysed(cur, kind: str, batch_id: int) -> bool | None:
    """None when the batch has no partition of its own (its rows, if any, are in the
    default partition); else whether the planner has statistics for it (an empty
    partition needs none)."""
    name = partition_name(kind, batch_id)
    cur.execute(
        "SELECT c.relpages, EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = current_schema() "
        "AND s.tablename = c.relname) FROM pg_class c "
        "WHERE c.relname = %(name)s AND c.relnamespace = current_schema()::regnamespace AND c.relispartition",
        {"name": name},
    )
    row = cur.fetchone()
    if row is None:
        return None
    pages, has_stats = row
    return bool(has_stats or pages == 0)


# ------------------------------------------------------------------ sweeping


@dataclass(frozen=True)
class Leftover:
    kind: str
    batch_id: int
    attached: bool


def tables() -> list[Leftover]:
    """Every per-batch table of every kind, attached or not (PostgreSQL)."""
    if not partitioned():
        return []
    found = []
    with connection.cursor() as cur:
        for kind in ROW_MODELS:
            prefix = table_name(kind) + "_b"
            cur.execute(
                "SELECT c.relname, c.relispartition FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
                "AND c.relname ~ %(pattern)s ORDER BY c.relname",
                {"pattern": "^" + re.escape(prefix) + "[0-9]+$"},
            )
            found += [
                Leftover(kind, int(name[len(prefix) :]), bool(attached)) for name, attached in cur.fetchall()
            ]
    return found
