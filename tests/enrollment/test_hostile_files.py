"""No file can hurt the server: the hostile-file corpus (tests/enrollment/hostile.py)
pushed through the real API as a partner, through both XLSX readers, and the worst of it
through a real Celery worker. Each file ends `rejected` with a message that names the
problem (Chinese / English), is not a current snapshot, and a good file pushed right
after loads. Memory is measured in a subprocess (with an address-space limit, so that a
regression aborts that process and not the machine)."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from enrollment import reading
from enrollment.models import MarketEntityRow, RosterBatch
from enrollment.selectors import batch_current_get
from tests.conftest import token_client
from tests.enrollment import hostile
from tests.enrollment.factories import roster_csv, table, to_xlsx, valid_row
from tests.factories import make_user

BASE_DIR = Path(__file__).resolve().parents[2]
FAR = dt.date(2100, 1, 1)

# builder, a fragment of the message that names the problem
WORKBOOKS = {
    "sparse_cell_bomb": (hostile.sparse_cell_bomb, "16384 列"),
    "sparse_cell_bomb_without_dimension": (lambda: hostile.sparse_cell_bomb(dimension=None), "16384 列"),
    "lying_dimension": (hostile.lying_dimension, "16384 列"),
    "huge_declared_dimension": (hostile.huge_declared_dimension, "声明的范围"),
    "far_cell_first_in_its_row": (hostile.unsorted_refs_bomb, "16384 列"),
    "far_cell_with_another_prefix": (hostile.prefixed_far_cell, "16384 列"),
    "billion_laughs_in_the_sheet": (lambda: hostile.billion_laughs("sheet"), "DTD"),
    "billion_laughs_in_shared_strings": (lambda: hostile.billion_laughs("sharedStrings"), "DTD"),
    "billion_laughs_in_workbook_xml": (lambda: hostile.billion_laughs("workbook"), "DTD"),
    "external_entity": (hostile.external_entity, "外部实体"),
    "ten_thousand_sheets": (hostile.many_sheets, "条目"),
    "ten_thousand_sheets_in_workbook_xml": (hostile.many_sheets_one_part, "10000 个工作表"),
    "four_billion_shared_strings": (hostile.huge_shared_strings_count, "共享字符串"),
    "zip_bomb_declared": (hostile.zip_bomb, "压缩炸弹"),
    "zip_bomb_honest": (hostile.honest_zip_bomb, "压缩炸弹"),
    "zip_bomb_lying_header": (hostile.lying_zip_bomb, "校验值不符"),
    "truncated_zip": (hostile.truncated_xlsx, "压缩包损坏"),
    "path_traversal_names": (hostile.path_traversal_xlsx, "条目名称不安全"),
    "twenty_thousand_entries": (hostile.many_entries_zip, "条目"),
    "one_cell_name_repeated": (hostile.one_ref_repeated, "单元格"),
    "cells_without_refs": (hostile.cells_without_refs, "单元格"),
}


@pytest.fixture(params=["calamine", "openpyxl-stream"])
def xlsx_reader(request, monkeypatch):
    if request.param == "openpyxl-stream":
        monkeypatch.setattr(reading, "XLSX_CALAMINE_MAX_BYTES", 0)
    return request.param


@pytest.fixture
def market_client(db):
    return token_client(make_user("partner", department="market"))


def push_and_settle(client, content: bytes, name: str, django_capture_on_commit_callbacks) -> dict:
    """POST /api/v1/rosters/ and the batch as it ends (inline or queued: on-commit work runs)."""
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/v1/rosters/",
            {"kind": "market_entities", "file": hostile_upload(content, name)},
            format="multipart",
        )
    assert r.status_code in (200, 201, 202), r.content
    return client.get(f"/api/v1/rosters/{r.json()['id']}/").json()


def hostile_upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def good_market_xlsx(n: int = 3) -> bytes:
    return to_xlsx({"Sheet1": table("market_entities", [valid_row("market_entities") for _ in range(n)])})


def assert_rejected(body: dict, fragment: str) -> None:
    assert body["status"] == "rejected", body
    # one message, in the site's language (Chinese msgids; the English is in the catalogue)
    assert fragment in body["message"] and " / " not in body["message"], body["message"]
    assert batch_current_get(kind="market_entities", as_of=FAR) is None
    assert RosterBatch.objects.filter(status="processing").count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(WORKBOOKS))
def test_a_hostile_workbook_is_rejected_and_the_next_push_loads(
    case, xlsx_reader, market_client, django_capture_on_commit_callbacks
):
    build, fragment = WORKBOOKS[case]
    content = build()
    body = push_and_settle(market_client, content, "roster.xlsx", django_capture_on_commit_callbacks)
    assert_rejected(body, fragment)

    # the same file again: answered with its rejection, never stuck as processing
    again = market_client.post(
        "/api/v1/rosters/",
        {"kind": "market_entities", "file": hostile_upload(content, "roster.xlsx")},
        format="multipart",
    )
    assert again.status_code == 200 and again.json()["status"] == "rejected"

    good = push_and_settle(market_client, good_market_xlsx(), "good.xlsx", django_capture_on_commit_callbacks)
    assert (good["status"], good["rows_loaded"]) == ("loaded", 3), good
    assert batch_current_get(kind="market_entities", as_of=FAR).pk == good["id"]


@pytest.mark.django_db
def test_the_4_9_kb_sparse_cell_bomb_of_the_issue(market_client, django_capture_on_commit_callbacks):
    """The table's row: A1 and XFD1048576, as openpyxl writes them (with docProps, theme,
    styles: 4.9 KB). calamine would allocate 512 GB and abort the process."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"], wb.active["XFD1048576"] = "uscc", "x"
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"sparse-{os.getpid()}.xlsx"
    wb.save(path)
    content = path.read_bytes()
    path.unlink()
    assert 4000 < len(content) < 6000
    body = push_and_settle(market_client, content, "roster.xlsx", django_capture_on_commit_callbacks)
    assert_rejected(body, "16384 列")
    assert "范围有 16384 列" in body["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["sparse_rows", "dimension_too_small"])
def test_a_sparse_or_misdeclared_sheet_is_streamed_within_its_real_cells(
    case, xlsx_reader, market_client, django_capture_on_commit_callbacks
):
    """Forty columns and a last cell in row 1,048,576: within the limits, so read — by the
    streaming reader, never as calamine's 42-million-cell rectangle. And a `<dimension>`
    smaller than the data: every row is read all the same (openpyxl alone stops at it)."""
    rows = [valid_row("market_entities") for _ in range(5)]
    cells = hostile.table_rows(table("market_entities", rows))
    if case == "sparse_rows":
        cells.append((1_048_576, [("AN1048576", "x")]))
        sheet = hostile.sheet_xml(cells)
    else:
        sheet = hostile.sheet_xml(cells, dimension="A1:B2")
    body = push_and_settle(market_client, hostile.xlsx([sheet]), "m.xlsx", django_capture_on_commit_callbacks)
    assert body["status"] == "loaded" and body["rows_loaded"] == 5, body
    if case == "sparse_rows":
        assert body["rows_rejected"] == 1  # row 1,048,576 has no uscc


def test_the_sheet_extent_is_the_farthest_cell_whatever_is_declared(tmp_path):
    path = tmp_path / "m.xlsx"
    rows = [(1, [("A1", "a"), ("C1", "c")]), (2, [("B7", "x")]), (3, [])]
    path.write_bytes(hostile.xlsx([hostile.sheet_xml(rows, dimension="A1:A1")]))
    extent = reading.inspect_xlsx(path)
    assert (extent.max_row, extent.max_col, extent.cells) == (7, 3, 3)


@pytest.mark.parametrize("limit, expect", [(1, "[A-Za-z]{2,4}|[B-Zb-z][A-Za-z]{0}"), (28, None)])
def test_column_regex_matches_exactly_the_columns_beyond(limit, expect):
    import re

    pattern = re.compile(b"(?:" + reading._col_above(limit) + b")$")
    if expect:
        assert reading._col_above(limit).decode() == expect
    for col in range(1, 800):
        name = ""
        n = col
        while n:
            n, r = divmod(n - 1, 26)
            name = chr(65 + r) + name
        assert bool(pattern.match(name.encode())) == (col > limit), (col, name)
        assert bool(pattern.match(name.lower().encode())) == (col > limit), (col, name)


@pytest.mark.parametrize("limit", [1, 9, 10, 99, 300_001, 1_048_576])
def test_row_regex_matches_exactly_the_rows_beyond(limit):
    import re

    pattern = re.compile(b"(?:" + reading._row_above(limit) + b")$")
    for row in list(range(1, 1200)) + [limit - 1, limit, limit + 1, limit * 10, 10_000_000]:
        if row > 0:
            assert bool(pattern.match(str(row).encode())) == (row > limit), row


def test_settings_lower_the_limits(tmp_path, settings):
    settings.ROSTER_MAX_COLUMNS = 5
    path = tmp_path / "m.xlsx"
    path.write_bytes(hostile.xlsx())  # six columns
    with pytest.raises(reading.FileRejected, match="上限 5 列"):
        reading.inspect_xlsx(path)
    settings.ROSTER_MAX_COLUMNS, settings.ROSTER_MAX_CELLS = 200, 10
    path.write_bytes(hostile.xlsx([hostile.sheet_xml(hostile.table_rows([hostile.MARKET_HEADER] * 2))]))
    with pytest.raises(reading.FileRejected, match="单元格"):
        reading.inspect_xlsx(path)


# --- CSV --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_csv_line_without_end_is_one_rejected_record_and_the_rest_loads(
    market_client, tmp_path, django_capture_on_commit_callbacks
):
    rows = [valid_row("market_entities") for _ in range(2)]
    good = roster_csv("market_entities", rows[:1])
    content = (
        good
        + b"9" * (3 * reading.MAX_RECORD_CHARS)
        + b"\r\n"
        + roster_csv("market_entities", rows[1:]).split(b"\r\n", 1)[1]
    )
    body = push_and_settle(market_client, content, "m.csv", django_capture_on_commit_callbacks)
    assert (body["status"], body["rows_loaded"], body["rows_rejected"]) == ("loaded", 2, 1), body
    errors = market_client.get(f"/api/v1/rosters/{body['id']}/errors/").json()["results"]
    assert [(e["row"], e["code"]) for e in errors] == [(3, "too_long")]


