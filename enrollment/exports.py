"""The XLSX error report of a batch (openpyxl, write-only: rows stream to the file)."""

from __future__ import annotations

import tempfile
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from enrollment.models import RosterBatch
from wuhai_coverage.core import labels

# A cell starting with one of these is a formula (or starts a new line of one) in Excel
# and WPS; "\n" too, since a leading newline hides the "=" that follows from the eye.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
EXPORT_CHUNK = 2_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """A value as a spreadsheet may show it: text that Excel or WPS would read as a
    formula (=, +, -, @ …) gets a leading quote, so a hostile roster cannot plant a
    live formula (=HYPERLINK, DDE) in the bureau's report."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def issues_workbook(*, batch: RosterBatch, issues, out) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("错误报告"))
    bold = Font(bold=True)

    def heading(values):
        row = []
        for v in values:
            cell = WriteOnlyCell(ws, value=v)
            cell.font = bold
            row.append(cell)
        return row

    ws.append(heading([_("名册类型"), _("批次"), _("文件"), _("数据日期"), _("状态"), _("说明")]))
    ws.append(
        [
            safe_cell(v)
            for v in (
                batch.get_kind_display(),
                batch.pk,
                batch.filename,
                batch.snapshot_date.isoformat(),
                batch.get_status_display(),
                batch.message,
            )
        ]
    )
    ws.append([])
    ws.append(heading([_("行号"), _("列"), _("代码"), _("说明"), _("级别")]))
    for issue in issues.iterator(chunk_size=EXPORT_CHUNK):
        ws.append(
            [
                issue.row,
                safe_cell(labels.choice(issue.column, f"roster.columns.{batch.kind}")),
                issue.code,
                safe_cell(issue.message),
                issue.get_severity_display(),
            ]
        )
    wb.save(out)


def issues_workbook_file(*, batch: RosterBatch, issues) -> IO[bytes]:
    """The error report in a temporary file, rewound: written in write-only mode, so memory
    stays flat for big reports; the file goes when the response closes it."""
    out = tempfile.TemporaryFile()
    issues_workbook(batch=batch, issues=issues, out=out)
    out.seek(0)
    return out
