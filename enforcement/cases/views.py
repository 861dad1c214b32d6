"""Pages of the inspectors' case work: the list with its counts, opening a case, the case
page with the employer's rows from every roster, the case file and the action forms, and
the access-checked downloads of attachments and documents.

Thin views: the access helper says who and where (403 without view_cases, 404 outside
the jurisdiction, 403 for an action without manage_cases), a form checks the input, a
service does the step (its refusal is a message), a selector reads."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enforcement.blacklist.services import proposable
from enforcement.cases import forms as case_forms
from enforcement.cases import selectors, services
from enforcement.cases.models import (
    CaseDocumentKind,
    CaseEventKind,
    CaseOutcome,
    CaseViolation,
    FindingSource,
    ViolationKind,
)
from enforcement.models import EnforcementCase
from enforcement.views import _aspect_cells
from wuhai_coverage.core import access
from wuhai_coverage.core.filters import FilterError
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.roles import MANAGE_CASES, PROPOSE_BLACKLIST, VIEW_CASES

Status = EnforcementCase.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVENT_LABELS = dict(CaseEventKind.choices)
# The keys of an event's data shown on the timeline, with their labels.
EVENT_FIELDS = {
    "note": gettext_lazy("说明"),
    "kind": gettext_lazy("类型"),
    "description": gettext_lazy("情况说明"),
    "source": gettext_lazy("来源"),
    "period": gettext_lazy("所属期"),
    "verified_headcount": gettext_lazy("核定用工人数"),
    "verified_monthly_base": gettext_lazy("核定月缴费基数合计（元）"),
    "name": gettext_lazy("名称"),
    "number": gettext_lazy("文号"),
    "deadline": gettext_lazy("期限"),
    "what_changed": gettext_lazy("整改情况"),
    "outcome": gettext_lazy("结案方式"),
    "reason": gettext_lazy("理由"),
    "owed": gettext_lazy("应缴金额（元）"),
    "paid_on": gettext_lazy("缴费日期"),
    "amount": gettext_lazy("金额（元）"),
}
VALUE_LABELS = {
    **dict(CaseDocumentKind.choices),
    **dict(ViolationKind.choices),
    **dict(FindingSource.choices),
    **dict(CaseOutcome.choices),
}


@login_required
@require_GET
def case_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, VIEW_CASES)
    filters = request.GET.dict()
    if "view" not in filters and access.has(request.user, MANAGE_CASES):
        filters["view"] = "mine"  # an inspector's landing list
    error = ""
    try:
        cases = selectors.case_list(user=request.user, filters=filters)
    except FilterError as exc:
        error, filters = str(exc), {}
        cases = selectors.case_list(user=request.user, filters=filters)
    counts = selectors.case_counts_get(user=request.user)
    ctx = {
        "cases": cases[: selectors.PAGE_SIZE],
        "total": cases.count(),
        "tiles": [(key, label, counts[key]) for key, label in selectors.VIEWS.items()],
        "views": list(selectors.VIEWS.items()),
        "filters": filters,
        "statuses": Status.choices,
        "case_types": EnforcementCase.CaseType.choices,
        "may_manage": access.has(request.user, MANAGE_CASES),
        "error": error,
    }
    return render(request, "enforcement/cases/list.html", ctx, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, MANAGE_CASES)
    form = case_forms.CaseOpenForm(request.POST or None, initial={"uscc": request.GET.get("uscc", "")[:18]})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, **form.cleaned_data)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已立案"))
            return redirect("enforcement:case", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "enforcement/cases/new.html", {"form": form}, status=status)


def _permissions(case: EnforcementCase, may_manage: bool) -> dict[str, bool]:
    """Which of the case page's actions this user may take on this case now."""
    s = case.status
    return {
        "manage": may_manage,
        "take": may_manage and s != Status.CLOSED,
        "work": may_manage and s in services.WORKABLE,
        "withdraw": may_manage and s in services.WITHDRAWABLE,
        "order": may_manage and s in services.ORDERABLE,
        "penalty": may_manage and s in services.PENALTY_NOTICEABLE,
        "rectified": may_manage and s in services.RECTIFIABLE,
        "close": may_manage and any(s in allowed for allowed in services.CLOSABLE.values()),
        # The rosters' table (enforcement/_compare.html): a phone stays masked here; its
        # logged reveal is the task page's.
        "reveal": False,
    }


