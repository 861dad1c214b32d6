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
from typing import IO

from django.db import connection
from django.utils.translation import gettext as _

from enrollment import snapshots
from enrollment.models import ROW_MODELS, RosterBatch, RosterIssue
from enrollment.reading import Lines, Malformed, RosterFile
from enrollment.validation import Issue, RowChecker, copy_escape, values_from_copy
from wuhai_coverage.core.sql import t

# Rows per COPY chunk: ~1 MB of text for market_entities; larger chunks gain nothing.
CHUNK_ROWS = 5_000
# Rows per bulk_create on SQLite (the demo): SQLite's 999-variable limit is per row set.
ORM_BATCH = 500
# Distinct keys held in memory for duplicate_key (~70 bytes each, ~70 MB at this
# many); beyond, rows are de-duplicated by the database through a staging table.
DEDUPE_MEMORY_KEYS = 1_000_000
# A progress UPDATE (its own connection, ~1 ms) at most this often.
PROGRESS_SECONDS = 0.5
# copy_expert's read size, passed positionally: Django's CursorDebugWrapper (DEBUG=True) takes
# copy_expert(sql, file, *args) and refuses size= as a keyword.
COPY_READ_SIZE = 1 << 20


class Counters:
    __slots__ = ("total", "loaded", "rejected", "warnings")

    def __init__(self) -> None:
        self.total = self.loaded = self.rejected = self.warnings = 0


def duplicate_message() -> str:
    return _("与前面的有效行键值重复，保留在先的行")


class Intake:
    """One pass over the records: checks, de-duplicates and formats them.

    `chunks()` yields (target, lines): target "rows" for lines of the row table, or
    "spill" once `spill_after` distinct keys are held in memory — from then on a row
    whose key is not among them goes, with its line number, to a staging table, and the
    database finishes the de-duplication (load_rows). Memory therefore stays bounded
    whatever the file size; files below the threshold never touch the staging table."""

    def __init__(
        self,
        *,
        batch_id: int,
        roster: RosterFile,
        checker: RowChecker,
        on_issues: Callable[[list[Issue]], None],
        on_progress: Callable[[int], None],
        spill_after: int | None = None,
    ):
        self.batch_id = batch_id
        self.roster = roster
        self.checker = checker
        self.on_issues = on_issues
        self.on_progress = on_progress
        self.spill_after = spill_after
        self.counters = Counters()
        self.spilled = 0

    def chunks(self) -> Iterator[tuple[str, list[str]]]:
        # The hot loop: counters are locals, synchronised with self.counters at every
        # chunk (for the progress report) and at the end.
        c = self.counters
        total = loaded = rejected = warnings = 0
        prefix = f"{self.batch_id}\t"
        check = self.checker.check_text if self.roster.file_format == "csv" else self.checker.check
        key_column = self.checker.key_column
        duplicate = duplicate_message()
        seen: set = set()
        remember = seen.add
        on_issues = self.on_issues
        pending: list[Issue] = []
        buf: list[str] = []
        append = buf.append
        room = chunk_rows = CHUNK_ROWS
        target = "rows"
        spill_after = self.spill_after
        check_lines = self.checker.check_lines
        check_bare = self.checker.check_bare
        bare_longest = self.checker.bare_longest
        plain = [True]  # Lines are checked whole while the rows go to the row table
        for record in _records(self.roster, plain):
            if record.__class__ is Lines:
                # A run of plain CSV lines, checked in one loop by the checker: the same
                # checks, keys, issues and counts as one record at a time below.
                n, ok, bad, warned = (
                    check_bare if record.bare and record.longest <= bare_longest else check_lines
                )(record.lines, record.start - 1, seen, append, pending, prefix, duplicate)
                total += n
                loaded += ok
                rejected += bad
                warnings += warned
                room -= ok
                if room > 0:
                    continue
                c.total, c.loaded, c.rejected, c.warnings = total, loaded, rejected, warnings
                yield target, buf
                buf = []
                append = buf.append
                room = chunk_rows
                if pending:
                    on_issues(pending)
                    pending = []
                self.on_progress(total)
                if spill_after is not None and len(seen) >= spill_after:
                    target = "spill"
                    plain[0] = False
                continue
            if isinstance(record, Malformed):
                total += 1
                rejected += 1
                pending.append(Issue(record.line, "", record.code, record.message, "error"))
                continue
            line, cells = record
            first = cells[0]
            if not first or (first.__class__ is str and first.isspace()):
                if not any((v.strip() if v.__class__ is str else v) for v in cells):
                    continue  # a blank line: skipped and not counted
            total += 1
            text, key, issues = check(cells, line)
            if issues:
                pending.extend(issues)
            if text is None:
                rejected += 1
                continue
            if key in seen:
                rejected += 1
                pending.append(
                    Issue(line, key_column, "duplicate_key", duplicate, RosterIssue.Severity.ERROR.value)
                )
                continue
            if target == "rows":
                if issues:  # warnings of a loaded row: cells dropped
                    warnings += len(issues)
                remember(key)
                loaded += 1
                append(prefix + text + "\n")
            else:  # the database decides; warnings are counted for the rows it keeps
                self.spilled += 1
                append(f"{prefix}{text}\t{line}\t{len(issues) if issues else 0}\n")
            room -= 1
            if room <= 0:
                c.total, c.loaded, c.rejected, c.warnings = total, loaded, rejected, warnings
                yield target, buf
                buf = []
                append = buf.append
                room = chunk_rows
                if pending:
                    on_issues(pending)
                    pending = []
                self.on_progress(total)
                if target == "rows" and spill_after is not None and len(seen) >= spill_after:
                    target = "spill"
                    plain[0] = False
        c.total, c.loaded, c.rejected, c.warnings = total, loaded, rejected, warnings
        if pending:
            on_issues(pending)
        yield target, buf


