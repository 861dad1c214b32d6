"""Pages for bureau staff: deliveries by department and kind, a batch with its error
report (and its XLSX download), and each department's delivery calendar; the registry of
employers and persons of the user's jurisdiction (ID numbers and phones masked, reveals
logged)."""

from __future__ import annotations

import tempfile
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment import selectors
from enrollment.exports import issues_workbook
from enrollment.models import Enrollment, RosterBatch, RosterIssue, RosterKind
from wuhai_coverage.core import access, privacy
from wuhai_coverage.core.http import client_ip, search_post_redirect
from wuhai_coverage.core.models import AccessLog, Department, District
from wuhai_coverage.core.roles import REVEAL_PERSONAL, VIEW_ROSTERS, VIEW_TASKS
from wuhai_coverage.core.services import access_log_reveal
from wuhai_coverage.core.validators import fast_id_number

ISSUES_PER_PAGE = 100
RECENT_BATCHES = 50


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    access.require(request.user, VIEW_ROSTERS)
    kind = request.GET.get("kind") if request.GET.get("kind") in RosterKind.values else None
    department = request.GET.get("department") if request.GET.get("department") in Department.values else None
    recent = selectors.batch_list(user=request.user, kind=kind, department=department)[:RECENT_BATCHES]
    return render(
        request,
        "enrollment/deliveries.html",
        {
            "departments": selectors.deliveries_list(user=request.user),
            "recent": recent,
            "kinds": RosterKind.choices,
            "department_choices": Department.choices,
            "kind": kind,
            "department": department,
        },
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, VIEW_ROSTERS)
    batch = selectors.batch_get_for_user(user=request.user, pk=pk)
    if request.htmx and request.GET.get("fragment") == "progress":
        return render(request, "enrollment/_progress.html", {"batch": batch})
    severity = (
        request.GET.get("severity") if request.GET.get("severity") in RosterIssue.Severity.values else None
    )
    page = Paginator(selectors.batch_issues_list(batch=batch, severity=severity), ISSUES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "enrollment/batch.html",
        {
            "batch": batch,
            "page": page,
            "severity": severity,
            "processing": batch.status == RosterBatch.Status.PROCESSING,
        },
    )


