"""Pages under /assessment/: the ranking (table, bar chart, trends, departments), a
district's indicators with how each was computed, the rows behind each number, the
parameters with their history, and the XLSX export."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessment import charts, display, exports, parameters, selectors, services
from assessment.forms import ParametersForm
from wuhai_coverage.core import access
from wuhai_coverage.core.http import AuthedRequest
from wuhai_coverage.core.models import District
from wuhai_coverage.core.roles import EDIT_SETTINGS, VIEW_ASSESSMENT

Args = ParamSpec("Args")


def _assessment_page(
    view: Callable[Concatenate[AuthedRequest, Args], HttpResponse],
) -> Callable[Concatenate[AuthedRequest, Args], HttpResponse]:
    """Behind login and VIEW_ASSESSMENT; a bad year, subset or page is a 400 page saying why."""

    @functools.wraps(view)
    def wrapped(request: AuthedRequest, *args: Args.args, **kwargs: Args.kwargs) -> HttpResponse:
        access.require(request.user, VIEW_ASSESSMENT)
        try:
            return view(request, *args, **kwargs)
        except (selectors.BadYear, selectors.BadRowsQuery) as exc:
            context = {"message": str(exc)}
            return render(request, "assessment/bad_request.html", context, status=400)

    return login_required(wrapped)


def _period(request: AuthedRequest) -> selectors.Period:
    return selectors.period_get(selectors.year_parse(request.GET.get("year")))


@_assessment_page
def ranking(request: AuthedRequest) -> HttpResponse:
    period = _period(request)
    params = selectors.parameters_current_get()
    results = selectors.ranking_list(period, params)
    series = selectors.trend_get(period.year, params)
    context = {
        "period": period,
        "results": results,
        "params": params,
        "indicators": [(ind, params[parameters.weight_name(ind.code)]) for ind in parameters.INDICATORS],
        "bar_chart": charts.bar_chart(
            [(r.name, r.score) for r in results], pass_score=params[parameters.PASS_SCORE]
        ),
        "trends": display.trend_charts(results, series, period=period, params=params),
        "departments": selectors.department_results_list(period),
        "years": selectors.year_choices_list(),
        "can_edit": access.has(request.user, EDIT_SETTINGS),
    }
    return render(request, "assessment/ranking.html", context)


@_assessment_page
def district(request: AuthedRequest, code: str) -> HttpResponse:
    """One district's indicators (public within the bureau), each number linked to its rows
    when the district is in the user's jurisdiction."""
    district = get_object_or_404(District, code=code)
    period = _period(request)
    params = selectors.parameters_current_get()
    result = selectors.district_result_get(period, district_code=district.code, params=params)
    scored = [i for i in result.indicators if i.score is not None]
    context = {
        "period": period,
        "district": district,
        "result": result,
        "params": params,
        "scored_weight": sum(i.weight for i in scored),
        "weighted_terms": " + ".join(f"{i.weight.normalize():f}×{i.score}" for i in scored),
        "drillable": access.in_jurisdiction(request.user, district_code=district.code, street_code=None),
    }
    return render(request, "assessment/district.html", context)


@_assessment_page
def indicator_rows(request: AuthedRequest, code: str, indicator: str) -> HttpResponse:
    """The rows behind one indicator of one district: the denominator (all), the numerator,
    or the gap. Inside the user's jurisdiction only (404 outside); IDs masked."""
    if indicator not in parameters.BY_CODE or not access.in_jurisdiction(
        request.user, district_code=code, street_code=None
    ):
        raise Http404("not found")
    district = get_object_or_404(District, code=code)
    period = _period(request)
    subset, page_no = selectors.rows_page_parse(
        subset=request.GET.get("subset"), page=request.GET.get("page")
    )
    found = selectors.indicator_rows_page_get(
        indicator, period, district_code=district.code, subset=subset, page_no=page_no
    )
    ind = parameters.BY_CODE[indicator]
    context = {
        "period": period,
        "district": district,
        "indicator": ind,
        "subset": subset,
        "query": found.query,
        "total": found.total,
        "rows": display.rows_table(ind, found.query.columns, found.rows),
        "page": found.page,
        "key_label": display.KEY_LABELS[ind.subject],
    }
    return render(request, "assessment/rows.html", context)


def _parameters_save(request: AuthedRequest, form: ParametersForm) -> bool:
    """Save a valid form's changes; False with the service's errors on the form."""
    access.require(request.user, EDIT_SETTINGS)
    if not form.is_valid():
        return False
    reason = form.cleaned_data.pop("reason", "")
    try:
        changed = services.parameters_update(actor=request.user, changes=form.cleaned_data, reason=reason)
    except services.ParameterError as exc:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
        return False
    messages.success(request, _("已保存 %(n)s 项修改，排名已按新参数重新计算") % {"n": len(changed)})
    return True


@_assessment_page
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthedRequest) -> HttpResponse:
    """The weights, targets, pass score, penalty and base share; city managers edit them."""
    current = selectors.parameters_current_get()
    form = ParametersForm(request.POST) if request.method == "POST" else ParametersForm(initial=current)
    if request.method == "POST" and _parameters_save(request, form):
        return redirect(reverse("assessment:ranking"))
    context = {
        "form": form,
        "can_edit": access.has(request.user, EDIT_SETTINGS),
        "current": current,
        "labels": {name: parameters.label_of(name) for name in current},
        "history": selectors.parameter_history_list(),
        "defaults": parameters.defaults(),
    }
    return render(
        request, "assessment/settings.html", context, status=400 if request.method == "POST" else 200
    )


@_assessment_page
def export_xlsx(request: AuthedRequest) -> HttpResponse:
    period = _period(request)
    params = selectors.parameters_current_get()
    return exports.ranking_response(period, selectors.ranking_list(period, params), params)