@pytest.mark.django_db
def test_a_csv_of_one_endless_line_is_rejected(market_client, tmp_path, django_capture_on_commit_callbacks):
    content = b"uscc," + b"a" * (3 * reading.MAX_RECORD_CHARS)
    body = push_and_settle(market_client, content, "m.csv", django_capture_on_commit_callbacks)
    assert_rejected(body, "表头无法解析")
    good = push_and_settle(
        market_client,
        roster_csv("market_entities", [valid_row("market_entities")]),
        "g.csv",
        django_capture_on_commit_callbacks,
    )
    assert good["status"] == "loaded"


@pytest.mark.django_db
def test_a_csv_header_with_too_many_columns_is_rejected(market_client, django_capture_on_commit_callbacks):
    body = push_and_settle(
        market_client,
        b",".join([b"c%d" % i for i in range(500)]) + b"\r\n1\r\n",
        "m.csv",
        django_capture_on_commit_callbacks,
    )
    assert_rejected(body, "500 列")


def test_a_quoted_record_around_an_endless_line_is_skipped_as_one(tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes(b'a,b\n1,"x\n' + b"y" * (2 * reading.MAX_RECORD_CHARS) + b'\nz",2\n3,4\n')
    records = list(reading.open_roster(path).records())
    assert records == [reading.Malformed(2, records[0].message, "too_long"), (5, ["3", "4"])]


# --- memory, measured in a subprocess ---------------------------------------------------------
RSS_SCRIPT = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from enrollment import reading
    if sys.argv[3] == "stream":
        reading.XLSX_CALAMINE_MAX_BYTES = 0
    outcome, records = "read", 0
    try:
        roster = reading.open_roster(sys.argv[2])
        records = sum(1 for _ in roster.records())
    except reading.FileRejected as exc:
        outcome = "rejected: " + str(exc)[:60]
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking (pytest) process
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(json.dumps({"outcome": outcome, "records": records, "peak_mb": int(hwm.split()[1]) / 1024}))
""")


def peak_rss(path: Path, reader: str = "calamine", *, limit_mb: int = 1024) -> dict:
    """Reads a file in a fresh interpreter under an address-space limit; its outcome and peak RSS."""

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    done = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, str(BASE_DIR), str(path), reader],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=cap,
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "case",
    [
        "sparse_cell_bomb",
        "zip_bomb_lying_header",
        "billion_laughs_in_shared_strings",
        "four_billion_shared_strings",
        "one_cell_name_repeated",
    ],
)
@pytest.mark.parametrize("reader", ["calamine", "stream"])
def test_reading_a_hostile_workbook_stays_small(case, reader, tmp_path):
    path = tmp_path / "h.xlsx"
    path.write_bytes(WORKBOOKS[case][0]())
    result = peak_rss(path, reader)
    assert result["outcome"].startswith("rejected"), result
    assert result["peak_mb"] < 80, result


def test_reading_a_100_mb_csv_line_stays_small(tmp_path):
    path = hostile.endless_line_csv(tmp_path / "long.csv", megabytes=100)
    start = time.monotonic()
    result = peak_rss(path)
    assert result == {"outcome": "read", "records": 1, "peak_mb": result["peak_mb"]}  # the too_long record
    assert result["peak_mb"] < 80, result  # the line alone would be 100 MB, its concatenations 200
    assert time.monotonic() - start < 60


# --- a real worker ----------------------------------------------------------------------------
@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sparse_cell_bomb_through_a_real_celery_worker(celery_worker, settings):
    settings.ROSTER_INLINE_MAX_BYTES = 0  # every push goes to the worker
    client = token_client(make_user("partner", department="market"))

    def push_and_wait(content: bytes, name: str) -> dict:
        r = client.post(
            "/api/v1/rosters/",
            {"kind": "market_entities", "file": hostile_upload(content, name)},
            format="multipart",
        )
        assert r.status_code in (201, 202), r.content
        body, deadline = r.json(), time.monotonic() + 60
        while body["status"] == "processing" and time.monotonic() < deadline:
            time.sleep(0.2)
            body = client.get(f"/api/v1/rosters/{body['id']}/").json()
        return body

    bomb = push_and_wait(hostile.sparse_cell_bomb(), "bomb.xlsx")
    assert bomb["status"] == "rejected" and "16384" in bomb["message"], bomb
    good = push_and_wait(good_market_xlsx(4), "good.xlsx")  # the same worker, still alive
    assert (good["status"], good["rows_loaded"]) == ("loaded", 4), good
    assert MarketEntityRow.objects.filter(batch_id=good["id"]).count() == 4


def test_openpyxl_itself_parses_with_defusedxml(tmp_path):
    """Defence in depth: were the pre-check bypassed, openpyxl (which uses defusedxml when
    it is installed) still refuses the entity declarations instead of expanding them."""
    import openpyxl

    assert openpyxl.DEFUSEDXML
    path = tmp_path / "bl.xlsx"
    path.write_bytes(hostile.billion_laughs("sheet"))
    roster = None
    with pytest.raises(reading.FileRejected):
        roster = reading._open_xlsx_streaming(path, reading.XlsxExtent("xl/worksheets/sheet1.xml", 1, 1, 1))
        list(roster.records())