def _events(case: EnforcementCase) -> list[dict[str, Any]]:
    out = []
    for event in selectors.case_events_list(case=case):
        parts = [
            f"{label}：{VALUE_LABELS.get(str(event.data[key]), event.data[key])}"
            for key, label in EVENT_FIELDS.items()
            if event.data.get(key) not in (None, "")
        ]
        out.append(
            {
                "at": event.at,
                "kind": event.kind,
                "label": EVENT_LABELS.get(event.kind, event.kind),
                "actor": event.actor,
                "summary": " · ".join(parts),
            }
        )
    return out


def _statement_lines(statement: Any) -> list[dict[str, Any]]:
    """The statement's figures in yuan for the page (the arithmetic keeps fen)."""
    if statement is None:
        return []
    from enforcement.arrears import yuan

    return [
        {
            "period": line.period,
            "due_date": line.due_date,
            "owed": yuan(line.owed),
            "paid": yuan(line.paid),
            "unpaid": yuan(line.unpaid),
            "late_days": line.late_days,
            "fee": yuan(line.fee),
            "source": line.source,
        }
        for line in statement.lines
    ]


def _money_totals(statement: Any) -> dict[str, Any]:
    if statement is None:
        return {}
    from enforcement.arrears import yuan

    low, high = statement.fine_range()
    return {
        "owed": yuan(statement.total_owed),
        "paid": yuan(statement.total_paid),
        "unpaid": yuan(statement.total_unpaid),
        "fee": yuan(statement.total_fee),
        "due": yuan(statement.total_due),
        "credit": yuan(statement.credit),
        "fine_low": yuan(low),
        "fine_high": yuan(high),
    }


def _case_context(request: AuthedRequest, case: EnforcementCase, **extra: Any) -> dict[str, Any]:
    sources, aspects = selectors.case_sources_get(case=case)
    _aspect_cells(aspects)
    can = _permissions(case, access.has(request.user, MANAGE_CASES))
    try:
        statement, statement_error = services.arrears_statement_get(case=case), ""
    except services.CaseError as exc:
        statement, statement_error = None, str(exc)
    return {
        "case": case,
        "can": can,
        "statement": statement,
        "statement_lines": _statement_lines(statement),
        "totals": _money_totals(statement),
        "statement_error": statement_error,
        "fines": case.fines.select_related("recorded_by").all(),
        "sources": sources,
        "aspects": aspects,
        "tasks": selectors.case_tasks_list(case=case)[:20],
        "violations": selectors.case_violations_list(case=case),
        "findings": case.case_findings.select_related("recorded_by").all(),
        "attachments": case.attachments.select_related("uploaded_by").all(),
        "documents": case.documents.select_related("issued_by").all(),
        "events": _events(case),
        "violation_kinds": ViolationKind.choices,
        "sources_choices": FindingSource.choices,
        "outcomes": [(k, v) for k, v in CaseOutcome.choices if case.status in services.CLOSABLE[k]],
        "order_days": services.ORDER_DEFAULT_WORKING_DAYS,
        "order_max": services.ORDER_MAX_WORKING_DAYS,
        "failed": None,
        "open_form": "",
        # Where the case meets the blacklist: its entries' states, and the way to propose one.
        "blacklist_entries": case.blacklist_entries.order_by("-proposed_at", "-pk"),
        "may_propose": access.has(request.user, PROPOSE_BLACKLIST) and proposable(case) is None,
        **extra,
    }


def _case(request: AuthedRequest, pk: int) -> EnforcementCase:
    access.require(request.user, VIEW_CASES)
    return selectors.case_get_for_user(user=request.user, pk=pk)


@login_required
@require_GET
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return render(request, "enforcement/cases/detail.html", _case_context(request, case))


def _action(
    request: AuthedRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    run: Callable[[EnforcementCase, dict[str, Any]], object],
    ok: str,
) -> HttpResponse:
    """A case action: 404 outside the jurisdiction, 403 without manage_cases, a form error
    re-renders the page (400), a service refusal is a message."""
    case = _case(request, pk)
    access.require(request.user, MANAGE_CASES)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        ctx = _case_context(request, case, failed=form, open_form=form_class.__name__)
        return render(request, "enforcement/cases/detail.html", ctx, status=400)
    try:
        run(case, form.cleaned_data)
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ok)
    return redirect("enforcement:case", pk=case.pk)


