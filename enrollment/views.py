"""Pages for bureau staff: deliveries by department and kind, a batch with its error
report (and its XLSX download), and each department's delivery calendar."""
from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from enrollment import selectors
from enrollment.exports import issues_workbook
from enrollment.models import RosterBatch, RosterIssue, RosterKind
from wuhai_coverage.core import access
from wuhai_coverage.core.models import Department
from wuhai_coverage.core.roles import VIEW_ROSTERS

ISSUES_PER_PAGE = 100
RECENT_BATCHES = 50


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    access.require(request.user, VIEW_ROSTERS)
    kind = request.GET.get("kind") if request.GET.get("kind") in RosterKind.values else None
    department = request.GET.get("department") if request.GET.get("department") in Department.values else None
    recent = selectors.batch_list(user=request.user, kind=kind, department=department)[:RECENT_BATCHES]
    return render(request, "enrollment/deliveries.html", {
        "departments": selectors.deliveries(user=request.user), "recent": recent,
        "kinds": RosterKind.choices, "department_choices": Department.choices,
        "kind": kind, "department": department,
    })


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, VIEW_ROSTERS)
    batch = selectors.batch_get_for_user(user=request.user, pk=pk)
    if request.htmx and request.GET.get("fragment") == "progress":
        return render(request, "enrollment/_progress.html", {"batch": batch})
    severity = request.GET.get("severity") if request.GET.get("severity") in RosterIssue.Severity.values else None
    page = Paginator(selectors.batch_issues(batch=batch, severity=severity), ISSUES_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "enrollment/batch.html", {
        "batch": batch, "page": page, "severity": severity,
        "processing": batch.status == RosterBatch.Status.PROCESSING,
    })


@login_required
def batch_errors_xlsx(request: HttpRequest, pk: int) -> FileResponse:
    access.require(request.user, VIEW_ROSTERS)
    batch = selectors.batch_get_for_user(user=request.user, pk=pk)
    out = tempfile.TemporaryFile()  # written in write-only mode: memory stays flat for big reports
    issues_workbook(batch=batch, issues=selectors.batch_issues(batch=batch), out=out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"roster-{batch.pk}-errors.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    access.require(request.user, VIEW_ROSTERS)
    return render(request, "enrollment/calendar.html", {"calendar": selectors.delivery_calendar(user=request.user)})