def _records(roster: RosterFile, plain: list[bool]) -> Iterator:
    """The roster's records, runs of plain CSV lines as one `Lines` while plain[0] is
    true, else one (line, cells) per line — what the reader gives for such a line."""
    for record in roster.batches():
        if isinstance(record, Lines) and not plain[0]:
            yield from ((line, text.split(",")) for line, text in enumerate(record.lines, record.start))
        else:
            yield record


class _ChunkReader:
    """The file-like object copy_expert reads from: one chunk per read(), as long as the
    chunks are for `target`; the first chunk for another target is kept for the next reader."""

    def __init__(self, chunks: Iterator[tuple[str, list[str]]], target: str, held: list):
        self._chunks = chunks
        self._target = target
        self._held = held  # [] or [(target, lines)] carried between readers

    def read(self, size: int = -1) -> str:
        while True:
            if self._held:
                target, lines = self._held[0]
                if target != self._target:
                    return ""
                self._held.clear()
            else:
                nxt = next(self._chunks, None)
                if nxt is None:
                    return ""
                target, lines = nxt
                if target != self._target:
                    self._held.append(nxt)
                    return ""
            if lines:
                return "".join(lines)

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
        self.file: IO[str] | None = tempfile.TemporaryFile(mode="w+", encoding="utf-8") if self.copy else None
        self.count = 0

    def __call__(self, issues: list[Issue]) -> None:
        self.count += len(issues)
        if self.file is not None:
            b = self.batch_id
            self.file.write(
                "".join(
                    f"{b}\t{i.row}\t{copy_escape(i.column)}\t{i.code}\t{copy_escape(i.message)}\t{i.severity}\n"
                    for i in issues
                )
            )
        else:
            RosterIssue.objects.bulk_create(
                [
                    RosterIssue(
                        batch_id=self.batch_id,
                        row=i.row,
                        column=i.column,
                        code=i.code,
                        message=i.message,
                        severity=i.severity,
                    )
                    for i in issues
                ],
                batch_size=ORM_BATCH,
            )

    def flush(self) -> None:
        if self.file is None:
            return
        self.file.seek(0)
        columns = _quoted_columns(RosterIssue, ["batch", "row", "column", "code", "message", "severity"])
        with connection.cursor() as cur:
            cur.copy_expert(
                f"COPY {t(RosterIssue)} ({columns}) FROM STDIN",
                self.file,
                COPY_READ_SIZE,
            )

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def load_rows(*, kind: str, intake: Intake, table: str | None = None) -> None:
    """Stream the intake's rows into the kind's row table (inside the caller's transaction);
    on PostgreSQL into `table` (quoted) when given: the batch's own table, still standalone
    (enrollment.snapshots.stage_create)."""
    model = ROW_MODELS[kind]
    names = ["batch", *intake.checker.columns]
    if connection.vendor == "postgresql":
        table = table or t(model)
        columns = _quoted_columns(model, names)
        chunks = intake.chunks()
        held: list = []
        with connection.cursor() as cur:
            cur.copy_expert(
                f"COPY {table} ({columns}) FROM STDIN", _ChunkReader(chunks, "rows", held), COPY_READ_SIZE
            )
            if held:
                _load_spill(cur, model, intake, table, columns, _ChunkReader(chunks, "spill", held))
        return
    attnames = ["batch_id", *intake.checker.columns]
    for _target, chunk in intake.chunks():  # no spill_after on SQLite: the demo's files are small
        objs = []
        for line in chunk:
            values = values_from_copy(line[:-1].split("\t"))
            objs.append(model(**dict(zip(attnames, values, strict=True))))
        model._default_manager.bulk_create(objs, batch_size=ORM_BATCH)