class _NoInput(forms.Form):
    pass


@login_required
@require_POST
def case_take(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_assign(case=case, actor=request.user, inspector=request.user)

    return _action(request, pk, form_class=_NoInput, run=run, ok=_("已由您承办"))


@login_required
@require_POST
def case_violation(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_record_violation(case=case, actor=request.user, **data)

    return _action(request, pk, form_class=case_forms.ViolationForm, run=run, ok=_("已认定违法行为"))


@login_required
@require_POST
def case_violation_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        violation = CaseViolation.objects.filter(case=case, pk=data["violation"]).first()
        if violation is None:
            raise services.CaseError(_("本案没有该违法行为"))
        return services.case_withdraw_violation(
            case=case, actor=request.user, violation=violation, reason=data["reason"]
        )

    return _action(request, pk, form_class=case_forms.WithdrawForm, run=run, ok=_("已撤销"))


@login_required
@require_POST
def case_finding(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_record_finding(case=case, actor=request.user, **data)

    return _action(request, pk, form_class=case_forms.FindingForm, run=run, ok=_("已记录稽核结果"))


@login_required
@require_POST
def case_attachment(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_add_attachment(
            case=case, actor=request.user, upload=data["file"], description=data["description"]
        )

    return _action(request, pk, form_class=case_forms.AttachmentForm, run=run, ok=_("已上传"))


@login_required
@require_POST
def case_order(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_issue_order(case=case, actor=request.user, **data)

    return _action(request, pk, form_class=case_forms.OrderForm, run=run, ok=_("限期改正指令书已生成"))


@login_required
@require_POST
def case_penalty_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_issue_penalty_notice(case=case, actor=request.user, **data)

    return _action(
        request, pk, form_class=case_forms.PenaltyNoticeForm, run=run, ok=_("行政处罚事先告知书已生成")
    )


@login_required
@require_POST
def case_rectified(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_mark_rectified(case=case, actor=request.user, **data)

    return _action(request, pk, form_class=case_forms.RectifiedForm, run=run, ok=_("已记录整改"))


@login_required
@require_POST
def case_outcome(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_close(case=case, actor=request.user, **data)

    return _action(request, pk, form_class=case_forms.OutcomeForm, run=run, ok=_("已结案"))


@login_required
@require_POST
def case_note(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_add_note(case=case, actor=request.user, **data)

    return _action(request, pk, form_class=case_forms.CaseNoteForm, run=run, ok=_("已添加备注"))


@login_required
@require_POST
def case_arrears_period(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_arrears_period_set(case=case, actor=request.user, **data)

    return _action(request, pk, form_class=case_forms.ArrearsPeriodForm, run=run, ok=_("已加入欠费计算"))


@login_required
@require_POST
def case_payment(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_payment_record(case=case, actor=request.user, **data)

    return _action(request, pk, form_class=case_forms.PaymentForm, run=run, ok=_("已记录缴费"))


@login_required
@require_POST
def case_fine(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(case: EnforcementCase, data: dict[str, Any]) -> object:
        return services.case_fine_record(case=case, actor=request.user, **data)

    return _action(request, pk, form_class=case_forms.FineForm, run=run, ok=_("已记录罚款金额"))


@login_required
@require_GET
def case_arrears_xlsx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    from enforcement import arrears

    case = _case(request, pk)
    try:
        statement = services.arrears_statement_get(case=case)
    except services.CaseError as exc:
        return HttpResponseBadRequest(str(exc))
    content = arrears.statement_workbook(statement, employer_name=case.employer_name, uscc=case.employer_uscc)
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=f"arrears-case-{case.pk}.xlsx", content_type=XLSX
    )


@login_required
@require_GET
def attachment_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    access.require(request.user, VIEW_CASES)
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@require_GET
def document_pdf(request: AuthedRequest, pk: int) -> HttpResponseBase:
    access.require(request.user, VIEW_CASES)
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    return FileResponse(
        document.pdf.open("rb"), content_type="application/pdf", filename=f"case-document-{document.pk}.pdf"
    )


def case_url(case: EnforcementCase) -> str:
    return reverse("enforcement:case", args=[case.pk])
