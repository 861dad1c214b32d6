"""The published list as rows, a CSV and an XLSX: the public columns only, formula-safe."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from enforcement.blacklist.vocabulary import Measure, Violation
from enforcement.models import BlacklistEntry
from enrollment.exports import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def measure_labels(entry: BlacklistEntry) -> list[str]:
    return [str(Measure(code).label) for code in entry.measures if code in Measure.values]


def violation_label(entry: BlacklistEntry) -> str:
    return str(Violation(entry.violation).label) if entry.violation in Violation.values else ""


def public_rows(entries: Iterable[BlacklistEntry]) -> Iterator[list[Any]]:
    """The heading, then one row per listed entry: what the public page shows, no more."""
    yield [
        _("单位名称"),
        _("统一社会信用代码"),
        _("法定代表人"),
        _("失信行为"),
        _("列入依据"),
        _("列入日期"),
        _("到期日期"),
        _("联合惩戒措施"),
    ]
    for entry in entries:
        yield [
            safe_cell(value)
            for value in (
                entry.employer_name,
                entry.employer_uscc,
                entry.legal_representative,
                violation_label(entry),
                entry.legal_basis,
                entry.listed_on.isoformat() if entry.listed_on else "",
                entry.expires_on.isoformat() if entry.expires_on else "",
                _("；").join(measure_labels(entry)),
            )
        ]


def public_workbook(entries: Iterable[BlacklistEntry], *, out: IO[bytes] | Any) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("失信名单"))
    for row in public_rows(entries):
        ws.append(row)
    wb.save(out)
