"""Raw SQL's one home: table names (`t(Model)`), the "no snapshot" batch id, and the few
places where PostgreSQL and SQLite (the demo) differ, as small SQL builders.

Used by the registry refresh (enrollment), the comparison (enforcement), the assessment
and the outbox. Everything else is portable SQL executed with *named* parameters
(`%(as_of)s`, a dict), which both backends take through Django's cursor. Parameters go
through `param()` so that dates and decimals reach SQLite in the form it stores them
(ISO text, floats)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, models

# A roster kind without a current snapshot reads as this batch id: no row has it, so the
# kind's rows read as empty (the comparison's guards decide whether that is allowed).
NO_BATCH = -1


def t(model: type[models.Model]) -> str:
    """A model's table name, quoted, for an f-string'd statement (never typed out)."""
    return connection.ops.quote_name(model._meta.db_table)


def vendor() -> str:
    return connection.vendor  # "postgresql" or "sqlite"


def is_pg() -> bool:
    return vendor() == "postgresql"


def param(value):
    """A query parameter in the form the database compares correctly."""
    if is_pg():
        return value
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    return value


def true() -> str:
    return "TRUE" if is_pg() else "1"


def false() -> str:
    return "FALSE" if is_pg() else "0"


def json_object(pairs: list[tuple[str, str]]) -> str:
    """A JSON object built in SQL from (key, SQL expression) pairs."""
    fn = "jsonb_build_object" if is_pg() else "json_object"
    return f"{fn}(" + ", ".join(f"'{k}', {expr}" for k, expr in pairs) + ")"


def json_array(exprs: list[str]) -> str:
    fn = "jsonb_build_array" if is_pg() else "json_array"
    return f"{fn}(" + ", ".join(exprs) + ")"


def greatest(*exprs: str) -> str:
    return ("GREATEST(" if is_pg() else "MAX(") + ", ".join(exprs) + ")"


def least(*exprs: str) -> str:
    return ("LEAST(" if is_pg() else "MIN(") + ", ".join(exprs) + ")"


def yyyymmdd(col: str) -> str:
    """A date column as the integer YYYYMMDD (completed years = (D − b) / 10000)."""
    if is_pg():
        return f"(EXTRACT(YEAR FROM {col})::int * 10000 + EXTRACT(MONTH FROM {col})::int * 100 + EXTRACT(DAY FROM {col})::int)"
    return f"CAST(replace({col}, '-', '') AS INTEGER)"


def months(col: str) -> str:
    """months(p) = 12·year + month of a YYYYMM integer (no `%`, which clashes with params)."""
    return f"(({col} / 100) * 12 + ({col} - ({col} / 100) * 100))"


def decimal(expr: str) -> str:
    """Arithmetic on money: exact numeric on PostgreSQL; real on SQLite (never integer division)."""
    return expr if is_pg() else f"({expr} * 1.0)"


def json_type() -> str:
    return "jsonb" if is_pg() else "text"


def bool_type() -> str:
    return "boolean" if is_pg() else "integer"


def as_bool(expr: str) -> str:
    """A predicate as a value (PostgreSQL has real booleans; SQLite's are 1/0 already)."""
    return f"({expr})"


def cast_date(expr: str) -> str:
    """A parameter or NULL typed as a date (PostgreSQL needs it in a subquery; SQLite's
    CAST(… AS date) would turn '2025-12-31' into 2025, so it gets the plain value)."""
    return f"CAST({expr} AS date)" if is_pg() else expr


def money(expr: str, *, nullable: bool = False) -> str:
    """Money in evidence as an exact string with 2 decimals ('72072.00'), never a float.
    (`%%` because every statement here is executed with a parameter list.)"""
    if is_pg():
        return f"CAST(ROUND(CAST({expr} AS numeric), 2) AS text)"
    if nullable:  # `expr` is then a plain column (it appears twice)
        return f"CASE WHEN {expr} IS NULL THEN NULL ELSE printf('%%.2f', {expr}) END"
    return f"printf('%%.2f', {expr})"
