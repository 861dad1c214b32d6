"""Every column rule of rosters.md at its boundaries, through the row checker that the
intake runs (the same generated function, on a one-row file)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment.reading import FileRejected
from enrollment.roster_specs import SPECS
from enrollment.validation import References, RowChecker, values_from_copy
from tests.enrollment.factories import header, valid_row
from wuhai_coverage.core.validators import ric_check_char


def _id_ending_in_x() -> str:
    for seq in range(1000):
        first17 = f"150302197503041{seq % 100:02d}"[:17]
        if ric_check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check digit found")


ID_X = _id_ending_in_x()


def verdict(kind: str, *, drop: tuple[str, ...] = (), **cells: str):
    """Check one row: returns (values by column or None when rejected, [(column, code, severity)])."""
    row = valid_row(kind, **cells)
    keys = [k for k in header(kind) if k not in drop]
    checker = RowChecker(SPECS[kind], keys, References.load())
    text, _key, issues = checker.check_text([row[k] for k in keys], 2)
    found = [(i.column, i.code, i.severity) for i in issues or []]
    if text is None:
        return None, found
    return dict(zip(checker.columns, values_from_copy(text.split("\t")), strict=True)), found


def loads_as(kind, column, value, expected, **other):
    values, issues = verdict(kind, **{column: value}, **other)
    assert values is not None, issues
    assert issues == [], issues
    assert values[column] == expected


def rejected_with(kind, column, value, code, **other):
    values, issues = verdict(kind, **{column: value}, **other)
    assert values is None
    assert (column, code, "error") in issues, issues


def dropped_with(kind, column, value, code, **other):
    values, issues = verdict(kind, **{column: value}, **other)
    assert values is not None, issues
    assert values[column] is None or values[column] == SPECS[kind].column(column).default
    assert (column, code, "warning") in issues, issues


pytestmark = pytest.mark.django_db


# --- uscc -----------------------------------------------------------------------------------
KNOWN = "91110000600037341L"


@pytest.mark.parametrize(
    "value, expected",
    [
        (KNOWN, KNOWN),
        (KNOWN.lower(), KNOWN),
        (f"  {KNOWN} ", KNOWN),
    ],
)
def test_uscc_is_uppercased_and_trimmed(value, expected):
    loads_as("market_entities", "uscc", value, expected)


@pytest.mark.parametrize(
    "value",
    [
        KNOWN[:17],
        KNOWN + "0",
        "91110000600037341I",
        "91110000600037341A",
        "9111000060003734-L",
        "911100006000373４1L",
    ],
)
def test_bad_uscc_rejects_the_row(value):
    rejected_with("market_entities", "uscc", value, "invalid_uscc")


def test_bad_builder_uscc_rejects_the_row_but_bad_employer_uscc_is_only_dropped():
    rejected_with("construction_projects", "builder_uscc", "123", "invalid_uscc")
    dropped_with("insurance_persons", "employer_uscc", "123", "invalid_uscc")


@pytest.mark.parametrize(
    "kind, column",
    [
        ("market_entities", "uscc"),
        ("tax_payroll", "uscc"),
        ("dust_hazard", "uscc"),
        ("insurance_employers", "uscc"),
        ("civil_affairs", "id_number"),
        ("household_registry", "id_number"),
        ("insurance_persons", "id_number"),
        ("construction_projects", "project_code"),
        ("insurance_projects", "project_code"),
        ("market_entities", "name"),
        ("tax_payroll", "period"),
        ("insurance_persons", "insurance_type"),
        ("household_registry", "street_code"),
        ("construction_projects", "start_date"),
        ("insurance_employers", "declared_base_total"),
        ("dust_hazard", "exposed_workers"),
    ],
)
def test_an_empty_required_cell_rejects_the_row(kind, column):
    rejected_with(kind, column, "   ", "required")


# --- id_number ------------------------------------------------------------------------------
def test_id_number_x_is_folded_and_birth_date_and_sex_derived():
    values, _ = verdict("household_registry", id_number=ID_X.lower())
    assert values["id_number"] == ID_X
    assert values["birth_date"] == "1975-03-04"
    assert values["sex"] == ("M" if int(ID_X[16]) % 2 else "F")


def test_15_digit_id_number_is_converted():
    legacy = "150302750304123"
    first17 = "15030219750304123"
    loads_as("poverty_registry", "id_number", legacy, first17 + ric_check_char(first17))


@pytest.mark.parametrize(
    "value",
    [
        ID_X[:17],
        ID_X + "1",
        ID_X[:17] + ("1" if ID_X[17] != "1" else "2"),  # length 17, 19, wrong check
        "15030219990230" + "1234",  # 30 February
        "1503027503041234",  # 16 digits
        "15030275030412A",  # 15 with a letter
    ],
)
def test_bad_id_number_rejects_the_row(value):
    rejected_with("civil_affairs", "id_number", value, "invalid_id_number")


def test_leap_day_birth_is_a_real_date_only_in_a_leap_year():
    ok17, bad17 = "15030220000229123", "15030219000229123"
    loads_as("disability_registry", "id_number", ok17 + ric_check_char(ok17), ok17 + ric_check_char(ok17))
    rejected_with("disability_registry", "id_number", bad17 + ric_check_char(bad17), "invalid_id_number")


# --- regions --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [("150302", "150302"), ("海勃湾区", "150302"), ("海南区", "150303"), ("乌达区", "150304")],
)
def test_district_by_code_or_name(value, expected):
    loads_as("market_entities", "district_code", value, expected, street_code="")


@pytest.mark.parametrize("kind", ["market_entities", "tax_payroll", "insurance_employers", "civil_affairs"])
@pytest.mark.parametrize("value", ["110101", "150305", "15030", "东城区"])
def test_a_district_outside_wuhai_rejects_the_row_even_when_optional(kind, value):
    extra = {"street_code": ""} if "street_code" in valid_row(kind) else {}
    rejected_with(kind, "district_code", value, "unknown_region", **extra)


def test_an_optional_district_may_be_empty():
    loads_as("tax_payroll", "district_code", "", None)


@pytest.mark.parametrize(
    "street",
    [
        "150303001",  # a real street, but in 海南区
        "150304001",  # a civil-affairs (MCA) code, not an NBS code
        "15030200",  # 8 digits
    ],
)
def test_an_unknown_or_mismatched_optional_street_is_dropped(street):
    dropped_with("market_entities", "street_code", street, "unknown_region", district_code="150302")


def test_a_mismatched_required_street_rejects_the_row():
    rejected_with("household_registry", "street_code", "150303001", "unknown_region", district_code="150302")
    rejected_with("household_registry", "street_code", "150304001", "unknown_region", district_code="150304")


def test_the_nbs_code_is_what_a_street_code_means():
    # 150302001 is 凤凰岭街道 in the NBS list (and 新华街道 in the MCA one): it is accepted.
    loads_as("household_registry", "street_code", "150302001", "150302001", district_code="150302")


# --- industry -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("B0610", "B0610"),
        ("b0610", "B0610"),
        ("0610", "B0610"),
        ("B06", "B06"),
        ("06", "B06"),
        ("C3011", "C3011"),
        ("3011", "C3011"),
        ("B061", "B061"),
    ],
)
def test_industry_code_is_normalised(value, expected):
    loads_as("market_entities", "industry_code", value, expected)


@pytest.mark.parametrize("value", ["C0610", "9910", "B06100", "B6", "X", "06-10"])
def test_a_bad_industry_code_is_dropped(value):
    dropped_with("market_entities", "industry_code", value, "invalid_format")


# --- phones ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value", ["13912345678", "+86 139-1234-5678", "139 1234 5678", "+8613912345678", "19912345678"]
)
def test_phone_is_normalised(value):
    loads_as("household_registry", "phone", value, value.replace("+86", "").replace(" ", "").replace("-", ""))


@pytest.mark.parametrize(
    "value", ["12912345678", "1391234567", "139123456789", "0471-1234567", "1391234567a"]
)
def test_a_bad_phone_is_only_a_warning(value):
    dropped_with("household_registry", "phone", value, "invalid_phone")
    dropped_with("insurance_persons", "phone", value, "invalid_phone")


# --- integers and money ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected", [("0", "0"), ("7", "7"), ("007", "7"), ("2147483647", "2147483647")]
)
def test_integer_bounds(value, expected):
    loads_as("dust_hazard", "exposed_workers", value, expected)


@pytest.mark.parametrize("value", ["-1", "2147483648", "1.5", "1,000", "三"])
def test_integer_out_of_bounds_rejects_a_required_cell_and_drops_an_optional_one(value):
    rejected_with("dust_hazard", "exposed_workers", value, "invalid_number")
    dropped_with("market_entities", "employees_reported", value, "invalid_number")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0", "0"),
        ("0.00", "0.00"),
        ("1234.5", "1234.5"),
        ("1,234.50", "1234.50"),
        ("12,345,678.90", "12345678.90"),
        ("99999999999999.99", "99999999999999.99"),
    ],
)
def test_money(value, expected):
    loads_as("tax_payroll", "payroll_total", value, expected)


@pytest.mark.parametrize(
    "value", ["-1", "1.234", "1,23", "1234,567.00", ".5", "1.", "100000000000000", "¥100"]
)
def test_bad_money(value):
    rejected_with("tax_payroll", "payroll_total", value, "invalid_number")
    dropped_with("construction_projects", "contract_amount", value, "invalid_number")


def test_arrears_default_to_zero_and_subsidized_to_false():
    loads_as("insurance_employers", "arrears_amount", "", "0")
    loads_as("insurance_persons", "subsidized", "", "f")


# --- dates and periods ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("2015-03-08", "2015-03-08"),
        ("2015/3/8", "2015-03-08"),
        ("2015/03/08", "2015-03-08"),
        ("20150308", "2015-03-08"),
        ("2016-02-29", "2016-02-29"),
    ],
)
def test_dates(value, expected):
    loads_as("market_entities", "established_on", value, expected)


@pytest.mark.parametrize(
    "value",
    ["2015-02-29", "2015-13-01", "2015-3-8", "08/03/2015", "2015.03.08", "201503", "2015-03-08 10:00"],
)
def test_bad_dates(value):
    rejected_with("market_entities", "established_on", value, "invalid_date")
    dropped_with("civil_affairs", "valid_to", value, "invalid_date")


@pytest.mark.parametrize("value", ["2026-10", "202610", "2026/10"])
def test_periods(value):
    loads_as("tax_payroll", "period", value, "202610")


@pytest.mark.parametrize("value", ["2026-13", "2026-00", "2026-1", "20261", "2026-10-01", "2026年10月"])
def test_bad_periods(value):
    rejected_with("tax_payroll", "period", value, "invalid_period")
    dropped_with("insurance_employers", "last_paid_period", value, "invalid_period")


# --- choices --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "column, value, expected",
    [
        ("entity_type", "Enterprise", "enterprise"),
        ("entity_type", "有限责任公司", "enterprise"),
        ("entity_type", "个体工商户", "individual"),
        ("entity_type", "农民专业合作社", "coop"),
        ("entity_type", "分支机构", "branch"),
        ("status", "存续", "active"),
        ("status", "歇业", "suspended"),
        ("status", "迁出", "deregistered"),
        ("status", "吊销", "revoked"),
        ("status", "REVOKED", "revoked"),
    ],
)
def test_market_choices(column, value, expected):
    loads_as("market_entities", column, value, expected)


@pytest.mark.parametrize(
    "kind, column, value",
    [
        ("market_entities", "entity_type", "company"),
        ("market_entities", "status", "active!"),
        ("civil_affairs", "category", "低保户"),
        ("poverty_registry", "status", "脱贫"),
        ("disability_registry", "disability_level", "5"),
        ("disability_registry", "disability_level", "0"),
        ("insurance_persons", "scheme", "职工"),
        ("insurance_persons", "insurance_type", "医疗"),
    ],
)
def test_a_value_outside_the_choices_rejects_the_row(kind, column, value):
    rejected_with(kind, column, value, "invalid_choice")


@pytest.mark.parametrize("value, expected", [("一级", "1"), ("四级", "4"), ("1", "1"), ("4", "4")])
def test_disability_levels(value, expected):
    loads_as("disability_registry", "disability_level", value, expected)


@pytest.mark.parametrize(
    "value, expected",
    [("是", "t"), ("TRUE", "t"), ("1", "t"), ("否", "f"), ("false", "f"), ("0", "f"), ("", "f")],
)
def test_subsidized(value, expected):
    loads_as("insurance_persons", "subsidized", value, expected)


def test_a_bad_subsidized_value_is_dropped_to_false():
    dropped_with("insurance_persons", "subsidized", "maybe", "invalid_choice")


# --- text and project codes -----------------------------------------------------------------
def test_text_up_to_200_characters():
    loads_as("market_entities", "name", "企" * 200, "企" * 200)
    rejected_with("market_entities", "name", "企" * 201, "too_long")
    dropped_with("market_entities", "address", "址" * 201, "too_long")


@pytest.mark.parametrize(
    "value",
    [
        "'); DROP TABLE enrollment_rosterbatch;--",
        "<script>alert(1)</script>",
        '=HYPERLINK("http://evil.example","点我")',
        "tab\there",
        "back\\slash\\N",
    ],
)
def test_hostile_text_is_stored_verbatim(value):
    loads_as("market_entities", "name", value, value)


@pytest.mark.parametrize("value", ["JZ-2026-001", "A", "a" * 40, "150302-2026-0001"])
def test_project_codes(value):
    loads_as("construction_projects", "project_code", value, value)


@pytest.mark.parametrize("value", ["a" * 41, "JZ 2026", "JZ_2026", "JZ/2026", "项目1"])
def test_bad_project_codes(value):
    rejected_with("insurance_projects", "project_code", value, "invalid_format")


# --- insurance_persons: last_paid_period required for active / interrupted -------------------
@pytest.mark.parametrize("status", ["active", "interrupted", "正常", "暂停缴费"])
def test_last_paid_period_is_required_for_paying_statuses(status):
    rejected_with("insurance_persons", "last_paid_period", "", "required", status=status)
    rejected_with("insurance_persons", "last_paid_period", "2026-13", "invalid_period", status=status)


@pytest.mark.parametrize("status", ["retired", "terminated", "领取待遇"])
def test_last_paid_period_is_optional_otherwise(status):
    loads_as("insurance_persons", "last_paid_period", "", None, status=status)
    dropped_with("insurance_persons", "last_paid_period", "2026-13", "invalid_period", status=status)


def test_the_last_paid_period_column_may_be_absent():
    values, issues = verdict("insurance_persons", drop=("last_paid_period",), status="retired")
    assert values is not None and values["last_paid_period"] is None and issues == []
    values, issues = verdict("insurance_persons", drop=("last_paid_period",), status="active")
    assert values is None and ("last_paid_period", "required", "error") in issues


# --- several errors, one row ----------------------------------------------------------------
def test_a_row_with_several_errors_reports_each():
    values, issues = verdict("market_entities", uscc="bad", established_on="never", status="??")
    assert values is None
    assert {c for c, _, s in issues if s == "error"} == {"uscc", "established_on", "status"}


# --- headers --------------------------------------------------------------------------------
def test_headers_match_case_insensitively_after_trimming_and_unknown_ones_are_ignored():
    refs = References.load()
    checker = RowChecker(SPECS["insurance_projects"], [" Project_Code ", "参保日期", "备注", "经办人"], refs)
    assert checker.ignored_columns == ["备注", "经办人"]


def test_two_headers_for_one_key_reject_the_file():
    with pytest.raises(FileRejected, match="uscc"):
        RowChecker(
            SPECS["market_entities"], [*header("market_entities"), "统一社会信用代码"], References.load()
        )


def test_a_missing_required_column_rejects_the_file_naming_it():
    cols = [h for h in header("market_entities") if h != "established_on"]
    with pytest.raises(FileRejected, match="established_on"):
        RowChecker(SPECS["market_entities"], cols, References.load())


@pytest.mark.parametrize("alias", ["区划代码", "区县代码", "所属区县"])
def test_every_kind_accepts_the_common_district_aliases(alias):
    for kind, spec in SPECS.items():
        if any(c.key == "district_code" for c in spec.columns):
            checker = RowChecker(
                spec, [alias if h == "district_code" else h for h in header(kind)], References.load()
            )
            assert checker.ignored_columns == [], kind


def test_every_alias_of_the_contract_is_accepted():
    for kind, spec in SPECS.items():
        for col in spec.columns:
            for alias in col.aliases:
                cols = [alias if h == col.key else h for h in header(kind)]
                assert RowChecker(spec, cols, References.load()).ignored_columns == [], (kind, alias)


def test_date_cells_from_a_workbook_are_dates_and_periods():
    checker = RowChecker(SPECS["tax_payroll"], header("tax_payroll"), References.load())
    row = valid_row("tax_payroll")
    cells = [row[k] for k in header("tax_payroll")]
    cells[2] = dt.date(2026, 9, 1)
    text, _, issues = checker.check(cells, 2)
    assert text is not None and issues is None
    assert text.split("\t")[2] == "202609"