def _load_spill(cur, model, intake: Intake, table: str, columns: str, reader: _ChunkReader) -> None:
    """Rows beyond the in-memory key limit: COPY them into a staging table, keep the
    first (by line) of each key not already loaded, report the rest as duplicate_key."""
    qn = connection.ops.quote_name
    keys = [qn(model._meta.get_field(k).column) for k in intake.checker.spec.key]
    same_key = " AND ".join(f"r.{k} = s.{k}" for k in keys)
    cur.execute("DROP TABLE IF EXISTS roster_spill_first, roster_spill")
    cur.execute(f"CREATE TEMP TABLE roster_spill (LIKE {table}) ON COMMIT DROP")
    cur.execute("ALTER TABLE roster_spill ADD COLUMN spill_line integer, ADD COLUMN spill_warnings integer")
    cur.copy_expert(
        f"COPY roster_spill ({columns}, spill_line, spill_warnings) FROM STDIN", reader, COPY_READ_SIZE
    )
    cur.execute(f"""CREATE TEMP TABLE roster_spill_first ON COMMIT DROP AS
        SELECT DISTINCT ON ({", ".join(keys)}) * FROM roster_spill s
        WHERE NOT EXISTS (SELECT 1 FROM {table} r WHERE r.batch_id = s.batch_id AND {same_key})
        ORDER BY {", ".join(keys)}, spill_line""")
    cur.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM roster_spill_first")
    issue_columns = _quoted_columns(RosterIssue, ["batch", "row", "column", "code", "message", "severity"])
    cur.execute(
        f"""INSERT INTO {t(RosterIssue)} ({issue_columns})
        SELECT s.batch_id, s.spill_line, %(column)s, %(code)s, %(message)s, %(severity)s FROM roster_spill s
        WHERE NOT EXISTS (SELECT 1 FROM roster_spill_first f WHERE f.spill_line = s.spill_line)""",
        {
            "column": intake.checker.key_column,
            "code": "duplicate_key",
            "message": duplicate_message(),
            "severity": RosterIssue.Severity.ERROR.value,
        },
    )
    cur.execute("SELECT count(*), coalesce(sum(spill_warnings), 0) FROM roster_spill_first")
    kept, warnings = cur.fetchone()
    c = intake.counters
    c.loaded += kept
    c.warnings += warnings
    c.rejected += intake.spilled - kept
    cur.execute("DROP TABLE roster_spill_first, roster_spill")


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
                cur.execute(
                    f"UPDATE {t(RosterBatch)} SET rows_read = %(rows_read)s WHERE id = %(id)s",
                    {"rows_read": rows_read, "id": self.batch_id},
                )
        except Exception:  # progress is best effort; the load must not fail for it
            self.close()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None


def analyze(*models) -> None:
    """ANALYZE the given tables (PostgreSQL): called by the product after it writes many
    rows that the comparison and the pages join on — a freshly loaded snapshot, the tasks a
    run wrote, the refreshed registry. Without it the planner sees a table as it was at the
    last ANALYZE (empty, for a fresh snapshot: autovacuum may be off, and is minutes late
    when on) and picks nested loops: the Wuhai comparison's employer facts ran for over
    5 minutes instead of seconds. It samples at most 30,000 rows (default statistics
    target): well under a second for a 560k-row table. A partitioned row table's ANALYZE
    also analyses every partition: a load analyses only its own (enrollment.snapshots)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in models:
            cur.execute(f"ANALYZE {t(model)}")


def analyze_unknown_batches(batches: dict) -> list[str]:
    """ANALYZE the row tables whose statistics do not know the given batch (kind → batch
    or batch id; a negative id, no batch, is skipped): the first step of the comparison and
    of the registry refresh, a net under the statistics a load takes (rows written by other
    means, a partition analysed by nobody). Returns the tables analysed.

    A batch with a partition of its own (enrollment.snapshots) is known when that
    partition has statistics: a load ANALYZEs it before attaching it, so this is a catalogue
    look-up. Rows without one live in the default partition (SQL-wise: the row table), known
    when the batch id is among batch_id's most common values or inside its histogram;
    otherwise the planner takes its rows for a handful and picks nested loops. Unlike the
    activity counters (pg_stat_user_tables, reported asynchronously), pg_stats is exact."""
    if connection.vendor != "postgresql":
        return []
    stale = []
    with connection.cursor() as cur:
        for kind, batch in sorted(batches.items()):
            batch_id = getattr(batch, "pk", batch)
            if batch_id is None or batch_id < 0:
                continue
            own = snapshots.own_partition_analysed(cur, kind, batch_id)
            if own is not None:
                if not own:
                    stale.append(snapshots.partition_name(kind, batch_id))
                continue
            table = snapshots.default_partition_name(kind)
            cur.execute(
                "SELECT most_common_vals::text, histogram_bounds::text FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = %(table)s AND attname = 'batch_id'",
                {"table": table},
            )
            row = cur.fetchone()
            if row is not None:
                common = {int(v) for v in (row[0] or "{}").strip("{}").split(",") if v}
                bounds = [int(v) for v in (row[1] or "{}").strip("{}").split(",") if v]
                if batch_id in common or (bounds and bounds[0] <= batch_id <= bounds[-1]):
                    continue
            stale.append(table)
        for table in dict.fromkeys(stale):
            cur.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return stale
