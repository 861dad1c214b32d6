"""Pages for bureau staff: deliveries by department and kind, a batch with its error
report (and its XLSX download), and each department's delivery calendar; the registry of
employers and persons of the user's jurisdiction (ID numbers and phones masked, reveals
logged)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment import exports, selectors
from enrollment.filters import registry_params
from enrollment.models import (
    Employer,
    Enrollment,
    Person,
    RosterBatch,
    RosterIssue,
    RosterKind,
)
from wuhai_coverage.core import access, labels, listing, privacy
from wuhai_coverage.core.filters import FilterError
from wuhai_coverage.core.http import AuthedRequest, client_ip, search_post_redirect
from wuhai_coverage.core.models import AccessLog, Department, District
from wuhai_coverage.core.roles import PUSH_ROSTERS, REVEAL_PERSONAL, VIEW_ROSTERS, VIEW_TASKS
from wuhai_coverage.core.selectors import api_tokens_of
from wuhai_coverage.core.services import access_log_reveal
from wuhai_coverage.core.validators import fast_id_number

ISSUES_PER_PAGE = 100
RECENT_BATCHES = 50


@login_required
def deliveries(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, VIEW_ROSTERS)
    try:
        recent, error = selectors.batch_list(user=request.user, filters=request.GET), None
    except FilterError as exc:
        recent, error = selectors.batch_list(user=request.user), str(exc)
    context = {
        "departments": selectors.deliveries_list(user=request.user),
        "recent": recent[:RECENT_BATCHES],
        "kinds": RosterKind.choices,
        "department_choices": Department.choices,
        "kind": "" if error else request.GET.get("kind", ""),
        "department": "" if error else request.GET.get("department", ""),
        "error": error,
    }
    return render(request, "enrollment/deliveries.html", context, status=400 if error else 200)


def _require_batches(user) -> None:
    """Bureau staff read every batch; a partner its own department's (the selector scopes)."""
    if not access.has(user, PUSH_ROSTERS):
        access.require(user, VIEW_ROSTERS)


@login_required
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_batches(request.user)
    batch = selectors.batch_get_for_user(user=request.user, pk=pk)
    if request.htmx and request.GET.get("fragment") == "progress":
        return render(request, "enrollment/_progress.html", {"batch": batch})
    severity = request.GET.get("severity")
    severity = severity if severity in RosterIssue.Severity.values else None
    issues = selectors.batch_issues_list(batch=batch, severity=severity)
    context = {
        "batch": batch,
        "columns": f"roster.columns.{batch.kind}",  # the label registry's names of its columns
        "page": Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page")),
        "severity": severity,
        "processing": batch.status == RosterBatch.Status.PROCESSING,
    }
    return render(request, "enrollment/batch.html", context)


@login_required
def batch_errors_xlsx(request: AuthedRequest, pk: int) -> FileResponse:
    _require_batches(request.user)
    batch = selectors.batch_get_for_user(user=request.user, pk=pk)
    return FileResponse(
        exports.issues_workbook_file(batch=batch, issues=selectors.batch_issues_list(batch=batch)),
        as_attachment=True,
        filename=f"roster-{batch.pk}-errors.xlsx",
        content_type=exports.XLSX_CONTENT_TYPE,
    )


@login_required
def calendar(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, VIEW_ROSTERS)
    calendar = selectors.delivery_calendar_get(user=request.user)
    return render(request, "enrollment/calendar.html", {"calendar": calendar})


def partner_home(request: AuthedRequest) -> HttpResponse:
    """A partner department's home (the dashboard hands partners over to it): its
    deliveries and their problems, what is due or late this month, its API keys and how to
    call the API."""
    access.require(request.user, PUSH_ROSTERS)
    context = selectors.partner_home_get(user=request.user)
    context["tokens"] = api_tokens_of(user=request.user)
    context["api_root"] = request.build_absolute_uri("/api/v1/")
    return render(request, "enrollment/home_partner.html", context)


# --- The registry: employers and persons of the user's jurisdiction ---------------------

REGISTRY_PAGE_SIZE = 50


def _label_employers(employers: Iterable[Employer]) -> None:
    """Display-only attributes for the templates: the market roster's values as labels
    (the label registry; a value the roster sent outside its vocabulary is marked)."""
    for employer in employers:
        vars(employer).update(
            market_status_label=labels.field_value(
                employer.market_status, "enrollment.Employer.market_status"
            ),
            entity_type_label=labels.field_value(employer.entity_type, "enrollment.Employer.entity_type"),
        )


