"""The runs page: each comparison run's as-of date, duration, progress while it runs
(htmx polling), opened / closed / open per kind, skipped rules and why, per-rule seconds;
and the thresholds page where a city manager edits the parameters and A."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enforcement.comparison.parameters import DEFAULTS, INTEGER_PARAMETERS, load_parameters
from enforcement.comparison.services import RunInProgress, comparison_request_run
from enforcement.models import ComparisonRun, RuleParameter, TaskKind
from wuhai_coverage.core import access
from wuhai_coverage.core.models import AverageWage
from wuhai_coverage.core.roles import EDIT_SETTINGS, RUN_COMPARISON, VIEW_TASKS

BAR_WIDTH = 260  # px of the longest bar in the per-kind chart


def _kind_rows(run: ComparisonRun) -> list[dict]:
    skipped = {s["rule"]: s["reason"] for s in run.skipped or []}
    rows = []
    peak = max([1, *(int(v) for d in (run.opened, run.closed, run.open) for v in (d or {}).values())])
    for kind in TaskKind:
        o, c, n = (int((d or {}).get(kind.value, 0)) for d in (run.opened, run.closed, run.open))
        rows.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "opened": o,
                "closed": c,
                "open": n,
                "seconds": (run.rule_seconds or {}).get(kind.value),
                "skipped": skipped.get(kind.value),
                "w_open": round(BAR_WIDTH * n / peak, 1),
                "w_opened": round(BAR_WIDTH * o / peak, 1),
                "w_closed": round(BAR_WIDTH * c / peak, 1),
            }
        )
    return rows


@login_required
def runs_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    runs = list(ComparisonRun.objects.select_related("triggered_by").order_by("-started_at", "-id")[:60])
    for r in runs:
        r.total_opened, r.total_closed, r.total_open = (
            sum(int(v) for v in (d or {}).values()) for d in (r.opened, r.closed, r.open)
        )
    return render(
        request,
        "enforcement/runs.html",
        {
            "runs": runs,
            "can_run": access.has(request.user, RUN_COMPARISON),
            "can_edit": access.has(request.user, EDIT_SETTINGS),
            "today": timezone.localdate(),
            "running": any(r.status == ComparisonRun.Status.RUNNING for r in runs),
        },
    )


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    access.require(request.user, RUN_COMPARISON)
    as_of = None
    raw = (request.POST.get("as_of") or "").strip()
    if raw:
        try:
            as_of = dt.date.fromisoformat(raw)
        except ValueError:
            messages.error(request, _("比对日期格式应为 YYYY-MM-DD"))
            return redirect("enforcement:runs")
    try:
        run, _finished = comparison_request_run(user=request.user, as_of=as_of, trigger="portal")
    except RunInProgress:
        messages.error(request, _("另一比对正在运行，请稍后再试"))
        return redirect("enforcement:runs")
    return redirect("enforcement:run-detail", pk=run.pk)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, VIEW_TASKS)
    run = get_object_or_404(ComparisonRun.objects.select_related("triggered_by"), pk=pk)
    context = {
        "run": run,
        "rows": _kind_rows(run),
        "bar_width": BAR_WIDTH,
        "extra_seconds": {k: v for k, v in (run.rule_seconds or {}).items() if k.startswith("_")},
    }
    if request.headers.get("HX-Request"):
        return render(request, "enforcement/runs_progress.html", context)
    return render(request, "enforcement/runs_detail.html", context)


@login_required
def run_parameters(request: HttpRequest) -> HttpResponse:
    """Thresholds of comparison.md and A per year — edited by a city manager; each run
    records the values it used."""
    access.require(request.user, EDIT_SETTINGS)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values: dict[str, Decimal] = {}
        for name in DEFAULTS:
            raw = (request.POST.get(name) or "").strip()
            try:
                value = Decimal(raw)
                if value < 0 or (name in INTEGER_PARAMETERS and value != value.to_integral_value()):
                    raise InvalidOperation
                if value.as_tuple().exponent < -4 or value >= Decimal("1e8"):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors[name] = _("请输入非负数（整数参数须为整数，最多4位小数）")
                continue
            values[name] = value
        wage_year, wage_value = (
            (request.POST.get("wage_year") or "").strip(),
            (request.POST.get("wage_value") or "").strip(),
        )
        wage = None
        if wage_year or wage_value:
            try:
                year, amount = int(wage_year), Decimal(wage_value)
                if not (1990 <= year <= 2100) or amount <= 0 or amount.as_tuple().exponent < -2:
                    raise ValueError
                wage = (year, amount)
            except (ValueError, InvalidOperation):
                errors["wage"] = _("年度须为1990–2100，平均工资须为正数（最多2位小数）")
        if not errors:
            for name, value in values.items():
                RuleParameter.objects.update_or_create(
                    name=name, defaults={"value": value, "updated_by": request.user}
                )
            if wage:
                AverageWage.objects.update_or_create(
                    year=wage[0],
                    defaults={"value": wage[1], "source": f"{request.user.username} {timezone.localdate()}"},
                )
            messages.success(request, _("参数已保存，下次比对起生效"))
            return redirect("enforcement:run-parameters")
    current = load_parameters(timezone.localdate())
    stored = {p.name: p for p in RuleParameter.objects.select_related("updated_by")}
    params = [
        {
            "name": name,
            "label": label,
            "default": default,
            "value": request.POST.get(name, getattr(current, name)) if errors else getattr(current, name),
            "stored": stored.get(name),
            "error": errors.get(name),
        }
        for name, (default, label) in DEFAULTS.items()
    ]
    return render(
        request,
        "enforcement/runs_parameters.html",
        {
            "params": params,
            "wages": AverageWage.objects.order_by("-year"),
            "wage_error": errors.get("wage"),
            "current": current,
        },
    )
