"""Pages of the credit blacklist: the inspectors' and managers' tabs (/blacklist/manage/),
an entry with its timeline and the steps the viewer may take, the prior notice's PDF, and
the public list with its CSV and XLSX export (no login: it is published)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from enforcement.blacklist import exports, forms, parameters, selectors, services
from enforcement.blacklist.vocabulary import Measure
from enforcement.models import BlacklistEntry, EnforcementCase
from wuhai_coverage.core import access
from wuhai_coverage.core.filters import SEARCH_MAX_CHARS
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.models import User
from wuhai_coverage.core.roles import PROPOSE_BLACKLIST, REVIEW_BLACKLIST, VIEW_CASES

PUBLIC_PAGE_SIZE = 20
MANAGE_PAGE_SIZE = 50
Status = BlacklistEntry.Status


@dataclass(frozen=True)
class Step:
    caps: tuple[str, ...]  # any one of them
    form: type[django_forms.Form]
    statuses: tuple[str, ...]
    run: Callable[[BlacklistEntry, User, dict[str, Any]], object]
    ok: StrOrPromise


STEPS: dict[str, Step] = {
    "notify": Step(
        (PROPOSE_BLACKLIST,),
        forms.EmptyForm,
        (Status.PROPOSED,),
        lambda e, u, d: services.blacklist_notify(entry=e, actor=u),
        gettext_lazy("失信告知书已生成"),
    ),
    "statement": Step(
        (PROPOSE_BLACKLIST, REVIEW_BLACKLIST),
        forms.StatementForm,
        (Status.NOTIFIED,),
        lambda e, u, d: services.blacklist_record_statement(entry=e, actor=u, **d),
        gettext_lazy("已记录陈述申辩，转入审核"),
    ),
    "lapse": Step(
        (PROPOSE_BLACKLIST, REVIEW_BLACKLIST),
        forms.EmptyForm,
        (Status.NOTIFIED,),
        lambda e, u, d: services.blacklist_close_statement_period(entry=e, actor=u),
        gettext_lazy("陈述申辩期满，转入审核"),
    ),
    "approve": Step(
        (REVIEW_BLACKLIST,),
        forms.ApproveForm,
        (Status.UNDER_REVIEW,),
        lambda e, u, d: services.blacklist_approve(entry=e, actor=u, **d),
        gettext_lazy("已审核通过并公布"),
    ),
    "reject": Step(
        (REVIEW_BLACKLIST,),
        forms.DecisionForm,
        (Status.UNDER_REVIEW,),
        lambda e, u, d: services.blacklist_reject(entry=e, actor=u, **d),
        gettext_lazy("已决定不予列入"),
    ),
    "repair": Step(
        (PROPOSE_BLACKLIST, REVIEW_BLACKLIST),
        forms.RepairForm,
        (Status.PUBLISHED,),
        lambda e, u, d: services.blacklist_apply_repair(entry=e, actor=u, **d),
        gettext_lazy("已登记信用修复申请"),
    ),
    "repair-approve": Step(
        (REVIEW_BLACKLIST,),
        forms.DecisionForm,
        (Status.PUBLISHED,),
        lambda e, u, d: services.blacklist_approve_repair(entry=e, actor=u, **d),
        gettext_lazy("信用修复已通过，已移出名单"),
    ),
    "repair-reject": Step(
        (REVIEW_BLACKLIST,),
        forms.DecisionForm,
        (Status.PUBLISHED,),
        lambda e, u, d: services.blacklist_reject_repair(entry=e, actor=u, **d),
        gettext_lazy("信用修复不予通过"),
    ),
}


def _may(user: User, step: Step) -> bool:
    return any(access.has(user, cap) for cap in step.caps)


def _steps_for(entry: BlacklistEntry, user: User) -> dict[str, bool]:
    """The steps this viewer may take on this entry now (the service still has the last word)."""
    today = timezone.localdate()
    shown = {name: _may(user, step) and entry.status in step.statuses for name, step in STEPS.items()}
    deadline, pending = entry.statement_deadline, entry.repair_applied_at is not None
    shown["statement"] &= deadline is not None and today <= deadline
    shown["lapse"] &= deadline is not None and today > deadline
    shown["repair"] &= not pending
    shown["repair-approve"] &= pending
    shown["repair-reject"] &= pending
    return shown


EVENT_FIELDS: dict[str, StrOrPromise] = {
    "reason": gettext_lazy("事由"),
    "number": gettext_lazy("文号"),
    "statement_deadline": gettext_lazy("陈述申辩期限"),
    "statement": gettext_lazy("陈述申辩"),
    "decision": gettext_lazy("决定"),
    "expires_on": gettext_lazy("到期日期"),
    "application": gettext_lazy("申请内容"),
}


def _event_rows(entry: BlacklistEntry) -> list[tuple[Any, str]]:
    """Each timeline event with a one-line summary of what and why."""
    rows = []
    for event in entry.events.select_related("actor"):
        parts = [f"{EVENT_FIELDS[key]}：{event.data[key]}" for key in EVENT_FIELDS if event.data.get(key)]
        if event.data.get("measures"):
            parts.append(
                _("、").join(str(Measure(c).label) for c in event.data["measures"] if c in Measure.values)
            )
        rows.append((event, _("；").join(parts)))
    return rows


def _entry_context(request: AuthedRequest, entry: BlacklistEntry, **extra: Any) -> dict[str, Any]:
    steps = _steps_for(entry, request.user)
    ctx: dict[str, Any] = {
        "entry": entry,
        "events": _event_rows(entry),
        "measure_labels": [Measure(code).label for code in entry.measures if code in Measure.values],
        "steps": {name.replace("-", "_"): shown for name, shown in steps.items()},
        "any_step": any(steps.values()),
        "repair_earliest": parameters.repair_earliest(entry.listed_on) if entry.listed_on else None,
        "forms": {"approve": forms.ApproveForm()},
        "open_form": "",
    }
    ctx.update(extra)
    return ctx


def _require_view(user: User) -> None:
    access.require(user, VIEW_CASES)


@login_required
@require_GET
def manage(request: AuthedRequest) -> HttpResponse:
    _require_view(request.user)
    tab = request.GET.get("tab") or "awaiting_review"
    if tab not in selectors.TAB_CODES:
        return render(request, "blacklist/manage.html", {"bad_tab": True}, status=400)
    q = (request.GET.get("q") or "").strip()[:SEARCH_MAX_CHARS]
    page = Paginator(selectors.entry_list(user=request.user, tab=tab, q=q), MANAGE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_propose = access.has(request.user, PROPOSE_BLACKLIST)
    cases = selectors.cases_ready_to_propose(user=request.user) if can_propose else None
    ctx = {
        "tabs": selectors.TABS,
        "tab": tab,
        "q": q,
        "counts": selectors.tab_counts(user=request.user),
        "page": page,
        "propose_form": _propose_form(cases, request.GET.get("case")),
    }
    return render(request, "blacklist/manage.html", ctx)


def _propose_form(cases: QuerySet[EnforcementCase] | None, case: str | None) -> forms.ProposeForm | None:
    """The proposal form when there are cases to propose; `?case=` (the case page's link)
    preselects one of them (any other value is ignored: the list is the choice)."""
    if cases is None or not cases.exists():
        return None
    chosen = cases.filter(pk=int(case)).first() if case and case.isdigit() and len(case) < 12 else None
    return forms.ProposeForm(cases=cases, initial={"case": chosen.pk} if chosen else {})


@login_required
@require_POST
def propose(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, PROPOSE_BLACKLIST)
    form = forms.ProposeForm(request.POST, cases=selectors.cases_ready_to_propose(user=request.user))
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
        return redirect(reverse("blacklist:manage") + "?tab=proposed")
    try:
        entry = services.blacklist_propose(actor=request.user, **form.cleaned_data)
    except services.BlacklistError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("blacklist:manage") + "?tab=proposed")
    messages.success(request, _("已提出列入"))
    return redirect("blacklist:entry", pk=entry.pk)


@login_required
@require_GET
def entry_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    entry = selectors.entry_get_for_user(user=request.user, pk=pk)
    return render(request, "blacklist/entry.html", _entry_context(request, entry))


@login_required
@require_POST
def entry_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """One step of the lifecycle: 404 outside the reach or for an unknown step, 403 without
    the capability, 400 with the form on a bad input, a message when the service refuses."""
    _require_view(request.user)
    entry = selectors.entry_get_for_user(user=request.user, pk=pk)
    spec = STEPS.get(step) or _not_found()
    if not _may(request.user, spec):
        access.require(request.user, spec.caps[0])
    form = spec.form(request.POST)
    if not form.is_valid():
        ctx = _entry_context(request, entry, failed=form, open_form=step)
        return render(request, "blacklist/entry.html", ctx, status=400)
    try:
        spec.run(entry, request.user, form.cleaned_data)
    except services.BlacklistError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, str(spec.ok))
    return redirect("blacklist:entry", pk=entry.pk)


def _not_found() -> Step:
    raise Http404("no such step")


@login_required
@require_GET
def notice_pdf(request: AuthedRequest, pk: int) -> HttpResponseBase:
    _require_view(request.user)
    entry = selectors.entry_get_for_user(user=request.user, pk=pk)
    if not entry.notice_pdf:
        raise Http404("no notice yet")
    return FileResponse(
        entry.notice_pdf.open("rb"),
        content_type="application/pdf",
        filename=f"blacklist-notice-{entry.pk}.pdf",
    )


# --- Public ------------------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:SEARCH_MAX_CHARS]
    page = Paginator(selectors.public_list(q=q), PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, exports.measure_labels(entry)) for entry in page]
    return render(request, "blacklist/public.html", {"page": page, "rows": rows, "q": q})


@require_GET
def public_csv(request: HttpRequest) -> HttpResponse:
    out = io.StringIO()
    out.write("\ufeff")  # Excel and WPS read UTF-8 Chinese only with the BOM
    writer = csv.writer(out)
    for row in exports.public_rows(selectors.public_list()):
        writer.writerow(row)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="blacklist.csv"'
    return response


@require_GET
def public_xlsx(request: HttpRequest) -> HttpResponse:
    out = io.BytesIO()
    exports.public_workbook(selectors.public_list(), out=out)
    response = HttpResponse(out.getvalue(), content_type=exports.XLSX)
    response["Content-Disposition"] = 'attachment; filename="blacklist.xlsx"'
    return response
