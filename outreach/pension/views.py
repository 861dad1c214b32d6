"""The public pension estimator (/calculator/, no login, a GET form) and its parameters
with their history (/calculator/parameters/, city managers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from outreach.pension import calculator as calc
from outreach.pension import selectors, services
from outreach.pension.forms import CalculatorForm, ParameterForm
from wuhai_coverage.core import access
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.roles import EDIT_SETTINGS


@require_http_methods(["GET"])
def calculator(request: HttpRequest) -> HttpResponse:
    scheme = request.GET.get("scheme")
    scheme = scheme if scheme in calc.SCHEMES else calc.ENTERPRISE
    submitted = any(name != "scheme" for name in request.GET)
    form = CalculatorForm(request.GET if submitted else None, scheme=scheme)
    result, today = None, timezone.localdate()
    if submitted and form.is_valid():
        try:
            result = selectors.estimate(scheme=scheme, data=form.cleaned_data, today=today)
        except calc.InputError as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
    context = {
        "form": form,
        "scheme": scheme,
        "result": result,
        "params": selectors.parameters_shown(scheme=scheme, year=result.year if result else today.year),
        "param_year": result.year if result else today.year,
    }
    return render(
        request, "outreach/calculator.html", context, status=400 if submitted and not result else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def parameters(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, EDIT_SETTINGS)
    initial = {k: request.GET[k] for k in ("name", "from_year") if k in request.GET}
    form = ParameterForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.parameter_set(actor=request.user, **form.cleaned_data)
        except services.ParameterError as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("已保存") if change else _("取值未变，未做修改"))
            return redirect(reverse("outreach:calculator_parameters"))
    context = {
        "form": form,
        "rows": [(r, calc.parameter_label(r.name)) for r in selectors.parameter_list()],
        "history": [(h, calc.parameter_label(h.name)) for h in selectors.parameter_history_list()],
    }
    return render(request, "outreach/calculator_parameters.html", context, status=400 if form.errors else 200)
