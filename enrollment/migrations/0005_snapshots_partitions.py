"""Snapshots as partitions (issue 14, "Snapshots that scale"; enrollment.snapshots).

On PostgreSQL every row table becomes a parent partitioned by LIST (batch_id) with the
same columns and primary key (batch_id, natural key), a DEFAULT partition
`<table>_default` for rows written by other means than a load, an always empty
partition `<table>_none` for batch id -1 (wuhai_coverage.core.sql.NO_BATCH), and one partition
`<table>_b<batch id>` per batch that has rows: the existing rows are copied into them
(indexed, analysed, attached), then the plain table is dropped. The batch foreign key's
own index goes (the primary key leads with batch_id) — on SQLite too, where the tables
otherwise stay as they are. Django's model state is untouched by the conversion: the
models and their tables keep their names and columns.
"""

import django.db.models.deletion
from django.db import migrations, models

ROW_MODELS = (
    "MarketEntityRow",
    "TaxPayrollRow",
    "CivilAffairsRow",
    "PovertyRow",
    "DisabilityRow",
    "DustHazardRow",
    "ConstructionProjectRow",
    "HouseholdRow",
    "InsuranceEmployerRow",
    "InsurancePersonRow",
    "InsuranceProjectRow",
)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(cur, table: str) -> str:
    cur.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        [_q(table)],
    )
    return ", ".join(f"{_q(n)} {t} {'NOT NULL' if nn else 'NULL'}" for n, t, nn in cur.fetchall())


def _primary_key(cur, table: str) -> tuple[str, str]:
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
        [_q(table)],
    )
    return cur.fetchone()


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    batches = apps.get_model("enrollment", "RosterBatch")
    with schema_editor.connection.cursor() as cur:
        for model_name in ROW_MODELS:
            table = apps.get_model("enrollment", model_name)._meta.db_table
            old = f"{table}_unpartitioned"
            pk_name, pk_def = _primary_key(cur, table)
            cur.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
            cur.execute(f"ALTER TABLE {_q(old)} RENAME CONSTRAINT {_q(pk_name)} TO {_q(old + '_pkey')}")
            columns = _columns(cur, old)
            cur.execute(f"CREATE TABLE {_q(table)} ({columns}) PARTITION BY LIST (batch_id)")
            cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(pk_name)} {pk_def}")
            cur.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(table)} DEFAULT")
            # NO_BATCH (-1, a kind without a current snapshot) reads this always empty
            # partition, never the default one: a comparison run holding it does not
            # stand in the way of a load's ATTACH (which locks the default partition).
            cur.execute(f"CREATE TABLE {_q(table + '_none')} PARTITION OF {_q(table)} FOR VALUES IN (-1)")
            cur.execute(f"SELECT DISTINCT batch_id FROM {_q(old)} ORDER BY 1")
            present = [row[0] for row in cur.fetchall()]
            own = sorted(batches.objects.filter(pk__in=present).values_list("pk", flat=True))
            for batch_id in own:
                part = f"{table}_b{int(batch_id)}"
                cur.execute(
                    f"CREATE TABLE {_q(part)} ({columns}, "
                    f"CONSTRAINT {_q(part + '_batch')} CHECK (batch_id = {int(batch_id)}))"
                )
                cur.execute(f"INSERT INTO {_q(part)} SELECT * FROM {_q(old)} WHERE batch_id = %s", [batch_id])
                cur.execute(f"ALTER TABLE {_q(part)} ADD CONSTRAINT {_q(part + '_pkey')} {pk_def}")
                cur.execute(f"ANALYZE {_q(part)}")
                cur.execute(
                    f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(part)} FOR VALUES IN ({int(batch_id)})"
                )
            # Rows of no batch (written by other means): the default partition.
            cur.execute(
                f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)} o WHERE NOT (o.batch_id = ANY(%s))",
                [list(own)],
            )
            cur.execute(f"DROP TABLE {_q(old)}")
            cur.execute(f"ANALYZE {_q(table + '_default')}")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        for model_name in ROW_MODELS:
            table = apps.get_model("enrollment", model_name)._meta.db_table
            plain = f"{table}_plain"
            pk_name, pk_def = _primary_key(cur, table)
            cur.execute(f"CREATE TABLE {_q(plain)} ({_columns(cur, table)})")
            cur.execute(f"INSERT INTO {_q(plain)} SELECT * FROM {_q(table)}")
            cur.execute(f"DROP TABLE {_q(table)}")  # its partitions with it
            cur.execute(f"ALTER TABLE {_q(plain)} RENAME TO {_q(table)}")
            cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(pk_name)} {pk_def}")


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0004_roster_values_as_choices"),
    ]

    operations = [
        migrations.AlterField(
            model_name="civilaffairsrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="constructionprojectrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="disabilityrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="dusthazardrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="householdrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="insuranceemployerrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="insurancepersonrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="insuranceprojectrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="marketentityrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="povertyrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.AlterField(
            model_name="taxpayrollrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enrollment.rosterbatch",
            ),
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
