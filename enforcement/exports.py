"""The queue as an XLSX workbook: the filtered tasks, one row each, keys masked (an export
is not a logged reveal), every cell through enrollment's one `safe_cell`."""

from __future__ import annotations

from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from enforcement.models import Task, TaskKind
from enrollment.exports import safe_cell
from wuhai_coverage.core import privacy

# The export writes at most this many rows (write_only keeps memory flat).
EXPORT_MAX_ROWS = 100_000
# Rows fetched from the database per round trip while the sheet is written.
EXPORT_CHUNK = 2000

EXPORT_COLUMNS = (
    gettext_lazy("编号"),
    gettext_lazy("任务类型"),
    gettext_lazy("状态"),
    gettext_lazy("优先级"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象编码"),
    gettext_lazy("对象名称"),
    gettext_lazy("区"),
    gettext_lazy("街道"),
    gettext_lazy("经办人"),
    gettext_lazy("生成时间"),
    gettext_lazy("办理期限"),
    gettext_lazy("办结方式"),
)
EXPORT_FIELDS = (
    "id",
    "kind",
    "status",
    "priority",
    "subject_type",
    "subject_key",
    "subject_name",
    "district__name",
    "street__name",
    "assignee__username",
    "opened_at",
    "due_date",
    "resolution",
)


def tasks_workbook(*, tasks: QuerySet[Task], out: IO[bytes]) -> None:
    """Write `tasks` (already scoped and filtered) as one sheet to `out`."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("核查任务"))
    ws.append([str(c) for c in EXPORT_COLUMNS])
    labels = {
        "kind": dict(TaskKind.choices),
        "status": dict(Task.Status.choices),
        "priority": dict(Task.Priority.choices),
        "subject_type": dict(Task.SubjectType.choices),
        "resolution": dict(Task.Resolution.choices),
    }
    tz = timezone.get_current_timezone()
    for row in tasks.values(*EXPORT_FIELDS)[:EXPORT_MAX_ROWS].iterator(chunk_size=EXPORT_CHUNK):
        row["subject_key"] = privacy.mask_subject_key(row["subject_type"], row["subject_key"])
        for name, choices in labels.items():
            row[name] = str(choices.get(row[name], row[name] or ""))
        for name in ("district__name", "street__name", "assignee__username"):
            row[name] = row[name] or ""
        opened = row["opened_at"]
        row["opened_at"] = opened.astimezone(tz).replace(tzinfo=None) if opened else None
        ws.append([safe_cell(row[name]) for name in EXPORT_FIELDS])
    wb.save(out)
