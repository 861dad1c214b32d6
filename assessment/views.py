"""Pages under /assessment/: the ranking (table, bar chart, trends, departments), a
district's indicators with how each was computed, the rows behind each number, the
parameters with their history, and the XLSX export."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessment import charts, export, selectors, services
from assessment import parameters as P
from assessment.forms import ParametersForm
from enforcement.models import Task, TaskKind
from wuhai_coverage.core import access, privacy
from wuhai_coverage.core.models import District
from wuhai_coverage.core.roles import EDIT_SETTINGS, VIEW_ASSESSMENT

PAGE_SIZE = 50


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "assessment/bad_request.html", {"message": message}, status=400)


def _period(request: HttpRequest) -> selectors.Period:
    return selectors.period_of(selectors.parse_year(request.GET.get("year")))


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    access.require(request.user, VIEW_ASSESSMENT)
    try:
        period = _period(request)
    except selectors.BadYear as exc:
        return _bad_request(request, str(exc))
    params = selectors.current_parameters()
    results = selectors.ranking(period, params)
    series = selectors.trend(period.year, params)
    today = timezone.localdate()
    trends = []
    for r in sorted(results, key=lambda r: r.code):
        points = [(d.month, s) for d, s in series.get(r.code, [])]
        if period.year == today.year and period.as_of.month not in {m for m, _ in points}:
            points.append((period.as_of.month, r.score))  # this month, live
        trends.append((r, charts.trend_chart(points, pass_score=params[P.PASS_SCORE], label=r.name)))
    return render(
        request,
        "assessment/ranking.html",
        {
            "period": period,
            "results": results,
            "params": params,
            "indicators": [(ind, params[P.weight_name(ind.code)]) for ind in P.INDICATORS],
            "bar_chart": charts.bar_chart(
                [(r.name, r.score) for r in results], pass_score=params[P.PASS_SCORE]
            ),
            "trends": trends,
            "departments": selectors.department_assessment(period),
            "years": list(range(today.year, max(selectors.FIRST_YEAR, today.year - 5) - 1, -1)),
            "can_edit": access.has(request.user, EDIT_SETTINGS),
        },
    )


@login_required
def district(request: HttpRequest, code: str) -> HttpResponse:
    """One district's indicators (public within the bureau), each number linked to its rows
    when the district is in the user's jurisdiction."""
    access.require(request.user, VIEW_ASSESSMENT)
    d = get_object_or_404(District, code=code)
    try:
        period = _period(request)
    except selectors.BadYear as exc:
        return _bad_request(request, str(exc))
    params = selectors.current_parameters()
    result = next(r for r in selectors.ranking(period, params) if r.code == d.code)
    return render(
        request,
        "assessment/district.html",
        {
            "period": period,
            "district": d,
            "result": result,
            "params": params,
            "scored_weight": sum(i.weight for i in result.indicators if i.scored),
            "weighted_terms": " + ".join(
                f"{i.weight.normalize():f}×{i.score}" for i in result.indicators if i.scored
            ),
            "drillable": access.in_jurisdiction(request.user, district_code=d.code, street_code=None),
        },
    )


def _cell(code: str, alias: str, value, row: dict | None = None):
    # Personal values through the one masking module: a birth date beside a masked ID
    # shows its year only; a person task's key is an ID number.
    if alias == "birth_date":
        return privacy.birth_year(value)
    if alias == "subject_key":
        return privacy.mask_subject_key((row or {}).get("subject_type") or "person", value)
    if isinstance(value, bool) or alias == "hit":
        return _("是") if value else _("否")
    if alias == "kind":
        return TaskKind(value).label if value in TaskKind.values else value
    if alias in ("status", "resolution") and code == P.TASK_CLOSURE_RATE and value:
        field = Task._meta.get_field(alias)
        return dict(field.choices).get(value, value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if value is None:
        return ""
    return value


@login_required
def indicator_rows(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    """The rows behind one indicator of one district: the denominator (all), the numerator,
    or the gap. Inside the user's jurisdiction only (404 outside); IDs masked."""
    access.require(request.user, VIEW_ASSESSMENT)
    if indicator not in P.BY_CODE or not access.in_jurisdiction(
        request.user, district_code=code, street_code=None
    ):
        raise Http404("not found")
    d = get_object_or_404(District, code=code)
    try:
        period = _period(request)
    except selectors.BadYear as exc:
        return _bad_request(request, str(exc))
    subset = request.GET.get("subset", "all")
    if subset not in ("all", "numerator", "gap"):
        return _bad_request(request, "subset 应为 all、numerator 或 gap / subset is all, numerator or gap")
    try:
        page_no = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return _bad_request(request, "页码应为数字 / page must be a number")
    ind = P.BY_CODE[indicator]
    q, total, rows = selectors.indicator_rows(
        indicator,
        period,
        district_code=d.code,
        subset=subset,
        limit=PAGE_SIZE,
        offset=(page_no - 1) * PAGE_SIZE,
    )
    table = []
    for r in rows:
        key = r["key"]
        shown = privacy.mask_id_number(key) if ind.subject == "person" else key
        link = f"/tasks/{key}/" if ind.subject == "task" else ""
        table.append(
            {
                "key": shown,
                "link": link,
                "name": r["name"],
                "street": r.get("street_code") or "",
                "cells": [_cell(indicator, alias, r.get(alias), r) for alias, _label in q.columns],
            }
        )
    pages = Paginator(range(total), PAGE_SIZE).get_page(page_no) if total else None
    return render(
        request,
        "assessment/rows.html",
        {
            "period": period,
            "district": d,
            "indicator": ind,
            "subset": subset,
            "query": q,
            "total": total,
            "rows": table,
            "page": pages,
            "key_label": {
                "employer": _("统一社会信用代码"),
                "project": _("项目编号"),
                "person": _("身份证号"),
                "task": _("任务编号"),
                "community": _("社区代码"),
            }[ind.subject],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """The weights, targets, pass score, penalty and base share; city managers edit them."""
    access.require(request.user, VIEW_ASSESSMENT)
    can_edit = access.has(request.user, EDIT_SETTINGS)
    current = selectors.current_parameters()
    form = ParametersForm(initial=current)
    status = 200
    if request.method == "POST":
        access.require(request.user, EDIT_SETTINGS)
        form = ParametersForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data.pop("reason", "")
            try:
                changed = services.parameters_update(
                    actor=request.user, changes=form.cleaned_data, reason=reason
                )
            except services.ParameterError as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(
                    request,
                    f"已保存 {len(changed)} 项修改，排名已按新参数重新计算 / "
                    f"{len(changed)} change(s) saved; the ranking is recomputed",
                )
                return redirect(reverse("assessment:ranking"))
        status = 400
    return render(
        request,
        "assessment/settings.html",
        {
            "form": form,
            "can_edit": can_edit,
            "current": current,
            "labels": {n: P.label_of(n) for n in current},
            "history": selectors.parameter_history(),
            "defaults": P.defaults(),
        },
        status=status,
    )


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    access.require(request.user, VIEW_ASSESSMENT)
    try:
        period = _period(request)
    except selectors.BadYear as exc:
        return _bad_request(request, str(exc))
    params = selectors.current_parameters()
    content = export.ranking_workbook(period, selectors.ranking(period, params), params)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{period.year}.xlsx"'
    return response