def _mask_persons(persons: Iterable[Person]) -> None:
    """Display-only attributes for the templates: the masked ID number and phone."""
    for person in persons:
        vars(person).update(
            masked_id=privacy.mask_id_number(person.id_number),
            masked_phone=privacy.mask_phone(person.phone),
        )


def _registry_list(
    request: AuthedRequest,
    *,
    template: str,
    list_fn: Callable[..., QuerySet],
    decorate: Callable[[Iterable], None],
) -> HttpResponse:
    """A registry list page: the filters (a bad one: the unfiltered list, its message, 400),
    a page of rows and the pager's query string."""
    access.require(request.user, VIEW_TASKS)
    try:
        rows, error, filters = (
            list_fn(user=request.user, filters=request.GET),
            None,
            registry_params(request.GET),
        )
    except FilterError as exc:
        rows, error, filters = list_fn(user=request.user), str(exc), {}
    page = Paginator(rows, REGISTRY_PAGE_SIZE).get_page(request.GET.get("page"))
    decorate(page.object_list)
    streets = selectors.streets_for(user=request.user)
    districts = District.objects.all() if access.jurisdiction_of(request.user).city else []
    context = {
        "page": page,
        "filters": filters,
        "chips": listing.filter_chips(
            filters,
            [
                ("q", _("关键词"), None),
                ("district", _("区"), {d.code: d.name for d in districts}),
                ("street", _("街道"), {s.code: f"{s.district.name} · {s.name}" for s in streets}),
                ("enrolled", _("参保"), {"1": _("已参保"), "0": _("未参保")}),
            ],
        ),
        "error": error,
        "qs_base": urlencode(filters),
        "streets": streets,
        "districts": districts,
        "can_reveal": access.has(request.user, REVEAL_PERSONAL),
    }
    return render(request, template, context, status=400 if error else 200)


@login_required
@require_GET
def employer_list(request: AuthedRequest) -> HttpResponse:
    return _registry_list(
        request,
        template="enrollment/registry_employers.html",
        list_fn=selectors.employer_list,
        decorate=_label_employers,
    )


@login_required
@require_GET
def employer_detail(request: AuthedRequest, uscc: str) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    employer = selectors.employer_get_for_user(user=request.user, uscc=uscc)
    _label_employers([employer])
    tasks_url = f"/tasks/?{urlencode({'q': employer.uscc})}"
    return render(
        request, "enrollment/registry_employer.html", {"employer": employer, "tasks_url": tasks_url}
    )


def _person_pk_of(request: AuthedRequest, text: str) -> int | None:
    """The pk of the person of the jurisdiction with this whole ID number, if any."""
    if fast_id_number(text) is None:
        return None
    return selectors.person_list(user=request.user, filters={"q": text}).values_list("pk", flat=True).first()


@login_required
@require_http_methods(["GET", "POST"])
def person_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    if request.method == "POST":  # the search form: no typed ID number in the next URL
        return search_post_redirect(
            request,
            url=reverse("enrollment:persons"),
            person_pk_of=lambda text: _person_pk_of(request, text),
            person_url=lambda pk: reverse("enrollment:person", args=[pk]),
        )
    # A whole ID number: straight to the person's page, so that no page or link the
    # portal makes afterwards carries the key (the pager would repeat it).
    pk = _person_pk_of(request, (request.GET.get("q") or "").strip())
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
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    _mask_persons([person])
    enrollments = list(selectors.person_enrollments_list(person=person))
    context = {
        "person": person,
        "enrollments": enrollments,
        "can_reveal": access.has(request.user, REVEAL_PERSONAL),
        "enrolled": any(e.status != Enrollment.Status.TERMINATED for e in enrollments),
    }
    return render(request, "enrollment/registry_person.html", context)


@login_required
@require_GET
def person_tasks(request: AuthedRequest, pk: int) -> HttpResponse:
    """To the task queue filtered by the person's registry pk: the ID number is looked up on
    the server and never travels in a URL (address bar, history, server logs)."""
    access.require(request.user, VIEW_TASKS)
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    return redirect(f"/tasks/?{urlencode({'person': person.pk, 'status': 'all'})}")


@login_required
@require_POST
def person_reveal(request: AuthedRequest, pk: int, field: str) -> HttpResponse:
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
    context = {"value": getattr(person, field), "field": field}
    return render(request, "enrollment/registry_revealed.html", context)
