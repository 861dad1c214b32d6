"""Valid roster rows of every kind, and files built from them (CSV in either encoding,
XLSX), so that each test changes only the cell it is about."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random

from enrollment.roster_specs import SPECS
from tests.factories import make_id_number, make_uscc

_seq = itertools.count(1)
_rng = random.Random(20201117)


def uscc() -> str:
    return make_uscc(_rng)


def id_number(birth: dt.date = dt.date(1980, 5, 17)) -> str:
    return make_id_number(birth, seq=next(_seq) % 100, rng=_rng)


def project_code() -> str:
    return f"JZ-2026-{next(_seq):05d}"


def valid_row(kind: str, **overrides: str) -> dict[str, str]:
    """A row (column key → cell text) that loads cleanly."""
    row: dict[str, str]
    if kind == "market_entities":
        row = {
            "uscc": uscc(),
            "name": "乌海市黄河煤业有限公司",
            "entity_type": "enterprise",
            "status": "active",
            "established_on": "2015-03-08",
            "district_code": "150302",
            "street_code": "150302001",
            "industry_code": "B0610",
            "legal_representative": "王伟",
            "address": "海勃湾区滨河路1号",
            "phone": "13912345678",
            "employees_reported": "25",
        }
    elif kind == "tax_payroll":
        row = {
            "uscc": uscc(),
            "name": "乌海市黄河煤业有限公司",
            "period": "2026-10",
            "payroll_headcount": "25",
            "payroll_total": "187500.00",
            "district_code": "150302",
        }
    elif kind == "civil_affairs":
        row = {
            "id_number": id_number(),
            "name": "李娜",
            "category": "dibao",
            "valid_from": "2024-01-01",
            "valid_to": "",
            "district_code": "150303",
            "street_code": "150303001",
        }
    elif kind == "poverty_registry":
        row = {
            "id_number": id_number(),
            "name": "张敏",
            "status": "active",
            "district_code": "150304",
            "street_code": "150304002",
        }
    elif kind == "disability_registry":
        row = {
            "id_number": id_number(),
            "name": "刘强",
            "disability_level": "2",
            "district_code": "150302",
            "street_code": "150302002",
        }
    elif kind == "dust_hazard":
        row = {
            "uscc": uscc(),
            "name": "乌海市桌子山矿业有限公司",
            "hazard_factor": "矽尘",
            "exposed_workers": "40",
            "industry_code": "B06",
        }
    elif kind == "construction_projects":
        row = {
            "project_code": project_code(),
            "project_name": "滨河住宅小区工程",
            "builder_uscc": uscc(),
            "builder_name": "乌海市宏远建筑工程有限公司",
            "district_code": "150302",
            "start_date": "2026-04-01",
            "contract_amount": "12,500,000.00",
            "planned_workers": "120",
        }
    elif kind == "household_registry":
        row = {
            "id_number": id_number(),
            "name": "陈静",
            "district_code": "150302",
            "street_code": "150302003",
            "community": "和平社区居委会",
            "phone": "13712345678",
        }
    elif kind == "insurance_employers":
        row = {
            "uscc": uscc(),
            "name": "乌海市黄河煤业有限公司",
            "district_code": "150302",
            "insured_pension": "20",
            "insured_injury": "20",
            "insured_unemployment": "20",
            "declared_base_total": "120000.00",
            "arrears_amount": "0",
            "last_paid_period": "202610",
        }
    elif kind == "insurance_persons":
        row = {
            "id_number": id_number(),
            "name": "杨洋",
            "insurance_type": "pension",
            "scheme": "employee",
            "status": "active",
            "employer_uscc": uscc(),
            "last_paid_period": "2026-10",
            "contribution_base": "5200",
            "subsidized": "否",
            "phone": "13612345678",
        }
    elif kind == "insurance_projects":
        row = {"project_code": project_code(), "enrolled_on": "2026-04-02"}
    else:
        raise ValueError(kind)
    assert set(row) == {c.key for c in SPECS[kind].columns}, kind
    row.update(overrides)
    return row


def header(kind: str, *, chinese: bool = False) -> list[str]:
    cols = SPECS[kind].columns
    return [(c.aliases[0] if chinese and c.aliases else c.key) for c in cols]


def table(kind: str, rows: list[dict[str, str]], *, chinese: bool = False) -> list[list[str]]:
    keys = [c.key for c in SPECS[kind].columns]
    return [header(kind, chinese=chinese)] + [[r.get(k, "") for k in keys] for r in rows]


def to_csv(cells: list[list[str]], *, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(cells)
    return buf.getvalue().encode(encoding)


def roster_csv(
    kind: str, rows: list[dict[str, str]], *, chinese: bool = False, encoding: str = "utf-8"
) -> bytes:
    return to_csv(table(kind, rows, chinese=chinese), encoding=encoding)


def to_xlsx(sheets: dict[str, list[list]], *, active: int = 0) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.active = active
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bulk_market_csv(path, n: int, *, seed: int = 7) -> None:
    """A large, valid market_entities file written line by line (for crash and worker tests)."""
    from wuhai_coverage.core.validators import uscc_check_char

    streets = ["150302001", "150302002", "150303001", "150304002"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header("market_entities", chinese=True)) + "\r\n")
        for i in range(n):
            body = f"91150302{seed:02d}{i:07d}"
            street = streets[i % 4]
            fh.write(
                f"{body + uscc_check_char(body)},乌海市测试{i}商贸有限公司,企业,存续,2015-03-0{i % 9 + 1},"
                f"{street[:6]},{street},C3011,王伟,海勃湾区{i}号,1390000{i % 10000:04d},{i % 50}\r\n"
            )
