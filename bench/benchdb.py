"""Shared by the benchmarks: create the bench database if it is missing."""

from __future__ import annotations

import sys
from urllib.parse import urlparse


def ensure_database(url: str) -> None:
    """Create the database named in `url` when missing. Benchmarks empty and refill their
    tables, so the name must contain 'bench' (never a real portal database)."""
    import psycopg2

    u = urlparse(url)
    name = u.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to use {name!r}: a benchmark database's name must contain 'bench'")
    conn = psycopg2.connect(
        host=u.hostname, port=u.port or 5432, user=u.username, password=u.password, dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def print_server(scale) -> None:
    """One line on the server a benchmark ran against (its figures depend on it)."""
    import os

    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT version(), current_setting('work_mem'), current_setting('shared_buffers')")
        version, work_mem, shared = c.fetchone()
    print(
        f"PostgreSQL: {version.split(',')[0]}; work_mem {work_mem}; shared_buffers {shared}; "
        f"cores {os.cpu_count()}; scale {scale}"
    )
