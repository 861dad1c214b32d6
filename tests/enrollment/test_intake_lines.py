"""Plain CSV lines are checked a block at a time (reading.Lines → RowChecker.check_lines,
or check_bare for a block with nothing to trim or escape): the rows, keys, issues (row
numbers, columns, codes, messages, severities) and counts are exactly those of the
record-at-a-time path (RosterFile.records → check_text), whatever the cells hold."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from enrollment import reading
from enrollment.loading import Intake
from enrollment.reading import Lines, open_roster
from enrollment.roster_specs import SPECS
from enrollment.validation import References, RowChecker
from tests.enrollment.factories import header, id_number, valid_row

# Cell values that break a rule (or not) without making the line anything but plain:
# no quote, comma, full-width form or NUL.
BARE_VALUES = ["", "garbage", "x" * 201, "0", "999999999999", "2026-13-01", "20260230", "150399", "19"]
SPACED_VALUES = [" ", "  padded  ", "a\\b", "tab\there", "\u00a0nbsp", "mixed  case"]


def _file(kind: str, rng: random.Random, values: list[str], n: int = 400) -> str:
    keys = [c.key for c in SPECS[kind].columns]
    lines = [",".join(header(kind))]
    earlier: list[str] = []
    for _ in range(n):
        row = valid_row(kind)
        cells = [row[k] for k in keys]
        roll = rng.random()
        if roll < 0.35:  # one or two cells replaced
            for _ in range(rng.choice((1, 2))):
                cells[rng.randrange(len(cells))] = rng.choice(values)
        elif roll < 0.45 and earlier:  # a duplicate of an earlier line (or of a rejected one)
            lines.append(rng.choice(earlier))
            continue
        elif roll < 0.5:  # too few or too many cells
            cells = cells[: rng.randrange(len(cells))] if rng.random() < 0.5 else [*cells, "extra"]
        elif roll < 0.53:
            lines.append("" if rng.random() < 0.5 else "," * (len(cells) - 1))  # blank lines
            continue
        line = ",".join(cells)
        earlier.append(line)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _run(kind: str, path, *, by_lines: bool):
    roster = open_roster(path)
    if not by_lines:
        roster.batches = roster.records  # type: ignore[method-assign]  # the record-at-a-time path
    checker = RowChecker(SPECS[kind], roster.header, References.load())
    issues: list = []
    intake = Intake(
        batch_id=7, roster=roster, checker=checker, on_issues=issues.extend, on_progress=lambda n: None
    )
    rows = [line for _target, chunk in intake.chunks() for line in chunk]
    c = intake.counters
    return rows, issues, (c.total, c.loaded, c.rejected, c.warnings)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(SPECS))
@pytest.mark.parametrize("values", ["bare", "spaced"])
def test_a_block_of_plain_lines_checks_exactly_as_one_record_at_a_time(kind, values, tmp_path):
    rng = random.Random(f"{kind}-{values}")
    text = _file(kind, rng, BARE_VALUES if values == "bare" else BARE_VALUES + SPACED_VALUES)
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")

    # The file does come as Lines, bare or not as its characters say
    roster = open_roster(path)
    blocks = [r for r in roster.batches() if r.__class__ is Lines]
    assert blocks and sum(len(b.lines) for b in blocks) == text.count("\n") - 1
    assert all(b.bare == (values == "bare") for b in blocks)

    by_lines = _run(kind, path, by_lines=True)
    assert by_lines == _run(kind, path, by_lines=False)
    rows, issues, (_total, loaded, rejected, _warnings) = by_lines
    assert loaded == len(rows) > 0 and rejected > 0 and issues
    assert {i.code for i in issues} >= {"required", "duplicate_key"}


@pytest.mark.django_db
def test_lines_resume_after_a_quoted_record_and_number_rows_across_blocks(tmp_path, monkeypatch):
    # Small read blocks: the file spans many, some plain, one with a quoted record
    # spanning lines; row numbers stay those of the file
    monkeypatch.setattr(reading, "READ_BLOCK", 512)
    kind = "household_registry"
    keys = [c.key for c in SPECS[kind].columns]
    lines = [",".join(header(kind))]
    for i in range(200):
        row = valid_row(kind, id_number=id_number(dt.date(1980, 1, 1) + dt.timedelta(days=i)))
        if i == 60:
            row["community"] = '"第一\n社区"'
        if i % 23 == 0:
            row["phone"] = "12345"
        lines.append(",".join(row[k] for k in keys))
    path = tmp_path / "h.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    by_lines = _run(kind, path, by_lines=True)
    assert by_lines == _run(kind, path, by_lines=False)
    _rows, issues, (total, loaded, rejected, _warnings) = by_lines
    assert (total, loaded, rejected) == (200, 200, 0)
    assert [i.row for i in issues] == [i + 2 + (i > 60) for i in range(0, 200, 23)]
    assert sum(1 for r in open_roster(path).batches() if r.__class__ is Lines) > 5