@login_required
def batch_errors_xlsx(request: HttpRequest, pk: int) -> FileResponse:
    access.require(request.user, VIEW_ROSTERS)
    batch = selectors.batch_get_for_user(user=request.user, pk=pk)
    out = tempfile.TemporaryFile()  # written in write-only mode: memory stays flat for big reports
    issues_workbook(batch=batch, issues=selectors.batch_issues_list(batch=batch), out=out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"roster-{batch.pk}-errors.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    access.require(request.user, VIEW_ROSTERS)
    return render(
        request, "enrollment/calendar.html", {"calendar": selectors.delivery_calendar_get(user=request.user)}
    )


# --- The registry: employers and persons of the user's jurisdiction ---------------------

REGISTRY_PAGE_SIZE = 50
# The market roster's English values (rosters.md → market_entities) as the pages show them.
MARKET_STATUS_LABELS = {"active": "存续", "suspended": "停业", "deregistered": "注销", "revoked": "吊销"}
ENTITY_TYPE_LABELS = {
    "enterprise": "企业",
    "individual": "个体工商户",
    "coop": "农民专业合作社",
    "branch": "分支机构",
}


def _label_employers(employers) -> None:
    for e in employers:
        e.market_status_label = MARKET_STATUS_LABELS.get(e.market_status, e.market_status)
        e.entity_type_label = ENTITY_TYPE_LABELS.get(e.entity_type, e.entity_type)


def _registry_filters(request: HttpRequest) -> tuple[selectors.RegistryFilters, str | None]:
    try:
        return selectors.RegistryFilters.from_query(request.GET), None
    except selectors.FilterError as exc:
        return selectors.RegistryFilters(), str(exc)


def _registry_list(request: HttpRequest, *, template: str, list_fn, decorate=None) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    f, error = _registry_filters(request)
    try:
        rows = list_fn(user=request.user, filters=f)
    except selectors.FilterError as exc:
        f, error = selectors.RegistryFilters(), str(exc)
        rows = list_fn(user=request.user, filters=f)
    page = Paginator(rows, REGISTRY_PAGE_SIZE).get_page(request.GET.get("page"))
    if decorate:
        decorate(page.object_list)
    params = {
        k: v
        for k, v in {
            "q": f.q,
            "district": f.district,
            "street": f.street,
            "enrolled": "" if f.enrolled is None else int(f.enrolled),
        }.items()
        if v != ""
    }
    jurisdiction = access.jurisdiction_of(request.user)
    return render(
        request,
        template,
        {
            "page": page,
            "f": f,
            "error": error,
            "qs_base": urlencode(params),
            "streets": selectors.streets_for(user=request.user),
            "districts": District.objects.all() if jurisdiction.city else [],
            "can_reveal": access.has(request.user, REVEAL_PERSONAL),
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def employer_list(request: HttpRequest) -> HttpResponse:
    return _registry_list(
        request,
        template="enrollment/registry_employers.html",
        list_fn=selectors.employer_list,
        decorate=_label_employers,
    )


@login_required
@require_GET
def employer_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    employer = selectors.employer_get_for_user(user=request.user, uscc=uscc)
    _label_employers([employer])
    return render(
        request,
        "enrollment/registry_employer.html",
        {
            "e": employer,
            "tasks_url": f"/tasks/?{urlencode({'q': employer.uscc})}",
        },
    )


def _mask_persons(persons) -> None:
    for p in persons:
        p.masked_id = privacy.mask_id_number(p.id_number)
        p.masked_phone = privacy.mask_phone(p.phone)


@login_required
@require_http_methods(["GET", "POST"])
def person_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    if request.method == "POST":  # the search form: no typed ID number in the next URL
        return search_post_redirect(
            request,
            url=reverse("enrollment:persons"),
            person_pk_of=lambda text: selectors.person_list(
                user=request.user, filters=selectors.RegistryFilters(q=text)
            )
            .values_list("pk", flat=True)
            .first(),
            person_url=lambda pk: reverse("enrollment:person", args=[pk]),
        )
    f, error = _registry_filters(request)
    if not error and f.q:
        # A whole ID number: straight to the person's page, so that no page or link the
        # portal makes afterwards carries the key (the pager would repeat it).
        found = (
            selectors.person_list(user=request.user, filters=selectors.RegistryFilters(q=f.q))
            if fast_id_number(f.q)
            else None
        )
        pk = found.values_list("pk", flat=True).first() if found is not None else None
        if pk is not None:
            return redirect("enrollment:person", pk=pk)
    return _registry_list(
        request,
        template="enrollment/registry_persons.html",
        list_fn=selectors.person_list,
        decorate=_mask_persons,
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    _mask_persons([person])
    enrollments = list(selectors.person_enrollments_list(person=person))
    return render(
        request,
        "enrollment/registry_person.html",
        {
            "p": person,
            "enrollments": enrollments,
            "can_reveal": access.has(request.user, REVEAL_PERSONAL),
            "enrolled": any(e.status != Enrollment.Status.TERMINATED for e in enrollments),
        },
    )


@login_required
@require_GET
def person_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """To the task queue filtered by the person's registry pk: the ID number is looked up on
    the server and never travels in a URL (address bar, history, server logs)."""
    access.require(request.user, VIEW_TASKS)
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    return redirect(f"/tasks/?{urlencode({'person': person.pk, 'status': 'all'})}")


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """htmx: the unmasked ID number or phone, written to the access log."""
    access.require(request.user, VIEW_TASKS)
    person = selectors.person_get_for_user(user=request.user, pk=pk)  # 404 outside the jurisdiction
    access.require(request.user, REVEAL_PERSONAL)
    if field not in AccessLog.Field.values:
        raise Http404("no such field")
    access_log_reveal(
        actor=request.user,
        field=field,
        subject_key=person.id_number,
        context=f"person {person.pk}",
        ip=client_ip(request),
    )
    return render(
        request, "enrollment/registry_revealed.html", {"value": getattr(person, field), "field": field}
    )
