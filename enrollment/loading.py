"""Streaming a checked roster into its row table: PostgreSQL COPY, or bulk_create on
SQLite (the embedded demo).

The records of a file flow through `Intake.chunks()` — check, de-duplicate, format as
COPY text — in chunks of CHUNK_ROWS lines; on PostgreSQL `copy_expert` pulls those
chunks through a file-like object, so no more than one chunk is ever in memory and
the server parses one chunk while Python checks the next. Issues are spooled to a
temporary file and COPYed after the rows, in the same transaction.

The only state that grows with the file is the set of keys already seen (one int per
loaded row, ~70 bytes), which the duplicate_key rule needs.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator

from django.db import connection

from enrollment.models import ROW_MODELS, RosterBatch, RosterIssue
from enrollment.reading import Malformed, RosterFile
from enrollment.validation import Issue, RowChecker, copy_escape, values_from_copy

# Rows per COPY chunk: ~1 MB of text for market_entities; larger chunks gain nothing.
CHUNK_ROWS = 5_000
# Rows per bulk_create on SQLite (the demo): SQLite's 999-variable limit is per row set.
ORM_BATCH = 500
# A progress UPDATE (its own connection, ~1 ms) at most this often.
PROGRESS_SECONDS = 0.5


class Counters:
    __slots__ = ("total", "loaded", "rejected", "warnings")

    def __init__(self) -> None:
        self.total = self.loaded = self.rejected = self.warnings = 0


class Intake:
    """One pass over the records: checks, de-duplicates and formats them."""

    def __init__(self, *, batch_id: int, roster: RosterFile, checker: RowChecker,
                 on_issues: Callable[[list[Issue]], None], on_progress: Callable[[int], None]):
        self.batch_id = batch_id
        self.roster = roster
        self.checker = checker
        self.on_issues = on_issues
        self.on_progress = on_progress
        self.counters = Counters()

    def chunks(self) -> Iterator[list[str]]:
        c = self.counters
        prefix = f"{self.batch_id}\t"
        check = self.checker.check_text if self.roster.file_format == "csv" else self.checker.check
        key_column = self.checker.key_column
        seen: set = set()
        remember = seen.add
        on_issues = self.on_issues
        pending: list[Issue] = []
        buf: list[str] = []
        append = buf.append
        for record in self.roster.records():
            if record.__class__ is Malformed:
                c.total += 1
                c.rejected += 1
                pending.append(Issue(record.line, "", record.code, record.message, "error"))
                continue
            line, cells = record
            first = cells[0]
            if not (first.strip() if first.__class__ is str else first) and not any(
                    (v.strip() if v.__class__ is str else v) for v in cells):
                continue  # a blank line: skipped and not counted
            c.total += 1
            text, key, issues = check(cells, line)
            if issues:
                pending.extend(issues)
            if text is None:
                c.rejected += 1
                continue
            if key in seen:
                c.rejected += 1
                pending.append(Issue(line, key_column, "duplicate_key",
                                     "与前面的有效行键值重复，保留在先的行 / duplicate key: an earlier row "
                                     "with the same key was kept", "error"))
                continue
            if issues:  # warnings of a loaded row: cells dropped
                c.warnings += len(issues)
            remember(key)
            c.loaded += 1
            append(prefix + text + "\n")
            if len(buf) >= CHUNK_ROWS:
                yield buf
                buf = []
                append = buf.append
                if pending:
                    on_issues(pending)
                    pending = []
                self.on_progress(c.total)
        if pending:
            on_issues(pending)
        yield buf


class _ChunkReader:
    """The file-like object copy_expert reads from: one chunk per read()."""

    def __init__(self, chunks: Iterator[list[str]]):
        self._chunks = chunks

    def read(self, size: int = -1) -> str:
        for chunk in self._chunks:
            if chunk:
                return "".join(chunk)
        return ""

    readline = read


def _quoted_columns(model, names: list[str]) -> str:
    qn = connection.ops.quote_name
    return ", ".join(qn(model._meta.get_field(n).column) for n in names)


class IssueSpool:
    """Issues of a batch, spooled to a temporary file as COPY text (PostgreSQL) or
    bulk-inserted in batches (SQLite)."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.copy = connection.vendor == "postgresql"
        self.file = tempfile.TemporaryFile(mode="w+", encoding="utf-8") if self.copy else None
        self.count = 0

    def __call__(self, issues: list[Issue]) -> None:
        self.count += len(issues)
        if self.copy:
            b = self.batch_id
            self.file.write("".join(
                f"{b}\t{i.row}\t{copy_escape(i.column)}\t{i.code}\t{copy_escape(i.message)}\t{i.severity}\n"
                for i in issues))
        else:
            RosterIssue.objects.bulk_create(
                [RosterIssue(batch_id=self.batch_id, row=i.row, column=i.column, code=i.code,
                             message=i.message, severity=i.severity) for i in issues],
                batch_size=ORM_BATCH)

    def flush(self) -> None:
        if not self.copy:
            return
        self.file.seek(0)
        columns = _quoted_columns(RosterIssue, ["batch", "row", "column", "code", "message", "severity"])
        with connection.cursor() as cur:
            cur.copy_expert(f"COPY {connection.ops.quote_name(RosterIssue._meta.db_table)} ({columns}) "
                            f"FROM STDIN", self.file, size=1 << 20)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def load_rows(*, kind: str, intake: Intake) -> None:
    """Stream the intake's rows into the kind's row table (inside the caller's transaction)."""
    model = ROW_MODELS[kind]
    names = ["batch", *intake.checker.columns]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cur:
            cur.copy_expert(f"COPY {table} ({_quoted_columns(model, names)}) FROM STDIN",
                            _ChunkReader(intake.chunks()), size=1 << 20)
        return
    attnames = ["batch_id", *intake.checker.columns]
    for chunk in intake.chunks():
        objs = []
        for line in chunk:
            values = values_from_copy(line[:-1].split("\t"))
            objs.append(model(**dict(zip(attnames, values, strict=True))))
        model.objects.bulk_create(objs, batch_size=ORM_BATCH)


class Progress:
    """rows_read, committed on a connection of its own so that the API and the page see
    it while the load's transaction is still open. Only on PostgreSQL and outside an
    enclosing transaction (a test's); elsewhere the final counts are all there is."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.conn = None
        self.last = 0.0
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.conn = connection.get_new_connection(connection.get_connection_params())
            self.conn.autocommit = True
            with self.conn.cursor() as cur:
                cur.execute("SET lock_timeout = '2s'")

    def __call__(self, rows_read: int) -> None:
        now = time.monotonic()
        if self.conn is None or now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        try:
            with self.conn.cursor() as cur:
                cur.execute(f"UPDATE {RosterBatch._meta.db_table} SET rows_read = %s WHERE id = %s",
                            [rows_read, self.batch_id])
        except Exception:  # progress is best effort; the load must not fail for it
            self.close()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None

